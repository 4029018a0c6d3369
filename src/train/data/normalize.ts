/**
 * Per-channel normalization: mean and standard deviation of the training images (on the 0–1
 * pixel scale, as datasets' published statistics are given), applied to both splits.
 */

/** Per-channel statistics, pixels scaled to [0, 1]. */
export interface Normalization {
  mean: number[];
  std: number[];
}

/** Mean and (population) standard deviation of each channel over HWC bytes of any number of images. */
export function channelStats(pixels: Uint8Array, channels: number): Normalization {
  // Integer sums per channel: exact, and far faster than summing floats.
  const sum = new Float64Array(channels);
  const squares = new Float64Array(channels);
  const histogram = new Float64Array(channels * 256);
  for (let i = 0; i < pixels.length; i += channels) {
    for (let c = 0; c < channels; c++) histogram[c * 256 + pixels[i + c]]++;
  }
  for (let c = 0; c < channels; c++) {
    for (let v = 0; v < 256; v++) {
      const n = histogram[c * 256 + v];
      sum[c] += n * v;
      squares[c] += n * v * v;
    }
  }
  const perChannel = pixels.length / channels;
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < channels; c++) {
    const m = perChannel > 0 ? sum[c] / perChannel : 0;
    const variance = perChannel > 0 ? Math.max(0, squares[c] / perChannel - m * m) : 0;
    mean.push(m / 255);
    std.push(Math.sqrt(variance) / 255);
  }
  return { mean, std };
}

/** (pixel/255 − mean) / std per channel, as float32; a constant channel (std 0) is only centred. */
export function normalizePixels(pixels: Uint8Array, channels: number, norm: Normalization): Float32Array {
  const table = new Float32Array(channels * 256);
  for (let c = 0; c < channels; c++) {
    const std = norm.std[c] > 0 ? norm.std[c] : 1;
    for (let v = 0; v < 256; v++) table[c * 256 + v] = (v / 255 - norm.mean[c]) / std;
  }
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i += channels) {
    for (let c = 0; c < channels; c++) out[i + c] = table[c * 256 + pixels[i + c]];
  }
  return out;
}
