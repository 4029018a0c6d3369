/**
 * Batch normalization as PyTorch's BatchNorm2d computes it (pycls uses it after every conv):
 * training normalizes by the batch statistics over N, H, W with the biased variance; inference
 * uses running estimates updated with momentum 0.1 from the unbiased batch variance.
 *
 * Everything per channel is written with two primitives that every backend runs natively and
 * that avoid tfjs-wasm's slow generic paths (measured on a 64×28×28×16 batch: Mean over N, H, W
 * 1.4 ms because it transposes first; a [1, M]·[M, C] GEMV 2.3 ms because XNNPACK repacks the new
 * right operand; broadcasting Sub/Mul 1 ms each; FusedBatchNorm 3.9 ms):
 * - a per-channel mean over N·H·W is a global average pool (one pass) and a mean over N
 *   (0.2–0.3 ms);
 * - x·a + b per channel is a 1×1 depthwise conv with a bias (one XNNPACK pass).
 */
import type { Activation } from '../../core/model';
import { tf } from '../backend';
import { activeSimdKernels, exclusiveAddress } from '../kernels/simd/active';
import { ourKernelActive } from '../kernels/active';
import { BATCH_NORM_TRAIN, MAX_FUSED_CHANNELS, type BatchNormTrainAttrs } from '../kernels/simd/batchNorm';
import { BATCH_NORM_RUNNING_UPDATE, type RunningUpdateAttrs } from '../kernels/webgpu/batchNorm';
import { activate } from './activation';

/** PyTorch's default BatchNorm momentum: running = (1 − m)·running + m·batch. */
export const BN_MOMENTUM = 0.1;

export interface BatchNormResult {
  /** The normalized, scaled and shifted output. */
  y: tf.Tensor4D;
  /** Batch mean per channel (no gradient flows through it). */
  mean: tf.Tensor1D;
  /** Batch variance per channel, biased (divided by N·H·W), as used for normalizing. */
  variance: tf.Tensor1D;
}

/** The mean over N, H, W of x, per channel, times `scale`: every image's average, averaged. */
function channelMeans(x: tf.Tensor4D, scale = 1): tf.Tensor1D {
  const [n, h, w, c] = x.shape;
  const perImage = tf.reshape(tf.avgPool(x, [h, w], 1, 'valid'), [n, c]);
  const mean = tf.mean(perImage, 0) as tf.Tensor1D;
  return scale === 1 ? mean : (tf.mul(mean, scale) as tf.Tensor1D);
}

/** x·a + b with per-channel a and b (b optional), as a 1×1 depthwise conv. */
function scaleShift(x: tf.Tensor4D, a: tf.Tensor1D, b?: tf.Tensor1D): tf.Tensor4D {
  const filter = tf.reshape(a, [1, 1, x.shape[3], 1]) as tf.Tensor4D;
  return b === undefined
    ? tf.depthwiseConv2d(x, filter, 1, 'valid')
    : tf.fused.depthwiseConv2d({ x, filter, strides: 1, pad: 'valid', bias: b });
}

/** μ and the biased σ² per channel. σ² is the mean of (x − μ)², not E[x²] − μ² (no cancellation). */
function batchMoments(x: tf.Tensor4D): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  return tf.tidy(() => {
    const mean = channelMeans(x);
    const centred = scaleShift(x, tf.onesLike(mean), tf.neg(mean));
    return { mean, variance: channelMeans(tf.mul(centred, centred) as tf.Tensor4D) };
  });
}

/**
 * Training-mode batch norm: y = γ·(x − μ)/√(σ² + ε) + β with μ, σ² the batch mean and biased
 * variance over N, H, W, followed by the activation `act` if any. On the wasm backend with our SIMD
 * kernels, and on webgpu, this is one fused kernel each way (DslabBatchNormTrain and its gradient); elsewhere the
 * gradient is the closed form (batchNormGrad) instead of tfjs's autodiff of `tf.batchNorm`, which
 * goes through `Tile` and many more full-size passes.
 */
export function batchNormTrain(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number, act?: Activation): BatchNormResult {
  // The wasm kernel keeps per-channel scratch on its stack: wider layers take the composite.
  if (ourKernelActive(BATCH_NORM_TRAIN, 'dslab_batchnorm_train') && (tf.getBackend() !== 'wasm' || x.shape[3] <= MAX_FUSED_CHANNELS)) {
    const attrs: BatchNormTrainAttrs = { epsilon: eps, activation: act ?? 'none' };
    const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN, { x, gamma, beta }, attrs as unknown as tf.NamedAttrMap) as [
      tf.Tensor4D,
      tf.Tensor1D,
      tf.Tensor1D,
    ];
    return { y, mean, variance };
  }
  const result = batchNormComposite(x, gamma, beta, eps);
  return act === undefined ? result : { ...result, y: activate(result.y, act) };
}

