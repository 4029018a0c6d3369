/**
 * CIFAR-10's binary version: `data_batch_1.bin` … `data_batch_5.bin` and `test_batch.bin`, each
 * a run of 3073-byte records: one label byte, then the 32×32 red plane, the green plane and the
 * blue plane, each row-major. We convert to HWC (NHWC once batched) as images are read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { DatasetError } from './errors';
import type { RawSplit } from './raw';

export const CIFAR_TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'] as const;
export const CIFAR_TEST_FILES = ['test_batch.bin'] as const;
/** The folder the official archive unpacks to. */
export const CIFAR_FOLDER = 'cifar-10-batches-bin';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const CHANNELS = 3;
const RECORD = 1 + CHANNELS * PLANE;

/** The folder holding the CIFAR-10 files: `folder` itself or its `cifar-10-batches-bin/`; undefined when neither has any. */
export function cifarFolder(folder: string): string | undefined {
  for (const candidate of [folder, path.join(folder, CIFAR_FOLDER)]) {
    if ([...CIFAR_TRAIN_FILES, ...CIFAR_TEST_FILES].some((f) => fs.existsSync(path.join(candidate, f)))) return candidate;
  }
  return undefined;
}

/** Checks one batch file's records: a whole number of 3073-byte records, labels below `classes`. */
export function checkCifarBatch(bytes: Uint8Array, file: string, classes: number): number {
  if (bytes.length === 0 || bytes.length % RECORD !== 0) {
    const whole = Math.floor(bytes.length / RECORD);
    const problem = bytes.length === 0 ? 'empty' : `${bytes.length} bytes is not a whole number of ${RECORD}-byte records (${whole} records and ${bytes.length - whole * RECORD} bytes left over)`;
    throw new DatasetError(`${file}: truncated or corrupt: ${problem}`);
  }
  const count = bytes.length / RECORD;
  for (let i = 0; i < count; i++) {
    const label = bytes[i * RECORD];
    if (label >= classes) throw new DatasetError(`${file}: label ${label} of record ${i} is out of range (${classes} classes: 0–${classes - 1})`);
  }
  return count;
}

/** A RawSplit over CIFAR batch files already in memory, converting each image from planar CHW to HWC when read. */
export function cifarSplit(batches: Uint8Array[]): RawSplit {
  const starts: number[] = [];
  let count = 0;
  for (const b of batches) {
    starts.push(count);
    count += b.length / RECORD;
  }
  const labels = new Uint8Array(count);
  batches.forEach((b, k) => {
    for (let r = 0; r < b.length / RECORD; r++) labels[starts[k] + r] = b[r * RECORD];
  });
  return {
    count,
    height: SIDE,
    width: SIDE,
    channels: CHANNELS,
    labels,
    read(i, out, offset) {
      let k = starts.length - 1;
      while (starts[k] > i) k--;
      const record = batches[k];
      const base = (i - starts[k]) * RECORD + 1;
      for (let c = 0; c < CHANNELS; c++) {
        const plane = base + c * PLANE;
        for (let p = 0; p < PLANE; p++) out[offset + p * CHANNELS + c] = record[plane + p];
      }
    },
  };
}

/** Reads CIFAR-10's training or test batches from `folder` (which holds the .bin files); every file must be present. */
export function readCifarSplit(folder: string, split: 'train' | 'test', classes: number): RawSplit {
  const names = split === 'train' ? CIFAR_TRAIN_FILES : CIFAR_TEST_FILES;
  const missing = names.filter((n) => !fs.existsSync(path.join(folder, n)));
  if (missing.length > 0) throw new DatasetError(`${folder}: missing ${missing.join(', ')}`);
  const batches = names.map((n) => {
    const file = path.join(folder, n);
    let bytes: Uint8Array;
    try {
      bytes = fs.readFileSync(file);
    } catch (e) {
      throw new DatasetError(`${file}: cannot read: ${(e as Error).message}`);
    }
    checkCifarBatch(bytes, file, classes);
    return bytes;
  });
  return cifarSplit(batches);
}
