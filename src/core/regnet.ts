/**
 * RegNet generation: the paper's quantized linear parameterization (§3.3), as pycls's
 * `generate_regnet` computes it with q = 8. Everything rounds half to even, like numpy.
 */
import { roundHalfEven } from './rounding';

/** pycls's width quantum q: every generated block width is a multiple of 8. */
export const REGNET_QUANTUM = 8;

export interface RegNetShape {
  /** w_j: the quantized width of every block j = 0..d−1 (non-decreasing). */
  blockWidths: number[];
  /** The distinct block widths, ascending: one per stage. */
  stageWidths: number[];
  /** How many blocks have each stage width. */
  stageDepths: number[];
  /** Number of distinct widths (the stages the model really has). */
  numStages: number;
  /** max_j k_j + 1: the stages the parameterization spans, counting skipped or merged ones. */
  totalStages: number;
  /** u_j = w0 + wa·j: the continuous widths before quantization (the paper's straight line). */
  continuousWidths: number[];
  /** k_j = roundHalfEven(s_j): the quantized stage index of every block. */
  stageIndices: number[];
}

/**
 * pycls generate_regnet with q = 8: u_j = w0 + wa·j, s_j = ln(u_j/w0)/ln(wm),
 * k_j = roundHalfEven(s_j), w_j = 8·roundHalfEven(w0·wm^k_j / 8), stages from distinct widths.
 * Does not validate (see `normalizeModelSpec`) and does not reject numStages ≠ totalStages:
 * pycls builds such models; only its sweep sampler rejects them.
 */
export function generateRegnet(p: { depth: number; w0: number; wa: number; wm: number }): RegNetShape {
  const { depth, w0, wa, wm } = p;
  const lnWm = Math.log(wm);
  const blockWidths = new Array<number>(depth);
  const continuousWidths = new Array<number>(depth);
  const stageIndices = new Array<number>(depth);
  const stageWidths: number[] = [];
  const stageDepths: number[] = [];
  let maxK = 0;
  for (let j = 0; j < depth; j++) {
    // Same operation order as numpy: arange(d)·wa + w0, then log(u/w0)/log(wm), then w0·wm^k.
    const u = j * wa + w0;
    const k = roundHalfEven(Math.log(u / w0) / lnWm);
    const w = roundHalfEven((w0 * Math.pow(wm, k)) / REGNET_QUANTUM) * REGNET_QUANTUM;
    continuousWidths[j] = u;
    stageIndices[j] = k;
    blockWidths[j] = w;
    if (k > maxK) maxK = k;
    // w_j is non-decreasing (wa ≥ 0, wm > 1), so numpy's unique is a run-length grouping.
    const last = stageWidths.length - 1;
    if (last >= 0 && stageWidths[last] === w) stageDepths[last]++;
    else {
      stageWidths.push(w);
      stageDepths.push(1);
    }
  }
  return {
    blockWidths,
    stageWidths,
    stageDepths,
    numStages: stageWidths.length,
    totalStages: maxK + 1,
    continuousWidths,
    stageIndices,
  };
}
