/**
 * A sweep directory (design.md §5): `sweep.json` says which models the sweep trains; one record
 * per trial under `trials/<space>/`. Several processes, on several hosts sharing the directory,
 * can work on one sweep: each trial is claimed with a lock file, each record appears atomically,
 * and a record that cannot be trusted is reported and trained again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResolvedSpaceFile } from '../space/types';
import { createFileAtomic, isTempFile, removeLeftoverTempFiles, writeFileAtomic } from './atomic';
import { canonicalJson, describeDifferences, fingerprintInput, settingDifferences, sweepFingerprint } from './fingerprint';
import { asFilesystemError, isFilesystemError } from './fsErrors';
import { makeDirectory } from './makeDirectory';
import { claimLock, liveLockOwner, type Claim, type ClaimOptions } from './lock';
import { keptSweepDir, manifestPath, MANIFEST_NAME, spaceTrialsDir, trialPath, trialRelativePath, TRIALS_DIR } from './layout';
import { checkTrialRecord, SWEEP_FORMAT_VERSION, type SweepManifest, type SweepModel, type TrialRecord } from './records';

/** The directory cannot hold this sweep (another sweep, not a sweep at all, unreadable): a user error. */
export class SweepDirectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SweepDirectoryError';
  }
}

/** The error for a `dir` that holds no sweep (for commands that read an existing one). */
export function notASweep(dir: string): SweepDirectoryError {
  const what = fs.existsSync(dir) ? `${dir} holds no ${MANIFEST_NAME}` : `${dir} does not exist`;
  return new SweepDirectoryError(`${what}: not a sweep directory (run \`dslab sweep\` first)`);
}

export interface OpenSweepOptions {
  /** The sweep directory, as the user gave it (messages name it so). */
  dir: string;
  tool: SweepManifest['tool'];
  file: string;
  resolved: ResolvedSpaceFile;
  models: SweepModel[];
  /** When `dir` holds a sweep of other settings, move it aside (see keptSweepDir) and start over. */
  fresh?: boolean;
}

/** A record that was found but cannot be used, e.g. {file: 'trials/RegNetX/0003.json', reason: 'not JSON (…)'}. */
export interface UnusableRecord {
  file: string;
  reason: string;
}

/** The state of a sweep's trials on disk. */
export interface TrialScan {
  /** Usable records, in manifest order. */
  records: TrialRecord[];
  /** Models without a usable record, in manifest order. */
  todo: SweepModel[];
  unusable: UnusableRecord[];
}

export type TrialRead = { record: TrialRecord } | { unusable: string } | { absent: true };

function readManifest(file: string, dir: string): SweepManifest {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new SweepDirectoryError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let value: Partial<SweepManifest>;
  try {
    value = JSON.parse(text) as Partial<SweepManifest>;
  } catch (err) {
    throw new SweepDirectoryError(`${file} is not a sweep manifest (${(err as Error).message}); choose another --out or delete ${dir}`);
  }
  const ok =
    typeof value === 'object' &&
    value !== null &&
    value.version === SWEEP_FORMAT_VERSION &&
    typeof value.fingerprint === 'string' &&
    typeof value.resolved === 'object' &&
    value.resolved !== null &&
    Array.isArray(value.models);
  if (!ok) throw new SweepDirectoryError(`${file} is not a version ${SWEEP_FORMAT_VERSION} sweep manifest; choose another --out or delete ${dir}`);
  return value as SweepManifest;
}

/** A sweep directory that holds a sweep of other settings; `differences` says which, in words. */
export class SweepMismatchError extends SweepDirectoryError {
  constructor(
    message: string,
    readonly dir: string,
    readonly differences: string[],
    /** Where `fresh` would keep it. */
    readonly keptAs: string,
  ) {
    super(message);
    this.name = 'SweepMismatchError';
  }
}

