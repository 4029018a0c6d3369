/**
 * A grouped convolution with pycls's padding as one native op on the wasm backend, running
 * wasm/src/conv.c on tfjs's memory (no split/concat per group, no im2col copy):
 * - `DslabConv2D` {x, filter} → y: x [n, h, w, cIn], filter [k, k, cIn/G, cOut], padding
 *   ⌊(k − 1)/2⌋ on every side, output ⌊(h + 2p − k)/s⌋ + 1;
 * - `DslabConv2DBackpropInput` {dy, filter} → dx (attr inputShape);
 * - `DslabConv2DBackpropFilter` {x, dy} → dw (attr filterShape).
 * The gradient of the first is registered, so `tf.grads` differentiates through it.
 */
import * as tf from '@tensorflow/tfjs-core';

import { wasmKernelConfig, type KernelArgs } from '../kernelConfig';
import { activeSimdKernels } from './active';
import { float32Output, requireSimdKernels, type SimdKernels } from './module';

type TensorInfo = tf.TensorInfo;

export const CONV = 'DslabConv2D';
export const CONV_BACKPROP_INPUT = 'DslabConv2DBackpropInput';
export const CONV_BACKPROP_FILTER = 'DslabConv2DBackpropFilter';

/** The attributes of the forward kernel. */
export interface ConvAttrs {
  stride: number;
  groups: number;
}

/** The geometry every one of the three C functions takes. */
export interface ConvShape {
  n: number;
  h: number;
  w: number;
  cIn: number;
  oh: number;
  ow: number;
  cOut: number;
  k: number;
  stride: number;
  pad: number;
  groups: number;
}

/** The output size of a pycls-padded conv along one axis. */
export function convOutSize(len: number, k: number, stride: number): number {
  const pad = Math.floor((k - 1) / 2);
  return Math.floor((len + 2 * pad - k) / stride) + 1;
}

/** Checks and derives the geometry of a conv of x [n, h, w, cIn] with filter [k, k, cIn/G, cOut]. */
export function convShape(name: string, xShape: number[], filterShape: number[], stride: number, groups: number): ConvShape {
  const [n, h, w, cIn] = xShape;
  const [k, kw, cInG, cOut] = filterShape;
  const where = `${name}: x [${xShape.join(', ')}], filter [${filterShape.join(', ')}], stride ${stride}, ${groups} groups`;
  if (xShape.length !== 4 || filterShape.length !== 4 || k !== kw || k < 1) throw new Error(`${where}: expected NHWC x and a square filter`);
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`${where}: the stride must be a positive integer`);
  if (!Number.isInteger(groups) || groups < 1 || cIn % groups !== 0 || cOut % groups !== 0 || cIn / groups !== cInG) {
    throw new Error(`${where}: the groups do not divide the channels as the filter says`);
  }
  const oh = convOutSize(h, k, stride);
  const ow = convOutSize(w, k, stride);
  if (oh < 1 || ow < 1) throw new Error(`${where}: the image is smaller than the filter`);
  return { n, h, w, cIn, oh, ow, cOut, k, stride, pad: Math.floor((k - 1) / 2), groups };
}

/** Throws unless every tensor is float32. */
export function checkFloat(name: string, ...ts: TensorInfo[]): void {
  for (const t of ts) if (t.dtype !== 'float32') throw new Error(`${name}: expected float32 tensors, got ${t.dtype}`);
}

/**
 * Calls the C function `fn` with (a, b, out, geometry…, scratch); the scratch block is sized by
 * `fn`_scratch and freed afterwards.
 */
function callConv(k: SimdKernels, fn: string, a: TensorInfo, b: TensorInfo, out: TensorInfo, s: ConvShape): void {
  if (s.n * s.h * s.w === 0 || s.cIn === 0 || s.cOut === 0) return;
  const bytes = k.fn(`${fn}_scratch`)(s.cIn, s.cOut, s.k, s.groups, s.w, s.stride) as number;
  // 16 bytes of slack: the C side wants a 16-byte aligned block and malloc promises 8.
  const block = k.malloc(bytes + 16);
  try {
    k.fn(fn)(k.address(a), k.address(b), k.address(out), s.n, s.h, s.w, s.cIn, s.oh, s.ow, s.cOut, s.k, s.stride, s.pad, s.groups, (block + 15) & ~15);
  } finally {
    k.free(block);
  }
}

