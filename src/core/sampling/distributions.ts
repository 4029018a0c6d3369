/**
 * Scalar samplers of pycls's sweep tool (reference §4.2), over our seeded stream.
 * Ranges are closed and every result is a multiple of the quantum q, computed in decimal
 * arithmetic (`multipleOf`), so WA = 36.4 is 36.4 and not 36.400000000000006.
 *
 * A distribution is compiled once into a drawer (bounds, logs and decimal places worked out in
 * advance): the sampler draws millions of values per second.
 *
 * The log-uniform and normal kinds go through Math.log / Math.exp / Math.cos, which V8 computes
 * in software (its fdlibm port) rather than with the platform's libm, so a seed draws the same
 * values everywhere.
 */
import { multipleOf, multiplesIn, roundHalfEven } from '../rounding';
import type { Distribution } from '../space/types';
import type { Rng } from './rng';

/** Draws one value from a compiled distribution. */
export type Drawer = (rng: Rng) => number;

/** Ranges with at most this many multiples of q get their values tabulated. */
const TABLE_LIMIT = 1 << 16;

/**
 * k ↦ k·q for k in [kLo, kHi], decimal-exact. `multipleOf` formats a string per call, so for
 * the usual ranges (a few thousand multiples) its results are computed once into a table.
 */
function quantizer(kLo: number, kHi: number, q: number): (k: number) => number {
  if (kHi - kLo >= TABLE_LIMIT) return (k) => multipleOf(k, q);
  const table = new Float64Array(kHi - kLo + 1);
  for (let k = kLo; k <= kHi; k++) table[k - kLo] = multipleOf(k, q);
  return (k) => table[k - kLo];
}

/** multiplesIn, or a RangeError if no multiple of q lies in [lo, hi]. */
function quantaOf(lo: number, hi: number, q: number): { kLo: number; kHi: number } {
  const r = multiplesIn(lo, hi, q);
  if (r.kLo > r.kHi) throw new RangeError(`no multiple of ${q} lies in [${lo}, ${hi}]`);
  return r;
}

function checkRange(lo: number, hi: number, q: number, positive: boolean): void {
  if (![lo, hi, q].every(Number.isFinite)) throw new RangeError(`range [${lo}, ${hi}] and quantum ${q} must be finite`);
  if (!(q > 0)) throw new RangeError(`quantum must be positive, got ${q}`);
  if (lo > hi) throw new RangeError(`range [${lo}, ${hi}] is reversed`);
  if (positive && !(lo > 0)) throw new RangeError(`range [${lo}, ${hi}] must be positive`);
}

function isPowerOf2(x: number): boolean {
  return x > 0 && Math.pow(2, Math.round(Math.log2(x))) === x;
}

/** uniform(lo, hi, q): ⌊f/q⌋·q with f ~ U[lo, hi+q), i.e. every multiple of q in [lo, hi] equally likely. */
function uniform(lo: number, hi: number, q: number): Drawer {
  checkRange(lo, hi, q, false);
  const { kLo, kHi } = quantaOf(lo, hi, q);
  const value = quantizer(kLo, kHi, q);
  // With lo, hi multiples of q, ⌊U[lo, hi+q)/q⌋ is exactly a uniform integer in [lo/q, hi/q];
  // drawing that integer directly avoids float error at the interval ends.
  return (rng) => value(rng.int(kLo, kHi));
}

/**
 * log_uniform(lo, hi, q): with q* = min(q, lo/2), f = exp(x), x ~ U(ln(lo−q*), ln hi], result
 * ⌈f/q⌉·q. The lower end lo−q* makes lo as likely as its log-width share; clamping the quantum
 * index only guards against the last-ulp error of exp at the interval ends.
 */
function logUniform(lo: number, hi: number, q: number): Drawer {
  checkRange(lo, hi, q, true);
  const { kLo, kHi } = quantaOf(lo, hi, q);
  const value = quantizer(kLo, kHi, q);
  const qStar = Math.min(q, lo / 2);
  const a = Math.log(lo - qStar);
  const b = Math.log(hi);
  const span = b - a;
  return (rng) => {
    // U[0, 1) mapped to (a, b]: b − u·span.
    const f = Math.exp(b - rng.float() * span);
    let k = Math.ceil(f / q);
    if (k < kLo) k = kLo;
    else if (k > kHi) k = kHi;
    return value(k);
  };
}

/**
 * The values power2_uniform(lo, hi, q) can take, one per exponent e in [log2 lo, log2 hi]:
 * ⌊2^e/q⌋·q. Drawing an index uniformly is drawing e = ⌊U[log2 lo, log2 hi + 1)⌋.
 */
