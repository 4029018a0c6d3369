/**
 * A collected pycls sweep: the `sweep.json` that `tools/sweep_collect.py` writes, a list with
 * one entry per job, each the job's log data as `pycls/core/logging.py` loads and sorts it:
 * - `cfg`: the job's whole config (logged as JSON by the trainer);
 * - `complexity`: {flops, params, acts} of its model;
 * - `train_epoch`, `test_epoch` (and `test_ema_epoch`): one list per metric, in epoch order —
 *   `epoch` ("k/N"), `epoch_ind` and `epoch_max` (k and N), `top1_err`, `min_top1_err`,
 *   `loss`, `lr`, `time_epoch`, … (`pycls/core/meters.py`);
 * - `log_file`, `err_file`, `err`.
 * A job is finished when its last test epoch is its last epoch (epoch_ind = epoch_max), as
 * sweep_collect counts `jobs_done`. Its error is the top-1 test error (%) of that epoch, or
 * another one (see PyclsError).
 */
import { ModelSpecError } from '../modelSpec';
import { cosineFactor, warmupFactor } from '../schedule';
import { DEFAULTS } from '../space/defaults';
import type { ResolvedTraining } from '../space/types';
import type { TrialEpoch } from '../results/records';
import { datasetOfCfg, modelFromPyclsCfg, PyclsCfgError, trainingFromPyclsCfg, type PyclsCfg, type PyclsTraining } from './pyclsConfig';
import type { ImportedJob, ImportedRecipe } from './importedSweep';
import { ImportError, isRecord } from './sourceJson';

/** One metric series of an epoch log (`test_epoch.top1_err`…): numbers, null where Python wrote NaN. */
type Series = (number | null)[];

/** The epochs a log of `kind` covers: from epoch_ind, or from the "k/N" strings of older collections. */
function epochIndices(log: Record<string, unknown>, where: string): { ind: number[]; max: number[] } {
  const ints = (key: string): number[] | undefined => {
    const v = log[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x) && x >= 0)) throw new ImportError(`${where}.${key} is not a list of epoch numbers`);
    return v as number[];
  };
  const ind = ints('epoch_ind');
  const max = ints('epoch_max');
  if (ind && max && ind.length === max.length) return { ind, max };
  const epoch = log.epoch;
  if (Array.isArray(epoch) && epoch.every((e) => typeof e === 'string' && /^\d+\/\d+$/.test(e))) {
    const pairs = (epoch as string[]).map((e) => e.split('/').map(Number));
    return { ind: pairs.map((p) => p[0]), max: pairs.map((p) => p[1]) };
  }
  throw new ImportError(`${where} has no epoch_ind and epoch_max (nor "k/N" epoch strings)`);
}

function series(log: Record<string, unknown>, key: string, where: string, length: number, required: boolean): Series | undefined {
  const v = log[key];
  if (v === undefined) {
    if (required) throw new ImportError(`${where} has no ${key}`);
    return undefined;
  }
  if (!Array.isArray(v) || !v.every((x) => x === null || (typeof x === 'number' && Number.isFinite(x)))) throw new ImportError(`${where}.${key} is not a list of numbers`);
  if (v.length !== length) throw new ImportError(`${where}.${key} has ${v.length} values for ${length} epochs`);
  return v as Series;
}

/** pycls's lr of epoch `epoch` (1-based): cosine or constant, with its linear warm-up (`pycls/core/optimizer.py`). */
export function pyclsEpochLr(t: Pick<PyclsTraining, 'lr' | 'policy' | 'epochs' | 'warmupEpochs' | 'warmupFactor'>, epoch: number): number {
  const e = epoch - 1;
  const policy = t.policy === 'cos' ? cosineFactor(e, t.epochs) : 1;
  return t.lr * policy * warmupFactor(e, t.warmupEpochs, t.warmupFactor);
}

