/**
 * Importing a file end to end, for the CLI and the editor alike: read it, recognize or check its
 * format, rebuild its jobs, write the sweep directory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_SWEEPS_DIR } from '../results/layout';
import type { ImportFormat, SweepManifest } from '../results/records';
import { buildImportedSweep, spaceNameOf, writeImportedSweep, type ImportedJob, type ImportedRecipe, type ImportedSweep } from './importedSweep';
import { ndsDatasetOf, readNdsPopulation, type NdsDataset } from './ndsPopulation';
import { complexityOf } from './pyclsConfig';
import { readPyclsSweep, type PyclsError } from './pyclsSweep';
import { ImportError, isRecord, parsePythonJson } from './sourceJson';

export const IMPORT_FORMATS: readonly ImportFormat[] = ['pycls', 'nds'];
export const NDS_DATASETS: readonly NdsDataset[] = ['cifar10', 'imagenet'];

/** The name of an import: a pycls sweep.json is named after its folder (pycls's NAME), anything else after itself. */
export function importNameOf(file: string): string {
  const parsed = path.parse(path.resolve(file));
  return parsed.name === 'sweep' && path.basename(parsed.dir) !== '' ? path.basename(parsed.dir) : parsed.name;
}

/** The format parsed JSON is in, judged by its first job: pycls's log data has cfg and complexity, an NDS job net and flops. */
export function importFormatOf(value: unknown): ImportFormat | undefined {
  const list = Array.isArray(value) ? value : isRecord(value) && Array.isArray(value.top) ? value.top : undefined;
  const first = list?.[0];
  if (!isRecord(first)) return undefined;
  if (isRecord(first.cfg) && isRecord(first.complexity)) return 'pycls';
  if (isRecord(first.net) && typeof first.flops === 'number') return 'nds';
  return undefined;
}

export interface ImportFileOptions {
  /** The sweep's name (and its space's); default: `importNameOf(file)`. */
  name?: string;
  /** Where to write; default `.dslab/<name>` (relative to the working directory). */
  out?: string;
  /** NDS only: the dataset; default from the file's name. */
  dataset?: NdsDataset;
  /** pycls only: which error a job gets (default final). */
  error?: PyclsError;
  tool: SweepManifest['tool'];
}

export interface ImportedFile {
  out: string;
  jobs: ImportedJob[];
  sweep: ImportedSweep;
}

/**
 * Imports `file` as `format` into a sweep directory. Throws an ImportError for a file that cannot
 * be read or is not of the format (the message starts with the file and names the entry), and a
 * SweepDirectoryError when the folder holds something else.
 */
export function importFile(file: string, format: ImportFormat, options: ImportFileOptions): ImportedFile {
  const name = options.name ?? spaceNameOf(importNameOf(file));
  const out = options.out ?? path.join(DEFAULT_SWEEPS_DIR, name);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ImportError(`cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EISDIR' ? 'it is a directory' : e.message}`);
  }
  const value = parsePythonJson(text, file);
  let read: { jobs: ImportedJob[]; recipe: ImportedRecipe };
  try {
    read = format === 'pycls' ? readPyclsSweep(value, file, options.error) : readNdsPopulation(value, file, options.dataset ?? ndsDatasetOf(file), name);
  } catch (err) {
    if (err instanceof ImportError && !err.message.startsWith(file)) throw new ImportError(`${file}: ${err.message}`);
    throw err;
  }
  const collectedAt = fs.statSync(file).mtime.toISOString();
  const sweep = buildImportedSweep(read.jobs, complexityOf, { format, source: file, name, tool: options.tool, collectedAt, recipe: read.recipe });
  writeImportedSweep(out, sweep);
  return { out, jobs: read.jobs, sweep };
}
