/**
 * Where things are in a sweep directory (design.md §5), and where a space file's sweep goes when
 * the user does not say: the one place the CLI, the runner, the analysis and the editor take
 * these names from.
 */
import * as path from 'node:path';

/** The manifest: which models the sweep trains. */
export const MANIFEST_NAME = 'sweep.json';
/** The folder of the trial records, one subfolder per space. */
export const TRIALS_DIR = 'trials';
/** The folder (in the working directory, or the workspace folder) that holds the sweeps by default. */
export const DEFAULT_SWEEPS_DIR = '.dslab';

/** `3` → `0003.json`, or `0003.lock` for its lock, `0003.yaml` for its pycls config (four digits keep a directory listing in index order). */
export function trialFileName(index: number, extension: 'json' | 'lock' | 'yaml' = 'json'): string {
  return `${String(index).padStart(4, '0')}.${extension}`;
}

/** `trials/RegNetX/0003.json` (or `.lock`), with forward slashes on every platform (for messages and JSON). */
export function trialRelativePath(space: string, index: number, extension: 'json' | 'lock' = 'json'): string {
  return `${TRIALS_DIR}/${space}/${trialFileName(index, extension)}`;
}

/** The manifest of the sweep in `dir`. */
export function manifestPath(dir: string): string {
  return path.join(dir, MANIFEST_NAME);
}

/** The folder of a space's records in the sweep in `dir`. */
export function spaceTrialsDir(dir: string, space: string): string {
  return path.join(dir, TRIALS_DIR, space);
}

/** The record (or the lock) of trial `index` of `space` in the sweep in `dir`. */
export function trialPath(dir: string, space: string, index: number, extension: 'json' | 'lock' = 'json'): string {
  return path.join(spaceTrialsDir(dir, space), trialFileName(index, extension));
}

/** The sweep of a space file in `sweepsDir`: `.dslab/space.regnet` for `examples/space.regnet.yaml`. */
export function sweepDirOf(file: string, sweepsDir = DEFAULT_SWEEPS_DIR): string {
  return path.join(sweepsDir, path.parse(file).name);
}

/**
 * Where `--fresh` keeps a sweep of other settings: beside it, named after when it was created,
 * e.g. `.dslab/space.regnet.2026-12-05T08-51-14` (`-2`, `-3`… when that is taken too).
 */
export function keptSweepDir(dir: string, createdAt: string, exists: (p: string) => boolean): string {
  const stamp = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(createdAt) ? createdAt.slice(0, 19).replace(/:/g, '-') : 'previous';
  const base = `${dir.replace(/[\\/]+$/, '')}.${stamp}`;
  let candidate = base;
  for (let n = 2; exists(candidate); n++) candidate = `${base}-${n}`;
  return candidate;
}

/** The folder of a sweep's Slurm submissions: their batch scripts, `jobs.json` and the tasks' logs. */
export const SLURM_DIR = 'slurm';

/** `DIR/slurm/jobs.json`: every job array submitted for the sweep, with the trial of each task. */
export function slurmJobsPath(dir: string): string {
  return path.join(dir, SLURM_DIR, 'jobs.json');
}

/** `slurm/array-3.sh`: the batch script of the sweep's `n`th submission (relative to the sweep directory). */
export function batchScriptName(n: number): string {
  return `${SLURM_DIR}/array-${n}.sh`;
}

/** `slurm/logs`: where the tasks write their output (relative to the sweep directory). */
export const SLURM_LOGS_DIR = `${SLURM_DIR}/logs`;

/** `slurm/logs/123_4.out`: the output of task 4 of array job 123 (sbatch's `%A_%a`). */
export function taskLogName(arrayJobId: string, taskId: number): string {
  return `${SLURM_LOGS_DIR}/${arrayJobId}_${taskId}.out`;
}
