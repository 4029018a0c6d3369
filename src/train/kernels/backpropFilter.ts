/**
 * Filter gradients for the wasm backend (tfjs-backend-wasm 4.22 has neither):
 *   dW[i, j, c, o] = Σ_{b, y, x} x[b, y·s + i − top, x·s + j − left, c] · dy[b, y, x, o].
 *
 * The windows of x that the k² filter taps see are copied out once, as [k², M, c] (M = n·oh·ow;
 * `tapWindows`), then reduced over M with one native pass:
 * - dense conv: dW = windowsᵀ·dy, one [k²·c, M]·[M, cOut] GEMM that yields the filter layout
 *   directly. The windows are transposed to be the left operand: XNNPACK repacks a new right
 *   operand on every call (dy is packed once) and matMul's transposeA path is slow on wasm.
 * - depthwise conv: dF[t, c] = Σ_M window_t ⊙ dy, a broadcast product averaged over M by an
 *   average pool with an M×1 window (tfjs-wasm's Sum over a middle axis transposes first).
 */
import * as tf from '@tensorflow/tfjs-core';

import { composite, type WasmComposite } from './composite';
import { type ConvGeometry, convGeometry, tapWindows } from './geometry';
import { wasmKernelConfig, type KernelArgs } from './kernelConfig';

type TensorInfo = tf.TensorInfo;

type FilterShape = [number, number, number, number];

/** dW of a dense conv: one GEMM of the transposed windows with dy. */
function denseFilterGradient(c: WasmComposite, x: TensorInfo, dy: TensorInfo, g: ConvGeometry, [kh, kw, cIn, cOut]: FilterShape): TensorInfo {
  const m = g.n * g.oh * g.ow;
  const windowsT = c.transpose(tapWindows(c, x, g), [0, 2, 1]); // [k², cIn, M]
  const grad = c.matMul(c.reshape(windowsT, [kh * kw * cIn, m]), c.reshape(dy, [m, cOut]));
  return c.reshape(grad, [kh, kw, cIn, cOut]);
}

/** dW of a depthwise conv: the windows times dy, summed over M by an average pool. */
function depthwiseFilterGradient(c: WasmComposite, x: TensorInfo, dy: TensorInfo, g: ConvGeometry, [kh, kw, channels, multiplier]: FilterShape): TensorInfo {
  const m = g.n * g.oh * g.ow;
  const kk = kh * kw;
  const windows = tapWindows(c, x, g); // [k², M, c]
  // Output channel c·mult + q reads input channel c: with mult > 1 the window broadcasts over q.
  const product =
    multiplier === 1
      ? c.run('Multiply', { a: windows, b: c.reshape(dy, [m, channels]) })
      : c.run('Multiply', { a: c.reshape(windows, [kk, m, channels, 1]), b: c.reshape(dy, [m, channels, multiplier]) });
  const mean = c.run('AvgPool', { x: c.reshape(product, [kk, m, 1, channels * multiplier]) }, { filterSize: [m, 1], strides: 1, pad: 'valid' });
  const sum = c.run('Multiply', { a: mean, b: c.filled([1], m) });
  return c.reshape(sum, [kh, kw, channels, multiplier]);
}

/** The kernel `name` {x, dy} → dW (attr filterShape): `gradient` run as one composite. */
function filterGradientKernel(name: string, depthwise: boolean, gradient: typeof denseFilterGradient): (args: KernelArgs) => TensorInfo {
  return (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs | tf.DepthwiseConv2dNativeBackpropFilterAttrs;
    const g = convGeometry(name, x.shape, attrs.filterShape, attrs, depthwise);
    return composite(args.backend, (c) => gradient(c, x, dy, g, attrs.filterShape));
  };
}

export const conv2dBackpropFilterConfig = wasmKernelConfig(tf.Conv2DBackpropFilter, filterGradientKernel(tf.Conv2DBackpropFilter, false, denseFilterGradient));
export const depthwiseBackpropFilterConfig = wasmKernelConfig(
  tf.DepthwiseConv2dNativeBackpropFilter,
  filterGradientKernel(tf.DepthwiseConv2dNativeBackpropFilter, true, depthwiseFilterGradient),
);
