/**
 * Fused training-mode batch norm (+ optional ReLU or swish) on the wasm backend, running
 * wasm/src/batchnorm.c on tfjs's memory:
 * - `DslabBatchNormTrain` {x, gamma, beta} → [y, mean, variance]: batch statistics over N, H, W
 *   (biased variance, one pass), z = γ(x − μ)/√(σ² + ε) + β, y = z, max(0, z) or z·σ(z) by
 *   `activation`.
 * - `DslabBatchNormTrainGrad` {dy, x, y, gamma, beta, mean, variance} → [dx, dγ, dβ], through the
 *   ReLU mask read from y, or swish′(z) with z recomputed from x as the forward kernel computed it
 *   and σ(z) = y/z.
 * The gradient of the first is registered, so `tf.grads` differentiates through it.
 */
import * as tf from '@tensorflow/tfjs-core';

import { wasmKernelConfig, type KernelArgs } from '../kernelConfig';
import { float32Output, requireSimdKernels } from './module';

type TensorInfo = tf.TensorInfo;

/**
 * The most channels the kernels take: their per-channel scratch (≤ 40 bytes a channel) lives on the
 * 256 KiB shadow stack. Wider layers take the composite path.
 */
export const MAX_FUSED_CHANNELS = 4096;

export const BATCH_NORM_TRAIN = 'DslabBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'DslabBatchNormTrainGrad';

/** The activation codes of wasm/src/batchnorm.c. */
const ACTIVATION_CODE = { none: 0, relu: 1, swish: 2 } as const;

/** The attributes of both kernels. */
export interface BatchNormTrainAttrs {
  epsilon: number;
  /** What follows the normalization. */
  activation: keyof typeof ACTIVATION_CODE;
}

/** Rows (N·H·W) and channels of an NHWC tensor, checked to be float32, not empty and not too wide. */
function rowsAndChannels(name: string, x: TensorInfo): [number, number] {
  const c = x.shape[x.shape.length - 1];
  const m = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  if (x.dtype !== 'float32' || x.shape.length < 1 || m === 0 || c === 0 || c > MAX_FUSED_CHANNELS) {
    throw new Error(`${name}: expected a non-empty float32 tensor with at most ${MAX_FUSED_CHANNELS} channels, last; got ${x.dtype} [${x.shape.join(', ')}]`);
  }
  return [m, c];
}

function batchNormTrain(args: KernelArgs): TensorInfo[] {
  const { x, gamma, beta } = args.inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  const { epsilon, activation } = args.attrs as unknown as BatchNormTrainAttrs;
  const [m, c] = rowsAndChannels(BATCH_NORM_TRAIN, x);
  if (gamma.shape[0] !== c || beta.shape[0] !== c) throw new Error(`${BATCH_NORM_TRAIN}: γ and β must have ${c} values`);
  const k = requireSimdKernels(args.backend, BATCH_NORM_TRAIN);
  const y = float32Output(args.backend, x.shape);
  const mean = float32Output(args.backend, [c]);
  const variance = float32Output(args.backend, [c]);
  k.fn('dslab_batchnorm_train')(k.address(x), k.address(gamma), k.address(beta), k.address(y), k.address(mean), k.address(variance), m, c, epsilon, ACTIVATION_CODE[activation]);
  return [y, mean, variance];
}

function batchNormTrainGrad(args: KernelArgs): TensorInfo[] {
  const { dy, x, y, gamma, beta, mean, variance } = args.inputs as Record<'dy' | 'x' | 'y' | 'gamma' | 'beta' | 'mean' | 'variance', TensorInfo>;
  const { epsilon, activation } = args.attrs as unknown as BatchNormTrainAttrs;
  const [m, c] = rowsAndChannels(BATCH_NORM_TRAIN_GRAD, x);
  const k = requireSimdKernels(args.backend, BATCH_NORM_TRAIN_GRAD);
  const dx = float32Output(args.backend, x.shape);
  const dGamma = float32Output(args.backend, [c]);
  const dBeta = float32Output(args.backend, [c]);
  k.fn('dslab_batchnorm_train_grad')(
    k.address(dy),
    k.address(x),
    k.address(y),
    k.address(gamma),
    k.address(beta),
    k.address(mean),
    k.address(variance),
    k.address(dx),
    k.address(dGamma),
    k.address(dBeta),
    m,
    c,
    epsilon,
    ACTIVATION_CODE[activation],
  );
  return [dx, dGamma, dBeta];
}

export const batchNormTrainConfig = wasmKernelConfig(BATCH_NORM_TRAIN, batchNormTrain);
export const batchNormTrainGradConfig = wasmKernelConfig(BATCH_NORM_TRAIN_GRAD, batchNormTrainGrad);

/**
 * dx, dγ, dβ from the gradient at y (the mean and variance outputs feed only the running
 * statistics, so their gradients are zero and ignored). The one grad kernel runs once; each input's
 * gradient function returns its part.
 */
export const batchNormTrainGradient: tf.GradConfig = {
  kernelName: BATCH_NORM_TRAIN,
  inputsToSave: ['x', 'gamma', 'beta'],
  outputsToSave: [true, true, true],
  gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const dy = Array.isArray(dys) ? dys[0] : dys;
    const [x, gamma, beta, y, mean, variance] = saved;
    const [dx, dGamma, dBeta] = tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, { dy, x, y, gamma, beta, mean, variance }, attrs) as tf.Tensor[];
    return { x: () => dx, gamma: () => dGamma, beta: () => dBeta };
  },
};
