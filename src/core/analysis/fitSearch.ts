/**
 * The exact search of the quantized linear fit over its grid (fitGrid.ts). wa is not
 * enumerated: for fixed (w0, wm), block j moves from stage k to k+1 when s_j crosses k + ½,
 * i.e. at wa = w0·(wm^{k+½} − 1)/j, so the error is piecewise constant in wa. The search sweeps
 * those breakpoints in order on the wa grid (a stretch between breakpoints that holds no grid
 * point is never visited), updating the error incrementally, and prunes (w0, wm) pairs and
 * stretches of wa with lower bounds (branch and bound). Ties go to the smaller e_fit, then fewer
 * stages, then the smaller wa, w0, wm.
 */
import { multipleOf, roundHalfEven } from '../rounding';
import type { Grid, Lattice } from './fitGrid';

/** Errors that differ by less than this (in Σ_j |ln(ŵ_j / w_j)|) count as equal, so that rounding in the incremental sums never decides a tie. */
const TIE = 1e-9;
/** Relative distance under which a breakpoint is treated as sitting exactly on a grid point and settled with pycls's own formula. */
const NEAR = 1e-9;
/** Ratio between the ends of the wa chunks a sweep bounds separately (2 measured best). */
const CHUNK = 2;

export interface Best {
  /** Σ_j |ln(ŵ_j / w_j)| as the sweep accumulated it. */
  error: number;
  stages: number;
  /** wa = waStep·waIndex. */
  waIndex: number;
  w0: number;
  wm: number;
}

