/**
 * Random search efficiency (NDS; the RegNet paper's Fig. 9 right): how good the best of m
 * randomly drawn models is, for m = 1, 2, 4, …, n. Each experiment of size m is repeated ⌊n/m⌋
 * times by drawing m models with replacement (by their normalized-EDF weights when given).
 */
import { Rng } from '../sampling/rng';
import { uniformWeights } from './edf';

export interface SearchEfficiencyPoint {
  /** Models drawn per experiment. */
  m: number;
  /** Mean over experiments of the best error among the m models. */
  mean: number;
  /** Population standard deviation of that best error (plot mean ± 2·std). */
  std: number;
  /** Experiments run: ⌊n/m⌋. */
  repeats: number;
}

/** Expected best error against the number of models drawn, for m = 2^0, 2^1, … ≤ n. */
export function randomSearchEfficiency(
  errors: readonly number[],
  options: { seed: number; weights?: readonly number[] },
): SearchEfficiencyPoint[] {
  const n = errors.length;
  if (n === 0) return [];
  const weights = options.weights ?? uniformWeights(n);
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) cumulative[i] = total += weights[i];
  const rng = new Rng(options.seed);
  const draw = (): number => {
    const u = rng.float() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const points: SearchEfficiencyPoint[] = [];
  for (let m = 1; m <= n; m *= 2) {
    const repeats = Math.floor(n / m);
    const bests: number[] = [];
    for (let r = 0; r < repeats; r++) {
      let best = Infinity;
      for (let k = 0; k < m; k++) best = Math.min(best, errors[draw()]);
      bests.push(best);
    }
    const mean = bests.reduce((s, v) => s + v, 0) / repeats;
    const variance = bests.reduce((s, v) => s + (v - mean) * (v - mean), 0) / repeats;
    points.push({ m, mean, std: Math.sqrt(variance), repeats });
  }
  return points;
}
