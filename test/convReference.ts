// The float64 reference of the grouped conv and the seeded shapes its kernels are checked on
// (wasm's SIMD kernels and webgpu's programs).
import { Rng } from '../src/core/sampling/rng';
import { randomValues } from './numeric';
import { convShape, type ConvShape } from '../src/train/kernels/simd/conv';

/**
 * Float64 reference of the three ops, written as the definition reads: y[b, i, j, o] sums
 * x[b, i·s + u − p, j·s + v − p, g·cInG + c] · w[u, v, c, o] over taps inside the image, with
 * g = ⌊o / cOutG⌋; dx and dw are its partial derivatives, accumulated term by term.
 */
export function convReference(s: ConvShape, x: Float32Array, w: Float32Array, dy: Float32Array): { y: Float64Array; dx: Float64Array; dw: Float64Array } {
  const { n, h, w: wd, cIn, oh, ow, cOut, k, stride, pad, groups } = s;
  const cInG = cIn / groups;
  const cOutG = cOut / groups;
  const y = new Float64Array(n * oh * ow * cOut);
  const dx = new Float64Array(n * h * wd * cIn);
  const dw = new Float64Array(k * k * cInG * cOut);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let o = 0; o < cOut; o++) {
          const g = Math.floor(o / cOutG);
          const yi = ((b * oh + i) * ow + j) * cOut + o;
          let acc = 0;
          for (let u = 0; u < k; u++) {
            const ih = i * stride + u - pad;
            if (ih < 0 || ih >= h) continue;
            for (let v = 0; v < k; v++) {
              const iw = j * stride + v - pad;
              if (iw < 0 || iw >= wd) continue;
              for (let c = 0; c < cInG; c++) {
                const xi = ((b * h + ih) * wd + iw) * cIn + g * cInG + c;
                const wi = ((u * k + v) * cInG + c) * cOut + o;
                acc += x[xi] * w[wi];
                dx[xi] += dy[yi] * w[wi];
                dw[wi] += dy[yi] * x[xi];
              }
            }
          }
          y[yi] = acc;
        }
  return { y, dx, dw };
}

export interface ConvCase {
  s: ConvShape;
  label: string;
}

/**
 * Seeded shapes: k 1/3/5 (and a few even ones), stride 1/2, group widths 1…64 (width 1 with cOut = cIn is depthwise),
 * channel counts that are not multiples of 4 or 8, sizes 1…15, batch 1…3, all cheap enough for the
 * float64 reference.
 */
export function randomConvCases(seed: number, count: number): ConvCase[] {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(0, xs.length - 1)];
  const cases: ConvCase[] = [];
  // Channel counts the brief of a RegNet meets, and the awkward ones.
  // [cIn, cOut, groups] with, optionally, [k, stride, h, w]: the layer kinds of a RegNet and the
  // awkward ones; depthwise rows wide enough for its four-pixel path.
  const fixed: number[][] = [
    [3, 16, 1],
    [5, 5, 5],
    [12, 24, 4],
    [24, 24, 3],
    [36, 36, 36],
    [100, 100, 100],
    [16, 64, 1],
    [64, 64, 1],
    [64, 64, 8],
    [24, 48, 12],
    [64, 64, 64, 3, 1, 6, 15],
    [16, 16, 16, 3, 2, 5, 15],
    [12, 12, 12, 5, 1, 3, 13],
    // Even kernels: padding ⌊(k − 1)/2⌋, one less after than the output needs.
    [8, 8, 1, 2, 2, 9, 9],
    [6, 12, 2, 4, 1, 7, 8],
    [8, 8, 8, 4, 2, 9, 10],
    // 1×1 stride 1 with whole panels: the filter gradient reads x and dy in place, several chunks and a partial one.
    [16, 32, 1, 1, 1, 13, 11],
    [32, 64, 1, 1, 1, 9, 14],
    // Narrow inputs (stems): the forward op reads a padded band; widths that leave a partial tile, partial panels, stride 2, k 5.
    [1, 12, 1, 3, 2, 13, 11],
    [3, 16, 1, 3, 1, 9, 10],
    [2, 10, 1, 5, 1, 7, 6],
  ];
  while (cases.length < count) {
    let cIn: number;
    let cOut: number;
    let groups: number;
    let geometry: number[] = [];
    if (cases.length < fixed.length) {
      [cIn, cOut, groups, ...geometry] = fixed[cases.length];
    } else {
      const width = pick([1, 2, 3, 8, 16, 64]);
      groups = pick([1, 2, 3, 5]);
      if (width === 64) groups = 1;
      cIn = width * groups;
      cOut = groups * (width === 1 ? pick([1, 1, 2, 3]) : pick([width, width + 1, 2 * width, Math.max(1, width - 3)]));
    }
    const k = geometry[0] ?? pick([1, 3, 3, 5]);
    const stride = geometry[1] ?? pick([1, 2]);
    const n = rng.int(1, 3);
    const h = geometry[2] ?? rng.int(1, 15);
    const w = geometry[3] ?? rng.int(1, 15);
    const s = convShape('test', [n, h, w, cIn], [k, k, cIn / groups, cOut], stride, groups);
    if (s.n * s.oh * s.ow * k * k * (cIn / groups) * cOut > 3e6) continue;
    cases.push({ s, label: `x [${n}, ${h}, ${w}, ${cIn}] k${k} s${stride} G${groups} cOut ${cOut}` });
  }
  return cases;
}

/** A case's seeded inputs, their shapes and the reference results. */
export function convCaseData(s: ConvShape) {
  const rng = new Rng(s.n * 1000 + s.h * 31 + s.cIn * 7 + s.cOut);
  const xShape = [s.n, s.h, s.w, s.cIn];
  const wShape = [s.k, s.k, s.cIn / s.groups, s.cOut];
  const yShape = [s.n, s.oh, s.ow, s.cOut];
  const x = randomValues(rng, s.n * s.h * s.w * s.cIn);
  const w = randomValues(rng, s.k * s.k * (s.cIn / s.groups) * s.cOut);
  const dy = randomValues(rng, s.n * s.oh * s.ow * s.cOut);
  return { xShape, wShape, yShape, x, w, dy, ref: convReference(s, x, w, dy), attrs: { stride: s.stride, groups: s.groups } };
}
