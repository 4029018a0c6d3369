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
  };
}
