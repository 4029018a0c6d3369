/**
 * The grouped 2-D convolution on webgpu, forward and both gradients, each one dispatch whatever
 * the group count, under the wasm kernels' names (simd/conv.ts) and with their gradient. tfjs
 * runs a grouped conv as a slice of x and of the filter per group, a conv per group and a concat,
 * and its gradient likewise: a RegNet's 3×3 convs with dozens of groups took hundreds of
 * dispatches each per step.
 *
 * Layouts and padding as simd/conv.ts (NHWC, filter [k, k, cIn/G, cOut], pycls's (k − 1)/2). Each
 * invocation of the forward and input-gradient programs computes four channels of one pixel when
 * the group's channels come in fours (one channel otherwise); the filter gradient gives each
 * (tap, input channel, four output channels) a workgroup per chunk of 4,096 pixels, whose lanes
 * sum over the pixels in turn, then across lanes.
 */
import type * as tf from '@tensorflow/tfjs-core';

import { checkFloat, CONV, CONV_BACKPROP_FILTER, CONV_BACKPROP_INPUT, convShape, gradientShape, type ConvAttrs, type ConvShape } from '../simd/conv';
import type { KernelArgs } from '../kernelConfig';
import { release, run, type UniformField } from './program';

type TensorInfo = tf.TensorInfo;

/** Lanes of a filter-gradient workgroup. */
const DW_LANES = 64;
/**
 * Pixels a filter-gradient workgroup sums (64 per lane). A layer with more takes several chunks,
 * each its own workgroups, and a second dispatch adds the chunks' sums: a large batch's early
 * layers have few filter weights, and one workgroup each would leave most of a GPU idle.
 */
const DW_CHUNK = DW_LANES * 64;

/** Channels per invocation: 4 when `perGroup` channels come in fours. */
function width(perGroup: number): 1 | 4 {
  return perGroup % 4 === 0 ? 4 : 1;
}

/** WGSL for `w` lanes: their type, a read of `w` values of an array `step` apart, and a store of a value to result[o…]. */
function lanes(w: 1 | 4): { type: string; read: (array: string, at: string, step: string) => string; store: (value: string) => string } {
  if (w === 1) return { type: 'f32', read: (array, at) => `${array}[${at}]`, store: (value) => `result[o] = ${value};` };
  return {
    type: 'vec4<f32>',
    read: (array, at, step) => `vec4<f32>(${array}[${at}], ${array}[${at} + ${step}], ${array}[${at} + 2 * ${step}], ${array}[${at} + 3 * ${step}])`,
    store: (value) => ['x', 'y', 'z', 'w'].map((lane, i) => `result[o${i ? ` + ${i}` : ''}] = ${value}.${lane};`).join('\n  '),
  };
}

function geometry(s: ConvShape): UniformField[] {
  return [
    ['n', 'i32', s.n],
    ['h', 'i32', s.h],
    ['w', 'i32', s.w],
    ['cIn', 'i32', s.cIn],
    ['oh', 'i32', s.oh],
    ['ow', 'i32', s.ow],
    ['cOut', 'i32', s.cOut],
    ['k', 'i32', s.k],
    ['stride', 'i32', s.stride],
    ['pad', 'i32', s.pad],
    ['cInG', 'i32', s.cIn / s.groups],
    ['cOutG', 'i32', s.cOut / s.groups],
  ];
}

/** y[b, i, j, co…] = Σ over taps and the group's input channels of x · w. */
function forwardCode(w: 1 | 4): string {
  const l = lanes(w);
  return `
fn main(index : i32) {
  let q = uniforms.cOut / ${w};
  if (index >= uniforms.n * uniforms.oh * uniforms.ow * q) { return; }
  let co = (index % q) * ${w};
  let pixel = index / q;
  let j = pixel % uniforms.ow;
  let i = (pixel / uniforms.ow) % uniforms.oh;
  let b = pixel / (uniforms.ow * uniforms.oh);
  let ci0 = (co / uniforms.cOutG) * uniforms.cInG;
  var acc = ${l.type}(0.0);
  for (var u = 0; u < uniforms.k; u++) {
    let ii = i * uniforms.stride - uniforms.pad + u;
    if (ii < 0 || ii >= uniforms.h) { continue; }
    for (var v = 0; v < uniforms.k; v++) {
      let jj = j * uniforms.stride - uniforms.pad + v;
      if (jj < 0 || jj >= uniforms.w) { continue; }
      let xAt = ((b * uniforms.h + ii) * uniforms.w + jj) * uniforms.cIn + ci0;
      var wAt = (u * uniforms.k + v) * uniforms.cInG * uniforms.cOut + co;
      for (var c = 0; c < uniforms.cInG; c++) {
        acc += x[xAt + c] * ${l.read('W', 'wAt', '1')};
        wAt += uniforms.cOut;
      }
    }
  }
  let o = pixel * uniforms.cOut + co;
  ${l.store('acc')}
}`;
}

