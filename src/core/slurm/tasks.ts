/**
 * A sweep's Slurm tasks as the scheduler reports them (`squeue --json`, `scontrol show job`),
 * in one shape whichever command said it. Slurm's job states fall into three kinds: waiting to
 * run, running, and ended; an ended task either completed or ended with a reason a user must
 * see (a non-zero exit, its time limit, a cancel, a failed node, out of memory).
 */

/** One task of a job array (or a job that is not an array). */
export interface SchedulerTask {
  /** The array's job id, e.g. "5"; a job that is not an array: its own id. */
  arrayJobId: string;
  /** The task's index in the array; undefined for a job that is not an array. */
  taskId?: number;
  /** The task's own job id ("8"); undefined for a task still pending in its array's record. */
  jobId?: string;
  /** Slurm's state: PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, CANCELLED, NODE_FAIL, OUT_OF_MEMORY, … */
  state: string;
  /** Slurm's reason: why it waits ("Resources", "JobArrayTaskLimit") or why it ended ("NonZeroExitCode"); absent for "None". */
  reason?: string;
  /** The batch script's exit status, when it exited by itself. */
  exitCode?: number;
  /** The signal that ended it, when one did (15: SIGTERM from a cancel or a time limit). */
  signal?: number;
  /** How many times it was requeued. */
  restarts: number;
  /** The node it runs or ran on. */
  node?: string;
  /** Seconds since the epoch. */
  startTime?: number;
  endTime?: number;
  /** Minutes; undefined when unlimited or not known. */
  timeLimitMinutes?: number;
  /** The batch script submitted (absent for --wrap jobs): tells our job from another that got the same id on a reinstalled cluster. */
  command?: string;
}

/** "5_3", or "7" for a job that is not an array: how Slurm's own commands name a task. */
export function taskName(t: Pick<SchedulerTask, 'arrayJobId' | 'taskId'>): string {
  return t.taskId === undefined ? t.arrayJobId : `${t.arrayJobId}_${t.taskId}`;
}

const WAITING = new Set(['PENDING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'SPECIAL_EXIT', 'RESV_DEL_HOLD', 'CONFIGURING']);
const RUNNING = new Set(['RUNNING', 'COMPLETING', 'SUSPENDED', 'STOPPED', 'SIGNALING', 'STAGE_OUT', 'RESIZING']);

/** What a state means for a trial: waiting for a node, running, or ended (however it ended). */
export function stateKind(state: string): 'waiting' | 'running' | 'ended' {
  if (WAITING.has(state)) return 'waiting';
  if (RUNNING.has(state)) return 'running';
  return 'ended';
}

/**
 * The task ids of an array expression as Slurm prints it for the tasks still pending in an
 * array's record: "1-3%1", "4,6-8", "0-10:2%4", "[0-3]".
 */
export function arrayTaskIds(expression: string): number[] {
  const body = expression.replace(/^\[|\]$/g, '').replace(/%\d+$/, '');
  const ids: number[] = [];
  for (const part of body.split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim());
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    const step = m[3] === undefined ? 1 : Math.max(1, Number(m[3]));
    for (let i = from; i <= to; i += step) ids.push(i);
  }
  return ids;
}

/** A raw wait status (what `squeue --json` of Slurm 22.05 gives as exit_code): the exit code or the signal. */
export function waitStatus(raw: number): Pick<SchedulerTask, 'exitCode' | 'signal'> {
  const signal = raw & 0x7f;
  return signal !== 0 ? { signal } : { exitCode: (raw >> 8) & 0xff };
}
