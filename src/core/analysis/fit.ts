/**
 * The quantized linear fit of a per-block width sequence (paper §5, Figure 8: e_fit).
 *
 * For observed widths w_j (j = 0..d−1) a RegNet (w0, wa, wm) predicts
 *   u_j = w0 + wa·j,  s_j = ln(u_j / w0) / ln wm,  k_j = roundHalfEven(s_j),  ŵ_j = w0·wm^k_j,
 * and e_fit = (1/d)·Σ_j |ln(ŵ_j / w_j)| (the absolute value keeps over- and under-predictions
 * from cancelling). Our choice: ŵ_j is snapped to a multiple of 8 as pycls's generation does
 * (`snap: 8`, the default), so the widths of any exact RegNet fit with e_fit = 0 and `predicted`
 * is literally `generateRegnet(fit).blockWidths`. `snap: 0` keeps the paper's unsnapped ŵ_j.
 *
 * The fit is the exact minimum over a grid (fitGrid.ts: w0 ∈ multiples of 8, wm in steps of
 * 0.01, wa in steps of 0.1), found by a branch-and-bound sweep over wa's breakpoints
 * (fitSearch.ts). The formulas themselves are in widthLine.ts.
 */
import { multipleOf } from '../rounding';
import { DEFAULT_FIT_OPTIONS, latticeFor, type FitOptions } from './fitGrid';
import { search } from './fitSearch';
import { efit, predictWidths, type QuantizedLinear } from './widthLine';

export { DEFAULT_FIT_OPTIONS, type FitOptions } from './fitGrid';
export { continuousWidths } from './widthLine';

/** The best (w0, wa, wm) on the grid, with its widths and e_fit. */
export interface WidthFit extends QuantizedLinear {
  /** Number of distinct stage indices k_j the fitted model uses. */
  stages: number;
}

/** Fits the quantized linear model to per-block widths; throws an Error for an empty list or a width that is not a positive finite number. */
export function fitQuantizedLinear(widths: readonly number[], options: Partial<FitOptions> = {}): WidthFit {
  checkWidths(widths);
  const opts: FitOptions = { ...DEFAULT_FIT_OPTIONS };
  for (const [key, value] of Object.entries(options)) if (value !== undefined) Object.assign(opts, { [key]: value });
  const lattice = latticeFor(opts, widths.length);
  const best = search(widths, lattice);
  const { grid } = lattice;
  const wa = multipleOf(best.waIndex, grid.waStep);
  const { widths: predicted, stageIndices } = predictWidths({ w0: best.w0, wa, wm: best.wm }, widths.length, opts.snap);
  return { w0: best.w0, wa, wm: best.wm, efit: efit(predicted, widths), predicted, stages: new Set(stageIndices).size };
}

function checkWidths(widths: readonly number[]): void {
  if (!Array.isArray(widths)) throw new Error(`widths must be an array of numbers, got ${typeof widths}`);
  if (widths.length === 0) throw new Error('width list is empty: nothing to fit');
  widths.forEach((w, j) => {
    if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0) {
      throw new Error(`width ${j} is ${String(w)}: widths must be positive finite numbers`);
    }
  });
}
