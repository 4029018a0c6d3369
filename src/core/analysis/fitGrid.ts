/**
 * The grid the quantized linear fit searches (w0 in multiples of 8, wm and wa in fixed steps),
 * and what the search needs of it that does not depend on the widths: each wm's stage
 * breakpoints and ln ŵ of every stage of every (w0, wm) pair, built once per grid and kept.
 */
import { multipleOf, multiplesIn, roundHalfEven } from '../rounding';
import { REGNET_QUANTUM } from '../regnet';

export interface FitOptions {
  /** Predicted widths are multiples of this, as in pycls (8), or unsnapped w0·wm^k (0). */
  snap: 8 | 0;
  /** w0 ranges over the multiples of 8 in this closed interval. */
  w0Range: readonly [number, number];
  /** wm ranges over the multiples of `wmStep` in this closed interval (wm > 1). */
  wmRange: readonly [number, number];
  wmStep: number;
  /** wa ranges over the multiples of `waStep` in this closed interval (wa ≥ 0). */
  waRange: readonly [number, number];
  waStep: number;
}

/** The grid searched by default: w0 ∈ {8, 16, …, 256}, wm ∈ {1.5, 1.51, …, 3}, wa ∈ {0.1, 0.2, …, 256}. */
export const DEFAULT_FIT_OPTIONS: Readonly<FitOptions> = Object.freeze<FitOptions>({
  snap: 8,
  w0Range: Object.freeze([8, 256] as const),
  wmRange: Object.freeze([1.5, 3] as const),
  wmStep: 0.01,
  waRange: Object.freeze([0.1, 256] as const),
  waStep: 0.1,
});

/** Largest number of (w0, wm) pairs a grid may have. */
const MAX_PAIRS = 200_000;

export interface Grid {
  w0s: number[];
  wms: number[];
  /** wa = waStep·m for m in [mLo, mHi]. */
  mLo: number;
  mHi: number;
  waStep: number;
}

function buildGrid(o: FitOptions): Grid {
  if (o.snap !== 8 && o.snap !== 0) throw new Error(`snap must be 8 or 0, got ${String(o.snap)}`);
  const range = (name: string, r: readonly [number, number], step: number): [number, number] => {
    if (!Array.isArray(r) || r.length !== 2 || !r.every(Number.isFinite) || r[0] > r[1]) {
      throw new Error(`${name} must be a finite [lo, hi] with lo ≤ hi`);
    }
    if (!(Number.isFinite(step) && step > 0)) throw new Error(`${name} step must be a positive number, got ${step}`);
    const { kLo, kHi } = multiplesIn(r[0], r[1], step);
    if (kLo > kHi) throw new Error(`${name} [${r[0]}, ${r[1]}] holds no multiple of ${step}`);
    return [kLo, kHi];
  };
  const [w0Lo, w0Hi] = range('w0Range', o.w0Range, REGNET_QUANTUM);
  if (w0Lo < 1) throw new Error(`w0Range must be positive, got [${o.w0Range[0]}, ${o.w0Range[1]}]`);
  const [wmLo, wmHi] = range('wmRange', o.wmRange, o.wmStep);
  if (!(multipleOf(wmLo, o.wmStep) > 1)) throw new Error(`wmRange must lie above 1, got [${o.wmRange[0]}, ${o.wmRange[1]}]`);
  const [mLo, mHi] = range('waRange', o.waRange, o.waStep);
  if (mLo < 0) throw new Error(`waRange must not be negative, got [${o.waRange[0]}, ${o.waRange[1]}]`);
  // The search keeps ln ŵ of every stage of every (w0, wm): bound that table (the default grid has 4832 pairs).
  const pairs = (w0Hi - w0Lo + 1) * (wmHi - wmLo + 1);
  if (pairs > MAX_PAIRS) throw new Error(`the grid has ${pairs} (w0, wm) pairs; at most ${MAX_PAIRS} are searched`);
  const w0s: number[] = [];
  for (let k = w0Lo; k <= w0Hi; k++) w0s.push(k * REGNET_QUANTUM);
  const wms: number[] = [];
  for (let k = wmLo; k <= wmHi; k++) wms.push(multipleOf(k, o.wmStep));
  return { w0s, wms, mLo, mHi, waStep: o.waStep };
}

/**
 * Everything the search needs that does not depend on the widths: the grid, the stage
 * breakpoints β_k = wm^{k+½} − 1 of every wm, and ln ŵ of every stage of every (w0, wm).
 * Built once per grid and depth class and kept: a sweep fits hundreds of models on one grid.
 */
export interface Lattice {
  grid: Grid;
  /** Stage slots per wm and per pair: enough for every block of the depths this lattice serves. */
  stride: number;
  /** Largest depth the stride covers. */
  maxDepth: number;
  lnWm: Float64Array;
  /** β_k of wms[wi] at wi·stride + k. */
  beta: Float64Array;
  /** ln ŵ_k of the pair (w0s[vi], wms[wi]) at (wi·|w0s| + vi)·stride + k. */
  lnLevel: Float64Array;
}

const lattices = new Map<string, Lattice>();

/** Stage slots that cover depth d: ⌈ln(1 + wa_max·(d−1)/w0_min) / ln wm_min⌉ plus slack for rounding. */
function strideFor(grid: Grid, d: number): number {
  const reach = Math.log(1 + (grid.mHi * grid.waStep * Math.max(1, d - 1)) / grid.w0s[0]);
  return Math.ceil(reach / Math.log(grid.wms[0])) + 3;
}

export function latticeFor(o: FitOptions, d: number): Lattice {
  const key = JSON.stringify([o.snap, o.w0Range, o.wmRange, o.wmStep, o.waRange, o.waStep]);
  const cached = lattices.get(key);
  if (cached && cached.maxDepth >= d) return cached;
  const grid = buildGrid(o);
  const maxDepth = Math.max(d, 64);
  const stride = strideFor(grid, maxDepth);
  const nW0 = grid.w0s.length;
  const nWm = grid.wms.length;
  const lnWm = new Float64Array(nWm);
  const beta = new Float64Array(nWm * stride);
  const lnLevel = new Float64Array(nWm * nW0 * stride);
  const pow = new Float64Array(stride);
  for (let wi = 0; wi < nWm; wi++) {
    const wm = grid.wms[wi];
    lnWm[wi] = Math.log(wm); // as pycls: log(u/w0) / log(wm)
    for (let k = 0; k < stride; k++) {
      pow[k] = Math.pow(wm, k); // as pycls: w0 · wm^k
      beta[wi * stride + k] = Math.pow(wm, k + 0.5) - 1;
    }
    for (let vi = 0; vi < nW0; vi++) {
      const w0 = grid.w0s[vi];
      const base = (wi * nW0 + vi) * stride;
      for (let k = 0; k < stride; k++) {
        const w = w0 * pow[k];
        lnLevel[base + k] = Math.log(o.snap === 0 ? w : roundHalfEven(w / REGNET_QUANTUM) * REGNET_QUANTUM);
      }
    }
  }
  const lattice: Lattice = { grid, stride, maxDepth, lnWm, beta, lnLevel };
  if (lattices.size >= 4 && !cached) lattices.delete(lattices.keys().next().value as string);
  lattices.set(key, lattice);
  return lattice;
}
