/**
 * `slurm/jobs.json` in a sweep directory: the job arrays submitted for the sweep, each with its
 * batch script and the trial each array task trains (task i trains `trials[i]`). What `dslab
 * status` and `dslab cancel` read to find the sweep's jobs, and what a rerun of `dslab sweep
 * --executor slurm` reads so as not to submit a trial twice. Written atomically; a submission is
 * appended after sbatch accepted it.
 */
import * as fs from 'node:fs';
import { writeFileAtomic } from '../results/atomic';
import { slurmJobsPath } from '../results/layout';
import { SweepDirectoryError } from '../results/store';

export interface Submission {
  /** The array's job id, as sbatch printed it. */
  job: string;
  /** The batch script, relative to the sweep directory (`slurm/array-1.sh`). */
  script: string;
  /** ISO time. */
  submittedAt: string;
  /** Array task i trains trials[i]. */
  trials: { space: string; index: number }[];
  /** The `dslab sweep` arguments that submit the same sweep with the same Slurm settings (shown as the way to resume). */
  sweepArgs: string[];
  /** Set by `dslab cancel`: the ISO time the job was cancelled. */
  cancelledAt?: string;
}

export interface SubmissionLog {
  version: 1;
  submissions: Submission[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isSubmission(v: unknown): v is Submission {
  return (
    isObject(v) &&
    typeof v.job === 'string' &&
    typeof v.script === 'string' &&
    typeof v.submittedAt === 'string' &&
    Array.isArray(v.trials) &&
    v.trials.every((t) => isObject(t) && typeof t.space === 'string' && Number.isSafeInteger(t.index)) &&
    Array.isArray(v.sweepArgs) &&
    v.sweepArgs.every((a) => typeof a === 'string') &&
    (v.cancelledAt === undefined || typeof v.cancelledAt === 'string')
  );
}

/** The submissions of the sweep in `dir`, oldest first; none when it was never submitted to Slurm. */
export function readSubmissions(dir: string): Submission[] {
  const file = slurmJobsPath(dir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new SweepDirectoryError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SweepDirectoryError(`${file} is not JSON (${(err as Error).message}); it lists the sweep's Slurm jobs`);
  }
  if (!isObject(value) || value.version !== 1 || !Array.isArray(value.submissions) || !value.submissions.every(isSubmission)) {
    throw new SweepDirectoryError(`${file} is not a version 1 list of Slurm submissions`);
  }
  return value.submissions;
}

/** Replaces the sweep's list of submissions. */
export function writeSubmissions(dir: string, submissions: Submission[]): void {
  const log: SubmissionLog = { version: 1, submissions };
  writeFileAtomic(slurmJobsPath(dir), JSON.stringify(log, null, 2) + '\n');
}

/** For each trial ("A/3"), the array task that last set out to train it: its submission and its index in the array. */
export function latestTasks(submissions: readonly Submission[]): Map<string, { submission: Submission; taskId: number }> {
  const out = new Map<string, { submission: Submission; taskId: number }>();
  for (const submission of submissions) {
    submission.trials.forEach((t, taskId) => out.set(`${t.space}/${t.index}`, { submission, taskId }));
  }
  return out;
}
