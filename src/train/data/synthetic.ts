/**
 * The synthetic dataset: each class has a prototype, a random texture per channel (a small
 * brightness offset plus a few plane waves with periods of 4–12 pixels, so the class shows in
 * local patterns a conv net sees, at any resolution); each image is its class's prototype
 * shifted by a pixel or two, with random contrast and per-pixel Gaussian noise. A tiny conv net
 * gets well below chance within a few dozen SGD steps, yet the noise keeps it from being
 * trivial. Everything is drawn from the dataset seed: a seed gives the same bytes on any machine.
 */
import type { Rng } from '../../core/sampling/rng';
import type { DatasetShape } from '../../core/space/datasets';
import { DatasetError } from './errors';
import { hwcSplit, type RawDataset, type RawSplit } from './raw';
import { streamRng } from './streams';

/** Plane waves per prototype channel, and the range of their periods in pixels. */
const WAVES = 3;
const PERIOD_MIN = 4;
const PERIOD_SPAN = 8;
/** A class's brightness offset per channel, uniform in [−OFFSET, OFFSET] (prototype units). */
const OFFSET = 0.25;
/** Pixel value of a zero prototype, and pixels per prototype unit (the wave part has unit RMS). */
const MID = 128;
const SCALE = 40;
/** Per-pixel noise, in prototype units. */
const NOISE = 0.9;
/** Contrast of each image, uniform in [1 − JITTER, 1 + JITTER]. */
const CONTRAST_JITTER = 0.25;
/** Labels are stored in a Uint8Array. */
const MAX_CLASSES = 256;

/** The largest shift, in pixels, of an image against its prototype: about a sixteenth of the side. */
function maxShift(resolution: number): number {
  return Math.round(resolution / 16);
}

/** Size of the table noise is drawn from (two 16-bit indices per uniform draw). */
const NOISE_TABLE = 65536;

/**
 * A table of standard normal draws (Box–Muller). Picking entries at random from it gives
 * Gaussian noise at a fraction of the cost of fresh draws, which matters at millions of pixels.
 */
function normalTable(rng: Rng): Float32Array {
  const table = new Float32Array(NOISE_TABLE);
  for (let i = 0; i < NOISE_TABLE; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng.float())); // 1 − u ∈ (0, 1]: the log stays finite
    const angle = 2 * Math.PI * rng.float();
    table[i] = r * Math.cos(angle);
    table[i + 1] = r * Math.sin(angle);
  }
  return table;
}

/** Fills `out` with noise from `table`: each uniform draw's top 32 bits give two indices. */
function fillNoise(out: Float32Array, table: Float32Array, rng: Rng): void {
  for (let k = 0; k < out.length; k += 2) {
    const bits = Math.floor(rng.float() * 4294967296);
    out[k] = table[bits >>> 16];
    if (k + 1 < out.length) out[k + 1] = table[bits & 0xffff];
  }
}

/**
 * The class prototypes on a grid padded by `pad` pixels on every side (so shifted images read
 * inside it): prototypes[c][(y·side + x)·channels + ch], side = resolution + 2·pad.
 */
function syntheticPrototypes(shape: DatasetShape, seed: number): { prototypes: Float32Array[]; pad: number; side: number } {
  const { channels, resolution, classes } = shape;
  const rng = streamRng(seed, 0);
  const pad = maxShift(resolution);
  const side = resolution + 2 * pad;
  const prototypes: Float32Array[] = [];
  for (let c = 0; c < classes; c++) {
    const proto = new Float32Array(side * side * channels);
    for (let ch = 0; ch < channels; ch++) {
      const offset = OFFSET * (2 * rng.float() - 1);
      const waves = Array.from({ length: WAVES }, () => {
        const amplitude = 0.5 + 0.5 * rng.float();
        const period = PERIOD_MIN + PERIOD_SPAN * rng.float();
        const angle = 2 * Math.PI * rng.float();
        const phase = 2 * Math.PI * rng.float();
        const k = (2 * Math.PI) / period;
        return { amplitude, kx: k * Math.cos(angle), ky: k * Math.sin(angle), phase };
      });
      const rms = Math.sqrt(waves.reduce((s, w) => s + (w.amplitude * w.amplitude) / 2, 0));
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          let v = 0;
          for (const w of waves) v += w.amplitude * Math.cos(w.kx * (x - pad) + w.ky * (y - pad) + w.phase);
          proto[(y * side + x) * channels + ch] = offset + v / rms;
        }
      }
    }
    prototypes.push(proto);
  }
  return { prototypes, pad, side };
}

function syntheticSplit(shape: DatasetShape, count: number, rng: Rng, grid: ReturnType<typeof syntheticPrototypes>): RawSplit {
  const { channels, resolution, classes } = shape;
  const { prototypes, pad, side } = grid;
  const size = resolution * resolution * channels;
  const pixels = new Uint8Array(count * size);
  const labels = new Uint8Array(count);
  const table = normalTable(rng);
  const noise = new Float32Array(size);
  for (let i = 0; i < count; i++) {
    // Balanced classes; the order does not matter, batches are shuffled.
    const label = i % classes;
    labels[i] = label;
    const proto = prototypes[label];
    const dy = rng.int(-pad, pad);
    const dx = rng.int(-pad, pad);
    const contrast = 1 + CONTRAST_JITTER * (2 * rng.float() - 1);
    fillNoise(noise, table, rng);
    let o = i * size;
    let n = 0;
    for (let y = 0; y < resolution; y++) {
      let p = ((y + pad - dy) * side + (pad - dx)) * channels;
      for (let k = 0; k < resolution * channels; k++) {
        // + 0.5 and truncation: Math.round for the positive values left after clamping, but faster.
        const v = MID + 0.5 + SCALE * (contrast * proto[p++] + NOISE * noise[n++]);
        pixels[o++] = v <= 0 ? 0 : v >= 255 ? 255 : v | 0;
      }
    }
  }
  return hwcSplit(pixels, labels, resolution, resolution, channels);
}

/** The synthetic dataset of `shape` with `train` / `test` images, all drawn from `seed`. */
export function syntheticDataset(shape: DatasetShape, train: number, test: number, seed: number): RawDataset {
  if (shape.classes > MAX_CLASSES) {
    throw new DatasetError(`synthetic dataset: ${shape.classes} classes, but training supports at most ${MAX_CLASSES}`);
  }
  const grid = syntheticPrototypes(shape, seed);
  return {
    train: syntheticSplit(shape, train, streamRng(seed, 1), grid),
    test: syntheticSplit(shape, test, streamRng(seed, 2), grid),
  };
}
