/** Which process, on which host, wrote or holds something in a sweep directory. */
import { createHash } from 'node:crypto';
import * as os from 'node:os';

/** This machine's name, as recorded in trial records and lock files. */
export function hostName(): string {
  return os.hostname();
}

/** A short file-name-safe tag of a host name (host names may hold characters a file name should not). */
export function hostTag(host: string): string {
  return createHash('sha256').update(host).digest('hex').slice(0, 8);
}

/**
 * Whether a process of this host is running. Only meaningful for pids recorded on this host:
 * another machine's pid says nothing here.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