/** Our recipe of a pycls recipe (what an imported sweep's manifest states). */
export function resolvedTrainingOf(t: PyclsTraining): ResolvedTraining {
  return {
    epochs: t.epochs,
    batchSize: t.batchSize,
    optimizer: { lr: t.lr, momentum: t.momentum, nesterov: t.nesterov, weightDecay: t.weightDecay, bnWeightDecay: t.bnWeightDecay },
    schedule: { type: t.policy === 'cos' ? 'cosine' : 'constant', unit: 'epoch', warmupEpochs: t.warmupEpochs, warmupFactor: t.warmupFactor },
    labelSmoothing: t.labelSmoothing,
    preciseBn: t.preciseBn,
    seed: t.seed,
    backend: DEFAULTS.training.backend,
  };
}

function number(o: Record<string, unknown>, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ImportError(`${where}.${key} is ${v === undefined ? 'missing' : 'not a number'}`);
  return v;
}

/** One job's entry, read; throws an ImportError that names the entry. */
function readJob(value: unknown, entry: number, which: PyclsError): { job: ImportedJob; training: PyclsTraining; dataset: string } {
  const at = `entry ${entry}`;
  if (!isRecord(value)) throw new ImportError(`${at} is not an object (a job's log data)`);
  if (!isRecord(value.cfg)) throw new ImportError(`${at} has ${value.cfg === undefined ? 'no cfg' : 'a cfg that is not a map'} (the job's config)`);
  if (!isRecord(value.complexity)) throw new ImportError(`${at} has ${value.complexity === undefined ? 'no complexity' : 'a complexity that is not a map'} ({flops, params, acts})`);
  const stated = {
    flops: number(value.complexity, 'flops', `${at}: complexity`),
    params: number(value.complexity, 'params', `${at}: complexity`),
    acts: number(value.complexity, 'acts', `${at}: complexity`),
  };
  const cfg = value.cfg as PyclsCfg;
  let model: ReturnType<typeof modelFromPyclsCfg>;
  let training: PyclsTraining;
  let dataset: string;
  try {
    model = modelFromPyclsCfg(cfg);
    training = trainingFromPyclsCfg(cfg);
    dataset = datasetOfCfg(cfg);
  } catch (err) {
    if (err instanceof PyclsCfgError) throw new ImportError(`${at}: cfg.${err.path}: ${err.message}`);
    if (err instanceof ModelSpecError) throw new ImportError(`${at}: cfg ${err.message}`);
    throw err;
  }
  const description = typeof cfg.DESC === 'string' && cfg.DESC !== '' ? cfg.DESC : typeof value.log_file === 'string' ? value.log_file : undefined;
  const base = {
    entry,
    type: 'type' in model ? model.type : String((cfg.MODEL as Record<string, unknown>).TYPE),
    stated,
    training: { lr: training.lr, weightDecay: training.weightDecay, epochs: training.epochs, batchSize: training.batchSize, labelSmoothing: training.labelSmoothing },
    seed: training.seed,
    ...('model' in model ? { model: model.model } : { unsupported: model.unsupported }),
    ...(description === undefined ? {} : { description }),
  };
  const unfinished = (reason: string, epochs: TrialEpoch[] = []): { job: ImportedJob; training: PyclsTraining; dataset: string } => ({
    job: { ...base, epochs, error: null, bestError: null, unfinished: reason },
    training,
    dataset,
  });

  const test = value.test_epoch;
  if (test === undefined) return unfinished('no test epoch');
  if (!isRecord(test)) throw new ImportError(`${at}: test_epoch is not a map of metric lists`);
  const tested = epochIndices(test, `${at}: test_epoch`);
  const top1 = series(test, 'top1_err', `${at}: test_epoch`, tested.ind.length, true)!;
  const testTime = series(test, 'time_epoch', `${at}: test_epoch`, tested.ind.length, false);
  const byEpoch = new Map<number, TrialEpoch>();
  const epochOf = (k: number): TrialEpoch => {
    let e = byEpoch.get(k);
    if (e === undefined) {
      e = { epoch: k, trainLoss: null, testError: null, lr: pyclsEpochLr(training, k), seconds: 0 };
      byEpoch.set(k, e);
    }
    return e;
  };
  tested.ind.forEach((k, i) => {
    const e = epochOf(k);
    e.testError = top1[i];
    e.seconds += testTime?.[i] ?? 0;
  });
  const train = value.train_epoch;
  if (train !== undefined) {
    if (!isRecord(train)) throw new ImportError(`${at}: train_epoch is not a map of metric lists`);
    const trained = epochIndices(train, `${at}: train_epoch`);
    const loss = series(train, 'loss', `${at}: train_epoch`, trained.ind.length, false);
    const lr = series(train, 'lr', `${at}: train_epoch`, trained.ind.length, false);
    const time = series(train, 'time_epoch', `${at}: train_epoch`, trained.ind.length, false);
    trained.ind.forEach((k, i) => {
      const e = epochOf(k);
      e.trainLoss = loss?.[i] ?? null;
      if (typeof lr?.[i] === 'number') e.lr = lr[i] as number;
      e.seconds += time?.[i] ?? 0;
    });
  }
  const epochs = [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
  const last = tested.ind.length - 1;
  if (last < 0) return unfinished('no test epoch', epochs);
  const [k, n] = [tested.ind[last], tested.max[last]];
  if (k < n) return unfinished(`tested ${k} of ${n} epochs`, epochs);
  const errors = top1.filter((x): x is number => x !== null);
  const bestError = errors.length > 0 ? Math.min(...errors) : null;
  let error = top1[last];
  if (which === 'best') error = bestError;
  else if (which === 'ema') {
    const ema = value.test_ema_epoch;
    if (ema === undefined) return unfinished('no test_ema_epoch (the EMA model was not tested)', epochs);
    if (!isRecord(ema)) throw new ImportError(`${at}: test_ema_epoch is not a map of metric lists`);
    const emaErrors = series(ema, 'top1_err', `${at}: test_ema_epoch`, epochIndices(ema, `${at}: test_ema_epoch`).ind.length, true)!.filter((x): x is number => x !== null);
    error = emaErrors.length > 0 ? Math.min(...emaErrors) : null;
  }
  if (error === null) return unfinished(`its ${which === 'final' ? 'last test' : which === 'best' ? 'best test' : 'EMA'} error is NaN`, epochs);
  return { job: { ...base, epochs, error, bestError }, training, dataset };
}

/**
 * Which error a job gets: its last epoch's top-1 test error (`final`, as our own sweeps
 * record), its lowest over the epochs (`best`, pycls's min_top1_err), or the EMA model's lowest
 * (`ema`, what pycls's sweep_analyze compares: test_ema_epoch.min_top1_err).
 */
export type PyclsError = 'final' | 'best' | 'ema';
export const PYCLS_ERRORS: readonly PyclsError[] = ['final', 'best', 'ema'];

/**
 * The jobs of a collected pycls sweep (parsed JSON), and the recipe its first job states.
 * Throws an ImportError for a file of another shape, naming the first bad entry.
 */
export function readPyclsSweep(value: unknown, file: string, which: PyclsError = 'final'): { jobs: ImportedJob[]; recipe: ImportedRecipe } {
  if (!Array.isArray(value)) {
    throw new ImportError(`${file} is not a collected pycls sweep: expected a list of jobs (what tools/sweep_collect.py writes), got ${isRecord(value) ? 'an object' : JSON.stringify(value)}`);
  }
  if (value.length === 0) throw new ImportError(`${file} holds no jobs (an empty list)`);
  const read = value.map((v, i) => readJob(v, i, which));
  const first = read[0];
  return { jobs: read.map((r) => r.job), recipe: { dataset: first.dataset, training: resolvedTrainingOf(first.training) } };
}
