/**
 * What a sweep directory holds (design.md §5): the manifest `sweep.json` and one record per
 * finished, failed or diverged trial under `trials/<space>/<index>.json`. These types are the
 * on-disk contract the analysis and the editor read; `checkTrialRecord` is how a reader decides
 * whether a record may be used.
 */
import type { ModelSpec } from '../model';
import type { ResolvedSpaceFile } from '../space/types';
import { jsonEqual } from './fingerprint';
import type { SampledModel } from '../sampling/sampler';
import { DRAWN_TRAINING_KEYS, type DrawnTraining } from '../space/drawnSettings';
import { count, plural } from '../presentation/counts';

export const SWEEP_FORMAT_VERSION = 1;

/** One sampled model of the sweep: what `dslab sample --json` lists. */
export type SweepModel = SampledModel;

/** `sweep.json`. */
export interface SweepManifest {
  version: 1;
  tool: { name: string; version: string };
  /** The space file as the user gave it. */
  file: string;
  /** sha256 of what determines the trials (see fingerprint.ts). */
  fingerprint: string;
  /** ISO time the sweep directory was first created. */
  createdAt: string;
  resolved: ResolvedSpaceFile;
  /** Every sampled model of every space, in file order then index order. */
  models: SweepModel[];
  /**
   * Present when the sweep was imported (`dslab import`) from results trained elsewhere: nothing
   * trains from it, and `resolved` says what the source said (defaults where it says nothing).
   */
  imported?: ImportedFrom;
}

/** Where an imported sweep came from. */
export interface ImportedFrom {
  format: ImportFormat;
  /** The source file as the user named it. */
  source: string;
  /** Entries in the source. */
  entries: number;
  /** Entries without a finished test epoch: listed as models, without a record. */
  unfinished: { entry: number; reason: string }[];
}

export type ImportFormat = 'pycls' | 'nds';

/** Where an imported trial's result comes from: its entry in the source, what the source calls its model. */
export interface TrialSource {
  format: ImportFormat;
  /** Index of the entry in the source file. */
  entry: number;
  /** The source's model type (pycls MODEL.TYPE, an NDS net kind). */
  type: string;
  /** The source's description of the job (pycls DESC, its log file, an NDS job id). */
  description?: string;
}

export type TrialStatus = 'ok' | 'diverged' | 'failed';

/** Whose a failure is: see TrialRecord.failure. */
export type FailureCause = 'model' | 'environment';

/** What to tell a user about trials that failed because of the environment; `again`: how to run again ("run the same command again"). */
export function describeEnvironmentFailures(failed: number, firstMessage: string | undefined, again: string): string {
  const first = (firstMessage ?? '').split('\n')[0];
  return `${count(failed, 'trial')} failed because of the environment, not the model${first ? `: ${first}` : ''}. Fix it and ${again}: ${plural(failed, 'it is', 'they are')} trained again.`;
}

/** Whether a record is a failure of the environment, which a rerun trains again. */
export function isEnvironmentFailure(r: Pick<TrialRecord, 'status' | 'failure'>): boolean {
  return r.status === 'failed' && r.failure?.cause === 'environment';
}
export const TRIAL_STATUSES: readonly TrialStatus[] = ['ok', 'diverged', 'failed'];

/** One epoch of a trial. Numbers that were NaN or infinite (a diverging loss) are stored as null. */
export interface TrialEpoch {
  epoch: number;
  trainLoss: number | null;
  /** Top-1 test error in %. */
  testError: number | null;
  lr: number;
  seconds: number;
}

/** The GPU a webgpu trial ran on, as the adapter describes itself. */
export interface TrialAdapter {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU emulating a GPU (Mesa lavapipe, SwiftShader). */
  software: boolean;
}

