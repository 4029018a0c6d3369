/**
 * The batch script of a sweep's job array: one array task per trial still to train, each
 * running `dslab trial DIR SPACE INDEX`, which trains it exactly as a worker of a local sweep
 * does (claim, train, atomic record). The script is kept in the sweep directory and written to
 * be read: its #SBATCH lines say what each task asks for, and `sbatch` on it submits the same
 * array again.
 */
import type { SlurmSettings } from './settings';
import { shellQuote } from './shellWords';

export interface BatchScriptInput {
  /** The sweep directory, absolute (tasks may start in another folder on another node). */
  dir: string;
  /** The folder the tasks run in, absolute: the space file's relative paths (dataset.path) start there. */
  workDir: string;
  /** The job's name in squeue. */
  jobName: string;
  /** Array task i trains trials[i]. */
  trials: readonly { space: string; index: number }[];
  settings: SlurmSettings;
  /** The command that runs dslab, absolute: [node, .../bin/dslab]. */
  dslab: readonly string[];
  /** Further `dslab trial` options (--backend B, --native-modules DIR). */
  trialArgs: readonly string[];
  /** sbatch's %A_%a output file pattern, absolute. */
  logPattern: string;
}

/** The array expression of `count` tasks, at most `parallel` running at once: "0-11%4". */
export function arraySpec(count: number, parallel?: number): string {
  const range = count === 1 ? '0' : `0-${count - 1}`;
  return parallel === undefined || parallel >= count ? range : `${range}%${parallel}`;
}

/** A value of an #SBATCH line: sbatch reads a double-quoted one whole (a path with blanks). */
function sbatchValue(v: string): string {
  return /[\s"']/.test(v) ? `"${v.replace(/"/g, '\\"')}"` : v;
}

/** The #SBATCH options of each task. */
export function sbatchOptions(input: Pick<BatchScriptInput, 'jobName' | 'trials' | 'settings' | 'logPattern' | 'workDir'>): string[] {
  const s = input.settings;
  return [
    `--job-name=${input.jobName}`,
    `--array=${arraySpec(input.trials.length, s.parallel)}`,
    `--output=${sbatchValue(input.logPattern)}`,
    // A requeued task appends to its log instead of replacing what the earlier run said.
    '--open-mode=append',
    `--chdir=${sbatchValue(input.workDir)}`,
    ...(s.partition === undefined ? [] : [`--partition=${s.partition}`]),
    ...(s.time === undefined ? [] : [`--time=${s.time}`]),
    ...(s.cpusPerTask === undefined ? [] : [`--cpus-per-task=${s.cpusPerTask}`]),
    ...(s.gpusPerTask === undefined ? [] : [`--gpus-per-task=${s.gpusPerTask}`]),
    ...(s.mem === undefined ? [] : [`--mem=${s.mem}`]),
    ...s.sbatchArgs,
  ];
}

/** The batch script's text. */
export function batchScript(input: BatchScriptInput): string {
  const q = shellQuote;
  const width = Math.max(...input.trials.map((t) => t.space.length));
  const trialLines = input.trials.map((t, i) => `  ${q(`${t.space} ${t.index}`).padEnd(width + 8)} # task ${i}`);
  const command = [...input.dslab.map(q), 'trial', q(input.dir), '"$space"', '"$index"', ...input.trialArgs.map(q)].join(' ');
  return [
    '#!/bin/bash',
    `# ${input.trials.length === 1 ? 'One trial' : `${input.trials.length} trials`} of the sweep in ${input.dir}, one per array task: each task trains`,
    '# its trial as a worker of a local sweep does and writes its record there (dslab trial).',
    '# Submit it again with: sbatch THIS_FILE (trials that have a record by then are skipped).',
    ...sbatchOptions(input).map((o) => `#SBATCH ${o}`),
    '',
    '# SPACE INDEX of the trial each array task trains.',
    'trials=(',
    ...trialLines,
    ')',
    'read -r space index <<< "${trials[$SLURM_ARRAY_TASK_ID]}"',
    command,
    'status=$?',
    // The last line of the log, read by `dslab status` once the scheduler has forgotten the task.
    'echo "dslab trial exited with status $status"',
    'exit $status',
    '',
  ].join('\n');
}
