/**
 * The fused training kernels of the wasm backend (batch norm with ReLU or swish, a residual
 * block's add and ReLU or swish, the optimizer's update), with the gradients that make them
 * differentiable.
 */
import type * as tf from '@tensorflow/tfjs-core';

import { addReluConfig, addReluGradient, reluGradConfig } from './addRelu';
import { addSwishConfig, addSwishGradConfig, addSwishGradient } from './addSwish';
import { batchNormTrainConfig, batchNormTrainGradConfig, batchNormTrainGradient } from './batchNorm';
import { sgdMomentumConfig } from './sgd';

/** Kernels registered for the wasm backend. */
export const FUSED_KERNELS: readonly tf.KernelConfig[] = [
  batchNormTrainConfig,
  batchNormTrainGradConfig,
  addReluConfig,
  reluGradConfig,
  addSwishConfig,
  addSwishGradConfig,
  sgdMomentumConfig,
];

/** Their gradients (registered with tf.registerGradient). */
export const FUSED_GRADIENTS: readonly tf.GradConfig[] = [batchNormTrainGradient, addReluGradient, addSwishGradient];