/** True when candidate (error, stages, m, w0, wm) beats `best` under the documented tie order. */
function better(error: number, stages: number, m: number, w0: number, wm: number, best: Best): boolean {
  if (error < best.error - TIE) return true;
  if (error > best.error + TIE) return false;
  if (stages !== best.stages) return stages < best.stages;
  if (m !== best.waIndex) return m < best.waIndex;
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

/** Where one (w0, wm) pair's rows sit in the lattice, and how many levels it has. */
interface SweptPair {
  w0: number;
  wm: number;
  lnWm: number;
  /** Offset of the pair's stage levels in `lattice.lnLevel`. */
  levelBase: number;
  /** Offset of wm's row in `lattice.beta`. */
  betaBase: number;
  nLevels: number;
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

/** The index of the value nearest x (the first of equals). */
function nearestIndex(values: readonly number[], x: number): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (Math.abs(values[i] - x) < Math.abs(values[best] - x)) best = i;
  return best;
}

export function search(widths: readonly number[], lattice: Lattice): Best {
  const { grid } = lattice;
  const s = new Search(blocksOf(widths), lattice);
  const nW0 = grid.w0s.length;
  const nPairs = nW0 * grid.wms.length;

  // A first incumbent from a pair that is often close: w0 nearest the first width, wm mid-range.
  const firstW0Index = nearestIndex(grid.w0s, widths[0]);
  s.sweep(firstW0Index, grid.wms.length >> 1);
  // A second one at the widths' own growth: wm nearest the mean ratio between consecutive runs of
  // widths (a ResNet's doubling stages find their line at once), so that the bounds prune more.
  const growth = s.runsGrowth();
  if (growth !== undefined) {
    const wmIndex = nearestIndex(grid.wms, growth);
    if (wmIndex !== grid.wms.length >> 1) s.sweep(firstW0Index, wmIndex);
  }

  // Lower bounds of every pair; the ones that can still win are swept, best bound first.
  const bounds = new Float64Array(nPairs).fill(Infinity);
  let survivors = 0;
  let maxBound = 0;
  for (let w0Index = 0; w0Index < nW0; w0Index++) {
    for (let wmIndex = 0; wmIndex < grid.wms.length; wmIndex++) {
      const bound = s.bound(w0Index, wmIndex, s.best.error + TIE);
      if (bound === Infinity) {
        if (s.firstBlockCost(w0Index) > s.best.error + TIE) break; // no wm can help this w0
        continue;
      }
      bounds[wmIndex * nW0 + w0Index] = bound;
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
  readonly best: Best = { error: Infinity, stages: Infinity, waIndex: Infinity, w0: Infinity, wm: Infinity };
  private readonly grid: Grid;
  /** Per w0: ln(1 + wa_max·(d−1)/w0); the highest stage a block reaches is this / ln wm. */
  private readonly reach: Float64Array;
  private readonly p: Int32Array;
  /** Grid index of boundary k's next move. */
  private readonly next: Float64Array;
  private readonly prefix: Float64Array;
  /** Per run: its best stage (the last one of minimal cost), past which its cost only grows. */
  private readonly bestStage: Int32Array;
  private readonly bestStageCost: Float64Array;
  /** [start, end] grid indices of the wa chunks. */
  private readonly chunks: Int32Array;
  /** The (w0, wm) pair being swept; `sweep` sets it whole. */
  private pair: SweptPair = { w0: 0, wm: 0, lnWm: 0, levelBase: 0, betaBase: 0, nLevels: 0 };

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
    this.bestStage = new Int32Array(b.runs);
    this.bestStageCost = new Float64Array(b.runs);
    const chunks: number[] = [];
    for (let m = grid.mLo; m <= grid.mHi; ) {
      const end = Math.min(grid.mHi, Math.max(m + 1, Math.ceil(m * CHUNK)) - 1);
      chunks.push(m, end);
      m = end + 1;
    }
    this.chunks = Int32Array.from(chunks);
  }

  /** The geometric mean of the ratios between consecutive growing runs of widths (block 0 first); undefined when the widths never grow. */
  runsGrowth(): number | undefined {
    const { b } = this;
    let sum = 0;
    let n = 0;
    let prev = b.lnW0;
    for (let r = 0; r < b.runs; r++) {
      if (b.runLn[r] > prev) {
        sum += b.runLn[r] - prev;
        n++;
      }
      prev = b.runLn[r];
    }
    return n === 0 ? undefined : Math.exp(sum / n);
  }

  /** Stages 0..n−1 cover every block at every grid wa of the pair, with slack for rounding. */
  private levelCount(w0Index: number, wmIndex: number): number {
    return Math.min(this.lattice.stride, Math.ceil(this.reach[w0Index] / this.lattice.lnWm[wmIndex]) + 3);
  }

  /** |ln(w0 / w_0)|: block 0 is in stage 0 whatever wa and wm are. */
  firstBlockCost(w0Index: number): number {
    return Math.abs(this.lattice.lnLevel[w0Index * this.lattice.stride] - this.b.lnW0);
  }

  /**
   * A lower bound on the error of any wa for (w0s[w0Index], wms[wmIndex]), or Infinity once it exceeds
   * `limit`. It forgets how one wa ties the blocks together and keeps only that stage indices
   * never decrease along the blocks, that block 0 is in stage 0, and that no block passes the
   * stage it has at the largest wa. Within a run of equal widths one stage for the whole run
   * is then optimal (the cost is V-shaped in k), so a dynamic programme over runs solves it.
   */
  bound(w0Index: number, wmIndex: number, limit: number): number {
    const { b, prefix, lattice } = this;
    const lv = lattice.lnLevel;
    const base = (wmIndex * this.grid.w0s.length + w0Index) * lattice.stride;
    const c0 = Math.abs(lv[base] - b.lnW0);
    if (c0 > limit) return Infinity;
    // Stages up to the first one at or above every observed width: higher ones cost more for every run.
    const kMax = this.levelCount(w0Index, wmIndex) - 1;
    let top = 0;
    while (top < kMax && lv[base + top] < b.maxLn) top++;
    prefix.fill(c0, 0, top + 1);
    const beta = lattice.beta;
    const betaBase = wmIndex * lattice.stride;
    const tMax = (this.grid.mHi * this.grid.waStep) / this.grid.w0s[w0Index];
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
   * Sweeps wa for the pair (w0s[w0Index], wms[wmIndex]) and updates `best`. The wa grid is cut into
   * geometric chunks; a chunk is swept only if its own lower bound can still win.
   */
  sweep(w0Index: number, wmIndex: number): void {
    const { b, lattice, bestStage, bestStageCost, best } = this;
    const lv = lattice.lnLevel;
    const nLevels = this.levelCount(w0Index, wmIndex);
    const base = (wmIndex * this.grid.w0s.length + w0Index) * lattice.stride;
    this.pair = {
      w0: this.grid.w0s[w0Index],
      wm: this.grid.wms[wmIndex],
      lnWm: lattice.lnWm[wmIndex],
      levelBase: base,
      betaBase: wmIndex * lattice.stride,
      nLevels,
    };
    for (let r = 0; r < b.runs; r++) {
      // V-shaped cost in k: walk up while it does not increase.
      const lr = b.runLn[r];
      let k = 0;
      while (k + 1 < nLevels && Math.abs(lv[base + k + 1] - lr) <= Math.abs(lv[base + k] - lr)) k++;
      bestStage[r] = k;
      bestStageCost[r] = Math.abs(lv[base + k] - lr);
    }
    const chunks = this.chunks;
    for (let i = 0; i < chunks.length; i += 2) {
      if (this.chunkBound(chunks[i], chunks[i + 1], best.error + TIE) > best.error + TIE) continue;
      if (!this.sweepRange(chunks[i], chunks[i + 1])) return;
    }
  }

  /**
   * A lower bound on the error over grid indices [fromStep, toStep] of the current pair, or Infinity
   * once above `limit`. Over that stretch of wa a run's blocks lie between the stage of its
   * first block at fromStep and that of its last block at toStep, and stages never decrease; as in
   * `bound`, one stage per run is then optimal, and a dynamic programme over runs finds it.
   */
  private chunkBound(fromStep: number, toStep: number, limit: number): number {
    const { b, prefix } = this;
    const lv = this.lattice.lnLevel;
    const base = this.pair.levelBase;
    const beta = this.lattice.beta;
    const betaBase = this.pair.betaBase;
    const top = this.pair.nLevels - 1;
    const tA = ((fromStep * this.grid.waStep) / this.pair.w0) * (1 - NEAR);
    const tB = ((toStep * this.grid.waStep) / this.pair.w0) * (1 + NEAR);
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
    return roundHalfEven(Math.log((j * wa + this.pair.w0) / this.pair.w0) / this.pair.lnWm);
  }

  /** First block j ≥ 1 with k_j ≥ k+1 at grid index m (d when none). */
  private firstAbove(k: number, m: number): number {
    const d = this.b.d;
    if (m === 0) return d;
    const y = (this.pair.w0 * this.lattice.beta[this.pair.betaBase + k]) / (m * this.grid.waStep);
    if (y > d) return d;
    const r = Math.round(y);
    // A breakpoint on a grid point is settled by pycls's own formula; elsewhere y decides.
    let j = Math.abs(y - r) <= NEAR * y ? (r >= 1 && this.stageAt(r, m) >= k + 1 ? r : r + 1) : Math.ceil(y);
    if (j < 1) j = 1;
    return j > d ? d : j;
  }

  /** Smallest grid index at which block j ≥ 1 reaches stage k+1. */
  private reachAt(k: number, j: number): number {
    const y = (this.pair.w0 * this.lattice.beta[this.pair.betaBase + k]) / (j * this.grid.waStep);
    const r = Math.round(y);
    if (Math.abs(y - r) <= NEAR * y) return this.stageAt(j, r) >= k + 1 ? r : r + 1;
    return Math.ceil(y);
  }

  /** Sweeps grid indices fromStep..toStep of the current pair; false once no larger wa can win. */
  private sweepRange(fromStep: number, toStep: number): boolean {
    const { b, p, next, bestStage, bestStageCost, best } = this;
    const { d } = b;
    const lv = this.lattice.lnLevel;
    const { w0, wm, levelBase: base, nLevels } = this.pair;

    // State at fromStep: boundaries 0..active−1 are live; boundary active−1 is the lowest one that
    // no block has passed yet (p = d).
    let m = fromStep;
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
        future += (end - j) * (k < bestStage[r] ? bestStageCost[r] : c);
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
          best.waIndex = m;
          best.w0 = w0;
          best.wm = wm;
        }
      }
      if (future > best.error + TIE) return false;
      let mNext = Infinity;
      for (let k = 0; k < active; k++) if (next[k] < mNext) mNext = next[k];
      if (mNext > toStep) return true;
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
          if (k + 1 > bestStage[r]) future += delta;
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
