/**
 * Random search efficiency (NDS; the RegNet paper's Fig. 9 right): how good the best of m models
 * drawn at random (with replacement, by their normalized-EDF weights when given) is, for every
 * m = 1 … n.
 *
 * Computed exactly rather than by simulation: with the errors sorted e_(1) ≤ … ≤ e_(K) and
 * S_k = P(X > e_(k)) the mass above the k-th, the best of m draws is e_(k) with probability
 * S_{k−1}^m − S_k^m. Its mean and standard deviation follow.
 */
import { uniformWeights } from './edf';

export interface SearchEfficiencyPoint {
  /** Models drawn per experiment. */
  m: number;
  /** Expected best error among the m models. */
  mean: number;
  /** Standard deviation of that best error (plot mean ± 2·std). */
  std: number;
}

/**
 * Up to this many models every m = 1 … n is computed; beyond, every m up to DENSE_M and then m
 * growing by 5% a step to n (each exact, about 10 points an octave): the curve is read on a log
 * axis, and all n of them would cost n² terms (25,000 models: 625 million).
 */
export const EVERY_M_UP_TO = 2048;
export const DENSE_M = 16;
const GROWTH = 1.05;

/** The experiment sizes computed for n models: 1 … n, or for large n a log-spaced grid ending at n. */
export function searchSizes(n: number): number[] {
  const dense = n <= EVERY_M_UP_TO ? n : DENSE_M;
  const sizes: number[] = [];
  for (let m = 1; m <= dense; m++) sizes.push(m);
  for (let m = dense; m < n; ) {
    m = Math.min(n, Math.max(m + 1, Math.ceil(m * GROWTH)));
    sizes.push(m);
  }
  return sizes;
}

/** Expected best error (and its spread) against the number of models drawn, m = 1 … n (see `searchSizes`). */
export function randomSearchEfficiency(errors: readonly number[], options: { weights?: readonly number[] } = {}): SearchEfficiencyPoint[] {
  const n = errors.length;
  if (n === 0) return [];
  const weights = options.weights ?? uniformWeights(n);
  const kept = errors.map((e, i) => ({ e, w: weights[i] })).filter((x) => x.w > 0);
  if (kept.length === 0) return [];
  kept.sort((x, y) => x.e - y.e);
  const total = kept.reduce((s, x) => s + x.w, 0);
  // above[k] = mass strictly after the k-th sorted model (S_k), above[−1] = 1.
  const above = new Float64Array(kept.length);
  let rest = 1;
  for (let k = 0; k < kept.length; k++) {
    rest -= kept[k].w / total;
    above[k] = Math.max(0, rest);
  }
  above[kept.length - 1] = 0;
  const points: SearchEfficiencyPoint[] = [];
  for (const m of searchSizes(n)) {
    let mean = 0;
    let second = 0;
    let prev = 1;
    // Once S_{k−1}^m underflows to 0, every later term is 0 · e: stopping there changes nothing.
    for (let k = 0; k < kept.length && prev > 0; k++) {
      const next = above[k] ** m;
      const p = prev - next;
      mean += p * kept[k].e;
      second += p * kept[k].e * kept[k].e;
      prev = next;
    }
    points.push({ m, mean, std: Math.sqrt(Math.max(0, second - mean * mean)) });
  }
  return points;
}
