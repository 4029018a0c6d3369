/**
 * Follows a sweep submitted to Slurm until its tasks have ended: every few seconds it reads the
 * records and asks the scheduler (as `dslab status` does) and emits what changed as sweep events
 * (core/slurm/followEvents.ts). A sequential sweep's next round is submitted when the current
 * one has ended cleanly. Stopping the follow (the signal) leaves the jobs running.
 */
import { loadSweep } from '../../core/analysis/loadSweep';
import type { SequentialSummary } from '../../core/analysis/sequential';
import type { SweepEvent, SweepSummary } from '../../core/analysis/sweepEvents';
import { isEnvironmentFailure } from '../../core/results/records';
import { followLook, followMemory } from '../../core/slurm/followEvents';
import { gatherStatus } from '../gatherStatus';
import { summarizeSpaces } from '../runner';
import type { SubmitSummary } from './submit';

/** How often the scheduler is asked, unless DSLAB_SLURM_POLL_MS says otherwise. */
export const FOLLOW_POLL_MS = 5_000;

export interface FollowOptions {
  dir: string;
  file: string;
  /** The followed spaces; all when undefined. */
  spaces?: string[];
  /** The submission the follow starts from. */
  submitted: SubmitSummary;
  pollMs?: number;
  signal?: AbortSignal;
  onEvent: (e: SweepEvent) => void;
  /** Submits what is missing again (the next round of a sequential sweep) and reports it. */
  submitAgain: () => Promise<SubmitSummary>;
}

export interface FollowResult {
  summary: SweepSummary;
  /** Trials whose task ended without a record while followed (TIMEOUT, FAILED…), by kind. */
  taskFailures: Map<string, number>;
}

function pollInterval(options: FollowOptions): number {
  const fromEnv = Number(process.env.DSLAB_SLURM_POLL_MS);
  return options.pollMs ?? (Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : FOLLOW_POLL_MS);
}

/** Waits `ms`, or less when the signal aborts; true when it aborted. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve(signal?.aborted === true);
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Follows the sweep until no task of it is queued or running (or the signal aborts); see the module comment. */
export async function followSweep(options: FollowOptions): Promise<FollowResult> {
  const started = Date.now();
  const spaces = options.spaces === undefined || options.spaces.length === 0 ? undefined : new Set(options.spaces);
  const memory = followMemory(loadSweep(options.dir).records);
  const taskFailures = new Map<string, number>();
  let sequential: SequentialSummary | undefined = options.submitted.sequential;
  let warnedUnavailable = false;
  const jobs = options.submitted.job === null ? [] : [options.submitted.job];
  for (;;) {
    const snapshot = loadSweep(options.dir);
    const status = gatherStatus(options.dir, snapshot);
    const look = followLook(memory, status, snapshot.records, spaces);
    for (const e of look.events) {
      if (e.type === 'trialFailed') taskFailures.set(e.kind, (taskFailures.get(e.kind) ?? 0) + 1);
      options.onEvent(e);
    }
    let live = look.live;
    const unavailable = status.slurm?.schedulerUnavailable;
    if (unavailable !== undefined) {
      // Without the scheduler a queued task looks like a trial nobody took: wait for its record.
      live += status.trials.filter((t) => t.state === 'todo' && (spaces === undefined || spaces.has(t.space))).length;
      if (!warnedUnavailable) options.onEvent({ type: 'warning', message: `cannot ask the scheduler (${unavailable}); following the records only` });
      warnedUnavailable = true;
    }
    if (live === 0) {
      // The next round of a sequential sweep, unless tasks failed (resubmitting them is the user's call).
      if (sequential?.status !== 'running' || taskFailures.size > 0 || options.signal?.aborted) break;
      const again = await options.submitAgain();
      sequential = again.sequential;
      if (again.job !== null) jobs.push(again.job);
      if (again.job === null) break;
    }
    if (await pause(pollInterval(options), options.signal)) break;
  }
  return { summary: { ...followSummary(options, sequential, started), ...(jobs.length > 0 ? { slurmJobs: jobs } : {}) }, taskFailures };
}

/** What the sweep has on disk when the follow ends, as a local run's summary says it. */
function followSummary(options: FollowOptions, sequential: SequentialSummary | undefined, started: number): SweepSummary {
  const snapshot = loadSweep(options.dir);
  const names = [...new Set(snapshot.manifest.models.map((m) => m.space))].filter((s) => options.spaces === undefined || options.spaces.length === 0 || options.spaces.includes(s));
  const inRound = (m: { index: number }): boolean => sequential === undefined || m.index < sequential.target;
  const target = snapshot.manifest.models.filter((m) => names.includes(m.space) && inRound(m));
  const records = snapshot.records.filter((r) => names.includes(r.space) && inRound(r));
  const environmentFailed = records.filter(isEnvironmentFailure);
  const remaining = target.length - records.length;
  return {
    dir: options.dir,
    file: options.file,
    fingerprint: snapshot.manifest.fingerprint,
    backend: null,
    workers: 0,
    total: target.length,
    done: records.length,
    trained: records.filter((r) => Date.parse(r.finishedAt) >= started).length,
    remaining,
    elsewhere: 0,
    interrupted: options.signal?.aborted === true && remaining > 0,
    wallSeconds: (Date.now() - started) / 1000,
    spaces: summarizeSpaces(names, target, records),
    ...(sequential ? { sequential } : {}),
    environmentFailures: environmentFailed.length,
    ...(environmentFailed.length > 0 ? { environmentFailure: environmentFailed[0].failure?.message ?? '' } : {}),
  };
}
