import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

import { parseSpaceText } from '../../src/core/space';
import type { ResolvedDataset } from '../../src/core/space/types';
import { drawPlacement, epochOrder, placeImage, type Placement } from '../../src/train/data/batches';
import { cifarSplit, checkCifarBatch } from '../../src/train/data/cifar';
import { batches, DatasetError, loadDataset, type ImageSet } from '../../src/train/data/dataset';
import { encodeIdx, IDX_FILES, parseIdxImages, parseIdxLabels, readIdxBytes } from '../../src/train/data/idx';
import { BUNDLED_FASHION_MNIST, candidates, findDataset, PACKAGE_ROOT } from '../../src/train/data/locate';
import { channelStats } from '../../src/train/data/normalize';
import { shuffledPrefix, streamRng } from '../../src/train/data/streams';
import { syntheticDataset } from '../../src/train/data/synthetic';

const BUNDLED = path.join(PACKAGE_ROOT, BUNDLED_FASHION_MNIST);
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-data-'));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));

let dirs = 0;
/** A fresh empty folder under the test's temp folder. */
function freshDir(name = 'd'): string {
  const dir = path.join(TMP, `${name}-${dirs++}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function dataset(overrides: Partial<ResolvedDataset> = {}): ResolvedDataset {
  return { name: 'fashion-mnist', train: 40, test: 10, seed: 0, augment: { flip: false, padCrop: 0 }, ...overrides };
}

/** The first error `fn` throws, checked to be a DatasetError. */
function datasetError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DatasetError, `expected a DatasetError, got ${e}`);
    return e.message;
  }
  assert.fail('expected a DatasetError');
}

/** Pixel j of image i in the tiny IDX sets: the first is the image's index, the others vary. */
const tinyPixel = (i: number, j: number) => (j === 0 ? i : (i * 7 + j) % 256);

/**
 * Writes a tiny MNIST-shaped set (28×28, labels i % 10) to `dir`: `train` / `test` images,
 * gzipped or raw per file.
 */
function writeTinyIdx(dir: string, train = 40, test = 10, gzip: (name: string) => boolean = () => true): void {
  for (const [split, count] of [['train', train], ['test', test]] as const) {
    const images = new Uint8Array(count * 784);
    for (let i = 0; i < count; i++) for (let j = 0; j < 784; j++) images[i * 784 + j] = tinyPixel(i, j);
    const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
    const files: [string, Uint8Array][] = [
      [IDX_FILES[split].images, encodeIdx([count, 28, 28], images)],
      [IDX_FILES[split].labels, encodeIdx([count], labels)],
    ];
    for (const [name, bytes] of files) {
      if (gzip(name)) fs.writeFileSync(path.join(dir, `${name}.gz`), zlib.gzipSync(bytes));
      else fs.writeFileSync(path.join(dir, name), bytes);
    }
  }
}

/** Undoes the normalization of one value: the original byte. */
const byteOf = (v: number, mean: number, std: number) => Math.round((v * std + mean) * 255) + 0; // + 0: no −0

const sameFloats = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function labelCounts(labels: Uint8Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

describe('the bundled Fashion-MNIST subset', () => {
  test('holds 10,000 / 2,000 28×28 images, 1,000 / 200 per class, bytes 0–255', () => {
    for (const [split, count, perClass] of [['train', 10000, 1000], ['test', 2000, 200]] as const) {
      const imagesFile = path.join(BUNDLED, `${IDX_FILES[split].images}.gz`);
      const labelsFile = path.join(BUNDLED, `${IDX_FILES[split].labels}.gz`);
      const images = parseIdxImages(readIdxBytes(imagesFile), imagesFile);
      assert.deepEqual([images.count, images.height, images.width, images.pixels.length], [count, 28, 28, count * 784]);
      assert.deepEqual([images.pixels.reduce((a, b) => Math.min(a, b)), images.pixels.reduce((a, b) => Math.max(a, b))], [0, 255]);
      const labels = parseIdxLabels(readIdxBytes(labelsFile), labelsFile, 10);
      assert.deepEqual(labelCounts(labels, 10), new Array(10).fill(perClass));
    }
    for (const file of ['LICENSE', 'README.md']) assert.ok(fs.existsSync(path.join(BUNDLED, file)), file);
    assert.match(fs.readFileSync(path.join(BUNDLED, 'LICENSE'), 'utf8'), /Copyright \(c\) 2017 Zalando SE/);
  });

  test('is what fashion-mnist loads by default, normalized with its training statistics', () => {
    const d = loadDataset(dataset({ train: 10000, test: 2000 }), { env: {} });
    assert.equal(d.source, 'bundled subset data/fashion-mnist (10000 train / 2000 test)');
    const { train, test } = d;
    assert.deepEqual([train.count, train.height, train.width, train.channels, train.classes], [10000, 28, 28, 1, 10]);
    assert.deepEqual([test.count, test.images.length, test.labels.length], [2000, 2000 * 784, 2000]);
    assert.deepEqual(labelCounts(train.labels, 10), new Array(10).fill(1000));
    // All 10,000 training images: the statistics of the subset itself (Fashion-MNIST's are 0.2860 / 0.3530).
    assert.equal(d.normalization.mean[0].toFixed(4), '0.2858');
    assert.equal(d.normalization.std[0].toFixed(4), '0.3527');
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of train.images) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    // Byte 0 → −mean/std, byte 255 → (1 − mean)/std.
    assert.equal(lo.toFixed(4), (-0.28581943 / 0.35269199).toFixed(4));
    assert.equal(hi.toFixed(4), ((1 - 0.28581943) / 0.35269199).toFixed(4));
  });

  test('reads the same from raw (un-gzipped) copies', () => {
    const raw = freshDir('raw');
    for (const file of fs.readdirSync(BUNDLED).filter((f) => f.endsWith('.gz'))) {
      fs.writeFileSync(path.join(raw, file.slice(0, -3)), zlib.gunzipSync(fs.readFileSync(path.join(BUNDLED, file))));
    }
    const fromRaw = loadDataset(dataset({ path: raw, train: 3000, test: 500, seed: 5 }));
    const fromGz = loadDataset(dataset({ path: BUNDLED, train: 3000, test: 500, seed: 5 }));
    assert.equal(fromRaw.source, `dataset.path ${raw} (10000 train / 2000 test)`);
    assert.ok(sameFloats(fromRaw.train.images, fromGz.train.images));
    assert.ok(sameFloats(fromRaw.test.images, fromGz.test.images));
    assert.deepEqual(fromRaw.train.labels, fromGz.train.labels);
    assert.deepEqual(fromRaw.normalization, fromGz.normalization);
  });
});

describe('IDX files', () => {
  test('gzipped, raw, mixed, misnamed and dotted files all read; pixels and labels come through', () => {
    const mixed = freshDir('mixed');
    writeTinyIdx(mixed, 40, 10, (name) => name.startsWith('train'));
    // Gzip data is recognized by its content, not only by the name.
    fs.renameSync(path.join(mixed, 'train-labels-idx1-ubyte.gz'), path.join(mixed, 'train-labels-idx1-ubyte'));
    const dotted = freshDir('dotted');
    writeTinyIdx(dotted, 40, 10, () => false);
    for (const f of fs.readdirSync(dotted)) fs.renameSync(path.join(dotted, f), path.join(dotted, f.replace('-idx', '.idx')));
    for (const dir of [mixed, dotted]) {
      const d = loadDataset(dataset({ name: 'mnist', path: dir, train: 40, test: 10 }));
      const { mean, std } = d.normalization;
      // Every image is identified by its first pixel.
      for (let k = 0; k < d.train.count; k++) {
        const i = byteOf(d.train.images[k * 784], mean[0], std[0]);
        assert.equal(d.train.labels[k], i % 10);
        for (const j of [1, 300, 783]) assert.equal(byteOf(d.train.images[k * 784 + j], mean[0], std[0]), tinyPixel(i, j));
      }
      assert.deepEqual([...d.train.labels].sort(), [...Array.from({ length: 40 }, (_, i) => i % 10)].sort());
    }
  });

  test('a truncated image file names the file and the sizes', () => {
    const dir = freshDir('trunc');
    writeTinyIdx(dir, 10, 5, () => false);
    const file = path.join(dir, 'train-images-idx3-ubyte');
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 1000));
    assert.equal(
      datasetError(() => loadDataset(dataset({ path: dir, train: 10, test: 5 }))),
      `${file}: truncated: header says 10 images of 28×28 (7856 bytes) but the file has 1000 bytes`,
    );
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 9));
    assert.equal(datasetError(() => loadDataset(dataset({ path: dir, train: 10, test: 5 }))), `${file}: truncated: 9 bytes, shorter than the 16-byte header`);
  });

  test('a truncated gzip file, or bytes after the data, are errors naming the file', () => {
    const dir = freshDir('trunc-gz');
    writeTinyIdx(dir, 10, 5);
    const gz = path.join(dir, 't10k-images-idx3-ubyte.gz');
    const whole = fs.readFileSync(gz);
    fs.writeFileSync(gz, whole.subarray(0, whole.length >> 1));
    assert.match(datasetError(() => loadDataset(dataset({ path: dir, train: 10, test: 5 }))), new RegExp(`^${gz}: truncated gzip data \\(`));
    const longer = Buffer.concat([encodeIdx([5, 28, 28], new Uint8Array(5 * 784)), Buffer.from([1, 2, 3])]);
    fs.writeFileSync(gz, zlib.gzipSync(longer));
    assert.equal(
      datasetError(() => loadDataset(dataset({ path: dir, train: 10, test: 5 }))),
      `${gz}: corrupt: header says 5 images of 28×28 (3936 bytes) but the file has 3939 bytes uncompressed (3 bytes too many)`,
    );
  });

  test('a wrong magic number says what the file is instead', () => {
    const dir = freshDir('magic');
    writeTinyIdx(dir, 10, 5, () => false);
    const images = path.join(dir, 'train-images-idx3-ubyte');
    fs.copyFileSync(path.join(dir, 'train-labels-idx1-ubyte'), images);
    assert.equal(
      datasetError(() => loadDataset(dataset({ path: dir, train: 10, test: 5 }))),
      `${images}: not an IDX images file: magic number is 0x00000801 (a label file), expected 0x00000803`,
    );
    const bytes = encodeIdx([10, 28, 28], new Uint8Array(7840));
    bytes[2] = 0x0d; // float elements
    fs.writeFileSync(images, bytes);
    assert.match(datasetError(() => loadDataset(dataset({ path: dir, train: 10, test: 5 }))), /train-images-idx3-ubyte: not an IDX images file: magic number is 0x00000d03, expected 0x00000803$/);
  });

  test('image and label counts must agree', () => {
    const dir = freshDir('counts');
    writeTinyIdx(dir, 10, 5);
    const labels = path.join(dir, 'train-labels-idx1-ubyte.gz');
    fs.writeFileSync(labels, zlib.gzipSync(encodeIdx([9], new Uint8Array(9))));
    assert.equal(
      datasetError(() => loadDataset(dataset({ path: dir, train: 9, test: 5 }))),
      `${path.join(dir, 'train-images-idx3-ubyte.gz')} has 10 images but ${labels} has 9 labels`,
    );
  });

  test('a label out of range names the file and the image', () => {
    const dir = freshDir('label');
    writeTinyIdx(dir, 10, 5, () => false);
    const labels = path.join(dir, 't10k-labels-idx1-ubyte');
    fs.writeFileSync(labels, encodeIdx([5], Uint8Array.from([0, 1, 2, 10, 4])));
    assert.equal(datasetError(() => loadDataset(dataset({ path: dir, train: 10, test: 5 }))), `${labels}: label 10 of image 3 is out of range (10 classes: 0–9)`);
  });

  test('images of another size than the dataset’s are refused', () => {
    const dir = freshDir('size');
    writeTinyIdx(dir, 10, 5, () => false);
    const images = path.join(dir, 't10k-images-idx3-ubyte');
    fs.writeFileSync(images, encodeIdx([5, 32, 32], new Uint8Array(5 * 1024)));
    assert.equal(datasetError(() => loadDataset(dataset({ name: 'mnist', path: dir, train: 10, test: 5 }))), `${images}: images are 32×32, but mnist images are 28×28`);
  });

  test('a missing file, folder or image count is named', () => {
    const dir = freshDir('missing');
    writeTinyIdx(dir, 10, 5);
    fs.rmSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'));
    assert.equal(datasetError(() => loadDataset(dataset({ path: dir, train: 10, test: 5 }))), `${dir}: missing t10k-labels-idx1-ubyte(.gz)`);
    const nowhere = path.join(TMP, 'no-such-folder');
    assert.equal(datasetError(() => loadDataset(dataset({ path: nowhere }))), `dataset.path ${nowhere}: no such folder`);
    const file = path.join(dir, 'train-images-idx3-ubyte.gz');
    assert.equal(datasetError(() => loadDataset(dataset({ path: file }))), `dataset.path ${file}: not a folder; give the folder that holds the fashion-mnist files`);
    assert.match(datasetError(() => loadDataset(dataset({ path: freshDir('empty') }))), /holds none of the fashion-mnist files; expected train-images-idx3-ubyte/);
    const small = freshDir('small');
    writeTinyIdx(small, 10, 5);
    assert.equal(
      datasetError(() => loadDataset(dataset({ path: small, train: 11, test: 5 }))),
      `dataset.path ${small}: has 10 train / 5 test images, fewer than the 11 train / 5 test the dataset asks for`,
    );
  });

  test('a relative dataset.path is read against baseDir', () => {
    const dir = freshDir('base');
    fs.mkdirSync(path.join(dir, 'data'));
    writeTinyIdx(path.join(dir, 'data'), 10, 5);
    const d = loadDataset(dataset({ path: 'data', train: 10, test: 5 }), { baseDir: dir });
    assert.equal(d.source, `dataset.path ${path.join(dir, 'data')} (10 train / 5 test)`);
  });
});

describe('CIFAR-10 binary', () => {
  /** Record of image `id`: label `id % 10`, red (y, x) = y·8 + x + id, green = red + 100, blue = 255 − red. */
  function record(id: number): Uint8Array {
    const r = new Uint8Array(3073);
    r[0] = id % 10;
    for (let p = 0; p < 1024; p++) {
      const red = (p + id) % 256; // p = y·32 + x
      r[1 + p] = red;
      r[1 + 1024 + p] = (red + 100) % 256;
      r[1 + 2048 + p] = 255 - red;
    }
    return r;
  }
  const batchOf = (ids: number[]) => Buffer.concat(ids.map(record));

  test('planar records become HWC pixels', () => {
    const split = cifarSplit([batchOf([0, 1]), batchOf([2])]);
    assert.deepEqual([split.count, split.height, split.width, split.channels], [3, 32, 32, 3]);
    assert.deepEqual([...split.labels], [0, 1, 2]);
    const out = new Uint8Array(3072);
    split.read(2, out, 0); // image 2 lives in the second batch
    // pixel (y = 1, x = 2) is plane index 34: red 36, green 136, blue 219.
    assert.deepEqual([...out.subarray((1 * 32 + 2) * 3, (1 * 32 + 2) * 3 + 3)], [36, 136, 219]);
    assert.deepEqual([...out.subarray(0, 3)], [2, 102, 253]);
    assert.deepEqual([...out.subarray(3069)], [(1023 + 2) % 256, (1023 + 2 + 100) % 256, 255 - ((1023 + 2) % 256)]);
  });

  test('loads from cifar-10-batches-bin/ as normalized NHWC, every image intact', () => {
    const dir = freshDir('cifar');
    const inner = path.join(dir, 'cifar-10-batches-bin');
    fs.mkdirSync(inner);
    // 10 training images in 5 batches (labels 0–9, one each), 3 test images.
    for (let b = 1; b <= 5; b++) fs.writeFileSync(path.join(inner, `data_batch_${b}.bin`), batchOf([2 * b - 2, 2 * b - 1]));
    fs.writeFileSync(path.join(inner, 'test_batch.bin'), batchOf([20, 21, 22]));
    const d = loadDataset(dataset({ name: 'cifar10', path: dir, train: 10, test: 3 }));
    assert.equal(d.source, `dataset.path ${dir} (10 train / 3 test)`);
    assert.deepEqual([d.train.count, d.train.height, d.train.width, d.train.channels, d.train.classes], [10, 32, 32, 3, 10]);
    assert.deepEqual([...d.train.labels].sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const { mean, std } = d.normalization;
    for (const [set, idOf] of [[d.train, (l: number) => l], [d.test, (l: number) => 20 + l]] as const) {
      for (let k = 0; k < set.count; k++) {
        const id = idOf(set.labels[k]);
        for (const [y, x] of [[0, 0], [1, 2], [31, 31], [17, 5]]) {
          const red = (y * 32 + x + id) % 256;
          const at = ((k * 32 + y) * 32 + x) * 3;
          const got = [0, 1, 2].map((c) => byteOf(set.images[at + c], mean[c], std[c]));
          assert.deepEqual(got, [red, (red + 100) % 256, 255 - red], `image ${id} pixel (${y}, ${x})`);
        }
      }
    }
  });

  test('a size that is not a multiple of 3073, a bad label or a missing batch is an error naming the file', () => {
    assert.equal(
      datasetError(() => checkCifarBatch(new Uint8Array(3073 * 2 + 5), 'x/data_batch_1.bin', 10)),
      'x/data_batch_1.bin: truncated or corrupt: 6151 bytes is not a whole number of 3073-byte records (2 records and 5 bytes left over)',
    );
    const bad = batchOf([0, 1]);
    bad[3073] = 10;
    assert.equal(datasetError(() => checkCifarBatch(bad, 'x/test_batch.bin', 10)), 'x/test_batch.bin: label 10 of record 1 is out of range (10 classes: 0–9)');
    const dir = freshDir('cifar-missing');
    for (const b of [1, 2, 4, 5]) fs.writeFileSync(path.join(dir, `data_batch_${b}.bin`), batchOf([b]));
    fs.writeFileSync(path.join(dir, 'test_batch.bin'), batchOf([0]));
    assert.equal(datasetError(() => loadDataset(dataset({ name: 'cifar10', path: dir, train: 1, test: 1 }))), `${dir}: missing data_batch_3.bin`);
    fs.writeFileSync(path.join(dir, 'data_batch_3.bin'), batchOf([3]).subarray(0, 3000));
    assert.match(datasetError(() => loadDataset(dataset({ name: 'cifar10', path: dir, train: 1, test: 1 }))), /data_batch_3\.bin: truncated or corrupt: 3000 bytes/);
  });
});

describe('synthetic images', () => {
  const synthetic = (overrides: Partial<ResolvedDataset> = {}) =>
    dataset({ name: 'synthetic', train: 500, test: 200, seed: 3, channels: 3, resolution: 12, classes: 10, ...overrides });

  test('take their shape and counts from the resolved space file', () => {
    const file = parseSpaceText('version: 1\ndataset: { name: synthetic, channels: 2, resolution: 9, classes: 4, train: 64, test: 16 }\nspaces:\n  A: { type: anynet, depth: 1, width: 8, bottleneck: 1, groupWidth: 1 }\n');
    const resolved = file.resolved!.dataset;
    assert.deepEqual([resolved.channels, resolved.resolution, resolved.classes], [2, 9, 4]);
    const d = loadDataset(resolved);
    assert.deepEqual([d.train.count, d.train.height, d.train.width, d.train.channels, d.train.classes, d.test.count], [64, 9, 9, 2, 4, 16]);
    assert.equal(d.train.images.length, 64 * 9 * 9 * 2);
    assert.deepEqual(labelCounts(d.train.labels, 4), [16, 16, 16, 16]);
    assert.equal(d.source, 'synthetic (seed 0, 2×9×9, 4 classes)');
    // Without a shape, DATASETS.synthetic's: 3×32×32, 10 classes.
    const plain = loadDataset(dataset({ name: 'synthetic', train: 20, test: 10 }));
    assert.deepEqual([plain.train.channels, plain.train.height, plain.train.classes], [3, 32, 10]);
  });

  test('the same seed gives the same bytes; another seed other bytes', () => {
    const a = syntheticDataset({ channels: 1, resolution: 8, classes: 10 }, 50, 20, 7);
    const b = syntheticDataset({ channels: 1, resolution: 8, classes: 10 }, 50, 20, 7);
    const c = syntheticDataset({ channels: 1, resolution: 8, classes: 10 }, 50, 20, 8);
    const bytes = (raw: typeof a, split: 'train' | 'test') => {
      const out = new Uint8Array(raw[split].count * 64);
      for (let i = 0; i < raw[split].count; i++) raw[split].read(i, out, i * 64);
      return out;
    };
    assert.deepEqual(bytes(a, 'train'), bytes(b, 'train'));
    assert.deepEqual(bytes(a, 'test'), bytes(b, 'test'));
    assert.notDeepEqual(bytes(a, 'train'), bytes(c, 'train'));
    assert.notDeepEqual(bytes(a, 'train').subarray(0, 20 * 64), bytes(a, 'test'));
    const x = loadDataset(synthetic());
    const y = loadDataset(synthetic());
    assert.ok(sameFloats(x.train.images, y.train.images) && sameFloats(x.test.images, y.test.images));
    assert.deepEqual(x.normalization, y.normalization);
  });

  test('classes are separable: nearest class mean is far above chance on the test split', () => {
    for (const shape of [{ channels: 1, resolution: 8 }, { channels: 3, resolution: 12 }]) {
      const { train, test } = loadDataset(synthetic(shape));
      const size = train.height * train.width * train.channels;
      const means = new Float64Array(10 * size);
      for (let i = 0; i < train.count; i++) for (let j = 0; j < size; j++) means[train.labels[i] * size + j] += train.images[i * size + j] / 50;
      let correct = 0;
      for (let i = 0; i < test.count; i++) {
        let best = -1;
        let bestDistance = Infinity;
        for (let c = 0; c < 10; c++) {
          let distance = 0;
          for (let j = 0; j < size; j++) distance += (test.images[i * size + j] - means[c * size + j]) ** 2;
          if (distance < bestDistance) [best, bestDistance] = [c, distance];
        }
        if (best === test.labels[i]) correct++;
      }
      // Chance is 10%; measured 91% (1×8×8) and 100% (3×12×12).
      assert.ok(correct / test.count > 0.6, `${JSON.stringify(shape)}: ${correct} / ${test.count}`);
    }
  });

  test('more classes than a label byte holds are refused', () => {
    assert.equal(
      datasetError(() => loadDataset(synthetic({ classes: 1000, train: 10, test: 10 }))),
      'synthetic dataset: 1000 classes, but training supports at most 256',
    );
  });
});

describe('the fixed subset and normalization', () => {
  test('a seeded shuffle prefix: deterministic, no repeats, smaller n a prefix of larger n', () => {
    const a = shuffledPrefix(1000, 100, streamRng(4, 3));
    assert.deepEqual(a, shuffledPrefix(1000, 100, streamRng(4, 3)));
    assert.equal(new Set(a).size, 100);
    assert.ok(a.every((i) => i < 1000));
    assert.deepEqual(shuffledPrefix(1000, 30, streamRng(4, 3)), a.subarray(0, 30));
    assert.notDeepEqual(shuffledPrefix(1000, 100, streamRng(5, 3)), a);
    const all = shuffledPrefix(10, 10, streamRng(0, 0));
    assert.deepEqual([...all].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('loading twice with a seed gives the same subset; another seed another', () => {
    const dir = freshDir('subset');
    writeTinyIdx(dir, 40, 10);
    const first = (seed: number) => {
      const d = loadDataset(dataset({ name: 'mnist', path: dir, train: 20, test: 5, seed }));
      const { mean, std } = d.normalization;
      // Which images were chosen, in order: image i has first pixel i.
      return [...Array(d.train.count).keys()].map((k) => byteOf(d.train.images[k * 784], mean[0], std[0]));
    };
    assert.deepEqual(first(1), first(1));
    assert.notDeepEqual(first(1), first(2));
    assert.equal(new Set(first(1)).size, 20);
  });

  test('the training split has mean 0 and std 1 per channel; the test split uses the same statistics', () => {
    const d = loadDataset(dataset({ name: 'synthetic', train: 300, test: 100, channels: 3, resolution: 10, classes: 5, seed: 9 }));
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      let squares = 0;
      for (let i = c; i < d.train.images.length; i += 3) {
        sum += d.train.images[i];
        squares += d.train.images[i] ** 2;
      }
      const n = d.train.images.length / 3;
      assert.ok(Math.abs(sum / n) < 1e-5, `channel ${c} mean ${sum / n}`);
      assert.ok(Math.abs(Math.sqrt(squares / n - (sum / n) ** 2) - 1) < 1e-5, `channel ${c} std`);
    }
    // Test pixels are (byte/255 − train mean) / train std: checked on sums, which do not depend on the order.
    const dir = freshDir('norm');
    writeTinyIdx(dir, 40, 10);
    const tiny = loadDataset(dataset({ name: 'mnist', path: dir, train: 40, test: 10 }));
    let trainSum = 0;
    let trainSquares = 0;
    for (let i = 0; i < 40; i++) {
      for (let j = 0; j < 784; j++) {
        trainSum += tinyPixel(i, j) / 255;
        trainSquares += (tinyPixel(i, j) / 255) ** 2;
      }
    }
    const mean = trainSum / (40 * 784);
    const std = Math.sqrt(trainSquares / (40 * 784) - mean * mean);
    assert.ok(Math.abs(tiny.normalization.mean[0] - mean) < 1e-12 && Math.abs(tiny.normalization.std[0] - std) < 1e-12);
    let expected = 0;
    for (let i = 0; i < 10; i++) for (let j = 0; j < 784; j++) expected += (tinyPixel(i, j) / 255 - mean) / std;
    const actual = tiny.test.images.reduce((a, v) => a + v, 0);
    assert.ok(Math.abs(actual - expected) < 1e-2, `${actual} vs ${expected}`);
    assert.ok(Math.abs(expected) > 100, 'the test split is not centred by its own statistics');
    assert.deepEqual(channelStats(Uint8Array.from([0, 255, 0, 255]), 1), { mean: [0.5], std: [0.5] });
    assert.deepEqual(channelStats(Uint8Array.from([0, 51, 0, 51]), 2), { mean: [0, 0.2], std: [0, 0] });
  });
});

describe('where data is found', () => {
  test('DSLAB_DATA, the bundled subset, the system folder, then the search paths', () => {
    assert.ok(fs.existsSync(path.join(PACKAGE_ROOT, 'package.json')));
    assert.deepEqual(
      candidates('fashion-mnist', ['/s'], { DSLAB_DATA: '/d' }).map((c) => [c.folder, c.label, c.bundled ?? false]),
      [
        ['/d/fashion-mnist', 'DSLAB_DATA /d/fashion-mnist', false],
        [BUNDLED, 'bundled subset data/fashion-mnist', true],
        ['/usr/share/datasets/fashion-mnist', '/usr/share/datasets/fashion-mnist', false],
        ['/s/fashion-mnist', '/s/fashion-mnist', false],
      ],
    );
    assert.deepEqual(candidates('mnist', [], {}).map((c) => c.folder), ['/usr/share/datasets/mnist']);
    assert.deepEqual(candidates('cifar10', ['/s', '/t'], {}).map((c) => c.folder), ['/s/cifar10', '/s', '/t/cifar10', '/t']);
  });

  test('the first location with enough images wins; a too-small bundled subset is said so', () => {
    const small = freshDir('small');
    writeTinyIdx(small, 10, 5);
    const big = freshDir('big');
    writeTinyIdx(big, 40, 10);
    const missing = path.join(TMP, 'nothing-here');
    const list = [
      { folder: missing, label: 'nowhere' },
      { folder: small, label: 'bundled subset', bundled: true },
      { folder: big, label: 'full' },
    ];
    const shape = { resolution: 28, classes: 10 };
    assert.equal(findDataset(dataset({ train: 10, test: 5 }), list, shape).source, 'bundled subset (10 train / 5 test)');
    assert.equal(findDataset(dataset({ train: 20, test: 5 }), list, shape).source, 'full (40 train / 10 test)');
    assert.equal(
      datasetError(() => findDataset(dataset({ train: 20, test: 5 }), list.slice(0, 2), shape)),
      'fashion-mnist: the dataset asks for 20 train / 5 test images, but the bundled subset holds only 10 train / 5 test and the full set was not found. Looked in:\n' +
        '  nowhere: not found\n  bundled subset: only 10 train / 5 test\n' +
        'To get it: install the full set with `apt-get install dataset-fashion-mnist`, or set dataset.path to a folder holding the four Fashion-MNIST IDX files train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each raw or .gz).',
    );
  });

  test('DSLAB_DATA and search paths are used; when nothing is found the error lists where it looked', () => {
    const root = freshDir('root');
    fs.mkdirSync(path.join(root, 'mnist'));
    writeTinyIdx(path.join(root, 'mnist'), 40, 10);
    assert.equal(loadDataset(dataset({ name: 'mnist' }), { env: { DSLAB_DATA: root } }).source, `DSLAB_DATA ${path.join(root, 'mnist')} (40 train / 10 test)`);
    assert.equal(loadDataset(dataset({ name: 'mnist' }), { env: {}, searchPaths: [root] }).source, `${path.join(root, 'mnist')} (40 train / 10 test)`);
    const empty = freshDir('empty');
    const message = datasetError(() => loadDataset(dataset({ name: 'cifar10' }), { env: {}, searchPaths: [empty] }));
    assert.equal(
      message,
      `cifar10: dataset not found. Looked in:\n  ${path.join(empty, 'cifar10')}: not found\n  ${empty}: not found\n` +
        'To get it: download the "CIFAR-10 binary version" (cifar-10-binary.tar.gz) from www.cs.toronto.edu/~kriz/cifar.html, unpack it and set dataset.path to the folder holding cifar-10-batches-bin/.',
    );
    // Nowhere at all to look: the message says why, rather than an empty list.
    assert.equal(
      datasetError(() => findDataset(dataset({ name: 'cifar10' }), [], { resolution: 32, classes: 10 })),
      'cifar10: dataset not found. There is no place to look: no bundled copy, and neither dataset.path nor $DSLAB_DATA (a folder holding cifar10/) is set.\n' +
        'To get it: download the "CIFAR-10 binary version" (cifar-10-binary.tar.gz) from www.cs.toronto.edu/~kriz/cifar.html, unpack it and set dataset.path to the folder holding cifar-10-batches-bin/.',
    );
    // A folder with part of a dataset is an error, not a silent skip.
    const partial = freshDir('partial');
    fs.mkdirSync(path.join(partial, 'mnist'));
    writeTinyIdx(path.join(partial, 'mnist'), 40, 10);
    fs.rmSync(path.join(partial, 'mnist', 'train-images-idx3-ubyte.gz'));
    assert.equal(datasetError(() => loadDataset(dataset({ name: 'mnist' }), { env: { DSLAB_DATA: partial } })), `${path.join(partial, 'mnist')}: missing train-images-idx3-ubyte(.gz)`);
  });
});

describe('batches', () => {
  /** `count` images of 2×2×1 whose four pixels are all the image's index. */
  function indexed(count: number): ImageSet {
    const images = new Float32Array(count * 4);
    for (let i = 0; i < count; i++) images.fill(i, i * 4, i * 4 + 4);
    return { images, labels: Uint8Array.from({ length: count }, (_, i) => i % 7), count, height: 2, width: 2, channels: 1, classes: 7 };
  }
  const visit = (set: ImageSet, batchSize: number, seed: number, epoch: number, shuffle = true) =>
    [...batches(set, batchSize, { shuffle, seed, epoch })].map((b) => ({ n: b.n, ids: [...Array(b.n).keys()].map((k) => b.x[k * 4]), y: [...b.y] }));

  test('every image once per epoch, the last batch partial, labels with their images', () => {
    const set = indexed(103);
    const epoch = visit(set, 10, 1, 0);
    assert.deepEqual(epoch.map((b) => b.n), [10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
    const ids = epoch.flatMap((b) => b.ids);
    assert.deepEqual([...ids].sort((a, b) => a - b), [...Array(103).keys()]);
    assert.notDeepEqual(ids, [...Array(103).keys()]);
    for (const b of epoch) assert.deepEqual(b.y, b.ids.map((i) => i % 7));
    // Every pixel of an image travels with it.
    for (const b of batches(set, 10, { shuffle: true, seed: 1, epoch: 0 })) {
      for (let k = 0; k < b.n; k++) assert.deepEqual([...b.x.subarray(k * 4, k * 4 + 4)], new Array(4).fill(b.x[k * 4]));
    }
  });

  test('the same (seed, epoch) repeats; another epoch or seed reorders', () => {
    const set = indexed(50);
    const order = (seed: number, epoch: number) => visit(set, 8, seed, epoch).flatMap((b) => b.ids);
    assert.deepEqual(order(1, 0), order(1, 0));
    assert.notDeepEqual(order(1, 0), order(1, 1));
    assert.notDeepEqual(order(1, 0), order(2, 0));
    assert.deepEqual([...epochOrder(5, false, streamRng(0, 1))], [0, 1, 2, 3, 4]);
  });

  test('without shuffle or augmentation: in order, as views of the set', () => {
    const set = indexed(10);
    const all = [...batches(set, 4, { shuffle: false, seed: 0, epoch: 0 })];
    assert.deepEqual(all.map((b) => b.n), [4, 4, 2]);
    assert.ok(all.every((b) => b.x.buffer === set.images.buffer && b.y.buffer === set.labels.buffer));
    assert.deepEqual(all.flatMap((b) => [...b.y]), [0, 1, 2, 3, 4, 5, 6, 0, 1, 2]);
    assert.throws(() => [...batches(set, 0, { shuffle: false, seed: 0, epoch: 0 })], /batch size must be a positive integer/);
  });
});

describe('augmentation', () => {
  // A 3×3 one-channel image:  1 2 3 / 4 5 6 / 7 8 9.
  const image = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const place = (p: Placement, src = image, h = 3, w = 3, c = 1) => {
    const out = new Float32Array(h * w * c).fill(-1);
    placeImage(src, 0, out, 0, h, w, c, p);
    return [...out];
  };

  test('flip mirrors columns; pad-crop shifts with zeros coming in', () => {
    assert.deepEqual(place({ flip: true, top: 0, left: 0, pad: 0 }), [3, 2, 1, 6, 5, 4, 9, 8, 7]);
    assert.deepEqual(place({ flip: false, top: 1, left: 1, pad: 1 }), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(place({ flip: false, top: 0, left: 0, pad: 1 }), [0, 0, 0, 0, 1, 2, 0, 4, 5]);
    assert.deepEqual(place({ flip: false, top: 1, left: 0, pad: 1 }), [0, 1, 2, 0, 4, 5, 0, 7, 8]);
    assert.deepEqual(place({ flip: false, top: 2, left: 2, pad: 2 }), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(place({ flip: false, top: 4, left: 3, pad: 2 }), [8, 9, 0, 0, 0, 0, 0, 0, 0]);
    // Flip first, then crop (pycls's order): the mirrored image shifted down-right.
    assert.deepEqual(place({ flip: true, top: 0, left: 0, pad: 1 }), [0, 0, 0, 0, 3, 2, 0, 6, 5]);
    // Channels stay together: a 1×2 image with two channels, (1, 10) (2, 20).
    assert.deepEqual(place({ flip: true, top: 0, left: 0, pad: 0 }, Float32Array.from([1, 10, 2, 20]), 1, 2, 2), [2, 20, 1, 10]);
  });

  test('draws: flip about half the time, crop offsets 0…2·pad−1 as pycls', () => {
    const rng = streamRng(1, 1);
    let flips = 0;
    const tops = new Set<number>();
    const lefts = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const p = drawPlacement(rng, { flip: true, padCrop: 2 });
      if (p.flip) flips++;
      tops.add(p.top);
      lefts.add(p.left);
    }
    assert.ok(flips > 900 && flips < 1100, `${flips} flips in 2000`);
    assert.deepEqual([...tops].sort(), [0, 1, 2, 3]);
    assert.deepEqual([...lefts].sort(), [0, 1, 2, 3]);
    assert.deepEqual(drawPlacement(rng, { flip: false, padCrop: 0 }), { flip: false, top: 0, left: 0, pad: 0 });
  });

  test('batches apply one of the possible placements to each image, reproducibly', () => {
    const count = 200;
    const images = new Float32Array(count * 9);
    for (let i = 0; i < count; i++) images.set(image, i * 9);
    const set: ImageSet = { images, labels: new Uint8Array(count), count, height: 3, width: 3, channels: 1, classes: 1 };
    const augment = { flip: true, padCrop: 1 };
    const possible = new Map<string, number>();
    for (const flip of [false, true]) for (const top of [0, 1]) for (const left of [0, 1]) possible.set(place({ flip, top, left, pad: 1 }).join(), 0);
    const run = (epoch: number) => [...batches(set, 32, { shuffle: false, seed: 4, epoch, augment })].flatMap((b) => [...Array(b.n).keys()].map((k) => [...b.x.subarray(k * 9, k * 9 + 9)].join()));
    const seen = run(0);
    for (const s of seen) {
      assert.ok(possible.has(s), s);
      possible.set(s, possible.get(s)! + 1);
    }
    assert.ok([...possible.values()].every((n) => n > 0), 'all 8 placements occur');
    assert.deepEqual(run(0), seen);
    assert.notDeepEqual(run(1), seen);
    // The set itself is untouched.
    assert.deepEqual([...set.images.subarray(0, 9)], [...image]);
  });
});
