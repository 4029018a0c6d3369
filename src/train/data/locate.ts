/**
 * Where a dataset's files are found. `dataset.path` when given; otherwise, in order:
 * `$DSLAB_DATA/<name>`, the subset bundled with the tool (Fashion-MNIST only), the folder a
 * system package installs, then `<search path>/<name>` for each search path (for CIFAR-10 also
 * the search path itself, which may hold its unpacked archive). The first that holds enough
 * images for the requested subset wins.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { DatasetName, ResolvedDataset } from '../../core/space/types';
import { cifarFolder, readCifarSplit } from './cifar';
import { DatasetError } from './errors';
import { hasIdxFiles, readIdxSplit } from './idx';
import type { RawDataset } from './raw';

/** A folder that may hold a dataset, and how messages and `source` name it. */
export interface Candidate {
  folder: string;
  label: string;
  /** The subset shipped with the tool (may hold fewer images than asked for). */
  bundled?: boolean;
}

/** A dataset read from disk and a description of where (LoadedDataset.source). */
export interface Found {
  raw: RawDataset;
  source: string;
}

/** The image shape and class count files are checked against. */
export interface ExpectedShape {
  resolution: number;
  classes: number;
}

/** The package root: this module is compiled to out/src/train/data/, four levels below it. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

/** The bundled Fashion-MNIST subset, relative to the package root. */
export const BUNDLED_FASHION_MNIST = 'data/fashion-mnist';

/** Folders system packages install datasets to (`apt-get install dataset-fashion-mnist`). */
export const SYSTEM_FOLDERS: Partial<Record<DatasetName, string>> = {
  'fashion-mnist': '/usr/share/datasets/fashion-mnist',
  mnist: '/usr/share/datasets/mnist',
};

const IDX_NAMES = 'train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each raw or .gz)';
const CIFAR_NAMES = 'data_batch_1.bin … data_batch_5.bin and test_batch.bin (or a cifar-10-batches-bin/ folder holding them)';

/** How to get a dataset that was not found, for the error message. */
export const HOW_TO_GET: Partial<Record<DatasetName, string>> = {
  'fashion-mnist': `install the full set with \`apt-get install dataset-fashion-mnist\`, or set dataset.path to a folder holding the four Fashion-MNIST IDX files ${IDX_NAMES}`,
  mnist: `set dataset.path to a folder holding the four MNIST IDX files ${IDX_NAMES}`,
  cifar10: `download the "CIFAR-10 binary version" (cifar-10-binary.tar.gz) from www.cs.toronto.edu/~kriz/cifar.html, unpack it and set dataset.path to the folder holding cifar-10-batches-bin/`,
};

/** The folders to try for `name`, in order. `env` is the process environment (DSLAB_DATA). */
export function candidates(name: DatasetName, searchPaths: readonly string[], env: NodeJS.ProcessEnv = process.env): Candidate[] {
  const out: Candidate[] = [];
  const dataRoot = env.DSLAB_DATA;
  if (dataRoot) out.push({ folder: path.join(dataRoot, name), label: `DSLAB_DATA ${path.join(dataRoot, name)}` });
  if (name === 'fashion-mnist') {
    out.push({ folder: path.join(PACKAGE_ROOT, BUNDLED_FASHION_MNIST), label: `bundled subset ${BUNDLED_FASHION_MNIST}`, bundled: true });
  }
  const system = SYSTEM_FOLDERS[name];
  if (system) out.push({ folder: system, label: system });
  for (const p of searchPaths) {
    out.push({ folder: path.join(p, name), label: path.join(p, name) });
    // CIFAR's file names are its own, so a search path may hold them (or cifar-10-batches-bin/) directly.
    if (name === 'cifar10') out.push({ folder: p, label: p });
  }
  return out;
}

/**
 * Reads both splits of `name` from `folder`, checking every file; undefined when the folder
 * does not exist or holds none of the dataset's files (some but not all is an error).
 */
export function readFolder(name: DatasetName, folder: string, expected: ExpectedShape): RawDataset | undefined {
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) return undefined;
  if (name === 'cifar10') {
    const inner = cifarFolder(folder);
    if (!inner) return undefined;
    return { train: readCifarSplit(inner, 'train', expected.classes), test: readCifarSplit(inner, 'test', expected.classes) };
  }
  if (!hasIdxFiles(folder)) return undefined;
  const check = { ...expected, dataset: name };
  return { train: readIdxSplit(folder, 'train', check), test: readIdxSplit(folder, 'test', check) };
}

const counts = (raw: RawDataset) => `${raw.train.count} train / ${raw.test.count} test`;
const enough = (raw: RawDataset, d: ResolvedDataset) => raw.train.count >= d.train && raw.test.count >= d.test;

/** The dataset at `dataset.path` (relative to `baseDir` when given): it must exist, hold the files and enough images. */
export function readGivenPath(d: ResolvedDataset, given: string, baseDir: string | undefined, expected: ExpectedShape): Found {
  const folder = baseDir !== undefined && !path.isAbsolute(given) ? path.join(baseDir, given) : given;
  if (!fs.existsSync(folder)) throw new DatasetError(`dataset.path ${folder}: no such folder`);
  if (!fs.statSync(folder).isDirectory()) throw new DatasetError(`dataset.path ${folder}: not a folder; give the folder that holds the ${d.name} files`);
  const raw = readFolder(d.name, folder, expected);
  if (!raw) {
    throw new DatasetError(`dataset.path ${folder}: holds none of the ${d.name} files; expected ${d.name === 'cifar10' ? CIFAR_NAMES : IDX_NAMES}`);
  }
  if (!enough(raw, d)) {
    throw new DatasetError(`dataset.path ${folder}: has ${counts(raw)} images, fewer than the ${d.train} train / ${d.test} test the dataset asks for`);
  }
  return { raw, source: `dataset.path ${folder} (${counts(raw)})` };
}

/** The first of `list` holding enough images; otherwise an error listing where it looked and how to get the data. */
export function findDataset(d: ResolvedDataset, list: readonly Candidate[], expected: ExpectedShape): Found {
  const looked: string[] = [];
  let bundledTooSmall: RawDataset | undefined;
  let anyTooSmall = false;
  for (const c of list) {
    const raw = readFolder(d.name, c.folder, expected);
    if (!raw) {
      looked.push(`${c.label}: not found`);
      continue;
    }
    if (enough(raw, d)) return { raw, source: `${c.label} (${counts(raw)})` };
    anyTooSmall = true;
    if (c.bundled) bundledTooSmall = raw;
    looked.push(`${c.label}: only ${counts(raw)}`);
  }
  const asked = `${d.train} train / ${d.test} test images`;
  const head = bundledTooSmall
    ? `${d.name}: the dataset asks for ${asked}, but the bundled subset holds only ${counts(bundledTooSmall)} and the full set was not found`
    : anyTooSmall
      ? `${d.name}: the dataset asks for ${asked}, more than any copy found holds`
      : `${d.name}: dataset not found`;
  const where =
    looked.length > 0
      ? `Looked in:\n${looked.map((l) => `  ${l}`).join('\n')}`
      : `There is no place to look: no bundled copy, and neither dataset.path nor $DSLAB_DATA (a folder holding ${d.name}/) is set.`;
  throw new DatasetError(`${head}. ${where}\nTo get it: ${HOW_TO_GET[d.name]}.`);
}
