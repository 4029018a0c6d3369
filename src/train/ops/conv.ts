/**
 * Convolutions with pycls's padding: (k − 1)/2 on every side, so for odd k the output size is
 * ⌊(h − 1)/s⌋ + 1 exactly as the core's complexity counts it. tfjs's 'same' pads asymmetrically
 * for stride 2 on even sizes (more at the bottom/right), which shifts every sampled position.
 */
import { tf } from '../backend';
import { ourKernelActive } from '../kernels/active';
import { CONV, convKernelsActive, dslabConv2d } from '../kernels/simd/conv';

/** pycls's padding for a k×k kernel. */
export function pyclsPadding(k: number): number {
  return Math.floor((k - 1) / 2);
}

function explicitPadding(k: number): tf.backend_util.ExplicitPadding {
  const p = pyclsPadding(k);
  return [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ];
}

/** A plain (ungrouped) conv, NHWC, filter [k, k, cIn, cOut], padded as pycls pads. */
export function conv2dPycls(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number): tf.Tensor4D {
  if (convKernelsActive()) return dslabConv2d(x, filter, stride, 1);
  return tf.conv2d(x, filter, stride, explicitPadding(filter.shape[0]));
}

/**
 * A grouped conv: x [n, h, w, cIn], filter [k, k, cIn/G, cOut], G groups, each mapping cIn/G
 * input channels to cOut/G output channels, as PyTorch's Conv2d(groups = G). Exact for any G:
 * - G = 1: a plain conv;
 * - one input channel per group: a depthwise conv (channel multiplier cOut/cIn);
 * - in between: split the channels into G groups, one conv each, concatenate.
 * The other exact form, one conv with a block-diagonal dense filter, does G× the work. Measured
 * for a training step (forward and both gradients, 3×3, group width 8, G = 2/4/8; medians) it
 * loses on every backend we run: wasm 64×28×28×16 G2 37 vs 50 ms, 64×7×7×64 G8 11 vs 29 ms; cpu
 * 8×28×28×16 G2 2.05 vs 2.16 s, 8×7×7×64 G8 0.31 vs 2.8 s (the cpu filter gradient costs per
 * FLOP); libtensorflow's convolutions cost per FLOP too. So the split form serves every backend
 * but wasm with our SIMD kernels, where one native op (kernels/simd/conv.ts) does every group at
 * once, forward and both gradients, and webgpu, where the same op is one dispatch
 * (kernels/webgpu/conv.ts).
 */
export function groupedConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, groups: number): tf.Tensor4D {
  const [, , cInG, cOut] = filter.shape;
  const cIn = x.shape[3];
  if (!Number.isInteger(groups) || groups < 1 || cIn % groups !== 0 || cOut % groups !== 0 || cIn / groups !== cInG) {
    throw new RangeError(
      `groupedConv2d: ${groups} groups do not fit ${cIn} input channels, ${cOut} output channels and filter [${filter.shape.join(', ')}]`,
    );
  }
  // On wasm with our SIMD kernels: one native op for any group count, gradients included. On
  // webgpu, ours for 2+ channels per group (one dispatch each way instead of one per group);
  // tfjs's own for plain and depthwise convs.
  if (convKernelsActive()) return dslabConv2d(x, filter, stride, groups);
  if (groups > 1 && cInG > 1 && ourKernelActive(CONV)) return dslabConv2d(x, filter, stride, groups);
  return groupedConv2dTfjs(x, filter, stride, groups);
}

/**
 * groupedConv2d out of tfjs's own ops (every backend has them): conv2d, depthwiseConv2d, or
 * split/conv/concat. Arguments are checked by groupedConv2d.
 */
export function groupedConv2dTfjs(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, groups: number): tf.Tensor4D {
  const [k, , cInG, cOut] = filter.shape;
  const cIn = x.shape[3];
  const pad = explicitPadding(k);
  if (groups === 1) return tf.conv2d(x, filter, stride, pad);
  if (cInG === 1) {
    // One input channel per group: depthwise with multiplier cOut/cIn; output channel c·m + q
    // reads input channel c in both layouts, so a reshape of the filter is the whole mapping.
    const depthwise = tf.reshape(filter, [k, k, cIn, cOut / cIn]) as tf.Tensor4D;
    return tf.depthwiseConv2d(x, depthwise, stride, pad);
  }
  return splitConv(x, filter, stride, groups, pad);
}

/** G convs on channel slices, concatenated: exactly G·(k²·cIn/G·cOut/G) weights at work. */
function splitConv(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  stride: number,
  groups: number,
  pad: tf.backend_util.ExplicitPadding,
): tf.Tensor4D {
  return tf.tidy(() => {
    const xs = tf.split(x, groups, 3);
    const fs = tf.split(filter, groups, 3);
    const ys = xs.map((xg, g) => tf.conv2d(xg as tf.Tensor4D, fs[g] as tf.Tensor4D, stride, pad));
    return tf.concat(ys, 3) as tf.Tensor4D;
  });
}
