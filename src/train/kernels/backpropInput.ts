/**
 * Input gradients for the wasm backend: Conv2DBackpropInput (tfjs-wasm has one, but it takes
 * about 10× the forward conv's time: 64×14×14×16, 3×3, 19.6 vs 1.9 ms) and
 * DepthwiseConv2dNativeBackpropInput (missing).
 *
 * dx is a transposed convolution. Along each axis, output positions y = s·u + a of one phase a
 * receive only the filter taps i ≡ (a + pad) mod s, so every phase is a stride-1 correlation of dy
 * with those taps reversed (see `axisPhases`): s² small forward convolutions that XNNPACK runs at
 * full speed, with no multiplications by inserted zeros. The phases are interleaved by
 * concatenation along channels (columns) and along width (rows), each followed by a free reshape.
 */
import * as tf from '@tensorflow/tfjs-core';

import { composite, WasmComposite } from './composite';
import { AxisPhase, axisPhases, ConvGeometry, convGeometry } from './geometry';
import { wasmKernelConfig, type KernelArgs } from './kernelConfig';

type TensorInfo = tf.TensorInfo;

/** Which convolution runs the phases. */
type Kind = { depthwise: false } | { depthwise: true; multiplier: number };

/**
 * The reversed sub-filter for phase (pa, pb), laid out for a forward conv over dy:
 * dense [ta, tb, cOut, cIn] from filter [kh, kw, cIn, cOut] (in/out swapped), depthwise
 * [ta, tb, c·mult, 1] from filter [kh, kw, c, mult].
 */
function phaseFilter(c: WasmComposite, filter: TensorInfo, g: ConvGeometry, pa: AxisPhase, pb: AxisPhase, kind: Kind): TensorInfo {
  const [, kw, fIn, fOut] = filter.shape;
  const heap = c.heap();
  const f0 = c.offset(filter);
  const inner = fIn * fOut;
  const values = new Float32Array(pa.taps * pb.taps * inner);
  for (let m = 0; m < pa.taps; m++) {
    const fi = g.sh * (pa.taps - 1 - m) + pa.r;
    for (let q = 0; q < pb.taps; q++) {
      const fj = g.sw * (pb.taps - 1 - q) + pb.r;
      const src = f0 + (fi * kw + fj) * inner;
      const dst = (m * pb.taps + q) * inner;
      if (kind.depthwise) {
        values.set(heap.subarray(src, src + inner), dst);
      } else {
        for (let ci = 0; ci < fIn; ci++) {
          for (let o = 0; o < fOut; o++) values[dst + o * fIn + ci] = heap[src + ci * fOut + o];
        }
      }
    }
  }
  return c.constant(kind.depthwise ? [pa.taps, pb.taps, inner, 1] : [pa.taps, pb.taps, fOut, fIn], values);
}

/** One phase: a 'valid' stride-1 conv of dy, padded (or cropped) as the phase needs. */
function phaseConv(c: WasmComposite, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry, pa: AxisPhase, pb: AxisPhase, kind: Kind): TensorInfo {
  const sub = phaseFilter(c, filter, g, pa, pb, kind);
  const [n, oh, ow, ch] = dy.shape;
  const cropTop = Math.max(0, -pa.before);
  const cropLeft = Math.max(0, -pb.before);
  const cropped = c.slice(
    dy,
    [0, cropTop, cropLeft, 0],
    [n, oh - cropTop - Math.max(0, -pa.after), ow - cropLeft - Math.max(0, -pb.after), ch],
  );
  const pad = [
    [0, 0],
    [Math.max(0, pa.before), Math.max(0, pa.after)],
    [Math.max(0, pb.before), Math.max(0, pb.after)],
    [0, 0],
  ];
  const attrs = { strides: [1, 1], pad, dilations: [1, 1], dataFormat: 'NHWC' };
  if (!kind.depthwise) return c.run('Conv2D', { x: cropped, filter: sub }, attrs);
  const out = c.run('DepthwiseConv2dNative', { x: cropped, filter: sub }, attrs);
  if (kind.multiplier === 1) return out;
  const [on, oh2, ow2] = out.shape;
  const summed = c.run('Sum', { x: c.reshape(out, [on * oh2 * ow2, g.c, kind.multiplier]) }, { axis: [2], keepDims: false });
  return c.reshape(summed, [on, oh2, ow2, g.c]);
}

/** dx [n, h, w, c] from dy and the forward filter, for either kind of conv. */
function backpropInput(c: WasmComposite, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry, kind: Kind): TensorInfo {
  const rows = axisPhases(g.kh, g.sh, g.top, g.h, g.oh);
  const cols = axisPhases(g.kw, g.sw, g.left, g.w, g.ow);
  const rowPhases = rows.phases.map((pa) => {
    const parts = cols.phases.map((pb) =>
      pa.taps === 0 || pb.taps === 0 ? c.filled([g.n, rows.len, cols.len, g.c], 0) : phaseConv(c, dy, filter, g, pa, pb, kind),
    );
    // [n, U, V, sw·c] → [n, U, V·sw, c]: column v·sw + b.
    return c.reshape(c.concat(parts, 3), [g.n, rows.len, cols.len * g.sw, g.c]);
  });
  // [n, U, sh·V·sw, c] → [n, U·sh, V·sw, c]: row u·sh + a.
  const full = c.reshape(c.concat(rowPhases, 2), [g.n, rows.len * g.sh, cols.len * g.sw, g.c]);
  return c.slice(full, [0, 0, 0, 0], [g.n, g.h, g.w, g.c]);
}

function conv2dBackpropInput(args: KernelArgs): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const g = convGeometry('Conv2DBackpropInput', attrs.inputShape, filter.shape, attrs, false);
  return composite(args.backend, (c) => backpropInput(c, dy, filter, g, { depthwise: false }));
}

function depthwiseBackpropInput(args: KernelArgs): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const g = convGeometry('DepthwiseConv2dNativeBackpropInput', attrs.inputShape, filter.shape, attrs, true);
  return composite(args.backend, (c) => backpropInput(c, dy, filter, g, { depthwise: true, multiplier: filter.shape[3] }));
}

export const conv2dBackpropInputConfig = wasmKernelConfig(tf.Conv2DBackpropInput, conv2dBackpropInput);
export const depthwiseBackpropInputConfig = wasmKernelConfig(tf.DepthwiseConv2dNativeBackpropInput, depthwiseBackpropInput);
