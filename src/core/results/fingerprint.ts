/**
 * The identity of a sweep: a sha256 over the canonical JSON of everything that decides what the
 * trials compute — the dataset, the training recipe and each space's sampled models. Comments,
 * analysis settings, the space file's path and the backend do not count: the same experiment
 * run from a moved file, or on another machine's backend, is the same sweep.
 */
import { createHash } from 'node:crypto';
import type { ModelSpec } from '../model';
import type { DrawnTraining } from '../space/drawnSettings';
import type { ResolvedDataset, ResolvedSpaceFile, ResolvedTraining } from '../space/types';
import { count } from '../presentation/counts';

/** JSON with object keys sorted at every level (undefined members dropped, as JSON.stringify does). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
    return sorted;
  });
}

/**
 * Whether two JSON values are the same: what comparing their canonicalJson says, without
 * writing them out (a sweep's analysis compares every record's model with its manifest's).
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    return a.length === bs.length && a.every((x, i) => jsonEqual(x, bs[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao).filter((k) => ao[k] !== undefined);
  return keys.length === Object.keys(bo).filter((k) => bo[k] !== undefined).length && keys.every((k) => k in bo && jsonEqual(ao[k], bo[k]));
}

/** What the fingerprint is computed from. */
export interface FingerprintInput {
  dataset: ResolvedDataset;
  /** The backend is left out: hosts with different backends can share one sweep, and each record names its own. */
  training: Omit<ResolvedTraining, 'backend'>;
  /** Each space's sampled models, by index (with their drawn training values, where the space draws any). */
  spaces: Record<string, (ModelSpec | { model: ModelSpec; training: DrawnTraining })[]>;
}

/** The fingerprint input of a resolved file and its sampled models. */
export function fingerprintInput(resolved: ResolvedSpaceFile, models: { space: string; model: ModelSpec; training?: DrawnTraining }[]): FingerprintInput {
  const { backend: _backend, ...training } = resolved.training;
  const spaces: FingerprintInput['spaces'] = {};
  // A bare spec where nothing else is drawn: the fingerprints of sweeps made before stay as they were.
  for (const m of models) (spaces[m.space] ??= []).push(m.training === undefined ? m.model : { model: m.model, training: m.training });
  return { dataset: resolved.dataset, training, spaces };
}

/** Hex sha256 of the canonical JSON of the input. */
export function sweepFingerprint(input: FingerprintInput): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

const show = (v: unknown): string => (v === undefined ? 'absent' : canonicalJson(v));

/** Leaf-by-leaf differences between two settings objects, as "path: X there, Y now". */
export function settingDifferences(path: string, there: unknown, now: unknown, out: string[]): void {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isMap(there) && isMap(now)) {
    const keys = [...new Set([...Object.keys(there), ...Object.keys(now)])].sort();
    for (const key of keys) settingDifferences(`${path}.${key}`, there[key], now[key], out);
  } else if (canonicalJson(there) !== canonicalJson(now)) {
    out.push(`${path}: ${show(there)} there, ${show(now)} now`);
  }
}

/**
 * What differs between the sweep already in a directory (`there`) and the one asked for
 * (`now`), one short phrase each, most telling first: settings, then spaces, then models.
 */
export function describeDifferences(there: FingerprintInput, now: FingerprintInput): string[] {
  const out: string[] = [];
  settingDifferences('dataset', there.dataset, now.dataset, out);
  settingDifferences('training', there.training, now.training, out);
  const onlyThere = Object.keys(there.spaces).filter((s) => !(s in now.spaces));
  const onlyNow = Object.keys(now.spaces).filter((s) => !(s in there.spaces));
  if (onlyThere.length > 0) out.push(`space${onlyThere.length > 1 ? 's' : ''} ${onlyThere.join(', ')} only there`);
  if (onlyNow.length > 0) out.push(`space${onlyNow.length > 1 ? 's' : ''} ${onlyNow.join(', ')} only now`);
  for (const space of Object.keys(now.spaces).filter((s) => s in there.spaces)) {
    const a = there.spaces[space];
    const b = now.spaces[space];
    if (a.length !== b.length) {
      out.push(`${space}: ${count(a.length, 'model')} there, ${b.length} now`);
      continue;
    }
    const first = a.findIndex((m, i) => canonicalJson(m) !== canonicalJson(b[i]));
    if (first >= 0) out.push(`${space}: different models (the first at #${first})`);
  }
  return out;
}
