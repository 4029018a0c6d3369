/**
 * What the scheduler says of a sweep's jobs: `squeue --json` (every job the controller still
 * knows), or `scontrol show job` for each job where squeue has no --json (before Slurm 21.08).
 * No accounting database is assumed: a job the controller has forgotten (MinJobAge after it
 * ended) is simply absent, and the caller falls back on the task's log.
 */
import * as path from 'node:path';
import type { JobState, LockOwner } from '../../core/results/lock';
import type { Submission } from '../../core/slurm/submissions';
import type { SlurmJobRun } from '../../core/results/process';
import { parseScontrolJobs } from '../../core/slurm/scontrolJobs';
import { parseSqueueJson, SchedulerOutputError } from '../../core/slurm/squeueJson';
import { stateKind, type SchedulerTask } from '../../core/slurm/tasks';
import { runSlurm, SlurmUnavailableError } from './commands';

/** Every task the scheduler lists of the given array jobs (all jobs when absent), or why it cannot be asked. */
export function schedulerTasks(arrayJobIds?: readonly string[]): SchedulerTask[] | { unavailable: string } {
  try {
    const r = runSlurm('squeue', ['--json']);
    if (r.status === 0) return parseSqueueJson(r.stdout, arrayJobIds ? new Set(arrayJobIds) : undefined);
    if (!/unrecognized option|invalid option/i.test(r.stderr)) return { unavailable: r.stderr || `squeue --json exited with status ${r.status}` };
    if (!arrayJobIds) return { unavailable: 'squeue has no --json here (Slurm before 21.08)' };
    const tasks: SchedulerTask[] = [];
    for (const id of arrayJobIds) {
      const s = runSlurm('scontrol', ['show', 'job', id]);
      // "Invalid job id specified": the controller has forgotten it.
      if (s.status === 0) tasks.push(...parseScontrolJobs(s.stdout));
    }
    return tasks;
  } catch (err) {
    if (err instanceof SlurmUnavailableError || err instanceof SchedulerOutputError) return { unavailable: err.message };
    throw err;
  }
}

/** How long an answer of the scheduler is used for locks written before it (clocks of hosts differ a little). */
const ANSWER_TTL_MS = 30_000;

/**
 * The scheduler's tasks of a sweep's submissions: those of their array jobs whose batch script
 * is the submission's (a cluster set up anew reuses job ids), or why the scheduler cannot be asked.
 */
export function submissionTasks(dir: string, submissions: readonly Submission[]): SchedulerTask[] | { unavailable: string } {
  if (submissions.length === 0) return [];
  const tasks = schedulerTasks(submissions.map((s) => s.job));
  if (!Array.isArray(tasks)) return tasks;
  const scriptOf = new Map(submissions.map((s) => [s.job, path.resolve(dir, s.script)]));
  return tasks.filter((t) => t.command === undefined || t.command === scriptOf.get(t.arrayJobId));
}

/**
 * A `jobState` for lock claims (core/results/lock.ts): whether the Slurm job that wrote a lock
 * still runs. The scheduler is asked once, and again for a lock written after that answer (a job
 * that started since is not in it). Undefined (no judgement) when the scheduler cannot be asked.
 */
export function jobStateJudge(): (owner: LockOwner & { job: SlurmJobRun }) => JobState {
  let asked: { at: number; tasks: SchedulerTask[] | undefined } | undefined;
  return (owner) => {
    const written = Date.parse(owner.time);
    if (asked === undefined || !(written < asked.at) || Date.now() - asked.at > ANSWER_TTL_MS) {
      const at = Date.now();
      const answer = schedulerTasks();
      asked = { at, tasks: Array.isArray(answer) ? answer : undefined };
    }
    if (asked.tasks === undefined) return undefined;
    const task = asked.tasks.find((t) => t.jobId === owner.job.id);
    if (task === undefined) return { running: false, state: 'unknown to the scheduler: it ended a while ago' };
    const kind = stateKind(task.state);
    // Waiting again (requeued): the run that wrote the lock is over.
    if (kind === 'running' && task.restarts === owner.job.restarts) return { running: true };
    return { running: false, state: kind === 'running' ? `running again after a requeue` : task.state };
  };
}