/** dx[b, i, j, ci…] = Σ over the taps that reach (i, j) and the group's output channels of dy · w. */
function inputGradientCode(w: 1 | 4): string {
  const l = lanes(w);
  return `
fn main(index : i32) {
  let q = uniforms.cIn / ${w};
  if (index >= uniforms.n * uniforms.h * uniforms.w * q) { return; }
  let ci = (index % q) * ${w};
  let pixel = index / q;
  let j = pixel % uniforms.w;
  let i = (pixel / uniforms.w) % uniforms.h;
  let b = pixel / (uniforms.w * uniforms.h);
  let g = ci / uniforms.cInG;
  let cl = ci - g * uniforms.cInG;
  let co0 = g * uniforms.cOutG;
  var acc = ${l.type}(0.0);
  for (var u = 0; u < uniforms.k; u++) {
    let ti = i + uniforms.pad - u;
    if (ti < 0 || ti % uniforms.stride != 0) { continue; }
    let oi = ti / uniforms.stride;
    if (oi >= uniforms.oh) { continue; }
    for (var v = 0; v < uniforms.k; v++) {
      let tj = j + uniforms.pad - v;
      if (tj < 0 || tj % uniforms.stride != 0) { continue; }
      let oj = tj / uniforms.stride;
      if (oj >= uniforms.ow) { continue; }
      let dyAt = ((b * uniforms.oh + oi) * uniforms.ow + oj) * uniforms.cOut + co0;
      var wAt = ((u * uniforms.k + v) * uniforms.cInG + cl) * uniforms.cOut + co0;
      for (var c = 0; c < uniforms.cOutG; c++) {
        acc += dy[dyAt + c] * ${l.read('W', 'wAt', 'uniforms.cOut')};
        wAt += 1;
      }
    }
  }
  let o = pixel * uniforms.cIn + ci;
  ${l.store('acc')}
}`;
}

/**
 * dw[u, v, c, co…] = Σ over pixels of x · dy: one workgroup per (chunk of pixels, tap, input
 * channel of the group, output channels); chunk t's sums go to result[t·weights + …].
 */
function filterGradientCode(w: 1 | 4): string {
  const l = lanes(w);
  return `
var<workgroup> part : array<${l.type}, ${DW_LANES}>;

fn main(index : i32) {
  let wg = workgroupIndex();
  let lane = i32(localIndex);
  let q = uniforms.cOut / ${w};
  let quads = uniforms.k * uniforms.k * uniforms.cInG * q;
  let chunk = wg / quads;
  let valid = chunk < uniforms.chunks;
  let co = (wg % q) * ${w};
  let rest = (wg % quads) / q;
  let cl = rest % uniforms.cInG;
  let tap = rest / uniforms.cInG;
  let u = tap / uniforms.k;
  let v = tap % uniforms.k;
  let ci = (co / uniforms.cOutG) * uniforms.cInG + cl;
  var acc = ${l.type}(0.0);
  if (valid) {
    let end = min((chunk + 1) * ${DW_CHUNK}, uniforms.n * uniforms.oh * uniforms.ow);
    for (var pixel = chunk * ${DW_CHUNK} + lane; pixel < end; pixel += ${DW_LANES}) {
      let j = pixel % uniforms.ow;
      let i = (pixel / uniforms.ow) % uniforms.oh;
      let b = pixel / (uniforms.ow * uniforms.oh);
      let ii = i * uniforms.stride - uniforms.pad + u;
      let jj = j * uniforms.stride - uniforms.pad + v;
      if (ii >= 0 && ii < uniforms.h && jj >= 0 && jj < uniforms.w) {
        let dyAt = pixel * uniforms.cOut + co;
        acc += x[((b * uniforms.h + ii) * uniforms.w + jj) * uniforms.cIn + ci] * ${l.read('dy', 'dyAt', '1')};
      }
    }
  }
  part[lane] = acc;
  workgroupBarrier();
  for (var span = ${DW_LANES / 2}; span > 0; span >>= 1u) {
    if (lane < span) {
      part[lane] += part[lane + span];
    }
    workgroupBarrier();
  }
  if (lane == 0 && valid) {
    let o = chunk * uniforms.weights + (tap * uniforms.cInG + cl) * uniforms.cOut + co;
    ${l.store('part[0]')}
  }
}`;
}

