/**
 * Images as stored on disk, before a subset is chosen: 8-bit pixels, read one image at a time so
 * that a format whose layout differs from ours (CIFAR's planar channels) converts only the
 * images actually used.
 */
export interface RawSplit {
  count: number;
  height: number;
  width: number;
  channels: number;
  /** One class index per image. */
  labels: Uint8Array;
  /** Writes image `i` as height×width×channels bytes (HWC, row-major) into `out` at `offset`. */
  read(i: number, out: Uint8Array, offset: number): void;
}

/** A dataset's two splits as found. */
export interface RawDataset {
  train: RawSplit;
  test: RawSplit;
}

/** A RawSplit over bytes already in HWC order, image after image. */
export function hwcSplit(pixels: Uint8Array, labels: Uint8Array, height: number, width: number, channels: number): RawSplit {
  const size = height * width * channels;
  return {
    count: labels.length,
    height,
    width,
    channels,
    labels,
    read(i, out, offset) {
      out.set(pixels.subarray(i * size, (i + 1) * size), offset);
    },
  };
}

/** "28×28" or "3×32×32": an image shape as messages write it. */
export function shapeText(split: { height: number; width: number; channels: number }): string {
  return split.channels === 1 ? `${split.height}×${split.width}` : `${split.channels}×${split.height}×${split.width}`;
}
