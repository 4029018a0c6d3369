/**
 * Trial claims: before training a trial, a process creates `trials/<space>/<index>.lock`
 * exclusively (open with 'wx', which fails when the file exists, also over NFS v3+). The file
 * names its owner, and the Slurm job it runs in, if any. A lock is stale, and may be taken
 * over, when
 * - it names no owner (empty, unreadable or not a lock at all) and is older than
 *   LOCK_WRITE_GRACE_MS: its writer never finished writing it (a full disk, a crash between
 *   creating and writing), since an owner writes its one line right after creating the file;
 * - its owner ran in a Slurm job that has ended: this process is a later run of that same job
 *   (requeued), or the scheduler, when the caller can ask it (`jobState`), says the job is no
 *   longer running. This is what frees the lock of a task killed on another node (a time
 *   limit, scancel, a node failure) without waiting for it to age;
 * - its owner is a process of this host that is gone (killed, crashed);
 * - or it has not been refreshed for LOCK_STALE_MS (an owner on another host outside Slurm
 *   cannot be asked whether it is alive, so its lock is left alone until then).
 * Owners refresh their locks' modification time every LOCK_REFRESH_MS while they train.
 *
 * The worst a race can do (two processes judging the same lock stale at the same instant) is
 * train one trial twice; records are written atomically, so the result is never corrupt.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { hostName, processAlive, slurmJobOfThisProcess, type SlurmJobRun } from './process';

export interface LockOwner {
  host: string;
  pid: number;
  /** ISO time the lock was taken. */
  time: string;
  /** Tells this owner's lock from another one by the same pid (pids are reused). */
  token: string;
  /** The Slurm job the owner ran in (a task of a sweep's job array), absent outside Slurm. */
  job?: SlurmJobRun;
}

/**
 * What the scheduler says of a job: still running (its lock is live), ended (with the state it
 * ended in, or 'unknown to the scheduler'), or undefined when it cannot be asked.
 */
export type JobState = { running: true } | { running: false; state: string } | undefined;

export interface ClaimOptions {
  staleMs?: number;
  now?: number;
  /** Asks the scheduler about the Slurm job of a lock's owner, `owner.job` (see the module comment). */
  jobState?: (owner: LockOwner & { job: SlurmJobRun }) => JobState;
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

const isJobRun = (v: unknown): v is SlurmJobRun =>
  typeof v === 'object' && v !== null && typeof (v as SlurmJobRun).id === 'string' && Number.isSafeInteger((v as SlurmJobRun).restarts);

/** The owner a lock file names, or undefined when it is absent, empty or damaged. */
export function readLockOwner(file: string): LockOwner | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockOwner>;
    if (typeof v.host === 'string' && Number.isSafeInteger(v.pid) && typeof v.time === 'string' && typeof v.token === 'string' && (v.job === undefined || isJobRun(v.job))) {
      return v as LockOwner;
    }
  } catch {
    // Absent, empty (its writer is between create and write) or damaged.
  }
  return undefined;
}

/** Why the owner's Slurm job no longer holds the lock, or undefined when it may still. */
function jobEnded(owner: LockOwner & { job: SlurmJobRun }, jobState: ClaimOptions['jobState']): string | undefined {
  const job = owner.job;
  const here = slurmJobOfThisProcess();
  if (here !== undefined && here.id === job.id && here.restarts > job.restarts) {
    return `its owner was run ${job.restarts + 1} of Slurm job ${job.id}, which has been requeued since`;
  }
  const state = jobState?.(owner);
  if (state !== undefined && !state.running) return `its owner's Slurm job ${job.id} is no longer running (${state.state})`;
  return undefined;
}

/** "pid 123 on this host is gone", "not refreshed for 20 min", or undefined while the lock is live. */
export function staleReason(owner: LockOwner | undefined, mtimeMs: number, now: number, staleMs = LOCK_STALE_MS, jobState?: ClaimOptions['jobState']): string | undefined {
  const age = now - mtimeMs;
  if (!owner && age > LOCK_WRITE_GRACE_MS) return `it names no owner (empty or damaged) and is ${Math.round(age / 1000)} s old`;
  const ended = owner?.job === undefined ? undefined : jobEnded(owner as LockOwner & { job: SlurmJobRun }, jobState);
  if (ended) return ended;
  if (owner && owner.host === hostName()) {
    if (owner.pid === process.pid ? !held.has(owner.token) : !processAlive(owner.pid)) {
      return `its owner, process ${owner.pid} on this host, is gone`;
    }
  }
  if (age > staleMs) return `not refreshed for ${Math.round(age / 60_000)} min`;
  return undefined;
}

function create(file: string): HeldLock | undefined {
  const job = slurmJobOfThisProcess();
  const owner: LockOwner = { host: hostName(), pid: process.pid, time: new Date().toISOString(), token: randomBytes(8).toString('hex'), ...(job ? { job } : {}) };
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
export function claimLock(file: string, options: ClaimOptions = {}): Claim {
  const lock = create(file);
  if (lock) return { claimed: true, lock };
  const owner = readLockOwner(file);
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    // Released between our attempt and now: try once more.
    const again = create(file);
    return again ? { claimed: true, lock: again } : { claimed: false, owner: readLockOwner(file) };
  }
  const now = options.now ?? Date.now();
  const why = staleReason(owner, mtimeMs, now, options.staleMs, options.jobState);
  if (!why) return { claimed: false, owner, refreshedMsAgo: Math.max(0, now - mtimeMs) };
  fs.rmSync(file, { force: true });
  const taken = create(file);
  return taken ? { claimed: true, lock: taken, tookOver: why } : { claimed: false, owner: readLockOwner(file) };
}

/** A lock file as a reader sees it: who holds it, when it was last refreshed, and why it is stale, if it is. */
export interface LockView {
  owner?: LockOwner;
  refreshedMsAgo: number;
  stale?: string;
}

/** The lock at `file` (undefined when there is none), judged as a claim would judge it, without touching it. */
export function inspectLock(file: string, options: ClaimOptions = {}): LockView | undefined {
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
  const owner = readLockOwner(file);
  const now = options.now ?? Date.now();
  const stale = staleReason(owner, mtimeMs, now, options.staleMs, options.jobState);
  return { ...(owner ? { owner } : {}), refreshedMsAgo: Math.max(0, now - mtimeMs), ...(stale ? { stale } : {}) };
}

/** The owner of the lock file `file` while the lock is live; undefined when it is absent or stale. */
export function liveLockOwner(file: string, now = Date.now()): LockOwner | 'unknown' | undefined {
  const view = inspectLock(file, { now });
  if (view === undefined || view.stale !== undefined) return undefined;
  return view.owner ?? 'unknown';
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
  if (readLockOwner(lock.path)?.token === lock.owner.token) fs.rmSync(lock.path, { force: true });
}
