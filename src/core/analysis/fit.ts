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
 * The fit is the exact minimum over a grid: w0 ∈ multiples of 8, wm in steps of 0.01, wa in
 * steps of 0.1. wa is not enumerated: for fixed (w0, wm), block j moves from stage k to k+1
 * when s_j crosses k + ½, i.e. at wa = w0·(wm^{k+½} − 1)/j, so the error is piecewise constant
 * in wa. We sweep those breakpoints in order on the wa grid (a stretch between breakpoints
 * that holds no grid point is never visited), updating the error incrementally, and prune
 * (w0, wm) pairs and sweeps with lower bounds. Ties go to the smaller e_fit, then fewer stages,
 * then the smaller wa, w0, wm.
 */
import { multipleOf, multiplesIn, roundHalfEven } from '../rounding';
import { generateRegnet, REGNET_QUANTUM } from '../regnet';

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

export interface WidthFit {
  w0: number;
  wa: number;
  wm: number;
  /** (1/d)·Σ_j |ln(ŵ_j / w_j)|; 0 when the widths are exactly a RegNet's on the grid. */
  efit: number;
  /** ŵ_j per block. */
  predicted: number[];
  /** Number of distinct stage indices k_j the fitted model uses. */
  stages: number;
}

/** u_j = w0 + wa·j for j = 0..d−1: the straight line the quantized widths step along. */
export function continuousWidths(w0: number, wa: number, d: number): number[] {
  return Array.from({ length: d }, (_, j) => j * wa + w0);
}

/** Errors that differ by less than this (in Σ_j |ln(ŵ_j / w_j)|) count as equal, so that rounding in the incremental sums never decides a tie. */
const TIE = 1e-9;
/** Relative distance under which a breakpoint is treated as sitting exactly on a grid point and settled with pycls's own formula. */
const NEAR = 1e-9;
/** Ratio between the ends of the wa chunks a sweep bounds separately (2 measured best). */
const CHUNK = 2;
/** Largest number of (w0, wm) pairs a grid may have. */
const MAX_PAIRS = 200_000;

