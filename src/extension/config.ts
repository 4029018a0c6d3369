/** The `designSpaceLab.*` settings, read in one place. */
import * as vscode from 'vscode';
import type { SweepSettings } from './sweepTaskDefinition';

export const SECTION = 'designSpaceLab';

export interface Settings extends SweepSettings {
  /** Folder holding optional native tfjs packages (tfjs-node, tfjs-node-gpu); '' = none. */
  nativeModulesPath: string;
  /** Which GPU WebGPU trains on (an adapter index or part of its name); '' = the first. */
  webgpuAdapter: string;
}

/** An integer setting of at least `min`, or null when unset (or not a number). */
const count = (v: number | null | undefined, min: number): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.max(min, Math.floor(v)) : null);

/** The settings that apply to a resource (a space file), or the workspace's. */
export function readSettings(scope?: vscode.Uri): Settings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  return {
    // 'file' (and '' from older settings): the space file's training.backend, i.e. no --backend.
    backend: ((b) => (b === 'file' ? '' : b))(c.get<string>('backend', 'file')),
    workers: Math.max(0, Math.floor(c.get<number>('workers', 0))),
    outputDirectory: c.get<string>('outputDirectory', ''),
    nativeModulesPath: c.get<string>('nativeModulesPath', ''),
    webgpuAdapter: c.get<string>('webgpuAdapter', '').trim(),
    executor: ((e) => (e === 'local' || e === 'slurm' ? e : 'file'))(c.get<string>('executor', 'file')),
    slurm: {
      partition: c.get<string>('slurm.partition', '').trim(),
      time: c.get<string>('slurm.time', '').trim(),
      gpusPerTask: count(c.get<number | null>('slurm.gpusPerTask', null), 0),
      cpusPerTask: count(c.get<number | null>('slurm.cpusPerTask', null), 1),
      mem: c.get<string>('slurm.mem', '').trim(),
      parallel: count(c.get<number | null>('slurm.parallel', null), 1),
      sbatchArgs: (c.get<unknown[]>('slurm.sbatchArgs', []) ?? []).filter((a): a is string => typeof a === 'string' && a.trim() !== ''),
    },
  };
}
