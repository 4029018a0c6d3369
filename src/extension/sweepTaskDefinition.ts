/**
 * The `dslab` task type: `{ "type": "dslab", "file": "examples/space.regnet.yaml", "space": "RegNetX" }`
 * runs `dslab sweep` on the file (optionally one space) from tasks.json, the Run Task picker or a lens.
 */
import * as path from 'node:path';
import { importNameOf } from '../core/interop/importFile';
import { spaceNameOf } from '../core/interop/importedSweep';
import { DEFAULT_SWEEPS_DIR, sweepDirOf } from '../core/results/layout';

export const TASK_TYPE = 'dslab';

export interface SweepTaskDefinition {
  type: typeof TASK_TYPE;
  /** The space file, absolute or relative to the workspace folder. */
  file: string;
  /** Only this space; all spaces when absent. */
  space?: string;
  /** Start over when the sweep folder holds a sweep of other settings, keeping that one beside it. */
  fresh?: boolean;
}

/** The settings a sweep takes from `designSpaceLab.*`. */
export interface SweepSettings {
  /** '' = the file's training.backend. */
  backend: string;
  /** 0 = the CLI's default (one per core, as memory allows). */
  workers: number;
  /** '' = `.dslab/` in the workspace folder; relative paths are taken from the workspace folder. */
  outputDirectory: string;
  /** '' = none; else a folder whose node_modules may hold @tensorflow/tfjs-node(-gpu). */
  nativeModulesPath?: string;
  /** Where it trains: 'file' = the space file's executor (local without one). */
  executor: 'file' | 'local' | 'slurm';
  /** Slurm options that replace the file's ('' / null / [] = the file's). */
  slurm: SlurmOptionSettings;
}

export interface SlurmOptionSettings {
  partition: string;
  time: string;
  gpusPerTask: number | null;
  cpusPerTask: number | null;
  mem: string;
  parallel: number | null;
  sbatchArgs: string[];
}

/** Where a sweep of these settings trains, given the file's own executor type. */
export function effectiveExecutor(settings: Pick<SweepSettings, 'executor'>, fileExecutor: 'local' | 'slurm' | undefined): 'local' | 'slurm' {
  return settings.executor === 'file' ? (fileExecutor ?? 'local') : settings.executor;
}

/** A task definition from tasks.json, checked; a string says what is wrong with it. */
export function parseTaskDefinition(definition: Readonly<Record<string, unknown>>): SweepTaskDefinition | string {
  if (definition.type !== TASK_TYPE) return `task type must be '${TASK_TYPE}'`;
  if (typeof definition.file !== 'string' || definition.file.trim() === '') return "a 'dslab' task needs \"file\": the space file to sweep";
  if (definition.space !== undefined && (typeof definition.space !== 'string' || definition.space === '')) return '"space" must be the name of a space';
  if (definition.fresh !== undefined && typeof definition.fresh !== 'boolean') return '"fresh" must be true or false';
  return {
    type: TASK_TYPE,
    file: definition.file,
    ...(definition.space !== undefined ? { space: definition.space as string } : {}),
    ...(definition.fresh === true ? { fresh: true } : {}),
  };
}

/** "sweep space.regnet.yaml" or "sweep space.regnet.yaml: RegNetX". */
export function taskName(definition: SweepTaskDefinition): string {
  const file = path.basename(definition.file);
  return definition.space === undefined ? `sweep ${file}` : `sweep ${file}: ${definition.space}`;
}

/** The folder that holds a workspace folder's sweeps: the `outputDirectory` setting (relative to the workspace folder), or `.dslab`. */
export function sweepsRoot(folder: string, outputDirectory: string): string {
  return outputDirectory.trim() === '' ? path.join(folder, DEFAULT_SWEEPS_DIR) : path.resolve(folder, outputDirectory.trim());
}

/** Where the editor imports `file` (a pycls sweep.json, an NDS population): `<sweeps folder>/<name>`, named as `dslab import` names it. */
export function importDirectory(folder: string, outputDirectory: string, file: string): string {
  return path.join(sweepsRoot(folder, outputDirectory), spaceNameOf(importNameOf(file)));
}

/** Where the sweep of `file` is stored: `<outputDirectory or .dslab>/<file name without extension>`. */
export function sweepDirectory(folder: string, file: string, outputDirectory: string): string {
  return sweepDirOf(file, sweepsRoot(folder, outputDirectory));
}

/**
 * The CLI arguments (after `node bin/dslab`) of the sweep a task runs; it emits JSON events on
 * stdout (on Slurm: it submits, then follows the job array). `executor`: where it trains, the
 * setting and the file's executor taken together (effectiveExecutor).
 */
export function sweepArgs(file: string, definition: Pick<SweepTaskDefinition, 'space' | 'fresh'>, out: string, settings: SweepSettings, executor: 'local' | 'slurm'): string[] {
  const args = ['sweep', file, '--events', '--out', out];
  if (definition.space !== undefined) args.push('--space', definition.space);
  if (definition.fresh) args.push('--fresh');
  if (settings.backend !== '') args.push('--backend', settings.backend);
  if (settings.nativeModulesPath) args.push('--native-modules', settings.nativeModulesPath);
  if (settings.executor !== 'file') args.push('--executor', settings.executor);
  if (executor === 'local') {
    if (settings.workers > 0) args.push('--workers', String(settings.workers));
    return args;
  }
  const s = settings.slurm;
  if (s.partition !== '') args.push('--partition', s.partition);
  if (s.time !== '') args.push('--time', s.time);
  if (s.gpusPerTask !== null) args.push('--gpus-per-task', String(s.gpusPerTask));
  if (s.cpusPerTask !== null) args.push('--cpus-per-task', String(s.cpusPerTask));
  if (s.mem !== '') args.push('--mem', s.mem);
  if (s.parallel !== null) args.push('--parallel', String(s.parallel));
  for (const a of s.sbatchArgs) args.push(`--sbatch-arg=${a}`);
  return args;
}
