/**
 * The fused training-mode batch norm (+ ReLU or swish) on webgpu, under the kernel names and with
 * the gradient of the wasm kernels (simd/batchNorm.ts), so `batchNormTrain` and autodiff take it
 * on either backend. Each direction is a few dispatches where the composite takes a dozen or more:
 *
 * - forward: per-channel partial moments over blocks of rows (many workgroups, so a large batch
 *   keeps the GPU busy), the mean, the variance, then y = act(γ(x − μ)/√(σ² + ε) + β);
 * - backward: partial sums Σg and Σg·(x − μ) of the gradient g at z (dy masked by y > 0 under
 *   ReLU, dy·swish′(z) under swish), dβ, dγ, the per-channel coefficients, then
 *   dx = p·g + q·(x − μ) + r (see ops/batchNorm.ts for the algebra).
 *
 * The moments are summed relative to the channel's first value (as the wasm kernel does): x − o
 * for a value o of the batch keeps E[d]² of the size of σ², so E[d²] − E[d]² does not cancel.
 * No dispatch binds more than seven storage buffers (the device keeps WebGPU's default limit, eight).
 */
import type * as tf from '@tensorflow/tfjs-core';

import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, type BatchNormTrainAttrs } from '../simd/batchNorm';
import type { KernelArgs } from '../kernelConfig';
import { release, run, SWISH_WGSL, type UniformField } from './program';

type TensorInfo = tf.TensorInfo;
type Activation = BatchNormTrainAttrs['activation'];

/** Channels and rows of one workgroup of the partial sums: 16 × 16 lanes, each lane a channel and every 16th row. */
const LANES = 16;
/** Rows per block of the partial sums (one workgroup per 16 channels of a block). */
const BLOCK_ROWS = 2048;

/** Rows (N·H·W) and channels of an NHWC tensor, checked to be float32 and not empty. */
function rowsAndChannels(name: string, x: TensorInfo): [number, number] {
  const c = x.shape[x.shape.length - 1];
  const m = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  if (x.dtype !== 'float32' || x.shape.length < 1 || m === 0 || c === 0) {
    throw new Error(`${name}: expected a non-empty float32 tensor, channels last; got ${x.dtype} [${x.shape.join(', ')}]`);
  }
  return [m, c];
}

/** The layout of the partial sums: `blocks` row blocks × 2 sums × c channels. */
interface Partials {
  blocks: number;
  tiles: number;
}

function partialLayout(m: number, c: number): Partials {
  return { blocks: Math.ceil(m / BLOCK_ROWS), tiles: Math.ceil(c / LANES) };
}

/**
 * WGSL of a partial-sums pass: each workgroup sums the `a` and `b` that `terms` sets for row r and
 * channel ch over its block's rows, in 16 lanes of rows, then across the lanes; the sums go to
 * result[(block·2 + s)·c + ch], s = 0 for a and 1 for b.
 */
function partialSumsCode(terms: string): string {
  return `
var<workgroup> sumA : array<f32, ${LANES * LANES}>;
var<workgroup> sumB : array<f32, ${LANES * LANES}>;

fn main(index : i32) {
  let wg = workgroupIndex();
  let lane = i32(localIndex);
  let lc = lane % ${LANES};
  let lr = lane / ${LANES};
  let c = uniforms.c;
  let tile = wg % uniforms.tiles;
  let block = wg / uniforms.tiles;
  let ch = tile * ${LANES} + lc;
  var accA = 0.0;
  var accB = 0.0;
  if (block < uniforms.blocks && ch < c) {
    let r1 = min((block + 1) * ${BLOCK_ROWS}, uniforms.m);
    for (var r = block * ${BLOCK_ROWS} + lr; r < r1; r += ${LANES}) {
      var a = 0.0;
      var b = 0.0;
      ${terms}
      accA += a;
      accB += b;
    }
  }
  sumA[lane] = accA;
  sumB[lane] = accB;
  workgroupBarrier();
  for (var span = ${LANES / 2}; span > 0; span >>= 1u) {
    if (lr < span) {
      sumA[lane] += sumA[lane + span * ${LANES}];
      sumB[lane] += sumB[lane + span * ${LANES}];
    }
    workgroupBarrier();
  }
  if (lr == 0 && block < uniforms.blocks && ch < c) {
    result[(block * 2) * c + ch] = sumA[lane];
    result[(block * 2 + 1) * c + ch] = sumB[lane];
  }
}`;
}

