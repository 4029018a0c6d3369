import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { tf, initBackend } from '../../src/train/backend';
import { datasetAtResolution } from '../../src/train/data/dataset';
import type { ImageSet } from '../../src/train/data/imageSet';
import { resizeImageSet } from '../../src/train/data/resize';

function set(images: number[], size: number, channels = 1): ImageSet {
  const count = images.length / (size * size * channels);
  return { images: Float32Array.from(images), labels: new Uint8Array(count), count, height: size, width: size, channels, classes: 10 };
}

before(async () => {
  await initBackend('cpu');
});

describe('resizeImageSet (bilinear, half-pixel centres)', () => {
  test('2×2 → 4×4 and 4×4 → 2×2 by hand', () => {
    // Rows [0, 4] / [8, 12]: columns sample at −0.25→0, 0.25, 0.75, 1.25→1.
    assert.deepEqual(Array.from(resizeImageSet(set([0, 4, 8, 12], 2), 4).images), [0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12]);
    // Downscaling by 2 samples at 0.5 and 2.5: the mean of each 2×2 block.
    const big = set(Array.from({ length: 16 }, (_, i) => i), 4);
    assert.deepEqual(Array.from(resizeImageSet(big, 2).images), [2.5, 4.5, 10.5, 12.5]);
    const same = set([1, 2, 3, 4], 2);
    assert.equal(resizeImageSet(same, 2), same);
  });

  test('equals tf.image.resizeBilinear with half-pixel centres, channels interleaved, several images', () => {
    const n = 3;
    const c = 3;
    const images = Array.from({ length: n * 28 * 28 * c }, (_, i) => Math.sin(i * 0.37) * 2);
    const ours = resizeImageSet(set(images, 28, c), 17);
    const theirs = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(images, [n, 28, 28, c]), [17, 17], false, true).dataSync());
    assert.equal(ours.images.length, theirs.length);
    for (let i = 0; i < theirs.length; i++) assert.ok(Math.abs(ours.images[i] - theirs[i]) < 1e-5, `${i}: ${ours.images[i]} vs ${theirs[i]}`);
    assert.deepEqual([ours.count, ours.height, ours.width, ours.channels], [3, 17, 17, 3]);
  });

  test('a dataset at another resolution: both splits resized, and kept for the next trial', () => {
    const d = { name: 'synthetic' as const, train: 64, test: 32, seed: 1, augment: { flip: false, padCrop: 0 }, channels: 1, resolution: 12, classes: 4 };
    const a = datasetAtResolution(d, 8);
    assert.deepEqual([a.train.height, a.test.width, a.train.count, a.test.count], [8, 8, 64, 32]);
    assert.equal(datasetAtResolution(d, 8), a);
    assert.equal(datasetAtResolution(d, 12).train.height, 12);
  });
});