/** `trials/<space>/<index>.json`: one trial's outcome. */
export interface TrialRecord {
  version: 1;
  space: string;
  index: number;
  status: TrialStatus;
  model: ModelSpec;
  /** The training values the space drew for this model, in place of the file's (absent when none). */
  training?: DrawnTraining;
  flops: number;
  params: number;
  acts: number;
  /** The training seed the trial ran with. */
  seed: number;
  /** The tfjs backend it ran on; null when the worker failed before one was chosen. `adapter`: a WebGPU backend's GPU. */
  backend: { name: string; detail: string; adapter?: TrialAdapter } | null;
  epochs: TrialEpoch[];
  /** Final top-1 test error (%); null unless the trial finished (`ok`). */
  error: number | null;
  /** Lowest test error over the epochs (%); null when no epoch was evaluated. */
  bestError: number | null;
  wallSeconds: number;
  imagesPerSecond: number | null;
  /** Peak resident memory of the worker process (bytes). */
  peakMemoryBytes: number | null;
  startedAt: string;
  finishedAt: string;
  /** Host name of the machine that ran it. */
  host: string;
  /** (step, lr) points of the run's learning-rate schedule, enough to draw it (1-based steps; absent in older records). */
  lrCurve?: { step: number; lr: number }[];
  /** The training loss along the run, the mean of each run of steps (absent in older records). */
  lossCurve?: { step: number; loss: number }[];
  /**
   * Why a `failed` trial failed, and whose the failure is: `model` (an exception while training
   * it, out of memory for it) or `environment` (the dataset missing, the backend gone, the worker
   * killed by a signal). Environment failures are trained again on the next run. Older records
   * have no `cause`: they count as the model's.
   */
  failure?: { message: string; stack?: string; cause?: FailureCause };
  /** Where a `diverged` trial's loss blew up. */
  divergedAt?: { epoch: number; step: number; loss: number | null };
  /**
   * An imported trial's origin. Its `model` is the model rebuilt from the source, or `{}` when the
   * source's model is not an AnyNet or a RegNet (then only its complexity and error are known).
   */
  source?: TrialSource;
}

// ------------------------------------------------------------------ validation

type Check = (v: unknown) => boolean;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isNumberOrNull: Check = (v) => v === null || isNumber(v);
const isCount: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const isString: Check = (v) => typeof v === 'string';
const isTime: Check = (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v));

const RECORD_FIELDS: [keyof TrialRecord, Check, string][] = [
  ['space', isString, 'a string'],
  ['index', isCount, 'an index'],
  ['status', (v) => TRIAL_STATUSES.includes(v as TrialStatus), `one of ${TRIAL_STATUSES.join(', ')}`],
  ['model', isObject, 'an object'],
  ['flops', isCount, 'a count'],
  ['params', isCount, 'a count'],
  ['acts', isCount, 'a count'],
  ['seed', isCount, 'a non-negative integer'],
  ['backend', (v) => v === null || (isObject(v) && isString(v.name) && isString(v.detail)), '{name, detail} or null'],
  ['epochs', Array.isArray, 'a list'],
  ['error', isNumberOrNull, 'a number or null'],
  ['bestError', isNumberOrNull, 'a number or null'],
  ['wallSeconds', isNumber, 'a number'],
  ['imagesPerSecond', isNumberOrNull, 'a number or null'],
  ['peakMemoryBytes', isNumberOrNull, 'a number or null'],
  ['startedAt', isTime, 'an ISO time'],
  ['finishedAt', isTime, 'an ISO time'],
  ['host', isString, 'a string'],
];

const EPOCH_FIELDS: [keyof TrialEpoch, Check][] = [
  ['epoch', isCount],
  ['trainLoss', isNumberOrNull],
  ['testError', isNumberOrNull],
  ['lr', isNumber],
  ['seconds', isNumber],
];

/**
 * Why `value` (a parsed trial file) must not be used as the record of `expected`, or undefined
 * when it is a complete record of exactly that model. A record written for another model (the
 * sweep was re-sampled, or a file was copied in) is as unusable as a truncated one.
 */
export function checkTrialRecord(value: unknown, expected: SweepModel): string | undefined {
  const malformed = trialRecordShapeProblem(value);
  if (malformed !== undefined) return malformed;
  const record = value as TrialRecord;
  if (record.space !== expected.space || record.index !== expected.index) {
    return `it is the record of ${record.space} #${record.index}`;
  }
  if (!jsonEqual(record.model, expected.model)) return 'its model differs from the one sweep.json lists';
  return senseProblem(record, expected);
}