function mismatch(dir: string, there: SweepManifest, now: SweepManifest): SweepMismatchError {
  let differences: string[];
  try {
    const before = fingerprintInput(there.resolved, there.models);
    const after = fingerprintInput(now.resolved, now.models);
    differences = describeDifferences(before, after);
    // Different models come from somewhere: a changed seed, sample count or space definition says why.
    if (canonicalJson(before.spaces) !== canonicalJson(after.spaces)) {
      const causes: string[] = [];
      settingDifferences('sampling', there.resolved.sampling, now.resolved.sampling, causes);
      const thereSpaces = new Map(there.resolved.spaces.map((s) => [s.name, s]));
      const seedChanged = causes.some((c) => c.startsWith('sampling.seed:'));
      for (const space of now.resolved.spaces) {
        const before = thereSpaces.get(space.name);
        if (!before) continue;
        const changes: string[] = [];
        settingDifferences(`spaces.${space.name}`, before, space, changes);
        // A space's seed follows the file's: once that is named, the spaces' own add nothing.
        causes.push(...changes.filter((c) => !(seedChanged && c.startsWith(`spaces.${space.name}.seed:`))));
      }
      differences = [...causes, ...differences];
    }
  } catch {
    differences = [];
  }
  const MAX = 4;
  const shown = differences.slice(0, MAX).join('; ') + (differences.length > MAX ? `; and ${differences.length - MAX} more` : '');
  const what = shown || `fingerprint ${there.fingerprint.slice(0, 12)}… there, ${now.fingerprint.slice(0, 12)}… now`;
  return new SweepMismatchError(
    `${dir} holds a sweep of a different space file or settings (${what}); start a fresh one with --fresh (it keeps that sweep), choose another --out or delete it`,
    dir,
    differences,
    keptSweepDir(dir, there.createdAt, fs.existsSync),
  );
}

/** A trial lock in `dir` whose owner is alive: "process 123 on host-a", or undefined when none is. */
function liveTraining(dir: string): string | undefined {
  const trials = path.join(dir, TRIALS_DIR);
  let spaces: string[];
  try {
    spaces = fs.readdirSync(trials);
  } catch {
    return undefined;
  }
  for (const space of spaces) {
    let names: string[];
    try {
      names = fs.readdirSync(path.join(trials, space));
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.endsWith('.lock')) continue;
      const owner = liveLockOwner(path.join(trials, space, name));
      if (owner !== undefined) return owner === 'unknown' ? 'a process' : `process ${owner.pid} on ${owner.host}`;
    }
  }
  return undefined;
}

/** A sweep directory, opened for reading and writing trials. */
export class SweepStore {
  private constructor(
    readonly dir: string,
    readonly manifest: SweepManifest,
    /** True when this call created the directory's manifest. */
    readonly created: boolean,
    /** Where a sweep of other settings that was in `dir` was moved (`fresh`). */
    readonly keptAs?: string,
  ) {}

  /**
   * Opens `dir` for the sweep described by `options`, creating it (and sweep.json) when absent.
   * Throws a SweepDirectoryError when the directory holds a sweep with another fingerprint, or
   * something that is not a sweep. When the fingerprint matches but other manifest content
   * differs (analysis settings, the file's path, the tool version), sweep.json is updated.
   */
  static open(options: OpenSweepOptions): SweepStore {
    const { dir } = options;
    const manifestFile = manifestPath(dir);
    const wanted: SweepManifest = {
      version: SWEEP_FORMAT_VERSION,
      tool: options.tool,
      file: options.file,
      fingerprint: sweepFingerprint(fingerprintInput(options.resolved, options.models)),
      createdAt: new Date().toISOString(),
      resolved: options.resolved,
      models: options.models,
    };
    try {
      makeDirectory(dir);
    } catch (err) {
      if (isFilesystemError(err)) throw asFilesystemError(err, dir, 'cannot create the sweep directory');
      throw new SweepDirectoryError(`cannot create sweep directory ${dir}: ${(err as Error).message}`);
    }
    if (!fs.statSync(dir).isDirectory()) throw new SweepDirectoryError(`${dir} is not a directory; choose another --out`);
    removeLeftoverTempFiles(dir);

    if (!fs.existsSync(manifestFile)) {
      const strangers = fs.readdirSync(dir).filter((name) => name !== TRIALS_DIR && !isTempFile(name));
      if (strangers.length > 0) {
        throw new SweepDirectoryError(`${dir} is not empty and holds no sweep (no ${MANIFEST_NAME}); choose another --out`);
      }
      // Another process may create it at the same moment: whoever links first wins, the other verifies.
      if (createFileAtomic(manifestFile, JSON.stringify(wanted, null, 2) + '\n')) {
        makeDirectory(path.join(dir, TRIALS_DIR));
        return new SweepStore(dir, wanted, true);
      }
    }
    const there = readManifest(manifestFile, dir);
    if (there.fingerprint !== wanted.fingerprint) {
      const error = mismatch(dir, there, wanted);
      if (!options.fresh) throw error;
      const trainer = liveTraining(dir);
      if (trainer !== undefined) throw new SweepDirectoryError(`${dir} holds a sweep of other settings that ${trainer} is training; stop it before starting a fresh sweep there`);
      try {
        fs.renameSync(dir, error.keptAs);
      } catch (err) {
        if (isFilesystemError(err)) throw asFilesystemError(err, dir, 'cannot move the previous sweep aside');
        throw new SweepDirectoryError(`cannot move ${dir} to ${error.keptAs}: ${(err as Error).message}`);
      }
      const store = SweepStore.open({ ...options, fresh: false });
      return new SweepStore(store.dir, store.manifest, store.created, error.keptAs);
    }
    const refreshed: SweepManifest = { ...wanted, createdAt: there.createdAt };
    if (canonicalJson(refreshed) !== canonicalJson(there)) writeFileAtomic(manifestFile, JSON.stringify(refreshed, null, 2) + '\n');
    makeDirectory(path.join(dir, TRIALS_DIR));
    return new SweepStore(dir, refreshed, false);
  }

