/**
 * Independent random streams derived from one seed. Rng spreads a seed's low and high 32-bit
 * words over its whole state, so `seed + k·2³²` starts an unrelated stream for each k while
 * the same (seed, k) always starts the same one.
 */
import { fmix32 } from '../../core/hash';
import { Rng } from '../../core/sampling/rng';

const WORD = 0x100000000;
/** Streams per seed: k·2³² + a 32-bit seed stays a safe integer for k < 2²¹. */
const MAX_STREAM = 2 ** 21;

/** The `stream`-th random stream of `seed` (any non-negative safe integer; larger ones are folded to 32 bits). */
export function streamRng(seed: number, stream: number): Rng {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  if (!Number.isInteger(stream) || stream < 0 || stream >= MAX_STREAM) throw new RangeError(`stream must be an integer in [0, ${MAX_STREAM}), got ${stream}`);
  const seed32 = seed < WORD ? seed : fmix32((seed % WORD) ^ fmix32(Math.floor(seed / WORD)));
  return new Rng(seed32 + stream * WORD);
}

/** The first `n` entries of a seeded Fisher–Yates shuffle of 0…count−1 (a prefix of the full shuffle, so smaller n gives a prefix of larger n). */
export function shuffledPrefix(count: number, n: number, rng: Rng): Uint32Array {
  if (n > count) throw new RangeError(`cannot take ${n} of ${count}`);
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  for (let i = 0; i < n; i++) {
    const j = rng.int(i, count - 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order.slice(0, n);
}
