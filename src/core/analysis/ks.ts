/**
 * Two-sample Kolmogorov–Smirnov tests between error EDFs (the NDS paper's test of whether two
 * design spaces differ).
 *
 * Plain EDFs: the exact permutation distribution of D given the pooled errors, ties included,
 * by dynamic programming over the lattice path of the merged sample. Exact at every n, so a
 * small-sample p-value is never overstated (Stephens' asymptotic formula is, at n ≈ 8). For very
 * large samples, where the path has more than EXACT_LIMIT cells, the asymptotic Kolmogorov
 * distribution is used; it is accurate there.
 *
 * Weighted (complexity-normalized) EDFs: see permutation.ts.
 */
import { uniformWeights } from './edf';

/** How a p-value was obtained, for the findings to quote. */
export type KsMethod = 'exact' | 'asymptotic' | 'permutation';

export interface KsResult {
  /** D = sup_e |F1(e) − F2(e)|, in [0, 1]. */
  d: number;
  /** Two-sided p-value of D (small p: the EDFs differ). */
  p: number;
  /** The error at which the gap is largest. */
  at: number;
  method: KsMethod;
  /** Permutations drawn, for method 'permutation'. */
  permutations?: number;
}

/** Lattice paths (n + 1)·(m + 1) up to which the exact distribution is computed. */
export const EXACT_LIMIT = 4_000_000;

/** D between two (optionally weighted) EDFs and where it is largest, comparing only once every tied error is in. */
export function ksStatistic(
  a: readonly number[],
  b: readonly number[],
  weightsA: readonly number[] = uniformWeights(a.length),
  weightsB: readonly number[] = uniformWeights(b.length),
): { d: number; at: number } {
  if (a.length === 0 || b.length === 0) return { d: NaN, at: NaN };
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
    if (k + 1 < points.length && points[k + 1].e === points[k].e) continue;
    const gap = Math.abs(fa / totalA - fb / totalB);
    if (gap > d + 1e-15) {
      d = gap;
      at = points[k].e;
    }
  }
  return { d, at };
}

/** The plain two-sample KS test: D, and its exact permutation p-value (asymptotic for huge samples). */
export function ksTest(a: readonly number[], b: readonly number[]): KsResult {
  const { d, at } = ksStatistic(a, b);
  if (Number.isNaN(d)) return { d, p: NaN, at, method: 'exact' };
  const n = a.length;
  const m = b.length;
  if ((n + 1) * (m + 1) <= EXACT_LIMIT) {
    const pooled = [...a, ...b].sort((x, y) => x - y);
    return { d, p: ksExactP(n, m, d, tieEnds(pooled)), at, method: 'exact' };
  }
  return { d, p: kolmogorovQ(Math.sqrt((n * m) / (n + m)), d), at, method: 'asymptotic' };
}

/** For a sorted list, whether position k (1-based count of values taken) ends a run of equal values. */
export function tieEnds(sorted: readonly number[]): boolean[] {
  const ends = new Array<boolean>(sorted.length + 1).fill(false);
  for (let k = 1; k <= sorted.length; k++) ends[k] = k === sorted.length || sorted[k] !== sorted[k - 1];
  return ends;
}

/**
 * P(D ≥ d) when the n + m pooled values (with the given tie structure; all distinct when `ends`
 * is omitted) are split at random into samples of n and m: the exact permutation p-value.
 *
 * The merged sample is a lattice path from (0, 0) to (n, m), every path equally likely. D is the
 * largest |i/n − j/m| over the points where a run of tied values ends. The dynamic programme
 * carries the probability of reaching (i, j) without ever reaching a gap ≥ d; p is 1 minus that
 * at (n, m). Probabilities rather than counts keep it in float64 for any n, m.
 */
export function ksExactP(n: number, m: number, d: number, ends?: readonly boolean[]): number {
  if (!(d > 0)) return 1;
  const N = n + m;
  const checked = ends ?? new Array<boolean>(N + 1).fill(true);
  // A gap counts as reaching d within rounding of the observed statistic.
  const reaches = (i: number, j: number): boolean => Math.abs(i / n - j / m) >= d - 1e-12;
  // row[j] = P(path at (i, j) and no checked point so far reached d); i advances with the loop.
  let row = new Float64Array(m + 1);
  row[0] = 1;
  for (let i = 0; i <= n; i++) {
    const next = new Float64Array(m + 1);
    for (let j = 0; j <= m; j++) {
      let q = row[j];
      if (q === 0) continue;
      const k = i + j;
      if (k > 0 && checked[k] && reaches(i, j)) {
        row[j] = 0;
        continue;
      }
      if (k === N) continue;
      // From (i, j), the next value belongs to the first sample with probability (n − i)/(N − k).
      const left = N - k;
      if (i < n) next[j] += (q * (n - i)) / left;
      if (j < m) {
        q = (q * (m - j)) / left;
        row[j + 1] += q;
      }
    }
    if (i === n) return Math.min(1, Math.max(0, 1 - row[m]));
    row = next;
  }
  return 1;
}

/**
 * P(D > d) for the Kolmogorov distribution with the small-sample correction of Stephens
 * (λ = (√n + 0.12 + 0.11/√n)·d), summed with whichever of the two series converges fast.
 * Accurate for large samples only: used beyond EXACT_LIMIT.
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

/** (Σw)² / Σw²: n for equal weights, fewer when a few models carry most of the mass (Kish). */
export function effectiveSize(weights: readonly number[]): number {
  let s = 0;
  let s2 = 0;
  for (const w of weights) {
    s += w;
    s2 += w * w;
  }
  return s2 > 0 ? (s * s) / s2 : 0;
}
