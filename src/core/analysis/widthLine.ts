/**
 * The quantized linear width model of the paper (§3.3, §5), as formulas: the line
 * u_j = w0 + wa·j a RegNet's widths step along, the widths ŵ_j it predicts, and the fit error
 * e_fit = (1/d)·Σ_j |ln(ŵ_j / w_j)| of observed widths against them (the absolute value keeps
 * over- and under-predictions from cancelling). The grid search (fit.ts) and the analysis both
 * use these, so that e_fit is written once.
 */
import { generateRegnet, REGNET_QUANTUM } from '../regnet';

/** A (w0, wa, wm) line with the widths it predicts for a model and their fit error. */
export interface QuantizedLinear {
  w0: number;
  wa: number;
  wm: number;
  /** (1/d)·Σ_j |ln(ŵ_j / w_j)|; 0 when the widths are exactly a RegNet's. */
  efit: number;
  /** ŵ_j per block. */
  predicted: number[];
}

/** u_j = w0 + wa·j for j = 0..d−1: the straight line the quantized widths step along. */
export function continuousWidths(w0: number, wa: number, d: number): number[] {
  return Array.from({ length: d }, (_, j) => j * wa + w0);
}

/**
 * ŵ_j of (w0, wa, wm) for d blocks: w0·wm^k_j with k_j = roundHalfEven(ln(u_j / w0) / ln wm),
 * snapped to a multiple of 8 as pycls generates RegNets (`snap` 8), or as the paper writes it (0).
 * Also returns the stage index k_j of every block.
 */
export function predictWidths(line: { w0: number; wa: number; wm: number }, d: number, snap: 8 | 0 = REGNET_QUANTUM): { widths: number[]; stageIndices: number[] } {
  const { stageIndices, blockWidths } = generateRegnet({ depth: d, ...line });
  return { widths: snap === REGNET_QUANTUM ? blockWidths : stageIndices.map((k) => line.w0 * Math.pow(line.wm, k)), stageIndices };
}

/** e_fit of observed widths against predicted ones: (1/d)·Σ_j |ln(ŵ_j / w_j)|. */
export function efit(predicted: readonly number[], observed: readonly number[]): number {
  let sum = 0;
  for (let j = 0; j < observed.length; j++) sum += Math.abs(Math.log(predicted[j] / observed[j]));
  return sum / observed.length;
}
