/**
 * Per-space sampler seeds. A space that does not set its own `seed` gets one derived from the
 * file's `sampling.seed` and its own name, never from its position in the file: adding,
 * removing or reordering spaces leaves every other space's samples unchanged.
 *
 * The rule (stable across machines and versions; changing it changes everyone's samples):
 *   1. Split the file seed (a non-negative safe integer) into two unsigned 32-bit words,
 *      low = seed mod 2^32 and high = floor(seed / 2^32).
 *   2. Run 32-bit FNV-1a (offset basis 2166136261, prime 16777619) over the bytes of low and
 *      high (4 bytes each, little-endian), then over the UTF-8 bytes of the space name.
 *   3. Finish with MurmurHash3's fmix32 so that nearby seeds and names that differ in one
 *      character give unrelated seeds.
 * The result is an unsigned 32-bit integer.
 */

import { fmix32 } from '../hash';

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnv1aByte(hash: number, byte: number): number {
  return Math.imul(hash ^ byte, FNV_PRIME) >>> 0;
}

function fnv1aWord(hash: number, word: number): number {
  let h = hash;
  for (let i = 0; i < 4; i++) h = fnv1aByte(h, (word >>> (8 * i)) & 0xff);
  return h;
}

/**
 * The seed of space `spaceName` when the file's sampling seed is `fileSeed` and the space sets
 * none of its own (see the rule above). `fileSeed` must be a non-negative safe integer.
 */
export function deriveSpaceSeed(fileSeed: number, spaceName: string): number {
  if (!Number.isSafeInteger(fileSeed) || fileSeed < 0) {
    throw new RangeError(`sampling seed must be a non-negative integer, got ${fileSeed}`);
  }
  const low = fileSeed % 0x100000000;
  const high = Math.floor(fileSeed / 0x100000000);
  let h = fnv1aWord(fnv1aWord(FNV_OFFSET_BASIS, low), high);
  for (const byte of new TextEncoder().encode(spaceName)) h = fnv1aByte(h, byte);
  return fmix32(h);
}
