/**
 * The size of a design space: how many distinct models its parameters can describe (the
 * paper's Table 1: AnyNetX_A ≈ 1.8e18 … RegNet ≈ 3e8) and its degrees of freedom.
 *
 * Counts follow what the sampler can actually produce (reference §4.2): every multiple of the
 * quantum in a range, every ⌊2^e/q⌋·q of a power-of-two range. Monotone restrictions are
 * counted exactly: there are C(n+S−1, S) non-decreasing sequences of S values out of n, where
 * the paper approximates n^S/S!.
 */
import { groupThousands } from './presentation/counts';
import { multipleOf, multiplesIn } from './rounding';
import type { AnyNetSpace, DesignSpace, Distribution, RegNetSpace, Restriction } from './space/types';
import { DRAWN_TRAINING_KEYS } from './space/drawnSettings';

export interface SpaceSize {
  /** Number of distinct parameter settings; a float, since it easily passes 2^53. */
  count: number;
  /** log10 of `count`, accurate even where `count` overflows to Infinity. */
  log10: number;
  /** Degrees of freedom: free scalar parameters (4S for AnyNetX_A, 6 for RegNet). */
  dof: number;
  /** How `count` is built, e.g. "(16·128·3·6)^4" or "16^4·C(131,4)·3·6". */
  formula: string;
}

/** The integers k with lo ≤ k·q ≤ hi, compared as decimals (0.1·3 is 0.3 here). */
function quantaIn(lo: number, hi: number, q: number): number {
  if (!(q > 0) || !Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) return 0;
  const { kLo, kHi } = multiplesIn(lo, hi, q);
  return Math.max(0, kHi - kLo + 1);
}

function isPowerOf2(x: number): boolean {
  return x > 0 && Math.pow(2, Math.round(Math.log2(x))) === x;
}

/**
 * The values of power2_uniform(lo, hi, q): ⌊2^e/q⌋·q for 2^e in [lo, hi]. None, as the sampler
 * refuses them, unless lo and hi are powers of two and every value stays inside [lo, hi].
 */
function power2Values(lo: number, hi: number, q: number): number[] {
  if (!(q > 0) || !isPowerOf2(lo) || !isPowerOf2(hi) || lo > hi) return [];
  const values: number[] = [];
  for (let e = Math.round(Math.log2(lo)); e <= Math.round(Math.log2(hi)); e++) {
    const v = multipleOf(Math.floor(Math.pow(2, e) / q), q);
    if (v < lo || v > hi) return [];
    values.push(v);
  }
  return values;
}

/**
 * Number of distinct values a distribution can produce; 0 when it can produce none (an empty
 * or reversed range, a range without a multiple of its quantum, a non-positive bound for the
 * logarithmic kinds, power-of-two kinds with bounds that are not powers of two).
 */
export function distributionSize(d: Distribution): number {
  switch (d.kind) {
    case 'values':
      return new Set(d.values).size;
    case 'uniform':
    case 'normal':
      return quantaIn(d.range[0], d.range[1], d.quantum);
    case 'log-uniform':
    case 'log-normal':
      return d.range[0] > 0 ? quantaIn(d.range[0], d.range[1], d.quantum) : 0;
    case 'power2':
      return new Set(power2Values(d.range[0], d.range[1], d.quantum)).size;
    case 'power2-or-log-uniform': {
      // Powers of two below q as drawn; a draw of q or more is redrawn log-uniformly over the
      // multiples of min(hi, q) in [max(lo, q), hi].
      const [lo, hi] = d.range;
      const q = d.quantum;
      const powers = power2Values(lo, hi, lo);
      if (powers.length === 0) return 0;
      const below = powers.filter((v) => v < q).length;
      return below + (hi >= q ? quantaIn(Math.max(lo, q), hi, Math.min(hi, q)) : 0);
    }
  }
}

/** C(n + s − 1, s): non-decreasing sequences of length s over n values. Exact while it fits 2^53. */
function multisets(n: number, s: number): number {
  let c = 1;
  for (let i = 1; i <= s; i++) c = (c * (n + i - 1)) / i; // each partial product is C(n+i−1, i)
  return c;
}

function log10Multisets(n: number, s: number): number {
  let l = 0;
  for (let i = 1; i <= s; i++) l += Math.log10(n + i - 1) - Math.log10(i);
  return l;
}

/** One factor of a count: its value, log10 and how it is written. */
interface Factor {
  value: number;
  log10: number;
  text: string;
}

const plain = (n: number): Factor => ({ value: n, log10: Math.log10(n), text: String(n) });

