/**
 * Where a sweep stands, trial by trial, from everything that can say it: the records (done, or
 * failed with their cause), the lock files (a live claim is a trial in training, wherever it
 * runs), and for a sweep submitted to Slurm its job arrays as the scheduler reports them, or,
 * once the scheduler has forgotten a task, as the task's log tells how it ended. `dslab status`
 * prints it; it works for local sweeps too (records and claims only).
 */
import type { LockView } from './lock';
import type { SweepManifest, TrialRecord } from './records';
import type { UnusableRecord } from './store';
import { duration } from '../presentation/sweepText';
import { latestTasks, type Submission } from '../slurm/submissions';
import { stateKind, taskName, type SchedulerTask } from '../slurm/tasks';
import type { LogEnd } from '../slurm/taskLog';

export type TrialState = 'done' | 'running' | 'pending' | 'failed' | 'todo';
export const TRIAL_STATES: readonly TrialState[] = ['done', 'running', 'pending', 'failed', 'todo'];

/** Why a trial failed, in the scheduler's words where it has them. */
export interface TrialFailure {
  /** TIMEOUT, CANCELLED, NODE_FAIL, OUT_OF_MEMORY, PREEMPTED, BOOT_FAIL, FAILED (a non-zero exit), LOST (no record, no task), or the record's: MODEL, ENVIRONMENT. */
  kind: string;
  /** One line for a person. */
  message: string;
  /** The last lines of the task's log, for a task that exited with an error. */
  log?: string[];
}

export interface TrialStatus {
  space: string;
  index: number;
  state: TrialState;
  /** A done trial's final error (%); null when it diverged. */
  error?: number | null;
  failure?: TrialFailure;
  /** The Slurm task that last set out to train it ("5_3"). */
  task?: string;
  /** Where it runs (a node, or host and process of a claim), or why it waits. */
  detail?: string;
  /** The task's log, relative to the sweep directory. */
  log?: string;
}

export interface JobStatus {
  job: string;
  script: string;
  trials: number;
  cancelledAt?: string;
  /** The tasks the scheduler lists as waiting, running and ended (0 for all once it has forgotten the job). */
  waiting: number;
  running: number;
  ended: number;
}

export interface SweepStatus {
  dir: string;
  file: string;
  total: number;
  counts: Record<TrialState, number>;
  spaces: ({ name: string; n: number; best: number | null } & Record<TrialState, number>)[];
  best: { space: string; index: number; error: number } | null;
  trials: TrialStatus[];
  /** Absent for a sweep never submitted to Slurm. */
  slurm?: {
    jobs: JobStatus[];
    /** Why the scheduler could not be asked (states then come from records, claims and logs). */
    schedulerUnavailable?: string;
    /** `dslab sweep` arguments of the latest submission: how to submit what is missing. */
    sweepArgs: string[];
  };
  unusable: UnusableRecord[];
}

export interface StatusInput {
  dir: string;
  manifest: SweepManifest;
  records: TrialRecord[];
  unusable: UnusableRecord[];
  /** The lock of each trial that has one ("A/3"). */
  locks: ReadonlyMap<string, LockView>;
  submissions: readonly Submission[];
  /** The scheduler's tasks of the sweep's jobs, or why it could not be asked. */
  scheduler: SchedulerTask[] | { unavailable: string };
  /** How a task's log says it ended, and its last lines (undefined when there is no log). */
  taskLog: (arrayJobId: string, taskId: number) => { end?: LogEnd; lastLines: string[] } | undefined;
  /** Relative path of a task's log. */
  logName: (arrayJobId: string, taskId: number) => string;
  /** Seconds since the epoch. */
  now: number;
}

const key = (t: { space: string; index: number }): string => `${t.space}/${t.index}`;

