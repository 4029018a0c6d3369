/**
 * What a sweep reports to its user interface: the events the runner (src/sweep) emits as it goes,
 * which `dslab sweep --events` prints as JSON lines and the editor's sweep task reads back, and
 * the summary `runSweep` returns and `--json` prints. The guards check a parsed line field by
 * field, because what arrives over a pipe is untyped JSON.
 */
import type { SequentialSummary } from './sequential';
import { trialRecordShapeProblem, type SweepModel, type TrialAdapter, type TrialRecord } from '../results/records';

/** The engine training runs on, and why the ones before it in the 'auto' order were skipped. */
export interface BackendChoice {
  name: 'tfjs-node-gpu' | 'webgpu' | 'tfjs-node' | 'wasm' | 'cpu';
  /** What exactly loaded, e.g. 'wasm (SIMD, 1 thread), our SIMD kernels (relaxed)'. */
  detail: string;
  /** For webgpu: the adapter it computes on. */
  adapter?: TrialAdapter;
  /** One line per skipped backend, saying why. */
  fellThrough: string[];
}

/** One epoch of a trial as training reports it (a record stores the same, see TrialEpoch). */
export interface EpochResult {
  /** 1-based. */
  epoch: number;
  /** Mean training loss per image over the epoch: batch losses weighted by batch size (pycls's meter). */
  trainLoss: number;
  /** Top-1 test error (%) after the epoch, BN with running statistics. */
  testError: number;
  /** The lr of the epoch's first step. */
  lr: number;
  /** Wall time of the epoch: training and evaluation. */
  seconds: number;
}

/** Per-space counts of the trials on disk. */
export interface SpaceSummary {
  name: string;
  /** Models sampled for the space. */
  n: number;
  /** Trials with a record (ok, diverged or failed). */
  done: number;
  ok: number;
  failed: number;
  diverged: number;
  /** Lowest / median final error (%) over the `ok` trials; null when there are none. */
  bestError: number | null;
  medianError: number | null;
}

/** What `runSweep` returns and `dslab sweep --json` prints. */
export interface SweepSummary {
  /** The sweep directory, as given. */
  dir: string;
  file: string;
  fingerprint: string;
  /** Backend of this run's workers; null when nothing was trained. */
  backend: BackendChoice | null;
  workers: number;
  /** Trials of the selected spaces. */
  total: number;
  /** Of those, trials with a record. */
  done: number;
  /** Trials this run finished (records written). */
  trained: number;
  /** Trials without a record: interrupted, or being trained by another process. */
  remaining: number;
  /** Of `remaining`, trials another live process holds a lock on. */
  elsewhere: number;
  /** True when the run was cancelled before handing out every trial. */
  interrupted: boolean;
  wallSeconds: number;
  spaces: SpaceSummary[];
  /** A sequential sweep's state when the run ended; absent for a fixed-size sweep. */
  sequential?: SequentialSummary;
  /** Trials whose record says they failed because of the environment (trained again next run). */
  environmentFailures: number;
  /** The first such failure's message: what to fix. */
  environmentFailure?: string;
  /** A Slurm sweep followed to its end: the job arrays that trained it (backend and workers are then the nodes'). */
  slurmJobs?: string[];
}

export type SweepEvent =
  | {
      type: 'started';
      dir: string;
      /** True when this run created the sweep directory. */
      created: boolean;
      total: number;
      done: number;
      /** Trials this run will try to train. */
      todo: number;
      spaces: { name: string; n: number; done: number }[];
    }
  /** Worth a line to the user: sampling gave fewer models than asked for, a stale lock was taken over. */
  | { type: 'warning'; message: string }
  /** A record that was found but cannot be used, so the trial is trained again. */
  | { type: 'unusable'; file: string; reason: string }
  | { type: 'backend'; backend: BackendChoice; workers: number }
  /** A sequential sweep looked at its results: the round to train now, or why it stops; trials planned and recorded up to its target. */
  | { type: 'round'; sequential: SequentialSummary; total: number; done: number }
  | { type: 'trialStarted'; space: string; index: number; worker: number; model: SweepModel }
  | { type: 'epoch'; space: string; index: number; epoch: EpochResult }
  | { type: 'step'; space: string; index: number; step: number; steps: number; loss: number }
  | { type: 'trialFinished'; record: TrialRecord }
  /** Another live process holds the trial; this run leaves it alone. */
  | { type: 'trialSkipped'; space: string; index: number; holder: string }
  | { type: 'finished'; summary: SweepSummary }
  /**
   * The sweep directory holds a sweep of other settings, so nothing was trained (the command then
   * fails); `--fresh` would start over and keep that sweep as `keptAs`.
   */
  | { type: 'mismatch'; dir: string; differences: string[]; keptAs: string }
  /** A sweep went to Slurm as a job array (job null: nothing needed submitting); `--events` then follows it. */
  | { type: 'submitted'; job: string | null; script: string | null; array: string | null; submitted: number; queued: number; elsewhere: number }
  /** The scheduler's tasks of a followed Slurm sweep: how many run and how many wait (sent when either changes). */
  | { type: 'queue'; running: number; pending: number }
  /** A followed Slurm sweep's task ended without a record: TIMEOUT, CANCELLED, NODE_FAIL, OUT_OF_MEMORY, FAILED, LOST. */
  | { type: 'trialFailed'; space: string; index: number; kind: string; message: string };

// ------------------------------------------------------------------ guards

type Fields = Record<string, unknown>;

