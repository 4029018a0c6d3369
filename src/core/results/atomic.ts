/**
 * Atomic file replacement: a reader (another process, another host on a shared filesystem)
 * sees either the old file or the complete new one, never a partial write. The text goes to a
 * temporary file in the same directory, is flushed to disk, then renamed over the target.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hostName, hostTag, processAlive } from './process';

/** `.0003.json.<pid>.<host tag>.<random>.tmp`: dot-prefixed so listings skip it, with its writer in the name. */
const TEMP_NAME = /^\.(.+)\.(\d+)\.([0-9a-f]{8})\.[0-9a-f]+\.tmp$/;

/** A temporary file of another writer is left alone this long (a write takes milliseconds). */
export const TEMP_MAX_AGE_MS = 60_000;

/** Whether a directory entry is one of our temporary files. */
export function isTempFile(name: string): boolean {
  return TEMP_NAME.test(name);
}

function tempPath(file: string): string {
  const name = `.${path.basename(file)}.${process.pid}.${hostTag(hostName())}.${randomBytes(4).toString('hex')}.tmp`;
  return path.join(path.dirname(file), name);
}

/** Writes `text` to a new temporary file beside `file`, flushed to disk; returns its path. */
export function writeTempFile(file: string, text: string): string {
  const tmp = tempPath(file);
  const fd = fs.openSync(tmp, 'wx');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  return tmp;
}

/** Replaces `file` with `text` atomically (temp file in the same directory, fsync, rename). */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = writeTempFile(file, text);
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Creates `file` with `text` only if it does not exist yet, atomically: returns false (and
 * writes nothing) when another writer got there first. A hard link fails when its target
 * exists, which a rename would silently replace.
 */
export function createFileAtomic(file: string, text: string): boolean {
  const tmp = writeTempFile(file, text);
  try {
    try {
      fs.linkSync(tmp, file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A filesystem without hard links (some SMB shares): an exclusive copy is the next best.
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') fs.copyFileSync(tmp, file, fs.constants.COPYFILE_EXCL);
      else throw err;
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Removes temporary files a writer left behind when it died mid-write: those of a process of
 * this host that is gone, and any older than TEMP_MAX_AGE_MS. Returns the names removed.
 */
export function removeLeftoverTempFiles(dir: string, now = Date.now()): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const here = hostTag(hostName());
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const file = path.join(dir, name);
    const pid = Number(m[2]);
    let leftover = m[3] === here && pid !== process.pid && !processAlive(pid);
    if (!leftover) {
      try {
        leftover = now - fs.statSync(file).mtimeMs > TEMP_MAX_AGE_MS;
      } catch {
        continue; // renamed or removed by its writer meanwhile
      }
    }
    if (leftover) {
      fs.rmSync(file, { force: true });
      removed.push(name);
    }
  }
  return removed;
}
