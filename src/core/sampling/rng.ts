/**
 * The seeded random stream every sampler draws from: xoroshiro128+ (pure-rand), whose state
 * update is 32-bit integer arithmetic only, so a seed gives the same stream on any machine and
 * Node version. Floats are derived from it (53 random bits per float in [0, 1)).
 */
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

import { fmix32 } from '../hash';

type Generator = ReturnType<typeof xoroshiro128plusFromState>;

/**
 * The 128-bit generator state for `seed`. pure-rand's own `xoroshiro128plus(seed)` starts from
 * (−1, ~seed, seed, 0), so its first output is ~seed and adjacent seeds begin with nearly equal
 * floats; spreading the seed over all four words through fmix32 makes nearby seeds unrelated.
 */
function stateFromSeed(seed: number): number[] {
  const low = seed % 0x100000000;
  const high = Math.floor(seed / 0x100000000);
  const state: number[] = [];
  for (let i = 0; i < 4; i++) {
    state.push(fmix32((low ^ Math.imul(i + 1, 0x9e3779b9)) + (fmix32(high + i) | 0)) | 0);
  }
  // xoroshiro's only forbidden state; fmix32 is a bijection, so this needs four exact zeros.
  if ((state[0] | state[1] | state[2] | state[3]) === 0) state[0] = 1;
  return state;
}

/** A deterministic random stream. Draws mutate it in place. */
export class Rng {
  private readonly gen: Generator;

  /** `seed`: a non-negative safe integer (space seeds are unsigned 32-bit). */
  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    }
    this.gen = xoroshiro128plusFromState(stateFromSeed(seed));
  }

  /** Uniform on [0, 1), a multiple of 2^-53. */
  float(): number {
    return uniformFloat64(this.gen);
  }

  /** Uniform integer in [from, to], both included. */
  int(from: number, to: number): number {
    return uniformInt(this.gen, from, to);
  }
}
