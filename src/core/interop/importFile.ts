/**
 * Importing a file end to end, for the CLI and the editor alike: read it, recognize or check its
 * format, rebuild its jobs, write the sweep directory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readOpenedFile } from '../openedFile';
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

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\n' || c === '\r' || c === '\t';

function skipSpace(text: string, i: number): number {
  while (isSpace(text[i])) i++;
  return i;
}

/** The index just after the JSON value that starts at `i`, or undefined when it does not end within `text`. */
function valueEnd(text: string, i: number): number | undefined {
  const open = text[i];
  if (open !== '"' && open !== '{' && open !== '[') {
    while (i < text.length && !isSpace(text[i]) && !',]}'.includes(text[i])) i++;
    return i < text.length ? i : undefined;
  }
  let depth = 0;
  let inString = false;
  for (let k = i; k < text.length; k++) {
    const c = text[k];
    if (inString) {
      if (c === '\\') k++;
      else if (c === '"') {
        inString = false;
        if (depth === 0) return k + 1;
      }
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return k + 1;
    }
  }
  return undefined;
}

/**
 * The text of the first job of the list `text` begins with — or of the list under "top" when it
 * begins with an object, as an NDS file of reruns does — or undefined when `text` ends before it does.
 */
function firstJobText(text: string): string | undefined {
  let i = skipSpace(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  if (text[i] === '{') {
    // The keys of the object in turn, each value skipped, until "top".
    i = skipSpace(text, i + 1);
    for (;;) {
      const keyEnd = text[i] === '"' ? valueEnd(text, i) : undefined;
      if (keyEnd === undefined) return undefined;
      const key = text.slice(i + 1, keyEnd - 1);
      i = skipSpace(text, keyEnd);
      if (text[i] !== ':') return undefined;
      i = skipSpace(text, i + 1);
      if (key === 'top') break;
      const end = valueEnd(text, i);
      if (end === undefined) return undefined;
      i = skipSpace(text, end);
      if (text[i] !== ',') return undefined;
      i = skipSpace(text, i + 1);
    }
  }
  if (text[i] !== '[') return undefined;
  i = skipSpace(text, i + 1);
  if (text[i] !== '{') return undefined;
  const end = valueEnd(text, i);
  return end === undefined ? undefined : text.slice(i, end);
}

/** The format of a file's text judged from its beginning alone (importFormatOf of its first job): `head` may stop anywhere after that job. */
export function importFormatOfHead(head: string): ImportFormat | undefined {
  const job = firstJobText(head);
  if (job === undefined) return undefined;
  try {
    return importFormatOf([parsePythonJson(job, 'the first job')]);
  } catch {
    return undefined;
  }
}

/** The first bytes a format check reads; doubled while the first job goes on, up to HEAD_MAX. */
const HEAD_START = 64 * 1024;
export const HEAD_MAX = 4 * 1024 * 1024;

/**
 * The format of `file` from its first job, read from its beginning (at most HEAD_MAX bytes): a
 * collected sweep can be 100 MB, which the import parses once, not twice. Undefined for a file
 * of neither format or that cannot be read.
 */
export function importFormatOfFile(file: string): ImportFormat | undefined {
  try {
    return readOpenedFile(file, (fd) => {
      let head = Buffer.alloc(0);
      for (let size = HEAD_START; size <= HEAD_MAX; size *= 2) {
        const chunk = Buffer.alloc(size - head.length);
        const read = fs.readSync(fd, chunk, 0, chunk.length, head.length);
        head = Buffer.concat([head, chunk.subarray(0, read)]);
        const text = head.toString('utf8');
        if (firstJobText(text) !== undefined || read < chunk.length) return importFormatOfHead(text);
      }
      return undefined;
    });
  } catch {
    return undefined;
  }
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
  /** Told what the import does, for a progress display. */
  onProgress?: (progress: ImportProgress) => void;
  /** Asked between the steps and while writing; true stops the import with an ImportCancelled, leaving the folder as it was. */
  isCancelled?: () => boolean;
}

/** Where an import is: reading the file, rebuilding its models, writing `done` of `total` records. */
export type ImportProgress = { step: 'read' } | { step: 'rebuild' } | { step: 'write'; done: number; total: number };

/** The import was cancelled (ImportFileOptions.isCancelled). */
export class ImportCancelled extends Error {
  constructor() {
    super('the import was cancelled');
  }
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
  const checkpoint = (): void => {
    if (options.isCancelled?.()) throw new ImportCancelled();
  };
  options.onProgress?.({ step: 'read' });
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ImportError(`cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EISDIR' ? 'it is a directory' : e.message}`);
  }
  const value = parsePythonJson(text, file);
  checkpoint();
  options.onProgress?.({ step: 'rebuild' });
  let read: { jobs: ImportedJob[]; recipe: ImportedRecipe };
  try {
    read = format === 'pycls' ? readPyclsSweep(value, file, options.error) : readNdsPopulation(value, file, options.dataset ?? ndsDatasetOf(file), name);
  } catch (err) {
    if (err instanceof ImportError && !err.message.startsWith(file)) throw new ImportError(`${file}: ${err.message}`);
    throw err;
  }
  const collectedAt = fs.statSync(file).mtime.toISOString();
  const sweep = buildImportedSweep(read.jobs, complexityOf, { format, source: file, name, tool: options.tool, collectedAt, recipe: read.recipe });
  checkpoint();
  writeImportedSweep(out, sweep, {
    onWritten: (done) => options.onProgress?.({ step: 'write', done, total: sweep.records.length }),
    checkpoint,
  });
  return { out, jobs: read.jobs, sweep };
}
