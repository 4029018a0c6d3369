/**
 * Reading part of a file through its descriptor (its head, its tail) where reading it whole would
 * cost too much: a 100 MB results file, a task's growing log.
 */
import * as fs from 'node:fs';

/** `read` applied to `file` opened for reading, closed afterwards; undefined when it cannot be opened. */
export function readOpenedFile<T>(file: string, read: (fd: number) => T): T | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    return read(fd);
  } finally {
    fs.closeSync(fd);
  }
}
