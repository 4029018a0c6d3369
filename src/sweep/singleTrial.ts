/**
 * One trial of an existing sweep, trained on its own: what a task of a sweep's Slurm job array
 * runs (`dslab trial DIR SPACE INDEX`). It goes through the same worker pool as a local sweep,
 * with one worker: the trial is claimed with its lock (a lock left by a killed task is taken
 * over: core/results/lock.ts), trained on the backend the sweep's file asks for (auto: what this
 * node has), and its record written atomically. A trial that already has a record is not trained
 * again, so a task started twice for one trial (a requeue, a resubmitted script) leaves one record.
 */
import { asFilesystemError } from '../core/results/fsErrors';
import { isEnvironmentFailure, type SweepModel, type TrialRecord } from '../core/results/records';
import { SweepStore } from '../core/results/store';
import type { BackendName } from '../core/space/types';
import type { SweepEvent } from '../core/analysis/sweepEvents';
import { SweepError, trainPool, trialKey, type PoolOptions } from './runner';
import { jobStateJudge } from './slurm/scheduler';

export interface SingleTrialOptions {
  dir: string;
  space: string;
  index: number;
  /** Default: the sweep file's `training.backend`. */
  backend?: BackendName;
  nativeModulesPath?: string;
  /** Train a trial whose record says it failed (the environment's failures are trained again anyway). */
  retryFailed?: boolean;
  signal?: AbortSignal;
  onEvent?: (e: SweepEvent) => void;
  killGraceMs?: number;
  /** Tests only: see SweepOptions.trialModule. */
  trialModule?: string;
  /** Default: ask the Slurm scheduler (when there is one) about locks written by Slurm jobs. */
  jobState?: PoolOptions['jobState'];
}

/** How the run ended. */
export type SingleTrialResult =
  /** Trained now; the record says how it went. */
  | { kind: 'trained'; record: TrialRecord }
  /** It had a record already (or another process wrote one meanwhile): nothing trained. */
  | { kind: 'recorded'; record: TrialRecord }
  /** Another live process holds its lock: left to it. */
  | { kind: 'held'; holder: string }
  /** Stopped by a signal before it ended: no record, its lock released. */
  | { kind: 'interrupted' };

/** The model of trial `space` #`index`, or a SweepError listing what the sweep has. */
function modelOf(store: SweepStore, space: string, index: number): SweepModel {
  const models = store.manifest.models;
  const found = models.find((m) => m.space === space && m.index === index);
  if (found) return found;
  const spaces = [...new Set(models.map((m) => m.space))].map((s) => {
    const n = models.filter((m) => m.space === s).length;
    return `${s} (${n === 1 ? 'index 0' : `indices 0–${n - 1}`})`;
  });
  throw new SweepError(`${store.dir} has no trial ${space} #${index}; its trials are ${spaces.join(', ')}`);
}

/** Trains the trial (see the module comment); throws a SweepError, SweepDirectoryError or SweepFilesystemError for what the user must fix. */
export async function runSingleTrial(options: SingleTrialOptions): Promise<SingleTrialResult> {
  const onEvent = options.onEvent ?? ((): void => {});
  let store: SweepStore;
  try {
    store = SweepStore.openExisting(options.dir);
  } catch (err) {
    throw asFilesystemError(err, options.dir, `cannot use the sweep directory ${options.dir}`);
  }
  const model = modelOf(store, options.space, options.index);
  const retrain = (r: TrialRecord): boolean => r.status === 'failed' && (options.retryFailed === true || isEnvironmentFailure(r));
  const before = store.readTrial(model);
  if ('record' in before && !retrain(before.record)) return { kind: 'recorded', record: before.record };
  if ('unusable' in before) onEvent({ type: 'unusable', file: store.recordPath(model.space, model.index), reason: before.unusable });

  let holder = '';
  const run = await trainPool(
    store,
    [model],
    {
      file: store.manifest.file,
      resolved: store.manifest.resolved,
      workers: 1,
      backend: options.backend,
      nativeModulesPath: options.nativeModulesPath,
      signal: options.signal,
      trialModule: options.trialModule,
      jobState: options.jobState ?? jobStateJudge(),
    },
    (e) => {
      if (e.type === 'trialSkipped') holder = e.holder;
      onEvent(e);
    },
    options.killGraceMs ?? 2000,
    undefined,
    new Set('record' in before ? [trialKey(model)] : []),
  );
  if (run.skipped.length > 0) return { kind: 'held', holder };
  const after = store.readTrial(model);
  if (!('record' in after) || (run.trained === 0 && 'record' in before && after.record.finishedAt === before.record.finishedAt)) {
    return { kind: 'interrupted' };
  }
  return { kind: run.trained > 0 ? 'trained' : 'recorded', record: after.record };
}