function conv(args: KernelArgs): TensorInfo {
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
  const { stride, groups } = args.attrs as unknown as ConvAttrs;
  checkFloat(CONV, x, filter);
  const s = convShape(CONV, x.shape, filter.shape, stride, groups);
  const k = requireSimdKernels(args.backend, CONV);
  const y = float32Output(args.backend, [s.n, s.oh, s.ow, s.cOut]);
  callConv(k, 'dslab_conv2d_forward', x, filter, y, s);
  return y;
}

/**
 * The geometry of gradient kernel `name` on inputs `a` and `b` (one of them dy), from the forward
 * conv's x and filter shapes, checked against dy.
 */
export function gradientShape(name: string, args: KernelArgs, a: TensorInfo, b: TensorInfo, dy: TensorInfo, xShape: number[], filterShape: number[]): ConvShape {
  checkFloat(name, a, b);
  const { stride, groups } = args.attrs as unknown as ConvAttrs;
  const s = convShape(name, xShape, filterShape, stride, groups);
  if (dy.shape.join() !== [s.n, s.oh, s.ow, s.cOut].join()) {
    throw new Error(`${name}: dy [${dy.shape.join(', ')}] is not the output shape [${[s.n, s.oh, s.ow, s.cOut].join(', ')}]`);
  }
  return s;
}

function backpropInput(args: KernelArgs): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { inputShape } = args.attrs as unknown as { inputShape: number[] };
  const s = gradientShape(CONV_BACKPROP_INPUT, args, dy, filter, dy, inputShape, filter.shape);
  const k = requireSimdKernels(args.backend, CONV_BACKPROP_INPUT);
  const dx = float32Output(args.backend, inputShape);
  callConv(k, 'dslab_conv2d_backprop_input', dy, filter, dx, s);
  return dx;
}

function backpropFilter(args: KernelArgs): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { filterShape } = args.attrs as unknown as { filterShape: number[] };
  const s = gradientShape(CONV_BACKPROP_FILTER, args, x, dy, dy, x.shape, filterShape);
  const k = requireSimdKernels(args.backend, CONV_BACKPROP_FILTER);
  const dw = float32Output(args.backend, filterShape);
  if (s.n * s.h * s.w === 0) {
    // No pixels: the gradient is zero (the C function is never called on empty inputs).
    const at = k.address(dw) / 4;
    k.f32().fill(0, at, at + filterShape.reduce((a, b) => a * b, 1));
  }
  callConv(k, 'dslab_conv2d_backprop_filter', x, dy, dw, s);
  return dw;
}

export const convConfig = wasmKernelConfig(CONV, conv);
export const convBackpropInputConfig = wasmKernelConfig(CONV_BACKPROP_INPUT, backpropInput);
export const convBackpropFilterConfig = wasmKernelConfig(CONV_BACKPROP_FILTER, backpropFilter);

/** The kernels registered for the wasm backend. */
export const CONV_KERNELS: readonly tf.KernelConfig[] = [convConfig, convBackpropInputConfig, convBackpropFilterConfig];

/** dx and dw of DslabConv2D, each its own kernel (only the ones autodiff asks for run). */
export const convGradient: tf.GradConfig = {
  kernelName: CONV,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const g = Array.isArray(dy) ? dy[0] : dy;
    const [x, filter] = saved;
    const { stride, groups } = attrs as unknown as ConvAttrs;
    return {
      x: () => tf.engine().runKernel(CONV_BACKPROP_INPUT, { dy: g, filter }, { stride, groups, inputShape: x.shape }) as tf.Tensor,
      filter: () => tf.engine().runKernel(CONV_BACKPROP_FILTER, { x, dy: g }, { stride, groups, filterShape: filter.shape }) as tf.Tensor,
    };
  },
};

/** True when the native conv can run here: the wasm backend with our SIMD kernels loaded. */
export function convKernelsActive(): boolean {
  return activeSimdKernels('dslab_conv2d_forward') !== undefined && tf.getKernel(CONV, 'wasm') !== undefined;
}

/** The native grouped conv (callers check `convKernelsActive` first). */
export function dslabConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, groups: number): tf.Tensor4D {
  const attrs: ConvAttrs = { stride, groups };
  return tf.engine().runKernel(CONV, { x, filter }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