/** Fits the quantized linear model to per-block widths; throws an Error for an empty list or a width that is not a positive finite number. */
export function fitQuantizedLinear(widths: readonly number[], options: Partial<FitOptions> = {}): WidthFit {
  checkWidths(widths);
  const opts: FitOptions = { ...DEFAULT_FIT_OPTIONS };
  for (const [key, value] of Object.entries(options)) if (value !== undefined) Object.assign(opts, { [key]: value });
  const lattice = latticeFor(opts, widths.length);
  const best = search(widths, lattice);
  const { grid } = lattice;
  const wa = multipleOf(best.m, grid.waStep);
  const { stageIndices, blockWidths } = generateRegnet({ depth: widths.length, w0: best.w0, wa, wm: best.wm });
  const predicted = opts.snap === REGNET_QUANTUM ? blockWidths : stageIndices.map((k) => best.w0 * Math.pow(best.wm, k));
  let sum = 0;
  for (let j = 0; j < widths.length; j++) sum += Math.abs(Math.log(predicted[j] / widths[j]));
  return { w0: best.w0, wa, wm: best.wm, efit: sum / widths.length, predicted, stages: new Set(stageIndices).size };
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

// ------------------------------------------------------------------ the grid

interface Grid {
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
interface Lattice {
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

function latticeFor(o: FitOptions, d: number): Lattice {
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

// ------------------------------------------------------------------ the search

interface Best {
  /** Σ_j |ln(ŵ_j / w_j)| as the sweep accumulated it. */
  error: number;
  stages: number;
  m: number;
  w0: number;
  wm: number;
}

/** True when candidate (error, stages, m, w0, wm) beats `best` under the documented tie order. */
function better(error: number, stages: number, m: number, w0: number, wm: number, best: Best): boolean {
  if (error < best.error - TIE) return true;
  if (error > best.error + TIE) return false;
  if (stages !== best.stages) return stages < best.stages;
  if (m !== best.m) return m < best.m;
  if (w0 !== best.w0) return w0 < best.w0;
  return wm < best.wm;
}

/**
 * Block structure the search works on: block 0 always sits in stage 0; blocks 1..d−1 are
 * grouped into runs of equal observed width, whose cost depends on the run, not the block.
 */
interface Blocks {
  d: number;
  lnW0: number;
  maxLn: number;
  runs: number;
  runStart: Int32Array;
  /** Exclusive end. */
  runEnd: Int32Array;
  runLn: Float64Array;
  runOf: Int32Array;
}

function blocksOf(widths: readonly number[]): Blocks {
  const d = widths.length;
  const runStart: number[] = [];
  const runEnd: number[] = [];
  const runLn: number[] = [];
  const runOf = new Int32Array(d);
  let maxLn = Math.log(widths[0]);
  for (let j = 1; j < d; j++) {
    const r = runStart.length - 1;
    if (r >= 0 && widths[j] === widths[j - 1]) runEnd[r] = j + 1;
    else {
      runStart.push(j);
      runEnd.push(j + 1);
      runLn.push(Math.log(widths[j]));
      maxLn = Math.max(maxLn, runLn[runLn.length - 1]);
    }
    runOf[j] = runStart.length - 1;
  }
  return {
    d,
    lnW0: Math.log(widths[0]),
    maxLn,
    runs: runStart.length,
    runStart: Int32Array.from(runStart),
    runEnd: Int32Array.from(runEnd),
    runLn: Float64Array.from(runLn),
    runOf,
  };
}

function search(widths: readonly number[], lattice: Lattice): Best {
  const { grid } = lattice;
  const s = new Search(blocksOf(widths), lattice);
  const nW0 = grid.w0s.length;
  const nPairs = nW0 * grid.wms.length;

  // A first incumbent from a pair that is often close: w0 nearest the first width, wm mid-range.
  let v0 = 0;
  for (let vi = 1; vi < nW0; vi++) if (Math.abs(grid.w0s[vi] - widths[0]) < Math.abs(grid.w0s[v0] - widths[0])) v0 = vi;
  s.sweep(v0, grid.wms.length >> 1);

  // Lower bounds of every pair; the ones that can still win are swept, best bound first.
  const bounds = new Float64Array(nPairs).fill(Infinity);
  let survivors = 0;
  let maxBound = 0;
  for (let vi = 0; vi < nW0; vi++) {
    for (let wi = 0; wi < grid.wms.length; wi++) {
      const bound = s.bound(vi, wi, s.best.error + TIE);
      if (bound === Infinity) {
        if (s.firstBlockCost(vi) > s.best.error + TIE) break; // no wm can help this w0
        continue;
      }
      bounds[wi * nW0 + vi] = bound;
      survivors++;
      maxBound = Math.max(maxBound, bound);
    }
  }
  // Sort (bound, pair) as one number, floor(bound·scale)·slots + pair, exact below 2^53.
  let slots = 1;
  while (slots < nPairs) slots *= 2;
  let scale = 1 << 20;
  while ((maxBound + 1) * scale * slots >= 2 ** 52) scale /= 2;
  const keys = new Float64Array(survivors);
  for (let i = 0, n = 0; i < nPairs; i++) if (bounds[i] !== Infinity) keys[n++] = Math.floor(bounds[i] * scale) * slots + i;
  keys.sort();
  for (let n = 0; n < survivors; n++) {
    const q = Math.floor(keys[n] / slots);
    if (q / scale > s.best.error + TIE) break; // every later bound is at least q / scale
    const i = keys[n] - q * slots;
    if (bounds[i] <= s.best.error + TIE) s.sweep(i % nW0, Math.floor(i / nW0));
  }
  return s.best;
}

/**
 * The search state for one width sequence, and the breakpoint sweep over wa for one
 * (w0, wm) at a time.
 *
 * Sweep state: p_k, the first block in stage k+1 or above (d when none), for each stage
 * boundary k; when wa grows, p_k only decreases. Block j is in stage k_j = #{k : p_k ≤ j}, and
 * the error changes by Δ_j(k) = c_j(k+1) − c_j(k) whenever boundary k passes block j.
 */
class Search {
  readonly best: Best = { error: Infinity, stages: Infinity, m: Infinity, w0: Infinity, wm: Infinity };
  private readonly grid: Grid;
  /** Per w0: ln(1 + wa_max·(d−1)/w0); the highest stage a block reaches is this / ln wm. */
  private readonly reach: Float64Array;
  private readonly p: Int32Array;
  /** Grid index of boundary k's next move. */
  private readonly next: Float64Array;
  private readonly prefix: Float64Array;
  /** Per run: its best stage (the last one of minimal cost), past which its cost only grows. */
  private readonly kStar: Int32Array;
  private readonly cMin: Float64Array;
  /** [start, end] grid indices of the wa chunks. */
  private readonly chunks: Int32Array;
  // The pair being swept.
  private w0 = 0;
  private wm = 0;
  private lnWm = 0;
  private levelBase = 0;
  private betaBase = 0;
  private nLevels = 0;

  constructor(
    private readonly b: Blocks,
    private readonly lattice: Lattice,
  ) {
    const grid = (this.grid = lattice.grid);
    const span = Math.max(1, b.d - 1);
    this.reach = Float64Array.from(grid.w0s, (w0) => Math.log(1 + (grid.mHi * grid.waStep * span) / w0));
    const slots = lattice.stride + 1;
    this.p = new Int32Array(slots);
    this.next = new Float64Array(slots);
    this.prefix = new Float64Array(slots);
    this.kStar = new Int32Array(b.runs);
    this.cMin = new Float64Array(b.runs);
    const chunks: number[] = [];
    for (let m = grid.mLo; m <= grid.mHi; ) {
      const end = Math.min(grid.mHi, Math.max(m + 1, Math.ceil(m * CHUNK)) - 1);
      chunks.push(m, end);
      m = end + 1;
    }
    this.chunks = Int32Array.from(chunks);
  }

  /** Stages 0..n−1 cover every block at every grid wa of the pair, with slack for rounding. */
  private levelCount(vi: number, wi: number): number {
    return Math.min(this.lattice.stride, Math.ceil(this.reach[vi] / this.lattice.lnWm[wi]) + 3);
  }

  /** |ln(w0 / w_0)|: block 0 is in stage 0 whatever wa and wm are. */
  firstBlockCost(vi: number): number {
    return Math.abs(this.lattice.lnLevel[vi * this.lattice.stride] - this.b.lnW0);
  }

  /**
   * A lower bound on the error of any wa for (w0s[vi], wms[wi]), or Infinity once it exceeds
   * `limit`. It forgets how one wa ties the blocks together and keeps only that stage indices
   * never decrease along the blocks, that block 0 is in stage 0, and that no block passes the
   * stage it has at the largest wa. Within a run of equal widths one stage for the whole run
   * is then optimal (the cost is V-shaped in k), so a dynamic programme over runs solves it.
   */
  bound(vi: number, wi: number, limit: number): number {
    const { b, prefix, lattice } = this;
    const lv = lattice.lnLevel;
    const base = (wi * this.grid.w0s.length + vi) * lattice.stride;
    const c0 = Math.abs(lv[base] - b.lnW0);
    if (c0 > limit) return Infinity;
    // Stages up to the first one at or above every observed width: higher ones cost more for every run.
    const kMax = this.levelCount(vi, wi) - 1;
    let top = 0;
    while (top < kMax && lv[base + top] < b.maxLn) top++;
    prefix.fill(c0, 0, top + 1);
    const beta = lattice.beta;
    const betaBase = wi * lattice.stride;
    const tMax = (this.grid.mHi * this.grid.waStep) / this.grid.w0s[vi];
    let kb = 0; // stage of the run's last block at the largest wa: an upper bound for the run
    for (let r = 0; r < b.runs; r++) {
      const x = tMax * (b.runEnd[r] - 1) * (1 + NEAR);
      while (kb < top && beta[betaBase + kb] <= x) kb++;
      const n = b.runEnd[r] - b.runStart[r];
      const lr = b.runLn[r];
      let run = Infinity;
      for (let k = 0; k <= top; k++) {
        if (k <= kb) {
          const f = prefix[k] + n * Math.abs(lv[base + k] - lr);
          if (f < run) run = f;
        }
        prefix[k] = run; // prefix minimum: the next run may sit in this stage or any higher one
      }
      if (run > limit) return Infinity;
    }
    return prefix[top];
  }

  /**
   * Sweeps wa for the pair (w0s[vi], wms[wi]) and updates `best`. The wa grid is cut into
   * geometric chunks; a chunk is swept only if its own lower bound can still win.
   */
  sweep(vi: number, wi: number): void {
    const { b, lattice, kStar, cMin, best } = this;
    const lv = lattice.lnLevel;
    this.w0 = this.grid.w0s[vi];
    this.wm = this.grid.wms[wi];
    this.lnWm = lattice.lnWm[wi];
    this.levelBase = (wi * this.grid.w0s.length + vi) * lattice.stride;
    this.betaBase = wi * lattice.stride;
    const nLevels = (this.nLevels = this.levelCount(vi, wi));
    const base = this.levelBase;
    for (let r = 0; r < b.runs; r++) {
      // V-shaped cost in k: walk up while it does not increase.
      const lr = b.runLn[r];
      let k = 0;
      while (k + 1 < nLevels && Math.abs(lv[base + k + 1] - lr) <= Math.abs(lv[base + k] - lr)) k++;
      kStar[r] = k;
      cMin[r] = Math.abs(lv[base + k] - lr);
    }
    const chunks = this.chunks;
    for (let i = 0; i < chunks.length; i += 2) {
      if (this.chunkBound(chunks[i], chunks[i + 1], best.error + TIE) > best.error + TIE) continue;
      if (!this.sweepRange(chunks[i], chunks[i + 1])) return;
    }
  }

  /**
   * A lower bound on the error over grid indices [mA, mB] of the current pair, or Infinity
   * once above `limit`. Over that stretch of wa a run's blocks lie between the stage of its
   * first block at mA and that of its last block at mB, and stages never decrease; as in
   * `bound`, one stage per run is then optimal, and a dynamic programme over runs finds it.
   */
  private chunkBound(mA: number, mB: number, limit: number): number {
    const { b, prefix } = this;
    const lv = this.lattice.lnLevel;
    const base = this.levelBase;
    const beta = this.lattice.beta;
    const betaBase = this.betaBase;
    const top = this.nLevels - 1;
    const tA = ((mA * this.grid.waStep) / this.w0) * (1 - NEAR);
    const tB = ((mB * this.grid.waStep) / this.w0) * (1 + NEAR);
    prefix[0] = Math.abs(lv[base] - b.lnW0);
    let prevHi = 0;
    let lo = 0;
    let hi = 0;
    for (let r = 0; r < b.runs; r++) {
      const xA = tA * b.runStart[r];
      const xB = tB * (b.runEnd[r] - 1);
      while (lo < top && beta[betaBase + lo] < xA) lo++;
      if (hi < lo) hi = lo;
      while (hi < top && beta[betaBase + hi] <= xB) hi++;
      const n = b.runEnd[r] - b.runStart[r];
      const lr = b.runLn[r];
      const prevTop = prefix[prevHi];
      let run = Infinity;
      for (let k = lo; k <= hi; k++) {
        const f = n * Math.abs(lv[base + k] - lr) + (k <= prevHi ? prefix[k] : prevTop);
        if (f < run) run = f;
        prefix[k] = run;
      }
      if (run > limit) return Infinity;
      prevHi = hi;
    }
    return prefix[prevHi];
  }

  /** Stage k_j of block j at grid index m, exactly as pycls computes it. */
  private stageAt(j: number, m: number): number {
    const wa = multipleOf(m, this.grid.waStep);
    return roundHalfEven(Math.log((j * wa + this.w0) / this.w0) / this.lnWm);
  }

  /** First block j ≥ 1 with k_j ≥ k+1 at grid index m (d when none). */
  private firstAbove(k: number, m: number): number {
    const d = this.b.d;
    if (m === 0) return d;
    const y = (this.w0 * this.lattice.beta[this.betaBase + k]) / (m * this.grid.waStep);
    if (y > d) return d;
    const r = Math.round(y);
    // A breakpoint on a grid point is settled by pycls's own formula; elsewhere y decides.
    let j = Math.abs(y - r) <= NEAR * y ? (r >= 1 && this.stageAt(r, m) >= k + 1 ? r : r + 1) : Math.ceil(y);
    if (j < 1) j = 1;
    return j > d ? d : j;
  }

  /** Smallest grid index at which block j ≥ 1 reaches stage k+1. */
  private reachAt(k: number, j: number): number {
    const y = (this.w0 * this.lattice.beta[this.betaBase + k]) / (j * this.grid.waStep);
    const r = Math.round(y);
    if (Math.abs(y - r) <= NEAR * y) return this.stageAt(j, r) >= k + 1 ? r : r + 1;
    return Math.ceil(y);
  }

  /** Sweeps grid indices mA..mB of the current pair; false once no larger wa can win. */
  private sweepRange(mA: number, mB: number): boolean {
    const { b, p, next, kStar, cMin, best, w0, wm } = this;
    const { d } = b;
    const lv = this.lattice.lnLevel;
    const base = this.levelBase;
    const nLevels = this.nLevels;

    // State at mA: boundaries 0..active−1 are live; boundary active−1 is the lowest one that
    // no block has passed yet (p = d).
    let m = mA;
    let active = 0;
    for (;;) {
      p[active] = this.firstAbove(active, m);
      active++;
      if (p[active - 1] >= d || active >= nLevels - 1) break;
    }
    let error = Math.abs(lv[base] - b.lnW0);
    // A lower bound on the error at any larger wa: a block below its best stage may still
    // reach it; a block at or past it can only get worse.
    let future = error;
    for (let r = 0, k = 0; r < b.runs; r++) {
      // Blocks j..end−1 of the run are in stage k (those with p_{k−1} ≤ j < p_k).
      const lr = b.runLn[r];
      const e = b.runEnd[r];
      for (let j = b.runStart[r]; j < e; ) {
        while (k < active && p[k] <= j) k++;
        const end = k < active && p[k] < e ? p[k] : e;
        const c = Math.abs(lv[base + k] - lr);
        error += (end - j) * c;
        future += (end - j) * (k < kStar[r] ? cMin[r] : c);
        j = end;
      }
    }
    for (let k = 0; k < active; k++) next[k] = p[k] > 1 ? Math.max(m + 1, this.reachAt(k, p[k] - 1)) : Infinity;

    for (;;) {
      if (error <= best.error + TIE) {
        let stages = 1;
        for (let k = 1; k < active; k++) if (p[k - 1] < p[k]) stages++;
        if (better(error, stages, m, w0, wm, best)) {
          best.error = error;
          best.stages = stages;
          best.m = m;
          best.w0 = w0;
          best.wm = wm;
        }
      }
      if (future > best.error + TIE) return false;
      let mNext = Infinity;
      for (let k = 0; k < active; k++) if (next[k] < mNext) mNext = next[k];
      if (mNext > mB) return true;
      m = mNext;
      for (let k = 0; k < active; k++) {
        if (next[k] !== m) continue;
        const from = this.firstAbove(k, m);
        const to = p[k];
        // Blocks from..to−1 move from stage k to k+1.
        const lk = lv[base + k];
        const lk1 = lv[base + k + 1];
        for (let j = from; j < to; ) {
          const r = b.runOf[j];
          const end = Math.min(b.runEnd[r], to);
          const lr = b.runLn[r];
          const delta = (end - j) * (Math.abs(lk1 - lr) - Math.abs(lk - lr));
          error += delta;
          if (k + 1 > kStar[r]) future += delta;
          j = end;
        }
        if (from < to) p[k] = from;
        next[k] = p[k] > 1 ? Math.max(m + 1, this.reachAt(k, p[k] - 1)) : Infinity;
        if (k === active - 1 && p[k] < d && active < nLevels - 1) {
          // The lowest untouched boundary moved: the one above it becomes live.
          p[active] = d;
          next[active] = Math.max(m, this.reachAt(active, d - 1));
          active++;
        }
      }
    }
  }
}