const isObject = (x: unknown): x is Fields => typeof x === 'object' && x !== null && !Array.isArray(x);
const isString = (x: unknown): x is string => typeof x === 'string';
const isBoolean = (x: unknown): x is boolean => typeof x === 'boolean';
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
/** JSON writes NaN and infinities (a diverging loss) as null. */
const isNumberOrNull = (x: unknown): boolean => x === null || isNumber(x);
const optional = (x: unknown, check: (v: unknown) => boolean): boolean => x === undefined || check(x);
const listOf = (x: unknown, check: (v: unknown) => boolean): boolean => Array.isArray(x) && x.every(check);
const isTrialRef = (m: Fields): boolean => isString(m.space) && isCount(m.index);

function isAdapter(x: unknown): boolean {
  return isObject(x) && isString(x.vendor) && isString(x.architecture) && isString(x.device) && isString(x.description) && isBoolean(x.software);
}

const BACKEND_NAMES: readonly string[] = ['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu'];

function isBackendChoice(x: unknown): boolean {
  return isObject(x) && isString(x.name) && BACKEND_NAMES.includes(x.name) && isString(x.detail) && optional(x.adapter, isAdapter) && listOf(x.fellThrough, isString);
}

function isEpochResult(x: unknown): boolean {
  return isObject(x) && isCount(x.epoch) && isNumberOrNull(x.trainLoss) && isNumberOrNull(x.testError) && isNumber(x.lr) && isNumber(x.seconds);
}

function isSweepModel(x: unknown): boolean {
  return isObject(x) && isTrialRef(x) && isObject(x.model) && isCount(x.flops) && isCount(x.params) && isCount(x.acts);
}

const SEQUENTIAL_STATUSES: readonly string[] = ['running', 'decided', 'max'];

function isSequentialPair(x: unknown): boolean {
  if (!isObject(x) || !isString(x.a) || !isString(x.b)) return false;
  return (
    optional(x.decidedAt, isCount) &&
    optional(x.p, isNumber) &&
    optional(x.alpha, isNumber) &&
    optional(x.round, isCount) &&
    optional(x.basis, (v) => v === 'normalized' || v === 'plain') &&
    optional(x.better, (v) => v === null || isString(v))
  );
}

function isSequentialSummary(x: unknown): boolean {
  return isObject(x) && isString(x.status) && SEQUENTIAL_STATUSES.includes(x.status) && isCount(x.round) && isCount(x.rounds) && isCount(x.target) && listOf(x.pairs, isSequentialPair);
}

function isSpaceSummary(x: unknown): boolean {
  if (!isObject(x) || !isString(x.name)) return false;
  return [x.n, x.done, x.ok, x.failed, x.diverged].every(isCount) && isNumberOrNull(x.bestError) && isNumberOrNull(x.medianError);
}

function isSweepSummary(x: unknown): boolean {
  if (!isObject(x) || !isString(x.dir) || !isString(x.file) || !isString(x.fingerprint)) return false;
  if (!(x.backend === null || isBackendChoice(x.backend)) || !isBoolean(x.interrupted) || !isNumber(x.wallSeconds)) return false;
  if (![x.workers, x.total, x.done, x.trained, x.remaining, x.elsewhere, x.environmentFailures].every(isCount)) return false;
  return listOf(x.spaces, isSpaceSummary) && optional(x.sequential, isSequentialSummary) && optional(x.environmentFailure, isString) && optional(x.slurmJobs, (v) => listOf(v, isString));
}

/** Per kind, whether the rest of an event's fields are there with their types. */
const EVENT_FIELDS: Record<SweepEvent['type'], (e: Fields) => boolean> = {
  started: (e) =>
    isString(e.dir) &&
    isBoolean(e.created) &&
    [e.total, e.done, e.todo].every(isCount) &&
    listOf(e.spaces, (s) => isObject(s) && isString(s.name) && isCount(s.n) && isCount(s.done)),
  warning: (e) => isString(e.message),
  unusable: (e) => isString(e.file) && isString(e.reason),
  backend: (e) => isBackendChoice(e.backend) && isCount(e.workers),
  round: (e) => isSequentialSummary(e.sequential) && isCount(e.total) && isCount(e.done),
  trialStarted: (e) => isTrialRef(e) && isCount(e.worker) && isSweepModel(e.model),
  epoch: (e) => isTrialRef(e) && isEpochResult(e.epoch),
  step: (e) => isTrialRef(e) && isCount(e.step) && isCount(e.steps) && isNumberOrNull(e.loss),
  trialFinished: (e) => trialRecordShapeProblem(e.record) === undefined,
  trialSkipped: (e) => isTrialRef(e) && isString(e.holder),
  finished: (e) => isSweepSummary(e.summary),
  mismatch: (e) => isString(e.dir) && listOf(e.differences, isString) && isString(e.keptAs),
  submitted: (e) => [e.job, e.script, e.array].every((v) => v === null || isString(v)) && [e.submitted, e.queued, e.elsewhere].every(isCount),
  queue: (e) => isCount(e.running) && isCount(e.pending),
  trialFailed: (e) => isTrialRef(e) && isString(e.kind) && isString(e.message),
};

/** Whether `x` is an event the runner emits: a known kind with each of its fields of the right type. */
export function isSweepEvent(x: unknown): x is SweepEvent {
  return isObject(x) && isString(x.type) && Object.hasOwn(EVENT_FIELDS, x.type) && EVENT_FIELDS[x.type as SweepEvent['type']](x);
}

/** One line of `dslab sweep --events`, or undefined for a line that is not an event. */
export function parseSweepEvent(line: string): SweepEvent | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    return isSweepEvent(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
