/**
 * Error EDFs: the paper's way of comparing design spaces (reference §5.1–5.2).
 *
 * F(e) = (1/n) Σ 1[e_i < e] for plain EDFs; the complexity-normalized EDF of the NDS paper
 * weights each model so that every space's complexity distribution is the same (uniform over
 * equal-width bins of a shared range) before comparing errors.
 */

/** A step curve: at x[k] the EDF jumps to y[k]. x ascending, y non-decreasing, ending at 1 (or the total weight). */
export interface EdfCurve {
  x: number[];
  y: number[];
}

/** Weights of models of one space for a normalized EDF, or why some were left out. */
export interface ComplexityWeights {
  /** One per input model; 0 for models outside the range. Sums to 1 unless every model was dropped. */
  weights: number[];
  /** The bin of every input model; −1 outside the range. */
  bins: number[];
  /** Models whose complexity lies outside the open range (c_min, c_max). */
  dropped: number;
  /** Models per bin. */
  binCounts: number[];
  /** Indices of bins with no model: their share of mass is given to the others. */
  emptyBins: number[];
}

function checkFinite(values: readonly number[], what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`${what}[${i}] is ${values[i]}, not a finite number`);
  }
}

/** Uniform weights 1/n. */
export function uniformWeights(n: number): number[] {
  return new Array<number>(n).fill(n > 0 ? 1 / n : 0);
}

/**
 * The EDF as pycls plots it: errors sorted ascending, drawn as (e_(k), Σ_{j≤k} w_(j)).
 * `weights` default to 1/n; models with weight 0 are left out of the curve.
 */
export function edfCurve(errors: readonly number[], weights: readonly number[] = uniformWeights(errors.length)): EdfCurve {
  checkFinite(errors, 'errors');
  if (weights.length !== errors.length) throw new RangeError(`${weights.length} weights for ${errors.length} errors`);
  const order = errors.map((_, i) => i).filter((i) => weights[i] > 0);
  order.sort((a, b) => errors[a] - errors[b] || a - b);
  const x: number[] = [];
  const y: number[] = [];
  let mass = 0;
  for (const i of order) {
    mass += weights[i];
    if (x.length > 0 && x[x.length - 1] === errors[i]) y[y.length - 1] = mass;
    else {
      x.push(errors[i]);
      y.push(mass);
    }
  }
  return { x, y };
}

/** F(e) = Σ w_i 1[e_i < e] (weights default to 1/n). */
export function edfAt(errors: readonly number[], e: number, weights: readonly number[] = uniformWeights(errors.length)): number {
  let f = 0;
  for (let i = 0; i < errors.length; i++) if (errors[i] < e) f += weights[i];
  return f;
}

/**
 * The area under the EDF up to ε, normalized: (1/ε)∫_0^ε F(e) de = 1 − Σ_i w_i·min(1, e_i/ε).
 * 1 when every model has error 0; 0 when none is below ε. Higher is better.
 */
export function edfArea(errors: readonly number[], epsilon: number, weights: readonly number[] = uniformWeights(errors.length)): number {
  if (!(epsilon > 0)) throw new RangeError(`epsilon must be positive, got ${epsilon}`);
  let total = 0;
  let s = 0;
  for (let i = 0; i < errors.length; i++) {
    total += weights[i];
    s += weights[i] * Math.min(1, Math.max(0, errors[i]) / epsilon);
  }
  return total > 0 ? (total - s) / total : 0;
}

/**
 * NDS's complexity weights (`compute_norm_ws`): keep models with c_min < c_i < c_max, split the
 * range into `bins` equal-width bins (the last one closed, as np.histogram), and give each model
 * 1/(B·h_b) so every bin carries the same mass. NDS asserts that no bin is empty; here an empty
 * bin's share goes to the others (weights are renormalized) and the bin is reported.
 */
export function complexityWeights(complexities: readonly number[], range: readonly [number, number], bins: number): ComplexityWeights {
  checkFinite(complexities, 'complexities');
  const [lo, hi] = range;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new RangeError(`complexity range [${lo}, ${hi}] must have lo < hi`);
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  const binOf = complexities.map((c) => {
    if (!(c > lo && c < hi)) return -1;
    return Math.min(bins - 1, Math.floor(((c - lo) / (hi - lo)) * bins));
  });
  const binCounts = new Array<number>(bins).fill(0);
  for (const b of binOf) if (b >= 0) binCounts[b]++;
  const filled = binCounts.filter((h) => h > 0).length;
  const weights = binOf.map((b) => (b >= 0 ? 1 / (filled * binCounts[b]) : 0));
  return {
    weights,
    bins: binOf,
    dropped: binOf.filter((b) => b < 0).length,
    binCounts,
    emptyBins: binCounts.flatMap((h, b) => (h === 0 ? [b] : [])),
  };
}

/** Summary of one space's errors: n, min, mean, median (of the models with positive weight, weighted). */
export interface ErrorSummary {
  n: number;
  min: number;
  mean: number;
  median: number;
}

/** n, min, mean and median of the errors; the mean and median are weighted when weights are given. */
export function summarizeErrors(errors: readonly number[], weights?: readonly number[]): ErrorSummary {
  checkFinite(errors, 'errors');
  const w = weights ?? uniformWeights(errors.length);
  const kept = errors.map((e, i) => ({ e, w: w[i] })).filter((m) => m.w > 0);
  if (kept.length === 0) return { n: 0, min: NaN, mean: NaN, median: NaN };
  const total = kept.reduce((s, m) => s + m.w, 0);
  const mean = kept.reduce((s, m) => s + m.w * m.e, 0) / total;
  kept.sort((a, b) => a.e - b.e);
  let median: number;
  if (weights === undefined) {
    const n = kept.length;
    median = n % 2 === 1 ? kept[(n - 1) / 2].e : (kept[n / 2 - 1].e + kept[n / 2].e) / 2;
  } else {
    // The smallest error whose cumulative weight reaches half the mass.
    let c = 0;
    median = kept[kept.length - 1].e;
    for (const m of kept) {
      c += m.w;
      if (c >= total / 2 - 1e-12) {
        median = m.e;
        break;
      }
    }
  }
  return { n: kept.length, min: kept[0].e, mean, median };
}
