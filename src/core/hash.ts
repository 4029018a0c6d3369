/** Small integer hashes used to derive seeds; they fix which models a seed draws, so never change them. */

/** MurmurHash3's 32-bit finalizer: a bijection on 32-bit words with full avalanche. Returns an unsigned integer. */
export function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}
