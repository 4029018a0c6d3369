/**
 * Reading a sweep directory for analysis, without writing anything: a sweep may be running in
 * another process (records still appearing, lock files present), or the directory may be
 * read-only. Records are checked exactly as the sweep runner checks them (`checkTrialRecord`).
 */
import * as fs from 'node:fs';
import { manifestPath, trialPath, trialRelativePath } from '../results/layout';
import { checkTrialRecord, SWEEP_FORMAT_VERSION, type SweepManifest, type TrialRecord } from '../results/records';
import { notASweep, SweepDirectoryError, type UnusableRecord } from '../results/store';

/** What a sweep directory holds right now. */
export interface SweepSnapshot {
  /** The directory as the user gave it. */
  dir: string;
  manifest: SweepManifest;
  /** Usable records, in manifest order. */
  records: TrialRecord[];
  /** Records that exist but cannot be used (truncated, for another model…). */
  unusable: UnusableRecord[];
}

/** Reads `dir/sweep.json` and every trial record it lists; throws a SweepDirectoryError when `dir` is not a sweep. */
export function loadSweep(dir: string): SweepSnapshot {
  const manifestFile = manifestPath(dir);
  let text: string;
  try {
    text = fs.readFileSync(manifestFile, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw notASweep(dir);
    throw new SweepDirectoryError(`cannot read ${manifestFile}: ${(err as Error).message}`);
  }
  let manifest: SweepManifest;
  try {
    manifest = JSON.parse(text) as SweepManifest;
  } catch (err) {
    throw new SweepDirectoryError(`${manifestFile} is not JSON: ${(err as Error).message}`);
  }
  const ok =
    typeof manifest === 'object' &&
    manifest !== null &&
    manifest.version === SWEEP_FORMAT_VERSION &&
    typeof manifest.resolved === 'object' &&
    manifest.resolved !== null &&
    Array.isArray(manifest.resolved.spaces) &&
    Array.isArray(manifest.models);
  if (!ok) throw new SweepDirectoryError(`${manifestFile} is not a version ${SWEEP_FORMAT_VERSION} sweep manifest`);

  const records: TrialRecord[] = [];
  const unusable: UnusableRecord[] = [];
  for (const model of manifest.models) {
    const rel = trialRelativePath(model.space, model.index);
    let body: string;
    try {
      body = fs.readFileSync(trialPath(dir, model.space, model.index), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') unusable.push({ file: rel, reason: `unreadable: ${(err as Error).message}` });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (err) {
      unusable.push({ file: rel, reason: body.trim() === '' ? 'empty' : `not JSON: ${(err as Error).message}` });
      continue;
    }
    const problem = checkTrialRecord(value, model);
    if (problem === undefined) records.push(value as TrialRecord);
    else unusable.push({ file: rel, reason: problem });
  }
  return { dir, manifest, records, unusable };
}