function product(factors: readonly Factor[]): Factor {
  return {
    value: factors.reduce((c, f) => c * f.value, 1),
    log10: factors.reduce((l, f) => l + f.log10, 0),
    text: factors.map((f) => f.text).join('·'),
  };
}

function anynetSize(space: AnyNetSpace): SpaceSize {
  const s = space.model.stages;
  const has = (r: Restriction): boolean => space.restrictions.includes(r);
  const nd = distributionSize(space.depth);
  const nw = distributionSize(space.width);
  const nb = distributionSize(space.bottleneck);
  const ng = distributionSize(space.groupWidth);
  const perStage: Factor[] = []; // drawn independently for every stage: raised to the power S
  const monotone: Factor[] = []; // non-decreasing sequences over the stages
  const shared: Factor[] = []; // one value for the whole model
  for (const [n, restricted, kind] of [
    [nd, has('increasingDepths'), 'monotone'],
    [nw, has('increasingWidths'), 'monotone'],
    [nb, has('sharedBottleneck'), 'shared'],
    [ng, has('sharedGroupWidth'), 'shared'],
  ] as const) {
    if (!restricted) perStage.push(plain(n));
    else if (kind === 'shared') shared.push(plain(n));
    else monotone.push({ value: multisets(n, s), log10: log10Multisets(n, s), text: `C(${n + s - 1},${s})` });
  }
  const parts: Factor[] = [];
  if (perStage.length > 0) {
    const p = product(perStage);
    const text = s === 1 ? p.text : perStage.length === 1 ? `${p.text}^${s}` : `(${p.text})^${s}`;
    parts.push({ value: Math.pow(p.value, s), log10: p.log10 * s, text });
  }
  const total = product([...parts, ...monotone, ...shared]);
  const sharedCount = Number(has('sharedBottleneck')) + Number(has('sharedGroupWidth'));
  return {
    count: total.value,
    log10: total.value === 0 ? -Infinity : total.log10,
    dof: 4 * s - sharedCount * (s - 1),
    formula: total.text || '1',
  };
}

function regnetSize(space: RegNetSpace): SpaceSize {
  const total = product([space.depth, space.w0, space.wa, space.wm, space.bottleneck, space.groupWidth].map((d) => plain(distributionSize(d))));
  return { count: total.value, log10: total.value === 0 ? -Infinity : total.log10, dof: 6, formula: total.text };
}

/** The value count of each setting the space draws (model settings, then training values), in draw order. */
function settingFactors(space: DesignSpace): Factor[] {
  const s = space.model.sampled ?? {};
  const out: Factor[] = [];
  if (s.activation) out.push(plain(s.activation.length));
  if (s.block) out.push(plain(s.block.length));
  if (s.se) out.push(plain(distributionSize(s.se)));
  if (s.stemWidth) out.push(plain(distributionSize(s.stemWidth)));
  if (s.resolution) out.push(plain(distributionSize(s.resolution)));
  for (const key of DRAWN_TRAINING_KEYS) {
    const d = space.training?.[key];
    if (d !== undefined && distributionSize(d) > 1) out.push(plain(distributionSize(d)));
  }
  return out;
}

/**
 * Size of a design space. AnyNet: per stage d, w, b, g (S = `model.stages`), with shared b or
 * g taken out of the power and monotone widths or depths counted as non-decreasing sequences.
 * RegNet: the product of its six parameters' value counts (d, w0, wa, wm, b, g). Each model
 * setting the space draws multiplies the count by its number of values and adds one dof.
 */
export function designSpaceSize(space: DesignSpace): SpaceSize {
  const size = space.type === 'anynet' ? anynetSize(space) : regnetSize(space);
  const settings = settingFactors(space);
  if (settings.length === 0) return size;
  const extra = product(settings);
  const count = size.count * extra.value;
  return { count, log10: count === 0 ? -Infinity : size.log10 + extra.log10, dof: size.dof + settings.length, formula: `${size.formula}·${extra.text}` };
}

/**
 * A space size as people read it: exact with thousands separators below 10^6 ("822,528"),
 * else one decimal of mantissa ("1.8e18"), from log10 so that sizes beyond the float range print.
 */
export function formatSpaceSize(size: SpaceSize): string {
  if (size.count === 0) return '0';
  if (Number.isFinite(size.count) && size.count < 1e6) return groupThousands(Math.round(size.count));
  let exponent = Math.floor(size.log10);
  let mantissa = Math.pow(10, size.log10 - exponent);
  if (Number(mantissa.toFixed(1)) >= 10) {
    mantissa /= 10;
    exponent += 1;
  }
  return `${mantissa.toFixed(1)}e${exponent}`;
}
