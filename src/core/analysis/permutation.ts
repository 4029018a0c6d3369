/**
 * The KS test between complexity-normalized EDFs, by permutation within complexity bins.
 *
 * A normalized EDF weights each model 1/(B'·h_b), h_b being its space's count in its complexity
 * bin (edf.ts). The question it asks is whether two spaces differ in error at equal complexity.
 * Under that null, the models of one bin are exchangeable between the two spaces, whatever each
 * space's complexity distribution: so the p-value is the share of random relabellings within
 * every bin whose D reaches the observed one. Relabelling within bins keeps each space's bin
 * counts, hence every weight, so each permutation costs one pass over the pooled models.
 *
 * The Monte Carlo estimate (1 + #{D* ≥ D}) / (1 + permutations) is itself a valid p-value
 * (P(p ≤ α) ≤ α under the null), seeded and so reproducible.
 */
import { Rng } from '../sampling/rng';
import { ksStatistic, type KsResult } from './ks';

/** Default permutations: p-values resolve to 1e-4. */
export const PERMUTATIONS = 9999;

/**
 * Permutations enough for a p-value to reach `level` (the smallest p is 1/(permutations + 1)),
 * with `resolution` steps below it: at least PERMUTATIONS unless `resolution` asks for fewer.
 */
export function permutationsFor(level: number, resolution = 20, floor = resolution < 20 ? 0 : PERMUTATIONS): number {
  return Math.max(floor, Math.ceil(resolution / level));
}

/** One space's models for the test: errors, their normalized weights (0 = outside the range) and complexity bins (−1 outside). */
export interface WeightedSample {
  errors: readonly number[];
  weights: readonly number[];
  bins: readonly number[];
}

export function normalizedKsTest(a: WeightedSample, b: WeightedSample, options: { permutations?: number; seed: number }): KsResult {
  const permutations = options.permutations ?? PERMUTATIONS;
  const { d, at } = ksStatistic(a.errors, b.errors, a.weights, b.weights);
  if (Number.isNaN(d)) return { d, p: NaN, at, method: 'permutation', permutations };

  // Pooled models inside the range, sorted by error; a weight per (space, bin).
  const weightOf = (s: WeightedSample): Map<number, number> => {
    const w = new Map<number, number>();
    s.bins.forEach((bin, i) => bin >= 0 && s.weights[i] > 0 && w.set(bin, s.weights[i]));
    return w;
  };
  const wa = weightOf(a);
  const wb = weightOf(b);
  const pooled: { e: number; bin: number; inA: boolean }[] = [];
  for (const [s, inA] of [[a, true], [b, false]] as const) {
    s.errors.forEach((e, i) => s.bins[i] >= 0 && s.weights[i] > 0 && pooled.push({ e, bin: s.bins[i], inA }));
  }
  pooled.sort((x, y) => x.e - y.e);
  const N = pooled.length;
  const errors = Float64Array.from(pooled, (p) => p.e);
  const bins = Int32Array.from(pooled, (p) => p.bin);
  const labels = Uint8Array.from(pooled, (p) => (p.inA ? 1 : 0));
  // Positions of each bin's models, for shuffling labels within bins.
  const members = new Map<number, number[]>();
  for (let k = 0; k < N; k++) {
    const list = members.get(bins[k]) ?? [];
    list.push(k);
    members.set(bins[k], list);
  }
  const groups = [...members.values()].filter((g) => g.length > 1);
  const lastOfTie = new Uint8Array(N);
  for (let k = 0; k < N; k++) lastOfTie[k] = k + 1 === N || errors[k + 1] !== errors[k] ? 1 : 0;

  const statistic = (lab: Uint8Array): number => {
    let fa = 0;
    let fb = 0;
    let dmax = 0;
    for (let k = 0; k < N; k++) {
      if (lab[k] === 1) fa += wa.get(bins[k]) as number;
      else fb += wb.get(bins[k]) as number;
      if (lastOfTie[k] === 1) dmax = Math.max(dmax, Math.abs(fa - fb));
    }
    return dmax;
  };
  // Weights sum to 1 per space, so D needs no division; the observed D is recomputed the same way.
  const observed = statistic(labels);
  const rng = new Rng(options.seed);
  const perm = labels.slice();
  let reached = 0;
  for (let r = 0; r < permutations; r++) {
    for (const g of groups) {
      // Fisher–Yates over the bin's label slots.
      for (let t = g.length - 1; t > 0; t--) {
        const u = rng.int(0, t);
        const x = perm[g[t]];
        perm[g[t]] = perm[g[u]];
        perm[g[u]] = x;
      }
    }
    if (statistic(perm) >= observed - 1e-12) reached++;
  }
  return { d, p: (1 + reached) / (1 + permutations), at, method: 'permutation', permutations };
}
