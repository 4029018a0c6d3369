/**
 * Trial claims: before training a trial, a process creates `trials/<space>/<index>.lock`
 * exclusively (open with 'wx', which fails when the file exists, also over NFS v3+). The file
 * names its owner. A lock is stale, and may be taken over, when
 * - its owner is a process of this host that is gone (killed, crashed);
 * - it names no owner (empty, unreadable or not a lock at all) and is older than
 *   LOCK_WRITE_GRACE_MS: its writer never finished writing it (a full disk, a crash between
 *   creating and writing), since an owner writes its one line right after creating the file;
 * - or it has not been refreshed for LOCK_STALE_MS (an owner on another host cannot be asked
 *   whether it is alive, so its lock is left alone until then).
 * Owners refresh their locks' modification time every LOCK_REFRESH_MS while they train.
 *
 * The worst a race can do (two processes judging the same lock stale at the same instant) is
 * train one trial twice; records are written atomically, so the result is never corrupt.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { hostName, processAlive } from './process';

export interface LockOwner {
  host: string;
  pid: number;
  /** ISO time the lock was taken. */
  time: string;
  /** Tells this owner's lock from another one by the same pid (pids are reused). */
  token: string;
}

export interface HeldLock {
  path: string;
  owner: LockOwner;
}

export type Claim =
  | { claimed: true; lock: HeldLock; /** Set when a stale lock was taken over: why it was stale. */ tookOver?: string }
  | {
      claimed: false;
      /** Undefined when the lock file was unreadable (being written). */
      owner?: LockOwner;
      /** Time since the owner last refreshed the lock. */
      refreshedMsAgo?: number;
    };

/** A lock not refreshed for this long is stale whatever its owner (generous: a refresh is due every minute). */
export const LOCK_STALE_MS = 15 * 60_000;
/** How often an owner refreshes its locks. */
export const LOCK_REFRESH_MS = 60_000;
/** A lock naming no owner is stale once older than this: its writer had ample time to write it. */
export const LOCK_WRITE_GRACE_MS = 10_000;

/** Tokens of the locks this process holds. */
const held = new Set<string>();

function readOwner(file: string): LockOwner | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockOwner>;
    if (typeof v.host === 'string' && Number.isSafeInteger(v.pid) && typeof v.time === 'string' && typeof v.token === 'string') return v as LockOwner;
  } catch {
    // Absent, empty (its writer is between create and write) or damaged.
  }
  return undefined;
}

/** "pid 123 on this host is gone", "not refreshed for 20 min", or undefined while the lock is live. */
export function staleReason(owner: LockOwner | undefined, mtimeMs: number, now: number, staleMs = LOCK_STALE_MS): string | undefined {
  const age = now - mtimeMs;
  if (!owner && age > LOCK_WRITE_GRACE_MS) return `it names no owner (empty or damaged) and is ${Math.round(age / 1000)} s old`;
  if (owner && owner.host === hostName()) {
    if (owner.pid === process.pid ? !held.has(owner.token) : !processAlive(owner.pid)) {
      return `its owner, process ${owner.pid} on this host, is gone`;
    }
  }
  if (age > staleMs) return `not refreshed for ${Math.round(age / 60_000)} min`;
  return undefined;
}

/** The owner of the lock file `file` while the lock is live; undefined when it is absent or stale. */
export function liveLockOwner(file: string, now = Date.now()): LockOwner | 'unknown' | undefined {
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
  const owner = readOwner(file);
  if (staleReason(owner, mtimeMs, now) !== undefined) return undefined;
  return owner ?? 'unknown';
}

function create(file: string): HeldLock | undefined {
  const owner: LockOwner = { host: hostName(), pid: process.pid, time: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw err;
  }
  try {
    fs.writeSync(fd, JSON.stringify(owner) + '\n');
  } catch (err) {
    // A full disk: leave no empty lock behind to block the next run.
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  held.add(owner.token);
  return { path: file, owner };
}

/** Claims the lock file `file`, taking it over when stale. */
export function claimLock(file: string, options: { staleMs?: number; now?: number } = {}): Claim {
  const lock = create(file);
  if (lock) return { claimed: true, lock };
  const owner = readOwner(file);
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    // Released between our attempt and now: try once more.
    const again = create(file);
    return again ? { claimed: true, lock: again } : { claimed: false, owner: readOwner(file) };
  }
  const now = options.now ?? Date.now();
  const why = staleReason(owner, mtimeMs, now, options.staleMs);
  if (!why) return { claimed: false, owner, refreshedMsAgo: Math.max(0, now - mtimeMs) };
  fs.rmSync(file, { force: true });
  const taken = create(file);
  return taken ? { claimed: true, lock: taken, tookOver: why } : { claimed: false, owner: readOwner(file) };
}

/** Marks the lock as alive (its modification time is the heartbeat other hosts check). */
export function refreshLock(lock: HeldLock): void {
  const now = new Date();
  try {
    fs.utimesSync(lock.path, now, now);
  } catch (err) {
    // Taken over meanwhile (we were judged stale): nothing of ours to refresh.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Removes the lock if it is still ours (a process that judged it stale may have replaced it). */
export function releaseLock(lock: HeldLock): void {
  held.delete(lock.owner.token);
  if (readOwner(lock.path)?.token === lock.owner.token) fs.rmSync(lock.path, { force: true });
}
