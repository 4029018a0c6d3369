/** `dslab sweep --executor slurm`: the flags, the settings they make with the file's, and the submission's report. */
import * as path from 'node:path';
import { shellQuote } from '../core/slurm/shellWords';
import { mergeSettings, settingsFlags, SLURM_MEMORY_PATTERN, SLURM_TIME_PATTERN, type SlurmSettings } from '../core/slurm/settings';
import type { ResolvedSpaceFile } from '../core/space/types';
import type { SweepEvent } from '../core/analysis/sweepEvents';
import { describeRound } from '../core/analysis/sequential';
import { count } from '../core/presentation/counts';
import { SweepProgress, submittedLines } from '../core/presentation/sweepText';
import { SlurmUnavailableError } from '../sweep/slurm/commands';
import { SlurmSubmitError, submitSweep, type SlurmSubmitOptions, type SubmitSummary } from '../sweep/slurm/submit';
import { intFlag, printJson, UsageError, UserError, type Io } from './command';
import { sweepUserError } from './interrupts';

/** The options `dslab sweep` adds for Slurm (node:util parseArgs form). */
export const SLURM_FLAGS = {
  executor: { type: 'string' },
  partition: { type: 'string' },
  time: { type: 'string' },
  'gpus-per-task': { type: 'string' },
  'cpus-per-task': { type: 'string' },
  mem: { type: 'string' },
  parallel: { type: 'string' },
  'sbatch-arg': { type: 'string', multiple: true },
  follow: { type: 'boolean' },
} as const;

type SlurmFlagValues = { [K in keyof typeof SLURM_FLAGS]?: (typeof SLURM_FLAGS)[K] extends { multiple: true } ? string[] : (typeof SLURM_FLAGS)[K] extends { type: 'boolean' } ? boolean : string };

/** The `dslab sweep` command that runs on the nodes: this Node.js and this checkout's bin/dslab. */
const DSLAB = [process.execPath, path.join(__dirname, '..', '..', '..', 'bin', 'dslab')];

/**
 * The Slurm settings when the sweep goes to Slurm (--executor slurm, or the file's executor
 * type without --executor local), with the flags that set them; undefined for a local sweep.
 */
export function slurmExecutor(values: SlurmFlagValues, resolved: ResolvedSpaceFile): { settings: SlurmSettings; flags: string[] } | undefined {
  const executor = values.executor ?? resolved.executor?.type ?? 'local';
  if (executor !== 'local' && executor !== 'slurm') throw new UsageError(`--executor must be local or slurm, got '${executor}'`);
  const given: Partial<SlurmSettings> = {
    ...(values.partition !== undefined ? { partition: values.partition } : {}),
    ...(values.time !== undefined ? { time: values.time } : {}),
    ...(values['gpus-per-task'] !== undefined ? { gpusPerTask: intFlag('gpus-per-task', values['gpus-per-task'], 0) } : {}),
    ...(values['cpus-per-task'] !== undefined ? { cpusPerTask: intFlag('cpus-per-task', values['cpus-per-task'], 1) } : {}),
    ...(values.mem !== undefined ? { mem: values.mem } : {}),
    ...(values.parallel !== undefined ? { parallel: intFlag('parallel', values.parallel, 1) } : {}),
    ...(values['sbatch-arg'] !== undefined ? { sbatchArgs: values['sbatch-arg'] } : {}),
  };
  const flags = settingsFlags(given);
  if (executor === 'local') {
    if (flags.length > 0) throw new UsageError(`${flags[0]} is a Slurm option: add --executor slurm (or executor: { type: slurm } in the file)`);
    return undefined;
  }
  if (given.time !== undefined && !SLURM_TIME_PATTERN.test(given.time)) throw new UsageError(`--time must be minutes or [D-]HH:MM[:SS], got '${given.time}'`);
  if (given.mem !== undefined && !SLURM_MEMORY_PATTERN.test(given.mem)) throw new UsageError(`--mem must be megabytes or a size with K, M, G or T (e.g. 8G), got '${given.mem}'`);
  const { type: _type, ...fromFile } = resolved.executor ?? { type: 'slurm', sbatchArgs: [] };
  return { settings: mergeSettings(fromFile, given), flags: ['--executor', 'slurm', ...flags] };
}

/** What the submission did, in a few lines. */
export function submitText(s: SubmitSummary): string {
  const lines: string[] = [];
  if (s.job === null && s.queued === 0 && s.elsewhere === 0) {
    lines.push(`Nothing to submit: ${s.done === s.total ? `all ${count(s.total, 'trial')} have a record` : `${s.done} of ${s.total} trials have a record`}`);
  } else {
    lines.push(...submittedLines({ ...s, script: s.script === null ? null : path.join(s.dir, s.script) }));
  }
  if (s.sequential) {
    lines.push(...describeRound(s.sequential));
    if (s.sequential.status === 'running') lines.push('This submits the current round only: when it has finished, run the same command again to decide and submit the next round (or add --follow).');
  }
  lines.push(`Follow it: dslab status ${shellQuote(s.dir)}    Stop it: dslab cancel ${shellQuote(s.dir)}`);
  return lines.join('\n') + '\n';
}

/** Submits the sweep's missing trials; errors a user must fix become UserErrors. */
export async function submitSlurm(options: Omit<SlurmSubmitOptions, 'dslab'>): Promise<SubmitSummary> {
  try {
    return await submitSweep({ ...options, dslab: DSLAB });
  } catch (err) {
    if (err instanceof SlurmUnavailableError || err instanceof SlurmSubmitError) throw new UserError(err.message);
    throw sweepUserError(err);
  }
}

/** The `submitted` event of a submission (its script as a path from here). */
export function submittedEvent(s: SubmitSummary): Extract<SweepEvent, { type: 'submitted' }> {
  return { type: 'submitted', job: s.job, script: s.script === null ? null : path.join(s.dir, s.script), array: s.array, submitted: s.submitted, queued: s.queued, elsewhere: s.elsewhere };
}

/** Submits the sweep and reports what went out, without following it. */
export async function submitToSlurm(options: Omit<SlurmSubmitOptions, 'dslab' | 'onEvent'>, json: boolean, io: Io): Promise<number> {
  const progress = new SweepProgress('run the same command again');
  const summary = await submitSlurm({
    ...options,
    onEvent: (e) => {
      for (const line of progress.apply(e)) io.stderr((e.type === 'warning' ? `dslab sweep: ${line}` : line) + '\n');
    },
  });
  if (json) printJson(io, summary);
  else io.stdout(submitText(summary));
  return 0;
}
