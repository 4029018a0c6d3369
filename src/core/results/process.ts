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

/** One run of a Slurm job: its id and how many times it was requeued before this run. */
export interface SlurmJobRun {
  /** SLURM_JOB_ID: an array task's own job id. */
  id: string;
  /** SLURM_RESTART_COUNT: 0 on the first run, n after n requeues. */
  restarts: number;
}

/** The Slurm job this process runs in (from the environment Slurm gives a job), or undefined outside one. */
export function slurmJobOfThisProcess(env: NodeJS.ProcessEnv = process.env): SlurmJobRun | undefined {
  const id = env.SLURM_JOB_ID;
  if (id === undefined || !/^\d+$/.test(id)) return undefined;
  const restarts = Number(env.SLURM_RESTART_COUNT ?? 0);
  return { id, restarts: Number.isSafeInteger(restarts) && restarts >= 0 ? restarts : 0 };
}
