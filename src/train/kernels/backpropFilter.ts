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

import { composite } from './composite';
import { convGeometry, tapWindows } from './geometry';

type TensorInfo = tf.TensorInfo;
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };

function conv2dBackpropFilter(args: KernelArgs): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const [kh, kw, cIn, cOut] = attrs.filterShape;
  const g = convGeometry('Conv2DBackpropFilter', x.shape, attrs.filterShape, attrs, false);
  return composite(args.backend, (c) => {
    const m = g.n * g.oh * g.ow;
    const windowsT = c.transpose(tapWindows(c, x, g), [0, 2, 1]); // [k², cIn, M]
    const grad = c.matMul(c.reshape(windowsT, [kh * kw * cIn, m]), c.reshape(dy, [m, cOut]));
    return c.reshape(grad, [kh, kw, cIn, cOut]);
  });
}

function depthwiseBackpropFilter(args: KernelArgs): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const [kh, kw, channels, multiplier] = attrs.filterShape;
  const g = convGeometry('DepthwiseConv2dNativeBackpropFilter', x.shape, attrs.filterShape, attrs, true);
  return composite(args.backend, (c) => {
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
  });
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};

export const depthwiseBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter as unknown as tf.KernelFunc,
};