function partialFields(m: number, c: number, p: Partials): UniformField[] {
  return [
    ['m', 'i32', m],
    ['c', 'i32', c],
    ['blocks', 'i32', p.blocks],
    ['tiles', 'i32', p.tiles],
  ];
}

/** The per-channel total of sum s (0 or 1) of the partials, as WGSL (in a main with `ch`, uniforms c and blocks). */
const TOTAL_WGSL = `
fn total(s : i32, ch : i32) -> f32 {
  var t = 0.0;
  for (var block = 0; block < uniforms.blocks; block++) {
    t += partials[(block * 2 + s) * uniforms.c + ch];
  }
  return t;
}`;

/**
 * A program of one invocation per channel `ch` < c: `body` (WGSL) writes result[ch] (and, for a
 * [k, c] output, result[j·c + ch]); the partial sums' total(s, ch) is there when `partials` is an
 * input. `fields` follow c.
 */
function perChannel(backend: tf.KernelBackend, key: string, c: number, inputs: [string, TensorInfo][], fields: UniformField[], body: string, rows = 1): TensorInfo {
  const names = inputs.map(([name]) => name);
  return run(
    backend,
    {
      key,
      inputs: names,
      outputShape: rows === 1 ? [c] : [rows, c],
      threads: c,
      fields: [['c', 'i32', c], ...fields],
      code: `${names.includes('partials') ? TOTAL_WGSL : ''}
fn main(ch : i32) {
  if (ch >= uniforms.c) { return; }
  ${body}
}`,
    },
    inputs.map(([, t]) => t),
  );
}

/** The activation's WGSL: y from z. */
function activationCode(act: Activation): string {
  if (act === 'relu') return 'max(z, 0.0)';
  if (act === 'swish') return 'z * sigmoid(z)';
  return 'z';
}

function batchNormTrain(args: KernelArgs): TensorInfo[] {
  const { x, gamma, beta } = args.inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  const { epsilon, activation } = args.attrs as unknown as BatchNormTrainAttrs;
  const [m, c] = rowsAndChannels(BATCH_NORM_TRAIN, x);
  if (gamma.shape[0] !== c || beta.shape[0] !== c) throw new Error(`${BATCH_NORM_TRAIN}: γ and β must have ${c} values`);
  const layout = partialLayout(m, c);
  const partials = run(
    args.backend,
    {
      key: 'dslab_bn_moments',
      inputs: ['x'],
      outputShape: [layout.blocks * 2 * c],
      workgroups: layout.blocks * layout.tiles,
      workgroupSize: LANES * LANES,
      fields: partialFields(m, c, layout),
      code: partialSumsCode('let d = x[r * c + ch] - x[ch];\n      a = d;\n      b = d * d;'),
    },
    [x],
  );
  const fields: UniformField[] = [
    ['blocks', 'i32', layout.blocks],
    ['inverseCount', 'f32', 1 / m],
  ];
  // μ = o + E[d], σ² = E[d²] − E[d]² for d = x − o, o the channel's first value.
  const mean = perChannel(args.backend, 'dslab_bn_mean', c, [['partials', partials], ['x', x]], fields, 'result[ch] = x[ch] + total(0, ch) * uniforms.inverseCount;');
  const variance = perChannel(
    args.backend,
    'dslab_bn_variance',
    c,
    [['partials', partials]],
    fields,
    'let shift = total(0, ch) * uniforms.inverseCount;\n  result[ch] = max(total(1, ch) * uniforms.inverseCount - shift * shift, 0.0);',
  );
  release(args.backend, partials);
  const y = run(
    args.backend,
    {
      key: `dslab_bn_normalize_${activation}`,
      inputs: ['x', 'mean', 'variance', 'gamma', 'beta'],
      outputShape: x.shape,
      threads: m * c,
      fields: [
        ['count', 'i32', m * c],
        ['c', 'i32', c],
        ['epsilon', 'f32', epsilon],
      ],
      code: `${SWISH_WGSL}
fn main(index : i32) {
  if (index >= uniforms.count) { return; }
  let ch = index % uniforms.c;
  let scale = gamma[ch] / sqrt(variance[ch] + uniforms.epsilon);
  let z = (x[index] - mean[ch]) * scale + beta[ch];
  result[index] = ${activationCode(activation)};
}`,
    },
    [x, mean, variance, gamma, beta],
  );
  return [y, mean, variance];
}

