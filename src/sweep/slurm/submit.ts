/**
 * A sweep submitted to Slurm: the file is sampled and the sweep directory written exactly as for
 * a local run, then the trials still to train go out as one job array, whose task i runs
 * `dslab trial DIR SPACE INDEX` for the i-th of them. Trials the scheduler is already running or
 * holding for this sweep, and trials another process is training (a live lock), are left out, so
 * running the same command again submits only what is missing (and, with retryFailed, what
 * failed). The batch script stays in the sweep directory (`slurm/array-N.sh`) and the submission
 * is listed in `slurm/jobs.json` for `dslab status` and `dslab cancel`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { asFilesystemError } from '../../core/results/fsErrors';
import { batchScriptName, SLURM_LOGS_DIR } from '../../core/results/layout';
import { inspectLock } from '../../core/results/lock';
import { writeFileAtomic } from '../../core/results/atomic';
import type { SweepModel } from '../../core/results/records';
import { batchScript, arraySpec } from '../../core/slurm/batchScript';
import { nodeLocalReason } from '../../core/slurm/sharedPath';
import { settingsProblem, type SlurmSettings } from '../../core/slurm/settings';
import { latestTasks, readSubmissions, writeSubmissions, type Submission } from '../../core/slurm/submissions';
import { stateKind, taskName } from '../../core/slurm/tasks';
import { summarizeSequential, type SequentialSummary } from '../../core/analysis/sequential';
import { count } from '../../core/presentation/counts';
import { openSweep, SweepError, trialKey, type SweepOptions } from '../runner';
import { runSlurm } from './commands';
import { jobStateJudge, submissionTasks } from './scheduler';
import { makeDirectory } from '../../core/results/makeDirectory';

export interface SlurmSubmitOptions extends SweepOptions {
  settings: SlurmSettings;
  /** The command that runs dslab on the nodes, absolute: [node, .../bin/dslab]. */
  dslab: string[];
  /** `dslab sweep` arguments that submit this sweep again (recorded; `dslab status` shows them). */
  sweepArgs: string[];
}

/** What `dslab sweep --executor slurm` reports. */
export interface SubmitSummary {
  dir: string;
  file: string;
  /** The array's job id; null when nothing needed submitting. */
  job: string | null;
  /** The batch script, relative to the sweep directory; null when nothing was submitted. */
  script: string | null;
  /** sbatch's --array expression ("0-11%4"). */
  array: string | null;
  /** Trials of the selected spaces (in the current round of a sequential sweep). */
  total: number;
  /** Of those, trials with a record. */
  done: number;
  /** Trials submitted now. */
  submitted: number;
  /** Trials left out because an earlier task of this sweep is queued or running for them. */
  queued: number;
  /** Trials left out because another process holds their lock. */
  elsewhere: number;
  sequential?: SequentialSummary;
}

/** sbatch refused the job array: its own message, and where the script is. */
export class SlurmSubmitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlurmSubmitError';
  }
}

/** A job name Slurm shows as it is: "dslab-" and the experiment's name, in safe characters. */
function jobName(name: string): string {
  return `dslab-${name.replace(/[^\w.-]+/g, '_')}`.slice(0, 64);
}

/** statfs's f_type of the filesystem holding `dir`, or undefined when it cannot be read. */
function filesystemType(dir: string): number | undefined {
  try {
    return fs.statfsSync(dir).type;
  } catch {
    return undefined;
  }
}

/** Submits the sweep's missing trials as one job array; see the module comment. */
export async function submitSweep(options: SlurmSubmitOptions): Promise<SubmitSummary> {
  const onEvent = options.onEvent ?? ((): void => {});
  const problem = settingsProblem(options.settings);
  if (problem) throw new SweepError(`Slurm settings: ${problem}`);
  // Before anything is written: without sbatch nothing can be submitted.
  runSlurm('sbatch', ['--version']);
  try {
    return submitOnce(options, onEvent);
  } catch (err) {
    throw asFilesystemError(err, undefined, `cannot use the sweep directory ${options.out}`);
  }
}