function power2Values(lo: number, hi: number, q: number): number[] {
  checkRange(lo, hi, q, true);
  if (!isPowerOf2(lo) || !isPowerOf2(hi)) throw new RangeError(`power-of-two range [${lo}, ${hi}] needs powers of two`);
  const values: number[] = [];
  for (let e = Math.round(Math.log2(lo)); e <= Math.round(Math.log2(hi)); e++) {
    const v = multipleOf(Math.floor(Math.pow(2, e) / q), q);
    if (v < lo || v > hi) throw new RangeError(`quantum ${q} turns 2^${e} into ${v}, outside [${lo}, ${hi}]`);
    values.push(v);
  }
  return values;
}

/** A standard normal draw (Box–Muller; one of the pair, so each draw takes two uniforms). */
function standardNormal(rng: Rng): number {
  const u1 = 1 - rng.float(); // (0, 1]: the log stays finite
  const u2 = rng.float();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * normal(lo, hi, q) and log_normal(lo, hi, q) of pycls: μ the midpoint of [lo, hi] (of [ln lo,
 * ln hi] for log-normal) and σ a sixth of its width, so that ~99.7% of draws fall in range; draws
 * outside are redrawn, and the result is rounded to a multiple of q (half to even, as numpy's
 * round). With lo and hi multiples of q the rounded value stays in [lo, hi].
 */
function normal(lo: number, hi: number, q: number, log: boolean): Drawer {
  checkRange(lo, hi, q, log);
  const { kLo, kHi } = quantaOf(lo, hi, q);
  const value = quantizer(kLo, kHi, q);
  const [a, b] = log ? [Math.log(lo), Math.log(hi)] : [lo, hi];
  const mu = (a + b) / 2;
  const sigma = (b - a) / 6;
  return (rng) => {
    let f: number;
    do {
      const x = mu + sigma * standardNormal(rng);
      f = log ? Math.exp(x) : x;
    } while (!(f >= lo && f <= hi));
    let k = roundHalfEven(f / q);
    if (k < kLo) k = kLo;
    else if (k > kHi) k = kHi;
    return value(k);
  };
}

function choice(values: readonly number[]): Drawer {
  if (values.length === 0) throw new RangeError('a value list must not be empty');
  const last = values.length - 1;
  return (rng) => values[rng.int(0, last)];
}

/**
 * power2_or_log_uniform(lo, hi, q): f = power2_uniform(lo, hi, lo); if f ≥ q it is redrawn as
 * log_uniform(max(lo, q), hi, min(hi, q)). Values below q are powers of two, the rest multiples
 * of q (pycls GROUP_W: 1, 2, 4, then 8, 16, 24, …).
 */
function power2OrLogUniform(lo: number, hi: number, q: number): Drawer {
  const powers = choice(power2Values(lo, hi, lo));
  const above = hi >= q ? logUniform(Math.max(lo, q), hi, Math.min(hi, q)) : undefined;
  return (rng) => {
    const f = powers(rng);
    return above !== undefined && f >= q ? above(rng) : f;
  };
}

/**
 * Compiles a distribution into a drawer. Throws a RangeError when the distribution cannot
 * produce a value inside its range (reversed or empty range, no multiple of q in it, a
 * non-positive bound for the logarithmic kinds, non-powers of two for power2).
 */
export function compileDistribution(d: Distribution): Drawer {
  switch (d.kind) {
    case 'values':
      return choice([...d.values]);
    case 'uniform':
      return uniform(d.range[0], d.range[1], d.quantum);
    case 'log-uniform':
      return logUniform(d.range[0], d.range[1], d.quantum);
    case 'power2':
      return choice(power2Values(d.range[0], d.range[1], d.quantum));
    case 'power2-or-log-uniform':
      return power2OrLogUniform(d.range[0], d.range[1], d.quantum);
    case 'normal':
      return normal(d.range[0], d.range[1], d.quantum, false);
    case 'log-normal':
      return normal(d.range[0], d.range[1], d.quantum, true);
  }
}

const compiled = new WeakMap<Distribution, Drawer>();

/** One value of `d` (reference §4.2), drawn from `rng`. Compiles `d` on first use. */
export function drawValue(d: Distribution, rng: Rng): number {
  let drawer = compiled.get(d);
  if (drawer === undefined) {
    drawer = compileDistribution(d);
    compiled.set(d, drawer);
  }
  return drawer(rng);
}