/**
 * The gradient g at z for row r, channel ch, as WGSL setting `g` (and `d` = x − μ): what each
 * activation's backward passes need bound, besides dy, x and mean.
 */
function gradientAtZ(act: Activation): { inputs: string[]; code: string } {
  if (act === 'relu') return { inputs: ['y'], code: 'let g = select(0.0, dy[i], y[i] > 0.0);' };
  if (act === 'swish') {
    // z recomputed from x as the forward pass computes it.
    return { inputs: ['zScale', 'beta'], code: 'let g = swishGrad(dy[i], d * zScale[ch] + beta[ch]);' };
  }
  return { inputs: [], code: 'let g = dy[i];' };
}

function batchNormTrainGrad(args: KernelArgs): TensorInfo[] {
  const { dy, x, y, gamma, beta, mean, variance } = args.inputs as Record<'dy' | 'x' | 'y' | 'gamma' | 'beta' | 'mean' | 'variance', TensorInfo>;
  const { epsilon, activation } = args.attrs as unknown as BatchNormTrainAttrs;
  const [m, c] = rowsAndChannels(BATCH_NORM_TRAIN_GRAD, x);
  const backend = args.backend;
  const layout = partialLayout(m, c);
  // Under swish, γ/√(σ² + ε) per channel: the forward pass's scale of z, to recompute z with.
  const zScale =
    activation !== 'swish'
      ? undefined
      : perChannel(backend, 'dslab_bn_zscale', c, [['gamma', gamma], ['variance', variance]], [['epsilon', 'f32', epsilon]], 'result[ch] = gamma[ch] / sqrt(variance[ch] + uniforms.epsilon);');
  const at = gradientAtZ(activation);
  const extra: Record<string, TensorInfo | undefined> = { y, zScale, beta };
  const extraInputs = at.inputs.map((name) => extra[name] as TensorInfo);
  const partials = run(
    backend,
    {
      key: `dslab_bn_grad_sums_${activation}`,
      inputs: ['dy', 'x', 'mean', ...at.inputs],
      outputShape: [layout.blocks * 2 * c],
      workgroups: layout.blocks * layout.tiles,
      workgroupSize: LANES * LANES,
      fields: partialFields(m, c, layout),
      code: `${SWISH_WGSL}${partialSumsCode(`let i = r * c + ch;\n      let d = x[i] - mean[ch];\n      ${at.code}\n      a = g;\n      b = g * d;`)}`,
    },
    [dy, x, mean, ...extraInputs],
  );
  const sums: UniformField[] = [
    ['blocks', 'i32', layout.blocks],
    ['epsilon', 'f32', epsilon],
    ['inverseCount', 'f32', 1 / m],
  ];
  const dBeta = perChannel(backend, 'dslab_bn_dbeta', c, [['partials', partials]], sums, 'result[ch] = total(0, ch);');
  const dGamma = perChannel(backend, 'dslab_bn_dgamma', c, [['partials', partials], ['variance', variance]], sums, 'result[ch] = total(1, ch) / sqrt(variance[ch] + uniforms.epsilon);');
  // dx = p·g + q·(x − μ) + r per channel: p = γs, q = −γs³·Σg(x − μ)/M, r = −γs·Σg/M, s = 1/√(σ² + ε).
  const coefficients = perChannel(
    backend,
    'dslab_bn_grad_coefficients',
    c,
    [['partials', partials], ['gamma', gamma], ['variance', variance]],
    sums,
    `let s = 1.0 / sqrt(variance[ch] + uniforms.epsilon);
  let p = gamma[ch] * s;
  result[ch] = p;
  result[uniforms.c + ch] = -p * s * s * total(1, ch) * uniforms.inverseCount;
  result[2 * uniforms.c + ch] = -p * total(0, ch) * uniforms.inverseCount;`,
    3,
  );
  release(backend, partials);
  const dx = run(
    backend,
    {
      key: `dslab_bn_grad_dx_${activation}`,
      inputs: ['dy', 'x', 'mean', 'coefficients', ...at.inputs],
      outputShape: x.shape,
      threads: m * c,
      fields: [
        ['count', 'i32', m * c],
        ['c', 'i32', c],
      ],
      code: `${SWISH_WGSL}
fn main(index : i32) {
  if (index >= uniforms.count) { return; }
  let i = index;
  let ch = i % uniforms.c;
  let d = x[i] - mean[ch];
  ${at.code}
  result[i] = g * coefficients[ch] + (d * coefficients[uniforms.c + ch] + coefficients[2 * uniforms.c + ch]);
}`,
    },
    [dy, x, mean, coefficients, ...extraInputs],
  );
  release(backend, coefficients);
  if (zScale !== undefined) release(backend, zScale);
  return [dx, dGamma, dBeta];
}

