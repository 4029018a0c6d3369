/**
 * Two-sample Kolmogorov–Smirnov statistic between error EDFs (the NDS paper's test of whether
 * two design spaces differ), with the asymptotic p-value.
 */
import { uniformWeights } from './edf';

export interface KsResult {
  /** D = sup_e |F1(e) − F2(e)|, in [0, 1]. */
  d: number;
  /** Asymptotic two-sided p-value of D for samples of these sizes (small p: the EDFs differ). */
  p: number;
  /** The error at which the gap is largest. */
  at: number;
}

/**
 * D between two (optionally weighted) EDFs: the largest gap between their cumulative masses over
 * every error either space has. Weights default to 1/n; for weighted EDFs the p-value uses the
 * Kish effective sample sizes (Σw)²/Σw².
 */
export function ksTest(
  a: readonly number[],
  b: readonly number[],
  weightsA: readonly number[] = uniformWeights(a.length),
  weightsB: readonly number[] = uniformWeights(b.length),
): KsResult {
  if (a.length === 0 || b.length === 0) return { d: NaN, p: NaN, at: NaN };
  const points = [...a.map((e, i) => ({ e, wa: weightsA[i], wb: 0 })), ...b.map((e, i) => ({ e, wa: 0, wb: weightsB[i] }))];
  points.sort((x, y) => x.e - y.e);
  const totalA = weightsA.reduce((s, w) => s + w, 0);
  const totalB = weightsB.reduce((s, w) => s + w, 0);
  let fa = 0;
  let fb = 0;
  let d = 0;
  let at = points[0].e;
  for (let k = 0; k < points.length; k++) {
    fa += points[k].wa;
    fb += points[k].wb;
    // Compare only after every point with this error is in (the EDFs are steps).
    if (k + 1 < points.length && points[k + 1].e === points[k].e) continue;
    const gap = Math.abs(fa / totalA - fb / totalB);
    if (gap > d + 1e-15) {
      d = gap;
      at = points[k].e;
    }
  }
  const n = effectiveSize(weightsA);
  const m = effectiveSize(weightsB);
  return { d, p: kolmogorovQ(Math.sqrt((n * m) / (n + m)), d), at };
}

/** (Σw)² / Σw²: n for equal weights, fewer when a few models carry most of the mass. */
function effectiveSize(weights: readonly number[]): number {
  let s = 0;
  let s2 = 0;
  for (const w of weights) {
    s += w;
    s2 += w * w;
  }
  return s2 > 0 ? (s * s) / s2 : 0;
}

/**
 * P(D > d) for the Kolmogorov distribution with the small-sample correction of Stephens
 * (λ = (√n + 0.12 + 0.11/√n)·d), summed with whichever of the two series converges fast.
 */
export function kolmogorovQ(sqrtN: number, d: number): number {
  if (!(d > 0)) return 1;
  const lambda = (sqrtN + 0.12 + 0.11 / sqrtN) * d;
  if (lambda < 1.18) {
    // Q = 1 − (√(2π)/λ) Σ_{j≥1} exp(−(2j−1)²π²/(8λ²))
    const c = -(Math.PI * Math.PI) / (8 * lambda * lambda);
    let s = 0;
    for (let j = 1; j <= 20; j++) s += Math.exp((2 * j - 1) * (2 * j - 1) * c);
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * s));
  }
  // Q = 2 Σ_{j≥1} (−1)^{j−1} exp(−2j²λ²)
  let s = 0;
  for (let j = 1; j <= 100; j++) {
    const term = Math.exp(-2 * j * j * lambda * lambda);
    s += j % 2 === 1 ? term : -term;
    if (term < 1e-16) break;
  }
  return Math.min(1, Math.max(0, 2 * s));
}
