/**
 * The IDX format of MNIST and Fashion-MNIST: a 4-byte magic (two zero bytes, the element type,
 * the number of dimensions), one big-endian uint32 per dimension, then the elements. We read
 * unsigned bytes only: images (magic 0x00000803: count × rows × columns) and labels
 * (0x00000801: count). Files may be gzipped (the distributed form) or raw.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

import { DatasetError } from './errors';
import { hwcSplit, type RawSplit } from './raw';

/** The four files of an IDX dataset, by split, without the optional `.gz`. */
export const IDX_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

const UBYTE = 0x08;
const MAGIC_IMAGES = 0x00000803;
const MAGIC_LABELS = 0x00000801;

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** Encodes unsigned bytes as an IDX file (raw, not gzipped) with the given dimensions. */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const header = 4 + 4 * dims.length;
  const expected = dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected) throw new RangeError(`IDX dims ${dims.join('×')} need ${expected} bytes, got ${data.length}`);
  const out = new Uint8Array(header + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, (UBYTE << 8) | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, header);
  return out;
}

/** The bytes of an IDX file, gunzipped when they are gzip data (whatever the name says). */
export function readIdxBytes(file: string): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new DatasetError(`${file}: cannot read: ${(e as Error).message}`);
  }
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (!gzipped) return bytes;
  try {
    return zlib.gunzipSync(bytes);
  } catch (e) {
    const reason = (e as Error).message;
    throw new DatasetError(`${file}: ${/unexpected end/i.test(reason) ? 'truncated' : 'corrupt'} gzip data (${reason})`);
  }
}

/** The dimensions of an IDX file of unsigned bytes and where its data starts; checks the magic and that the size matches the header. */
function idxHeader(bytes: Uint8Array, file: string, kind: 'images' | 'labels', sizeSuffix: string): { dims: number[]; offset: number } {
  const magic = kind === 'images' ? MAGIC_IMAGES : MAGIC_LABELS;
  const dimCount = magic & 0xff;
  const headerBytes = 4 + 4 * dimCount;
  if (bytes.length < 4) throw new DatasetError(`${file}: truncated: ${bytes.length} bytes${sizeSuffix}, shorter than an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = view.getUint32(0);
  if (found !== magic) {
    const other = found === MAGIC_IMAGES ? ' (an image file)' : found === MAGIC_LABELS ? ' (a label file)' : '';
    throw new DatasetError(`${file}: not an IDX ${kind} file: magic number is ${hex(found)}${other}, expected ${hex(magic)}`);
  }
  if (bytes.length < headerBytes) {
    throw new DatasetError(`${file}: truncated: ${bytes.length} bytes${sizeSuffix}, shorter than the ${headerBytes}-byte header`);
  }
  const dims: number[] = [];
  for (let i = 0; i < dimCount; i++) dims.push(view.getUint32(4 + 4 * i));
  const expected = headerBytes + dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== expected) {
    const said = kind === 'images' ? `${dims[0]} images of ${dims[1]}×${dims[2]}` : `${dims[0]} labels`;
    const what = bytes.length < expected ? 'truncated' : 'corrupt';
    const extra = bytes.length > expected ? ` (${bytes.length - expected} bytes too many)` : '';
    throw new DatasetError(`${file}: ${what}: header says ${said} (${expected} bytes) but the file has ${bytes.length} bytes${sizeSuffix}${extra}`);
  }
  return { dims, offset: headerBytes };
}

/** Parses an IDX image file: count × rows × columns unsigned bytes (a view into `bytes`, not a copy). */
export function parseIdxImages(bytes: Uint8Array, file: string): { count: number; height: number; width: number; pixels: Uint8Array } {
  const { dims, offset } = idxHeader(bytes, file, 'images', file.endsWith('.gz') ? ' uncompressed' : '');
  const [count, height, width] = dims;
  return { count, height, width, pixels: bytes.subarray(offset) };
}

/** Parses an IDX label file and checks every label is below `classes`. */
export function parseIdxLabels(bytes: Uint8Array, file: string, classes: number): Uint8Array {
  const { offset } = idxHeader(bytes, file, 'labels', file.endsWith('.gz') ? ' uncompressed' : '');
  const labels = bytes.subarray(offset);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= classes) {
      throw new DatasetError(`${file}: label ${labels[i]} of image ${i} is out of range (${classes} classes: 0–${classes - 1})`);
    }
  }
  return labels;
}

/**
 * Where an IDX file is in `folder`: `name`, `name.gz`, or the same with the dot some mirrors
 * write before `idx` (`train-images.idx3-ubyte`); undefined when none exists.
 */
export function findIdxFile(folder: string, name: string): string | undefined {
  const dotted = name.replace(/-idx(\d)/, '.idx$1');
  for (const candidate of [name, `${name}.gz`, dotted, `${dotted}.gz`]) {
    const file = path.join(folder, candidate);
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

/** True when `folder` holds at least one of the four IDX files. */
export function hasIdxFiles(folder: string): boolean {
  return Object.values(IDX_FILES).some((split) => Object.values(split).some((name) => findIdxFile(folder, name) !== undefined));
}

/**
 * Reads one split (images + labels) from `folder`: both files must exist, agree on the count,
 * hold images of `resolution`×`resolution` and labels below `classes`.
 */
export function readIdxSplit(folder: string, split: 'train' | 'test', expected: { resolution: number; classes: number; dataset: string }): RawSplit {
  const names = IDX_FILES[split];
  const imagesFile = findIdxFile(folder, names.images);
  const labelsFile = findIdxFile(folder, names.labels);
  const missing = [imagesFile ? undefined : names.images, labelsFile ? undefined : names.labels].filter((m) => m !== undefined);
  if (missing.length > 0) {
    throw new DatasetError(`${folder}: missing ${missing.map((m) => `${m}(.gz)`).join(' and ')}`);
  }
  const images = parseIdxImages(readIdxBytes(imagesFile!), imagesFile!);
  if (images.height !== expected.resolution || images.width !== expected.resolution) {
    throw new DatasetError(`${imagesFile}: images are ${images.height}×${images.width}, but ${expected.dataset} images are ${expected.resolution}×${expected.resolution}`);
  }
  const labels = parseIdxLabels(readIdxBytes(labelsFile!), labelsFile!, expected.classes);
  if (labels.length !== images.count) {
    throw new DatasetError(`${imagesFile} has ${images.count} images but ${labelsFile} has ${labels.length} labels`);
  }
  return hwcSplit(images.pixels, labels, images.height, images.width, 1);
}