/** {runningMean, runningVar, mean, variance} → [runningMean′, runningVar′]: PyTorch's update of the running statistics (ops/batchNorm.ts). */
export const BATCH_NORM_RUNNING_UPDATE = 'DslabBatchNormRunningUpdate';

/** The update's attributes: the momentum, and M/(M − 1), which makes the batch variance unbiased. */
export interface RunningUpdateAttrs {
  momentum: number;
  unbias: number;
}

function runningUpdate(args: KernelArgs): TensorInfo[] {
  const { runningMean, runningVar, mean, variance } = args.inputs as Record<'runningMean' | 'runningVar' | 'mean' | 'variance', TensorInfo>;
  const { momentum, unbias } = args.attrs as unknown as RunningUpdateAttrs;
  const c = mean.shape[0];
  for (const t of [runningMean, runningVar, variance]) {
    if (t.dtype !== 'float32' || t.shape.join() !== mean.shape.join()) throw new Error(`${BATCH_NORM_RUNNING_UPDATE}: expected four float32 vectors of ${c} values`);
  }
  const update = (running: TensorInfo, batch: TensorInfo, scale: number): TensorInfo =>
    perChannel(
      args.backend,
      'dslab_bn_running_update',
      c,
      [['running', running], ['batch', batch]],
      [['keep', 'f32', 1 - momentum], ['take', 'f32', momentum * scale]],
      'result[ch] = uniforms.keep * running[ch] + uniforms.take * batch[ch];',
    );
  return [update(runningMean, mean, 1), update(runningVar, variance, unbias)];
}

export const batchNormRunningUpdateWebGpu: tf.KernelConfig = {
  kernelName: BATCH_NORM_RUNNING_UPDATE,
  backendName: 'webgpu',
  kernelFunc: runningUpdate as unknown as tf.KernelFunc,
};

export const batchNormTrainWebGpu: tf.KernelConfig = { kernelName: BATCH_NORM_TRAIN, backendName: 'webgpu', kernelFunc: batchNormTrain as unknown as tf.KernelFunc };
export const batchNormTrainGradWebGpu: tf.KernelConfig = {
  kernelName: BATCH_NORM_TRAIN_GRAD,
  backendName: 'webgpu',
  kernelFunc: batchNormTrainGrad as unknown as tf.KernelFunc,
};
