/**
 * Cancelling a sweep's Slurm jobs: every job array of the sweep with a task still waiting or
 * running is cancelled with scancel, and the cancel is noted in `slurm/jobs.json` (the scheduler
 * drops cancelled tasks that never started, so `dslab status` could not tell otherwise). Records
 * are left as they are; running tasks stop on SIGTERM without writing one and release their
 * locks, so submitting again trains what is missing.
 */
import { loadSweep } from '../../core/analysis/loadSweep';
import { readSubmissions, writeSubmissions } from '../../core/slurm/submissions';
import { stateKind, type SchedulerTask } from '../../core/slurm/tasks';
import { SweepError } from '../runner';
import { runSlurm, SlurmUnavailableError } from './commands';
import { submissionTasks } from './scheduler';

export interface CancelSummary {
  dir: string;
  /** The jobs cancelled, with the tasks each had waiting and running. */
  cancelled: { job: string; waiting: number; running: number }[];
  /** Tasks still stopping when the wait ended (their trials get no record either way). */
  stopping: number;
  /** Trials with a record (kept) of all the sweep's trials. */
  recorded: number;
  total: number;
  /** `dslab sweep` arguments of the latest submission: how to go on. */
  sweepArgs: string[];
}

/** How long to wait for running tasks to stop (they need KillWait at most; the record of one that ends meanwhile is kept). */
const STOP_WAIT_MS = 20_000;

function active(tasks: SchedulerTask[], job: string): SchedulerTask[] {
  return tasks.filter((t) => t.arrayJobId === job && stateKind(t.state) !== 'ended');
}

function tasksOf(dir: string, submissions: Parameters<typeof submissionTasks>[1]): SchedulerTask[] {
  const tasks = submissionTasks(dir, submissions);
  if (!Array.isArray(tasks)) throw new SlurmUnavailableError(`cannot ask the scheduler about the sweep's jobs: ${tasks.unavailable}`);
  return tasks;
}

/** Cancels the sweep's jobs; see the module comment. */
export async function cancelSweep(dir: string, stopWaitMs = STOP_WAIT_MS): Promise<CancelSummary> {
  const snapshot = loadSweep(dir);
  const submissions = readSubmissions(dir);
  if (submissions.length === 0) throw new SweepError(`${dir} was never submitted to Slurm (no slurm/jobs.json): a local sweep stops with Ctrl-C where it runs`);
  const tasks = tasksOf(dir, submissions);
  const live = submissions.filter((s) => active(tasks, s.job).length > 0);
  const summary: CancelSummary = {
    dir,
    cancelled: live.map((s) => {
      const mine = active(tasks, s.job);
      return { job: s.job, waiting: mine.filter((t) => stateKind(t.state) === 'waiting').length, running: mine.filter((t) => stateKind(t.state) === 'running').length };
    }),
    stopping: 0,
    recorded: snapshot.records.length,
    total: snapshot.manifest.models.length,
    sweepArgs: submissions[submissions.length - 1].sweepArgs,
  };
  if (live.length === 0) return summary;
  const r = runSlurm('scancel', live.map((s) => s.job));
  if (r.status !== 0) throw new SweepError(`scancel failed: ${r.stderr || `exit status ${r.status}`}`);
  const now = new Date().toISOString();
  const ids = new Set(live.map((s) => s.job));
  writeSubmissions(dir, readSubmissions(dir).map((s) => (ids.has(s.job) && !s.cancelledAt ? { ...s, cancelledAt: now } : s)));
  // Running tasks stop on SIGTERM; wait for them, so that what follows sees their locks released.
  const deadline = Date.now() + stopWaitMs;
  for (;;) {
    summary.stopping = live.reduce((n, s) => n + active(tasksOf(dir, submissions), s.job).length, 0);
    if (summary.stopping === 0 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  summary.recorded = loadSweep(dir).records.length;
  return summary;
}