/** batchNormTrain out of kernels every backend has. */
function batchNormComposite(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): BatchNormResult {
  // The statistics are computed outside the custom-gradient function: tensors made inside it are
  // released when it returns. They are recorded on the tape but lead to no loss, so backprop
  // skips them; the whole gradient, including the path through μ and σ², is in batchNormGrad.
  const { mean, variance } = batchMoments(x);
  const normalize = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, gammaIn, betaIn, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    // y = x·a + b with a = γ/√(σ² + ε), b = β − μ·a: one pass over x.
    const a = tf.mul(gammaIn, tf.rsqrt(tf.add(variance, eps))) as tf.Tensor1D;
    const y = scaleShift(xIn, a, tf.sub(betaIn, tf.mul(mean, a)) as tf.Tensor1D);
    save([xIn, gammaIn, mean, variance]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [xs, g, mu, v] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        return batchNormGrad(dy, xs, g, mu, v, eps);
      },
    };
  });
  return { y: normalize(x, gamma, beta) as tf.Tensor4D, mean, variance };
}

/**
 * The gradient of training-mode batch norm with respect to x, γ, β. With x̂ = (x − μ)·s,
 * s = 1/√(σ² + ε), M = N·H·W, per channel:
 *   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ·s·(dy − dβ/M − x̂·dγ/M).
 * Written with the centred x (x − μ) so dγ has no cancellation: dx = p·dy + q·(x − μ) + r with
 * per-channel p = γ·s, q = −γ·s³·Σ dy·(x − μ)/M, r = −γ·s·dβ/M.
 */
function batchNormGrad(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
  eps: number,
): [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D] {
  return tf.tidy(() => {
    const m = x.shape[0] * x.shape[1] * x.shape[2];
    const s = tf.rsqrt(tf.add(variance, eps));
    const centred = scaleShift(x, tf.onesLike(mean), tf.neg(mean));
    const dBeta = channelMeans(dy, m);
    const dyCentredSum = channelMeans(tf.mul(dy, centred) as tf.Tensor4D, m);
    const dGamma = tf.mul(dyCentredSum, s) as tf.Tensor1D;
    const p = tf.mul(gamma, s) as tf.Tensor1D;
    const q = tf.mul(tf.mul(p, tf.square(s)), tf.mul(dyCentredSum, -1 / m)) as tf.Tensor1D;
    const r = tf.mul(p, tf.mul(dBeta, -1 / m)) as tf.Tensor1D;
    const dx = tf.add(scaleShift(dy, p), scaleShift(centred, q, r)) as tf.Tensor4D;
    return [dx, dGamma, dBeta];
  });
}

/** Inference-mode batch norm with running estimates: y = γ·(x − running μ)/√(running σ² + ε) + β. */
export function batchNormInfer(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  movingMean: tf.Tensor1D,
  movingVar: tf.Tensor1D,
  eps: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const a = tf.mul(gamma, tf.rsqrt(tf.add(movingVar, eps))) as tf.Tensor1D;
    return scaleShift(x, a, tf.sub(beta, tf.mul(movingMean, a)) as tf.Tensor1D);
  });
}

/**
 * PyTorch's running-statistics update after a training batch of `count` = N·H·W values per
 * channel: running μ ← (1 − m)·running μ + m·μ, running σ² ← (1 − m)·running σ² + m·σ²·M/(M − 1)
 * (the unbiased batch variance). Assigns in place; creates no lasting tensors. On wasm with our
 * kernels the variables' data is updated where it lies; on webgpu one kernel computes both.
 */
export function updateRunningStats(
  movingMean: tf.Variable,
  movingVar: tf.Variable,
  batch: { mean: tf.Tensor1D; variance: tf.Tensor1D },
  count: number,
  momentum: number = BN_MOMENTUM,
): void {
  const unbias = count > 1 ? count / (count - 1) : 1;
  const kernels = activeSimdKernels('dslab_batchnorm_running_update');
  if (kernels !== undefined) {
    // In place, one call instead of eight tensor ops, when nothing else shares the variables' data.
    const meanAt = exclusiveAddress(kernels, movingMean);
    const varAt = exclusiveAddress(kernels, movingVar);
    if (meanAt !== undefined && varAt !== undefined) {
      const c = movingMean.size;
      kernels.fn('dslab_batchnorm_running_update')(meanAt, varAt, kernels.address(batch.mean), kernels.address(batch.variance), c, momentum, unbias);
      return;
    }
  }
  if (ourKernelActive(BATCH_NORM_RUNNING_UPDATE)) {
    // Two dispatches instead of six.
    const attrs: RunningUpdateAttrs = { momentum, unbias };
    tf.tidy(() => {
      const inputs = { runningMean: movingMean, runningVar: movingVar, mean: batch.mean, variance: batch.variance };
      const [mean, variance] = tf.engine().runKernel(BATCH_NORM_RUNNING_UPDATE, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      movingMean.assign(mean);
      movingVar.assign(variance);
    });
    return;
  }
  tf.tidy(() => {
    movingMean.assign(tf.add(tf.mul(movingMean, 1 - momentum), tf.mul(batch.mean, momentum)));
    movingVar.assign(tf.add(tf.mul(movingVar, 1 - momentum), tf.mul(batch.variance, momentum * unbias)));
  });
}
