/**
 * Our kernels on the webgpu backend: the fused batch norm (and its running statistics' update), the grouped conv with its gradients,
 * the end of a residual block and the SGD step, under the wasm kernels' names and gradients, so the ops that call them
 * (ops/batchNorm.ts, ops/conv.ts, optimizer.ts) need only know that the active backend has them.
 * On a GPU the cost of a training step is mostly dispatches, which these cut several-fold.
 */
import * as tf from '@tensorflow/tfjs-core';

import { convGradient, CONV } from '../simd/conv';
import { FUSED_GRADIENTS } from '../simd/fused';
import { batchNormRunningUpdateWebGpu, batchNormTrainGradWebGpu, batchNormTrainWebGpu } from './batchNorm';
import { convBackpropFilterWebGpu, convBackpropInputWebGpu, convWebGpu } from './conv';
import { RESIDUAL_WEBGPU_KERNELS } from './residual';
import { sgdMomentumWebGpu } from './sgd';

export const WEBGPU_KERNELS: readonly tf.KernelConfig[] = [
  batchNormTrainWebGpu,
  batchNormTrainGradWebGpu,
  batchNormRunningUpdateWebGpu,
  convWebGpu,
  convBackpropInputWebGpu,
  convBackpropFilterWebGpu,
  sgdMomentumWebGpu,
  ...RESIDUAL_WEBGPU_KERNELS,
];

/** Registers them for 'webgpu' (and their gradients). Idempotent. */
export function registerWebGpuKernels(): void {
  for (const config of WEBGPU_KERNELS) {
    if (tf.getKernel(config.kernelName, 'webgpu')?.kernelFunc === config.kernelFunc) continue;
    if (tf.getKernel(config.kernelName, 'webgpu') !== undefined) tf.unregisterKernel(config.kernelName, 'webgpu');
    tf.registerKernel(config);
  }
  for (const gradient of [...FUSED_GRADIENTS, convGradient]) tf.registerGradient(gradient);
}

/** True when the active backend is webgpu with our kernels registered. */
export function webgpuKernelsActive(): boolean {
  return tf.getBackend() === 'webgpu' && tf.getKernel(CONV, 'webgpu') !== undefined;
}