  /**
   * Opens the sweep already in `dir` as its sweep.json describes it, without sampling anything:
   * how one trial of a sweep is trained on its own (`dslab trial`, a task of a job array).
   */
  static openExisting(dir: string): SweepStore {
    const manifestFile = manifestPath(dir);
    if (!fs.existsSync(manifestFile)) throw notASweep(dir);
    const manifest = readManifest(manifestFile, dir);
    removeLeftoverTempFiles(dir);
    makeDirectory(path.join(dir, TRIALS_DIR));
    return new SweepStore(dir, manifest, false);
  }

  /** The directory of a space's trial records. */
  spaceDir(space: string): string {
    return spaceTrialsDir(this.dir, space);
  }

  /** Path of a trial's record file. */
  recordPath(space: string, index: number): string {
    return trialPath(this.dir, space, index);
  }

  /** Path of a trial's lock file. */
  lockPath(space: string, index: number): string {
    return trialPath(this.dir, space, index, 'lock');
  }

  /** Reads one trial's record and checks it against the model sweep.json lists. */
  readTrial(model: SweepModel): TrialRead {
    let text: string;
    try {
      text = fs.readFileSync(this.recordPath(model.space, model.index), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { absent: true };
      return { unusable: `unreadable: ${(err as Error).message}` };
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return { unusable: text.trim() === '' ? 'empty' : `not JSON: ${(err as Error).message}` };
    }
    const problem = checkTrialRecord(value, model);
    return problem === undefined ? { record: value as TrialRecord } : { unusable: problem };
  }

  /**
   * The state of the given models' trials (default: all of them). Leftover temporary files in
   * the spaces' directories are removed on the way.
   */
  scan(models: SweepModel[] = this.manifest.models): TrialScan {
    const scan: TrialScan = { records: [], todo: [], unusable: [] };
    for (const space of new Set(models.map((m) => m.space))) removeLeftoverTempFiles(this.spaceDir(space));
    for (const model of models) {
      const read = this.readTrial(model);
      if ('record' in read) {
        scan.records.push(read.record);
        continue;
      }
      if ('unusable' in read) scan.unusable.push({ file: trialRelativePath(model.space, model.index), reason: read.unusable });
      scan.todo.push(model);
    }
    return scan;
  }

  /** Writes a trial's record atomically (replacing an unusable one). */
  writeTrial(record: TrialRecord): void {
    makeDirectory(this.spaceDir(record.space));
    writeFileAtomic(this.recordPath(record.space, record.index), JSON.stringify(record, null, 2) + '\n');
  }

  /** Claims a trial for this process (see lock.ts). */
  claim(model: SweepModel, options?: ClaimOptions): Claim {
    makeDirectory(this.spaceDir(model.space));
    return claimLock(this.lockPath(model.space, model.index), options);
  }
}