/** Why `value` is not a well-formed trial record (whichever trial it is for), or undefined when it is one. */
export function trialRecordShapeProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'not a JSON object';
  if (value.version !== SWEEP_FORMAT_VERSION) return `version ${JSON.stringify(value.version)}, expected ${SWEEP_FORMAT_VERSION}`;
  const missing = RECORD_FIELDS.filter(([key]) => !(key in value)).map(([key]) => key);
  if (missing.length > 0) return `missing ${missing.join(', ')}`;
  for (const [key, ok, what] of RECORD_FIELDS) {
    if (!ok(value[key])) return `${key} is not ${what}`;
  }
  const record = value as unknown as TrialRecord;
  for (const [i, epoch] of record.epochs.entries()) {
    if (!isObject(epoch)) return `epochs[${i}] is not an object`;
    const bad = EPOCH_FIELDS.find(([key, ok]) => !ok(epoch[key]));
    if (bad) return `epochs[${i}].${bad[0]} is missing or not a number`;
  }
  if ('training' in value && !(isObject(value.training) && Object.entries(value.training).every(([k, v]) => (DRAWN_TRAINING_KEYS as readonly string[]).includes(k) && isNumber(v)))) {
    return `training is not a map of drawn training values (${DRAWN_TRAINING_KEYS.join(', ')})`;
  }
  if ('source' in value && !(isObject(value.source) && isString(value.source.format) && isCount(value.source.entry) && isString(value.source.type))) {
    return 'source is not {format, entry, type}';
  }
  if ('lrCurve' in value && !(Array.isArray(value.lrCurve) && value.lrCurve.every((p) => isObject(p) && isNumber(p.step) && isNumber(p.lr)))) {
    return 'lrCurve is not a list of {step, lr}';
  }
  if ('lossCurve' in value && !(Array.isArray(value.lossCurve) && value.lossCurve.every((p) => isObject(p) && isNumber(p.step) && isNumber(p.loss)))) {
    return 'lossCurve is not a list of {step, loss}';
  }
  if (record.status === 'ok' && record.error === null) return "status 'ok' without an error";
  if (record.status === 'failed' && !(isObject(record.failure) && isString(record.failure.message))) return "status 'failed' without failure.message";
  if (isObject(record.failure) && record.failure.cause !== undefined && record.failure.cause !== 'model' && record.failure.cause !== 'environment') {
    return "failure.cause is not 'model' or 'environment'";
  }
  return undefined;
}

const isPercent = (x: number | null): boolean => x === null || (x >= 0 && x <= 100);

/**
 * What makes a well-formed record impossible: an error outside [0, 100] %, a negative time,
 * speed or memory, or a complexity other than the one sweep.json lists for its model (which the
 * model's spec gives). Such a record is not a result; it is reported and the trial trained again.
 */
function senseProblem(record: TrialRecord, expected: SweepModel): string | undefined {
  if (!isPercent(record.error)) return `error ${record.error}% is not in [0, 100]`;
  if (!isPercent(record.bestError)) return `bestError ${record.bestError}% is not in [0, 100]`;
  for (const [i, e] of record.epochs.entries()) {
    if (!isPercent(e.testError)) return `epochs[${i}].testError ${e.testError}% is not in [0, 100]`;
    if (e.seconds < 0) return `epochs[${i}].seconds is negative`;
    if (e.lr < 0) return `epochs[${i}].lr is negative`;
  }
  if (record.wallSeconds < 0) return `wallSeconds ${record.wallSeconds} is negative`;
  if (record.imagesPerSecond !== null && record.imagesPerSecond < 0) return `imagesPerSecond ${record.imagesPerSecond} is negative`;
  if (record.peakMemoryBytes !== null && record.peakMemoryBytes < 0) return `peakMemoryBytes ${record.peakMemoryBytes} is negative`;
  for (const metric of ['flops', 'params', 'acts'] as const) {
    if (record[metric] !== expected[metric]) return `${metric} ${record[metric]} differs from its model's ${expected[metric]}`;
  }
  return undefined;
}
