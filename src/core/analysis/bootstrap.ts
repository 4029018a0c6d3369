/**
 * The paper's empirical bootstrap of the "best range" of a model property (reference §5.3,
 * pycls `analysis.get_filters`): resample 25% of the (property, error) pairs with replacement
 * many times, keep the property of the lowest-error pair of each resample, and report the 2.5,
 * 50 and 97.5 percentiles of those values — the 95% interval where the best models lie.
 */
import { Rng } from '../sampling/rng';

export interface BootstrapOptions {
  /** Number of resamples (the paper: 10^4; pycls: 2500). */
  resamples: number;
  /** Size of each resample as a fraction of the models, drawn with replacement (0.25). */
  fraction: number;
  seed: number;
}

/** [2.5th percentile, median, 97.5th percentile] of the property of the best model per resample. */
export interface BestRange {
  lo: number;
  median: number;
  hi: number;
}

/** numpy's default percentile: linear interpolation between the closest ranks. `sorted` ascending. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (p / 100) * (sorted.length - 1);
  const i = Math.floor(pos);
  const frac = pos - i;
  return i + 1 < sorted.length ? sorted[i] + frac * (sorted[i + 1] - sorted[i]) : sorted[i];
}

/** Models per resample: max(1, ⌊fraction·n⌋), as pycls. */
export function resampleSize(n: number, fraction: number): number {
  return Math.max(1, Math.floor(fraction * n));
}

/**
 * From this resample size on, the best model of a resample is drawn from its exact distribution
 * instead of drawing the resample model by model: 10,000 resamples of 25% of 25,000 models are
 * 62.5 million draws the other way. Smaller sweeps (fewer than 4 × 128 models at fraction 0.25)
 * draw as before, so their ranges do not change.
 */
export const ORDER_STATISTIC_SIZE = 128;

/**
 * The best of each resample of `size` models drawn with replacement, drawn directly: with the
 * errors' distinct values ascending and C_j the models with an error ≤ the j-th, the best error is
 * the j-th with probability ((n − C_{j−1})/n)^size − ((n − C_j)/n)^size, and the model with it
 * that was drawn first is any of them alike (draws are exchangeable): two draws per resample.
 */
function bestByOrderStatistic(errors: readonly number[], size: number, rng: Rng, best: Int32Array): void {
  const n = errors.length;
  const order = Array.from(errors.keys()).sort((i, j) => errors[i] - errors[j] || i - j);
  // Group ends: ends[g] is one past the last sorted position of the g-th distinct error.
  const ends: number[] = [];
  for (let k = 1; k <= n; k++) if (k === n || errors[order[k]] !== errors[order[k - 1]]) ends.push(k);
  for (let r = 0; r < best.length; r++) {
    // The first group whose cumulative count C_j exceeds n·(1 − (1 − u)^(1/size)).
    const t = n * (1 - Math.pow(1 - rng.float(), 1 / size));
    let lo = 0;
    let hi = ends.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid] > t) hi = mid;
      else lo = mid + 1;
    }
    const start = lo === 0 ? 0 : ends[lo - 1];
    best[r] = order[rng.int(start, ends[lo] - 1)];
  }
}

/**
 * The indices of the best (lowest-error) model of each resample. Drawn once and shared by every
 * property, as pycls does, so the ranges of different properties describe the same best models.
 * Ties go to the first drawn.
 */
export function bestOfResamples(errors: readonly number[], options: BootstrapOptions): Int32Array {
  const n = errors.length;
  const best = new Int32Array(n === 0 ? 0 : options.resamples);
  if (n === 0) return best;
  const size = resampleSize(n, options.fraction);
  const rng = new Rng(options.seed);
  if (size >= ORDER_STATISTIC_SIZE) {
    bestByOrderStatistic(errors, size, rng, best);
    return best;
  }
  for (let r = 0; r < options.resamples; r++) {
    let bi = rng.int(0, n - 1);
    for (let k = 1; k < size; k++) {
      const i = rng.int(0, n - 1);
      if (errors[i] < errors[bi]) bi = i;
    }
    best[r] = bi;
  }
  return best;
}

/** The best range of one property, given the best index of each resample. */
export function bestRange(values: readonly number[], best: Int32Array): BestRange {
  const picked = Array.from(best, (i) => values[i]).sort((a, b) => a - b);
  return { lo: percentile(picked, 2.5), median: percentile(picked, 50), hi: percentile(picked, 97.5) };
}

/** Best ranges of several properties at once: `{ wa: [...], flops: [...] }` → `{ wa: {lo, median, hi}, … }`. */
export function bootstrapBestRanges<K extends string>(
  errors: readonly number[],
  properties: Record<K, readonly number[]>,
  options: BootstrapOptions,
): Record<K, BestRange> {
  const best = bestOfResamples(errors, options);
  const out = {} as Record<K, BestRange>;
  for (const key of Object.keys(properties) as K[]) {
    if (properties[key].length !== errors.length) throw new RangeError(`${key}: ${properties[key].length} values for ${errors.length} errors`);
    out[key] = bestRange(properties[key], best);
  }
  return out;
}

/** The best ranges of every property, or why there are none: with fraction·n < 2 every resample holds one model, whose value is no "best". */
export function bestRangesOf(
  errors: readonly number[],
  properties: Record<string, readonly number[]>,
  options: BootstrapOptions,
): { bestRanges: Record<string, BestRange>; bestRangesNote?: string } {
  if (errors.length === 0) return { bestRanges: {} };
  const { fraction } = options;
  if (resampleSize(errors.length, fraction) < 2) {
    const needed = Math.ceil(2 / fraction);
    return {
      bestRanges: {},
      bestRangesNote: `no best ranges: with ${errors.length} ok ${errors.length === 1 ? 'trial' : 'trials'} and fraction ${fraction}, each bootstrap resample holds one model (${needed} or more needed)`,
    };
  }
  return { bestRanges: bootstrapBestRanges(errors, properties, options) };
}