function submitOnce(options: SlurmSubmitOptions, onEvent: NonNullable<SweepOptions['onEvent']>): SubmitSummary {
  const dir = path.resolve(options.out);
  const opened = openSweep(options, onEvent);
  const { store, inRound } = opened;
  const submissions = readSubmissions(options.out);

  // Trials an earlier submission is still queued or running for.
  const active = new Set<string>();
  if (submissions.length > 0) {
    const tasks = submissionTasks(options.out, submissions);
    if (!Array.isArray(tasks)) {
      onEvent({ type: 'warning', message: `cannot ask the scheduler which tasks of earlier submissions still run (${tasks.unavailable}); they may be submitted twice (their locks keep them from training twice)` });
    } else {
      const live = new Set(tasks.filter((t) => stateKind(t.state) !== 'ended').map(taskName));
      for (const [key, { submission, taskId }] of latestTasks(submissions)) if (live.has(`${submission.job}_${taskId}`)) active.add(key);
    }
  }
  const judge = jobStateJudge();
  const held = (m: SweepModel): boolean => {
    const lock = inspectLock(store.lockPath(m.space, m.index), { jobState: judge });
    return lock !== undefined && lock.stale === undefined;
  };
  const queued = opened.todo.filter((m) => active.has(trialKey(m)));
  const elsewhere = opened.todo.filter((m) => !active.has(trialKey(m)) && held(m));
  const todo = opened.todo.filter((m) => !queued.includes(m) && !elsewhere.includes(m));
  if (queued.length > 0) onEvent({ type: 'warning', message: `${count(queued.length, 'trial is', 'trials are')} already queued or running in an earlier submission; not submitted again` });
  if (elsewhere.length > 0) onEvent({ type: 'warning', message: `${count(elsewhere.length, 'trial is', 'trials are')} being trained by another process; not submitted` });
  if (opened.retrying.size > 0 && todo.some((m) => opened.retrying.has(trialKey(m)))) {
    onEvent({ type: 'warning', message: `submitting ${count(opened.retrying.size, 'failed trial')} again (${options.retryFailed ? '--retry-failed' : 'they failed because of the environment'})` });
  }

  const scan = store.scan(opened.selected);
  const summary: SubmitSummary = {
    dir: options.out,
    file: options.file,
    job: null,
    script: null,
    array: null,
    total: opened.selected.filter(inRound).length,
    done: scan.records.filter(inRound).length,
    submitted: 0,
    queued: queued.length,
    elsewhere: elsewhere.length,
    ...(opened.sequential ? { sequential: summarizeSequential(opened.sequential.state) } : {}),
  };
  if (todo.length === 0) return summary;
  const local = nodeLocalReason(dir, filesystemType(path.dirname(dir)));
  if (local) {
    onEvent({ type: 'warning', message: `the sweep directory ${options.out} is not on a filesystem other nodes share (${local}): tasks that run on another node cannot write their records there. That is fine on a single-node cluster; elsewhere, use --out on a shared filesystem` });
  }

  const script = batchScriptName(submissions.length + 1);
  const scriptPath = path.join(options.out, script);
  makeDirectory(path.join(options.out, SLURM_LOGS_DIR));
  const trials = todo.map((m) => ({ space: m.space, index: m.index }));
  const text = batchScript({
    dir,
    workDir: process.cwd(),
    jobName: jobName(options.resolved.name),
    trials,
    settings: options.settings,
    dslab: options.dslab,
    trialArgs: [
      ...(options.backend ? ['--backend', options.backend] : []),
      ...(options.nativeModulesPath ? ['--native-modules', path.resolve(options.nativeModulesPath)] : []),
      ...(options.retryFailed ? ['--retry-failed'] : []),
    ],
    logPattern: path.join(dir, SLURM_LOGS_DIR, '%A_%a.out'),
  });
  writeFileAtomic(scriptPath, text);
  fs.chmodSync(scriptPath, 0o755);
  const r = runSlurm('sbatch', ['--parsable', scriptPath]);
  const job = /^(\d+)(;\S+)?\s*$/.exec(r.stdout)?.[1];
  if (r.status !== 0 || job === undefined) {
    const said = r.stderr || r.stdout.trim() || `exit status ${r.status}`;
    throw new SlurmSubmitError(`sbatch refused the job array: ${said} (the script is ${scriptPath}; nothing was submitted)`);
  }
  const submission: Submission = { job, script, submittedAt: new Date().toISOString(), trials, sweepArgs: options.sweepArgs };
  writeSubmissions(options.out, [...readSubmissions(options.out), submission]);
  return { ...summary, job, script, array: arraySpec(trials.length, options.settings.parallel), submitted: trials.length };
}
