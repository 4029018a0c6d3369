/**
 * Bilinear resizing of an image set to another square resolution, with half-pixel centres (what
 * PyTorch's interpolate with align_corners=False and tf.image.resize compute, without
 * antialiasing): output pixel i samples the input at (i + 0.5)·in/out − 0.5, clamped to the edge.
 * Images are resized after normalization, which commutes with it (a per-channel affine map).
 */
import type { ImageSet } from './imageSet';

/** Per output index: the two input rows (or columns) it blends and the weight of the second. */
function taps(input: number, output: number): { lo: Int32Array; hi: Int32Array; w: Float64Array } {
  const lo = new Int32Array(output);
  const hi = new Int32Array(output);
  const w = new Float64Array(output);
  const scale = input / output;
  for (let i = 0; i < output; i++) {
    const src = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), input - 1);
    lo[i] = Math.floor(src);
    hi[i] = Math.min(lo[i] + 1, input - 1);
    w[i] = src - lo[i];
  }
  return { lo, hi, w };
}

/** `set` at `size`×`size`; the set itself when it already is. */
export function resizeImageSet(set: ImageSet, size: number): ImageSet {
  if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`a resolution is a positive integer, got ${size}`);
  if (set.height === size && set.width === size) return set;
  const { count, height, width, channels } = set;
  const ys = taps(height, size);
  const xs = taps(width, size);
  const out = new Float32Array(count * size * size * channels);
  const inImage = height * width * channels;
  const outImage = size * size * channels;
  for (let n = 0; n < count; n++) {
    const src = n * inImage;
    const dst = n * outImage;
    for (let y = 0; y < size; y++) {
      const r0 = src + ys.lo[y] * width * channels;
      const r1 = src + ys.hi[y] * width * channels;
      const wy = ys.w[y];
      for (let x = 0; x < size; x++) {
        const c0 = xs.lo[x] * channels;
        const c1 = xs.hi[x] * channels;
        const wx = xs.w[x];
        const o = dst + (y * size + x) * channels;
        for (let c = 0; c < channels; c++) {
          const top = set.images[r0 + c0 + c] * (1 - wx) + set.images[r0 + c1 + c] * wx;
          const bottom = set.images[r1 + c0 + c] * (1 - wx) + set.images[r1 + c1 + c] * wx;
          out[o + c] = top * (1 - wy) + bottom * wy;
        }
      }
    }
  }
  return { ...set, images: out, height: size, width: size };
}
