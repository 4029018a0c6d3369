/**
 * The images a trial trains and tests on: the dataset found on disk (or made, for synthetic),
 * a fixed seeded subset of the requested size, normalized per channel with the training
 * subset's statistics, as float32 NHWC. No tfjs here: plain typed arrays.
 */
import { DATASETS, type DatasetShape } from '../../core/space/datasets';
import type { ResolvedDataset } from '../../core/space/types';
import { DatasetError } from './errors';
import { candidates, findDataset, readGivenPath, type Found } from './locate';
import { channelStats, normalizePixels, type Normalization } from './normalize';
import { shapeText, type RawSplit } from './raw';
import { streamRng, shuffledPrefix } from './streams';
import { syntheticDataset } from './synthetic';

export { DatasetError } from './errors';
export { batches, type Augment, type Batch, type BatchOptions } from './batches';
export type { Normalization } from './normalize';
export type { ImageSet } from './imageSet';
import { resizeImageSet } from './resize';
import type { ImageSet } from './imageSet';

export interface LoadedDataset {
  train: ImageSet;
  test: ImageSet;
  /** Where the images came from, e.g. "bundled subset data/fashion-mnist (10000 train / 2000 test)". */
  source: string;
  /** The per-channel statistics of the training subset that both splits were normalized with. */
  normalization: Normalization;
}

export interface LoadOptions {
  /** Further folders holding dataset folders (`<path>/fashion-mnist/…`), tried after the known locations. */
  searchPaths?: string[];
  /** What a relative `dataset.path` is relative to (the space file's folder); default: the working directory. */
  baseDir?: string;
  /** Environment read for DSLAB_DATA; default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Elements of float32 image data we are willing to allocate (4 GiB). */
const MAX_ELEMENTS = 2 ** 30;

/** Subset streams of the dataset seed (synthetic images use streams 0–2). */
const TRAIN_SUBSET_STREAM = 3;
const TEST_SUBSET_STREAM = 4;

/** The image shape of `d`: fixed for the real datasets, from the resolved file for synthetic. */
export function datasetShape(d: ResolvedDataset): DatasetShape {
  const facts = DATASETS[d.name];
  if (d.name !== 'synthetic') return { channels: facts.channels, resolution: facts.resolution, classes: facts.classes };
  return {
    channels: d.channels ?? facts.channels,
    resolution: d.resolution ?? facts.resolution,
    classes: d.classes ?? facts.classes,
  };
}

/** `n` images of `raw` chosen by the first n entries of a seeded shuffle, as HWC bytes plus labels. */
function chooseSubset(raw: RawSplit, n: number, seed: number, stream: number): { pixels: Uint8Array; labels: Uint8Array } {
  const size = raw.height * raw.width * raw.channels;
  const chosen = shuffledPrefix(raw.count, n, streamRng(seed, stream));
  const pixels = new Uint8Array(n * size);
  const labels = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    raw.read(chosen[k], pixels, k * size);
    labels[k] = raw.labels[chosen[k]];
  }
  return { pixels, labels };
}

function imageSet(raw: RawSplit, subset: { pixels: Uint8Array; labels: Uint8Array }, classes: number, norm: Normalization): ImageSet {
  return {
    images: normalizePixels(subset.pixels, raw.channels, norm),
    labels: subset.labels,
    count: subset.labels.length,
    height: raw.height,
    width: raw.width,
    channels: raw.channels,
    classes,
  };
}

/**
 * Loads `d`: from `d.path` when given; otherwise (fashion-mnist) the bundled subset when it
 * holds enough images, then the system-wide and search-path locations; synthetic images are
 * made from the seed. Takes the seeded `train` / `test` subsets and normalizes both with the
 * training subset's per-channel statistics. Throws DatasetError saying what is wrong and where.
 */
export function loadDataset(d: ResolvedDataset, options: LoadOptions = {}): LoadedDataset {
  const shape = datasetShape(d);
  const shown = shapeText({ height: shape.resolution, width: shape.resolution, channels: shape.channels });
  const elements = (d.train + d.test) * shape.channels * shape.resolution * shape.resolution;
  if (elements > MAX_ELEMENTS) {
    throw new DatasetError(`${d.name}: ${d.train} + ${d.test} images of ${shown} need ${(elements * 4 / 2 ** 30).toFixed(1)} GiB as float32, more than the 4 GiB allowed`);
  }
  let found: Found;
  if (d.name === 'synthetic') {
    found = {
      raw: syntheticDataset(shape, d.train, d.test, d.seed),
      source: `synthetic (seed ${d.seed}, ${shown}, ${shape.classes} classes)`,
    };
  } else if (d.path !== undefined) {
    found = readGivenPath(d, d.path, options.baseDir, shape);
  } else {
    found = findDataset(d, candidates(d.name, options.searchPaths ?? [], options.env), shape);
  }
  const { raw, source } = found;
  const train = chooseSubset(raw.train, d.train, d.seed, TRAIN_SUBSET_STREAM);
  const test = chooseSubset(raw.test, d.test, d.seed, TEST_SUBSET_STREAM);
  const normalization = channelStats(train.pixels, raw.train.channels);
  return {
    train: imageSet(raw.train, train, shape.classes, normalization),
    test: imageSet(raw.test, test, shape.classes, normalization),
    source,
    normalization,
  };
}

/** Recently used datasets at a resolution, newest last: a worker trains many trials of one sweep in a row. */
const atResolution: { key: string; data: LoadedDataset; bytes: number }[] = [];
/** What the kept ones may hold together; the newest is kept whatever its size. */
const KEEP_BYTES = 256 * 2 ** 20;

/**
 * `d` with both splits at `resolution`×`resolution`: loaded as loadDataset does, then resized
 * (bilinear) when the resolution differs from the images'. Kept for the next trials of the same
 * dataset and resolution.
 */
export function datasetAtResolution(d: ResolvedDataset, resolution: number, options: LoadOptions = {}): LoadedDataset {
  const key = JSON.stringify([d, resolution, options.baseDir ?? null, options.searchPaths ?? null]);
  const hit = atResolution.findIndex((e) => e.key === key);
  if (hit >= 0) {
    const [entry] = atResolution.splice(hit, 1);
    atResolution.push(entry);
    return entry.data;
  }
  const loaded = loadDataset(d, options);
  const data = { ...loaded, train: resizeImageSet(loaded.train, resolution), test: resizeImageSet(loaded.test, resolution) };
  atResolution.push({ key, data, bytes: data.train.images.byteLength + data.test.images.byteLength });
  while (atResolution.length > 1 && atResolution.reduce((sum, e) => sum + e.bytes, 0) > KEEP_BYTES) atResolution.shift();
  return data;
}