/** "1 min", "1h30m" for a limit in minutes. */
function limit(minutes: number): string {
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

const ENDED_WORDS: Record<string, string> = {
  TIMEOUT: 'its time limit was reached',
  NODE_FAIL: 'its node failed',
  OUT_OF_MEMORY: 'out of memory (over its --mem)',
  PREEMPTED: 'preempted by another job',
  BOOT_FAIL: 'its node failed to boot',
  DEADLINE: 'its deadline passed',
};

/** The failure of a task that ended without leaving a record. */
function taskFailure(t: SchedulerTask, log: { lastLines: string[] } | undefined, cancelledAt: string | undefined): TrialFailure {
  const where = `task ${taskName(t)}${t.node ? ` on ${t.node}` : ''}${t.startTime && t.endTime && t.endTime > t.startTime ? `, after ${duration(Math.max(0, t.endTime - t.startTime))}` : ''}`;
  if (t.state === 'TIMEOUT') {
    const of = t.timeLimitMinutes === undefined ? '' : ` of ${limit(t.timeLimitMinutes)}`;
    return { kind: 'TIMEOUT', message: `TIMEOUT: its time limit${of} was reached (${where})` };
  }
  if (t.state === 'FAILED' || (t.state === 'COMPLETED' && (t.exitCode ?? 0) === 0)) {
    const how = t.state === 'COMPLETED' ? 'ended without a record' : t.signal !== undefined ? `killed by signal ${t.signal}` : `exited with status ${t.exitCode ?? '?'}`;
    return { kind: 'FAILED', message: `FAILED: ${how} (${where})`, ...(log && log.lastLines.length > 0 ? { log: log.lastLines } : {}) };
  }
  const words = t.state === 'CANCELLED' ? (cancelledAt ? `by dslab cancel at ${cancelledAt}` : undefined) : (ENDED_WORDS[t.state] ?? t.state.toLowerCase());
  return { kind: t.state, message: `${t.state}${words ? `: ${words}` : ''} (${where})`, ...(t.state === 'OUT_OF_MEMORY' && log ? { log: log.lastLines } : {}) };
}

/** The failure of a task the scheduler no longer lists, from its log (or the cancel recorded). */
function forgottenFailure(name: string, submission: Submission, log: { end?: LogEnd; lastLines: string[] } | undefined): TrialFailure {
  const end = log?.end;
  if (end?.state) {
    const words = ENDED_WORDS[end.state];
    return { kind: end.state, message: `${end.state}${words ? `: ${words}` : ''} (task ${name}, from its log)` };
  }
  if (end?.exitCode !== undefined && end.exitCode !== 0) {
    return { kind: 'FAILED', message: `FAILED: exited with status ${end.exitCode} (task ${name}, from its log)`, log: log!.lastLines };
  }
  if (submission.cancelledAt) return { kind: 'CANCELLED', message: `CANCELLED: by dslab cancel at ${submission.cancelledAt} (task ${name})` };
  return {
    kind: 'LOST',
    message: `no record, and the scheduler no longer lists task ${name}${log ? '' : ' (no log: it never started)'}`,
    ...(log && log.lastLines.length > 0 ? { log: log.lastLines } : {}),
  };
}

/** The failure a failed record states. */
function recordFailure(r: TrialRecord): TrialFailure {
  const cause = r.failure?.cause === 'environment' ? 'ENVIRONMENT' : 'MODEL';
  const whose = cause === 'ENVIRONMENT' ? 'the environment failed (trained again on the next run)' : 'the model failed';
  return { kind: cause, message: `${whose}: ${(r.failure?.message ?? 'no reason recorded').split('\n')[0]}` };
}

/** A live claim: "process 123 on node1 (Slurm job 8)". */
function holder(lock: LockView): string {
  const o = lock.owner;
  if (!o) return 'a process (its lock names no owner yet)';
  return `process ${o.pid} on ${o.host}${o.job ? ` (Slurm job ${o.job.id})` : ''}`;
}

/** The status of the sweep; see the module comment. */
export function sweepStatus(input: StatusInput): SweepStatus {
  const records = new Map(input.records.map((r) => [key(r), r]));
  const latest = latestTasks(input.submissions);
  const tasks = Array.isArray(input.scheduler) ? input.scheduler : [];
  const taskOf = new Map(tasks.filter((t) => t.taskId !== undefined).map((t) => [`${t.arrayJobId}_${t.taskId}`, t]));
  const trials: TrialStatus[] = input.manifest.models.map((m) => {
    const base = { space: m.space, index: m.index };
    const record = records.get(key(m));
    const sub = latest.get(key(m));
    const name = sub ? `${sub.submission.job}_${sub.taskId}` : undefined;
    const task = name ? taskOf.get(name) : undefined;
    const kind = task ? stateKind(task.state) : undefined;
    const log = sub ? input.taskLog(sub.submission.job, sub.taskId) : undefined;
    const withTask = sub ? { task: name, ...(log ? { log: input.logName(sub.submission.job, sub.taskId) } : {}) } : {};
    // A record is the result, unless a later task is training the trial again.
    if (record && record.status !== 'failed') return { ...base, state: 'done', error: record.error };
    if (task && kind === 'running') {
      const since = task.startTime ? `, for ${duration(Math.max(0, input.now - task.startTime))}` : '';
      return { ...base, ...withTask, state: 'running', detail: `${task.node ? `on ${task.node}` : 'starting'}${since}` };
    }
    // Trained outside this sweep's jobs: a local sweep, another submission, `dslab trial` by hand.
    const lock = input.locks.get(key(m));
    if (lock && lock.stale === undefined) return { ...base, state: 'running', detail: holder(lock) };
    if (task && kind === 'waiting') return { ...base, ...withTask, state: 'pending', detail: task.reason ? `waiting: ${task.reason}` : 'waiting' };
    if (record) return { ...base, ...withTask, state: 'failed', failure: recordFailure(record) };
    if (!sub) return { ...base, state: 'todo' };
    if (task) return { ...base, ...withTask, state: 'failed', failure: taskFailure(task, log, sub.submission.cancelledAt) };
    if (!Array.isArray(input.scheduler) && log?.end === undefined && !sub.submission.cancelledAt) {
      // The scheduler cannot be asked and the log does not say: it may still be queued.
      return { ...base, ...withTask, state: 'todo', detail: 'its task is not known here (the scheduler cannot be asked)' };
    }
    return { ...base, ...withTask, state: 'failed', failure: forgottenFailure(name!, sub.submission, log) };
  });

  const counts = Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<TrialState, number>;
  for (const t of trials) counts[t.state]++;
  const ok = input.records.filter((r) => r.status === 'ok' && r.error !== null);
  const bestOf = (rs: TrialRecord[]): TrialRecord | undefined => rs.reduce<TrialRecord | undefined>((b, r) => (b === undefined || (r.error as number) < (b.error as number) ? r : b), undefined);
  const best = bestOf(ok);
  const spaceNames = [...new Set(input.manifest.models.map((m) => m.space))];
  const spaces = spaceNames.map((name) => {
    const mine = trials.filter((t) => t.space === name);
    const c = Object.fromEntries(TRIAL_STATES.map((s) => [s, mine.filter((t) => t.state === s).length])) as Record<TrialState, number>;
    const b = bestOf(ok.filter((r) => r.space === name));
    return { name, n: mine.length, ...c, best: b ? (b.error as number) : null };
  });
  const status: SweepStatus = {
    dir: input.dir,
    file: input.manifest.file,
    total: trials.length,
    counts,
    spaces,
    best: best ? { space: best.space, index: best.index, error: best.error as number } : null,
    trials,
    unusable: input.unusable,
  };
  if (input.submissions.length > 0) {
    status.slurm = {
      jobs: input.submissions.map((s) => {
        const mine = tasks.filter((t) => t.arrayJobId === s.job);
        const n = (k: ReturnType<typeof stateKind>): number => mine.filter((t) => stateKind(t.state) === k).length;
        return { job: s.job, script: s.script, trials: s.trials.length, ...(s.cancelledAt ? { cancelledAt: s.cancelledAt } : {}), waiting: n('waiting'), running: n('running'), ended: n('ended') };
      }),
      ...(Array.isArray(input.scheduler) ? {} : { schedulerUnavailable: input.scheduler.unavailable }),
      sweepArgs: input.submissions[input.submissions.length - 1].sweepArgs,
    };
  }
  return status;
}
