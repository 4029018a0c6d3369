/**
 * Convolution geometry shared by the wasm gradient kernels, from tfjs's own `computeConv2DInfo`
 * so every padding form tfjs accepts ('same', 'valid', a number, explicit pairs, rounding modes)
 * is resolved exactly as the forward kernel resolved it.
 */
import * as tf from '@tensorflow/tfjs-core';

import type { WasmComposite } from './composite';
import { copyRuns } from './heapCopy';

type TensorInfo = tf.TensorInfo;

/** The numbers of one NHWC convolution, dilation 1. */
export interface ConvGeometry {
  n: number;
  h: number;
  w: number;
  /** Input channels. */
  c: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  top: number;
  left: number;
}

/** Resolves a conv's geometry; rejects what the kernels do not handle (dilation > 1, NCHW). */
export function convGeometry(
  kernel: string,
  inShape: number[],
  filterShape: number[],
  attrs: { strides: number | [number, number]; pad: unknown; dilations?: number | [number, number]; dimRoundingMode?: unknown; dataFormat?: string },
  depthwise: boolean,
): ConvGeometry {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC' && attrs.dataFormat !== 'channelsLast') {
    throw new Error(`wasm ${kernel} supports NHWC only, got ${attrs.dataFormat}`);
  }
  const d = attrs.dilations ?? 1;
  const [dh, dw] = typeof d === 'number' ? [d, d] : d;
  if (dh !== 1 || dw !== 1) throw new Error(`wasm ${kernel} supports dilation 1 only, got [${dh}, ${dw}]`);
  const info = tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'floor' | undefined,
    depthwise,
  );
  return {
    n: info.batchSize,
    h: info.inHeight,
    w: info.inWidth,
    c: info.inChannels,
    oh: info.outHeight,
    ow: info.outWidth,
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}

/** The output positions [from, to) along one axis whose tap at offset `i` reads inside the input. */
function validRange(i: number, s: number, pad: number, inLen: number, outLen: number): [number, number] {
  // Input index = o·s + i − pad must lie in [0, inLen).
  const from = Math.max(0, Math.ceil((pad - i) / s));
  const to = Math.min(outLen, Math.floor((inLen - 1 + pad - i) / s) + 1);
  return [from, Math.max(from, to)];
}

/**
 * The windows of x that the filter taps see, as [kh·kw, n·oh·ow, c]: block t = i·kw + j, row
 * (b, y, x) holds x[b, y·sh + i − top, x·sw + j − left, :], zero where that falls in the padding.
 * Copied inside the wasm heap, one run per image row at stride 1.
 */
export function tapWindows(cx: WasmComposite, x: TensorInfo, g: ConvGeometry): TensorInfo {
  const { n, h, w, c, oh, ow, kh, kw, sh, sw, top, left } = g;
  const m = n * oh * ow;
  const out = cx.output([kh * kw, m, c]);
  const heap = cx.heap();
  const src0 = cx.offset(x);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const dst0 = cx.offset(out) + (i * kw + j) * m * c;
      const [y0, y1] = validRange(i, sh, top, h, oh);
      const [x0, x1] = validRange(j, sw, left, w, ow);
      if (y1 - y0 < oh || x1 - x0 < ow) heap.fill(0, dst0, dst0 + m * c);
      for (let b = 0; b < n; b++) {
        for (let y = y0; y < y1; y++) {
          const dstRow = dst0 + (b * oh + y) * ow * c;
          const srcRow = src0 + (b * h + y * sh + i - top) * w * c;
          // Consecutive outputs read pixels sw apart: one run per row at stride 1.
          copyRuns(heap, srcRow + (x0 * sw + j - left) * c, sw * c, dstRow + x0 * c, c, c, x1 - x0, sw === 1);
        }
      }
    }
  }
  return out;
}

/** How one axis of a strided conv's input gradient splits into s stride-1 correlations. */
export interface AxisPhase {
  /** Filter taps i ≡ r (mod s) feed this phase: i = s·t + r, t = 0 … taps − 1. */
  r: number;
  taps: number;
  /** Padding of dy before and after (negative: crop) for a 'valid' stride-1 correlation. */
  before: number;
  after: number;
}

/**
 * The input gradient along one axis: dx[y] = Σ_i dy[(y + pad − i)/s]·f[i] over the i that make the
 * index whole. For output phase a (y = s·u + a) those are i = s·t + r with r = (a + pad) mod s,
 * and dy's index is u + q − t with q = ⌊(a + pad)/s⌋; so phase a is a stride-1 correlation of dy
 * with the taps reversed, dy padded by taps − 1 − q before. Each phase yields `len` = ⌈inLen/s⌉
 * positions (the last ones may lie past inLen and are cut off after interleaving).
 */
export function axisPhases(k: number, s: number, pad: number, inLen: number, outLen: number): { len: number; phases: AxisPhase[] } {
  const len = Math.ceil(inLen / s);
  const phases: AxisPhase[] = [];
  for (let a = 0; a < s; a++) {
    const r = (a + pad) % s;
    const q = Math.floor((a + pad) / s);
    const taps = r < k ? Math.ceil((k - r) / s) : 0;
    const before = taps - 1 - q;
    phases.push({ r, taps, before, after: len + taps - 1 - before - outLen });
  }
  return { len, phases };
}