function conv(args: KernelArgs): TensorInfo {
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
  const { stride, groups } = args.attrs as unknown as ConvAttrs;
  checkFloat(CONV, x, filter);
  const s = convShape(CONV, x.shape, filter.shape, stride, groups);
  const w = width(s.cOut / s.groups);
  return run(
    args.backend,
    {
      key: `dslab_conv_forward_${w}`,
      inputs: ['x', 'W'],
      outputShape: [s.n, s.oh, s.ow, s.cOut],
      threads: (s.n * s.oh * s.ow * s.cOut) / w,
      fields: geometry(s),
      code: forwardCode(w),
    },
    [x, filter],
  );
}

function backpropInput(args: KernelArgs): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { inputShape } = args.attrs as unknown as { inputShape: number[] };
  const s = gradientShape(CONV_BACKPROP_INPUT, args, dy, filter, dy, inputShape, filter.shape);
  const w = width(s.cIn / s.groups);
  return run(
    args.backend,
    {
      key: `dslab_conv_input_gradient_${w}`,
      inputs: ['dy', 'W'],
      outputShape: inputShape,
      threads: (s.n * s.h * s.w * s.cIn) / w,
      fields: geometry(s),
      code: inputGradientCode(w),
    },
    [dy, filter],
  );
}

function backpropFilter(args: KernelArgs): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { filterShape } = args.attrs as unknown as { filterShape: number[] };
  const s = gradientShape(CONV_BACKPROP_FILTER, args, x, dy, dy, x.shape, filterShape);
  const w = width(s.cOut / s.groups);
  const weights = s.k * s.k * (s.cIn / s.groups) * s.cOut;
  const chunks = Math.max(1, Math.ceil((s.n * s.oh * s.ow) / DW_CHUNK));
  const sums = run(
    args.backend,
    {
      key: `dslab_conv_filter_gradient_${w}`,
      inputs: ['x', 'dy'],
      outputShape: chunks === 1 ? filterShape : [chunks * weights],
      workgroups: (chunks * weights) / w,
      workgroupSize: DW_LANES,
      fields: [...geometry(s), ['chunks', 'i32', chunks], ['weights', 'i32', weights]],
      code: filterGradientCode(w),
    },
    [x, dy],
  );
  if (chunks === 1) return sums;
  const dw = run(
    args.backend,
    {
      key: 'dslab_conv_filter_gradient_chunks',
      inputs: ['sums'],
      outputShape: filterShape,
      threads: weights,
      fields: [
        ['chunks', 'i32', chunks],
        ['weights', 'i32', weights],
      ],
      code: `
fn main(index : i32) {
  if (index >= uniforms.weights) { return; }
  var t = 0.0;
  for (var chunk = 0; chunk < uniforms.chunks; chunk++) {
    t += sums[chunk * uniforms.weights + index];
  }
  result[index] = t;
}`,
    },
    [sums],
  );
  release(args.backend, sums);
  return dw;
}

export const convWebGpu: tf.KernelConfig = { kernelName: CONV, backendName: 'webgpu', kernelFunc: conv as unknown as tf.KernelFunc };
export const convBackpropInputWebGpu: tf.KernelConfig = {
  kernelName: CONV_BACKPROP_INPUT,
  backendName: 'webgpu',
  kernelFunc: backpropInput as unknown as tf.KernelFunc,
};
export const convBackpropFilterWebGpu: tf.KernelConfig = {
  kernelName: CONV_BACKPROP_FILTER,
  backendName: 'webgpu',
  kernelFunc: backpropFilter as unknown as tf.KernelFunc,
};
