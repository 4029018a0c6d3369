/**
 * Simultaneous confidence bands for EDFs (Dvoretzky–Kiefer–Wolfowitz, with Massart's constant):
 * with probability at least 1 − α the true CDF lies within ε = √(ln(2/α) / (2n)) of the EDF at
 * every error at once. A weighted (complexity-normalized) EDF uses the Kish effective sample
 * size (Σw)²/Σw² for n, as its weights make it as variable as an EDF of that many models.
 */
import type { EdfCurve } from './edf';
import { effectiveSize } from './ks';

/** Half-width ε of the DKW band for n models at level α. */
export function dkwEpsilon(n: number, alpha: number): number {
  if (!(n > 0)) return 1;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must lie in (0, 1), got ${alpha}`);
  return Math.min(1, Math.sqrt(Math.log(2 / alpha) / (2 * n)));
}

/** A band around an EDF curve: at x[k] the lower and upper bounds, clipped to [0, 1]. */
export interface EdfBand {
  /** Confidence level 1 − α. */
  level: number;
  /** The (effective) number of models the width comes from. */
  n: number;
  epsilon: number;
  lower: number[];
  upper: number[];
}

/** The DKW band of `curve` for `n` models (an integer count, or an effective size: see bandSize). */
export function dkwBand(curve: EdfCurve, alpha: number, n: number): EdfBand {
  const epsilon = dkwEpsilon(n, alpha);
  return {
    level: 1 - alpha,
    n,
    epsilon,
    lower: curve.y.map((y) => Math.max(0, y - epsilon)),
    upper: curve.y.map((y) => Math.min(1, y + epsilon)),
  };
}

/** The n of a band: the number of models, or the effective size of their weights. */
export function bandSize(weights: readonly number[]): number {
  return effectiveSize(weights.filter((w) => w > 0));
}
