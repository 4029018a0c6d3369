/**
 * `mkdir -p`, one level at a time. Node's recursive mkdir reports ENOENT where a parent exists but
 * cannot take a new folder (a read-only mount is EROFS when asked directly), and on Node 20 it
 * never returns for a path under /proc. Creating each missing folder by itself gives the real
 * error for the first one that cannot be made.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) {
    missing.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing) {
    try {
      fs.mkdirSync(d);
    } catch (err) {
      // Made meanwhile by another process: as good.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  if (!fs.statSync(dir).isDirectory()) {
    throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR', path: dir, syscall: 'mkdir' });
  }
}
