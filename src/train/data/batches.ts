/**
 * Mini-batches of an ImageSet: a seeded shuffle per (seed, epoch) and pycls's CIFAR training
 * augmentation (horizontal flip with p = 0.5, then zero-pad and random crop back to size).
 */
import type { Rng } from '../../core/sampling/rng';
import type { ImageSet } from './imageSet';
import { streamRng } from './streams';

export interface Augment {
  flip: boolean;
  /** Zero padding before the random crop; 0 = no crop. */
  padCrop: number;
}

export interface BatchOptions {
  shuffle: boolean;
  seed: number;
  epoch: number;
  augment?: Augment;
}

export interface Batch {
  /** n × height × width × channels, normalized. */
  x: Float32Array;
  y: Uint8Array;
  n: number;
}

/** One image's augmentation: mirror it, then take the window at (top, left) of the image zero-padded by `pad`. */
export interface Placement {
  flip: boolean;
  top: number;
  left: number;
  pad: number;
}

/**
 * Draws one image's augmentation in pycls's order: the flip (uniform < 0.5), then the crop's
 * top and left offsets. pycls draws them with `np.random.randint(0, 2·pad)`, whose upper bound
 * is exclusive, so offsets run 0…2·pad−1 (shifts −pad…pad−1); we keep that to match its recipe.
 */
export function drawPlacement(rng: Rng, augment: Augment): Placement {
  const flip = augment.flip && rng.float() < 0.5;
  const pad = augment.padCrop;
  const top = pad > 0 ? rng.int(0, 2 * pad - 1) : 0;
  const left = pad > 0 ? rng.int(0, 2 * pad - 1) : 0;
  return { flip, top, left, pad };
}

/**
 * Writes the augmented copy of the HWC image at `src[srcOffset…]` to `dst[dstOffset…]`: output
 * pixel (y, x) is the flipped image's pixel (y + top − pad, x + left − pad), zero outside it
 * (zero is the mean after normalization, as in pycls, which pads normalized images).
 */
export function placeImage(src: Float32Array, srcOffset: number, dst: Float32Array, dstOffset: number, height: number, width: number, channels: number, p: Placement): void {
  for (let y = 0; y < height; y++) {
    const sy = y + p.top - p.pad;
    const rowOut = dstOffset + y * width * channels;
    if (sy < 0 || sy >= height) {
      dst.fill(0, rowOut, rowOut + width * channels);
      continue;
    }
    const rowIn = srcOffset + sy * width * channels;
    for (let x = 0; x < width; x++) {
      const shifted = x + p.left - p.pad;
      const sx = p.flip ? width - 1 - shifted : shifted;
      const o = rowOut + x * channels;
      if (shifted < 0 || shifted >= width) {
        for (let c = 0; c < channels; c++) dst[o + c] = 0;
      } else {
        const i = rowIn + sx * channels;
        for (let c = 0; c < channels; c++) dst[o + c] = src[i + c];
      }
    }
  }
}

/** The order images are visited in one epoch: a seeded Fisher–Yates shuffle, or 0…count−1. */
export function epochOrder(count: number, shuffle: boolean, rng: Rng): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  if (!shuffle) return order;
  for (let i = count - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/**
 * The batches of one epoch, the last one partial if `batchSize` does not divide the count. The
 * shuffle and every augmentation draw come from the stream of (seed, epoch), so a run repeats
 * exactly. Without shuffle or augmentation, batches are views into the set (no copy); otherwise
 * each batch is a fresh array the caller may keep.
 */
export function* batches(set: ImageSet, batchSize: number, options: BatchOptions): Generator<Batch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(options.epoch) || options.epoch < 0) throw new RangeError(`epoch must be a non-negative integer, got ${options.epoch}`);
  const { count, height, width, channels, images, labels } = set;
  const size = height * width * channels;
  const augment = options.augment && (options.augment.flip || options.augment.padCrop > 0) ? options.augment : undefined;
  if (!options.shuffle && !augment) {
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      yield { x: images.subarray(start * size, (start + n) * size), y: labels.subarray(start, start + n), n };
    }
    return;
  }
  // Stream 0 of a seed is Rng(seed) itself; epochs use streams 1, 2, … so none coincides with it.
  const rng = streamRng(options.seed, options.epoch + 1);
  const order = epochOrder(count, options.shuffle, rng);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const x = new Float32Array(n * size);
    const y = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      const i = order[start + k];
      y[k] = labels[i];
      if (augment) placeImage(images, i * size, x, k * size, height, width, channels, drawPlacement(rng, augment));
      else x.set(images.subarray(i * size, (i + 1) * size), k * size);
    }
    yield { x, y, n };
  }
}
