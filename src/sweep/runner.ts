/**
 * The sweep runner: sample every space of a space file, record the sweep in its directory, and
 * train the trials that have no record yet in a pool of worker processes, one trial at a time
 * per worker. Cancelling stops handing out trials and kills the workers; interrupted trials get
 * no record, so running the same sweep again resumes where this one stopped.
 *
 * Workers: the first one is started alone, and the backend it reports decides how many follow
 * (unless the caller says): one for a GPU backend (one device), otherwise one per core, capped
 * by free memory (a wasm worker holds about 600 MB). 'auto' is therefore resolved by the first
 * worker, and the others are started with the backend it chose.
 *
 * Every trial trains with the file's `training.seed`, as pycls's sweeps use one RNG_SEED: the
 * spaces then see the same data order and augmentation, and differ only by their models.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { asFilesystemError, isFilesystemError, SweepFilesystemError } from '../core/results/fsErrors';
import { releaseLock, refreshLock, LOCK_REFRESH_MS, type ClaimOptions, type HeldLock } from '../core/results/lock';
import { hostName } from '../core/results/process';
import { trialRelativePath } from '../core/results/layout';
import { isEnvironmentFailure, type FailureCause, type SweepModel, type TrialEpoch, type TrialRecord } from '../core/results/records';
import { SweepStore } from '../core/results/store';
import { sequentialProgress } from '../core/analysis/sweepAnalysis';
import { summarizeSequential, type SequentialState } from '../core/analysis/sequential';
import { median } from '../core/analysis/statistics';
import { InvalidCandidateError } from '../core/sampling/spaceSampler';
import { sampleFile, SamplingError, selectSpaces } from '../core/sampling/sampler';
import type { BackendName, ResolvedSpaceFile } from '../core/space/types';
import { name as TOOL_NAME, version as TOOL_VERSION } from '../../package.json';
import type { BackendChoice, EpochResult, SpaceSummary, SweepEvent, SweepSummary } from '../core/analysis/sweepEvents';
import type { TrialJob } from '../train/trial';
import type { WorkerConfig } from './workerProtocol';
import { WorkerProcess, WorkerStartError, type RunEnd } from './workerProcess';
import { withDrawnTraining } from '../core/space/drawnSettings';
import { jobStateJudge } from './slurm/scheduler';
import { count } from '../core/presentation/counts';

/** The sweep cannot run as asked (no such space, nothing to sample, backend unavailable): a user error. */
export class SweepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SweepError';
  }
}

export interface SweepOptions {
  /** The space file, as the user gave it (recorded in sweep.json, used in messages). */
  file: string;
  resolved: ResolvedSpaceFile;
  /** The sweep directory. */
  out: string;
  /** Train only these spaces (all of them are still sampled and recorded, so later runs can add the others). */
  spaces?: string[];
  /** Models per space, replacing every space's `samples` (and a sequential form: the sweep is then fixed-size). */
  samples?: number;
  /** Worker processes (default: see the module comment). */
  workers?: number;
  /** Default: the file's `training.backend`. */
  backend?: BackendName;
  /** A folder holding `node_modules/@tensorflow/tfjs-node…` (see src/train/backend.ts). */
  nativeModulesPath?: string;
  signal?: AbortSignal;
  onEvent?: (event: SweepEvent) => void;
  /** Between SIGTERM and SIGKILL when cancelled (default 2 s). */
  killGraceMs?: number;
  /** Train failed trials again whatever their cause (environment failures are retried anyway). */
  retryFailed?: boolean;
  /** When `out` holds a sweep of other settings, keep it beside (see keptSweepDir) and start over. */
  fresh?: boolean;
  /** Tests only: a module exporting `initBackend` and `runTrial` that workers use instead of the trainer. */
  trialModule?: string;
}

/** Resident memory of one wasm worker training a small model, rounded up (measured ~600 MB). */
const WORKER_MEMORY_BYTES = 768 * 2 ** 20;
const DEFAULT_KILL_GRACE_MS = 2000;

/** Workers for a backend when the user does not say: one per GPU backend (one device), else one per core that free memory allows. */
export function defaultWorkers(backend: BackendChoice['name']): number {
  if (backend === 'tfjs-node-gpu' || backend === 'webgpu') return 1;
  return Math.max(1, Math.min(os.availableParallelism(), Math.floor(os.freemem() / WORKER_MEMORY_BYTES)));
}

/** Per-space counts and errors of the records found. */
export function summarizeSpaces(spaces: string[], models: SweepModel[], records: TrialRecord[]): SpaceSummary[] {
  return spaces.map((name) => {
    const mine = records.filter((r) => r.space === name);
    const errors = mine.filter((r) => r.status === 'ok').map((r) => r.error as number);
    return {
      name,
      n: models.filter((m) => m.space === name).length,
      done: mine.length,
      ok: errors.length,
      failed: mine.filter((r) => r.status === 'failed').length,
      diverged: mine.filter((r) => r.status === 'diverged').length,
      bestError: errors.length === 0 ? null : Math.min(...errors),
      medianError: errors.length === 0 ? null : median(errors),
    };
  });
}

/** Samples the file; sampling problems become SweepErrors naming the file. */
function sampleModels(options: SweepOptions, onEvent: (e: SweepEvent) => void): SweepModel[] {
  try {
    if (options.spaces) for (const s of options.spaces) selectSpaces(options.resolved, s);
    const samples = sampleFile(options.resolved, { samples: options.samples });
    for (const s of samples) {
      if (!s.complete) {
        onEvent({ type: 'warning', message: `${s.space}: only ${s.models.length} of ${s.requested} models within the constraints after ${s.attempts} attempts` });
      }
    }
    return samples.flatMap((s) => s.models);
  } catch (err) {
    if (err instanceof SamplingError || err instanceof InvalidCandidateError || err instanceof RangeError) {
      throw new SweepError(`${options.file}: ${err.message}`);
    }
    throw err;
  }
}

const epochOf = (e: EpochResult): TrialEpoch => ({ epoch: e.epoch, trainLoss: e.trainLoss, testError: e.testError, lr: e.lr, seconds: e.seconds });

/** What a record keeps of the backend: its name and detail, and a GPU's adapter. */
function backendOf(b: BackendChoice): NonNullable<TrialRecord['backend']> {
  return b.adapter === undefined ? { name: b.name, detail: b.detail } : { name: b.name, detail: b.detail, adapter: b.adapter };
}

/** Runs `f`; a filesystem failure makes it return false instead of throwing. */
function tryFs(f: () => void): boolean {
  try {
    f();
    return true;
  } catch (err) {
    if (isFilesystemError(err)) return false;
    throw err;
  }
}

/** Failures of the machine rather than of any model: every trial would fail the same way until it is fixed. */
const ENVIRONMENT_ERRORS = ['DatasetError', 'BackendUnavailableError'];

/**
 * Whose a failure is. The environment's: the dataset or the backend failed (every trial would),
 * or the worker was killed by a signal (the OOM killer, a user, a shutdown). The model's: an
 * exception while training it, or a crash with an exit code (V8 out of heap for that model).
 */
export function failureCause(end: Exclude<RunEnd, { kind: 'done' }>): FailureCause {
  if (end.kind === 'error') return end.name !== undefined && ENVIRONMENT_ERRORS.includes(end.name) ? 'environment' : 'model';
  return end.signal !== undefined ? 'environment' : 'model';
}

/** The record of a trial that ended, however it ended. */
function trialRecord(model: SweepModel, job: TrialJob, end: RunEnd, epochs: EpochResult[], backend: BackendChoice, startedAt: Date): TrialRecord {
  const finishedAt = new Date();
  // Field order is the order a person reading the file wants: which trial, how it went, details.
  const base = {
    version: 1 as const,
    space: model.space,
    index: model.index,
    status: end.kind === 'done' ? end.outcome.status : ('failed' as const),
    model: model.model,
    ...(model.training === undefined ? {} : { training: model.training }),
    flops: model.flops,
    params: model.params,
    acts: model.acts,
    seed: job.seed,
  };
  const times = { startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), host: hostName() };
  if (end.kind === 'done') {
    const o = end.outcome;
    const record: TrialRecord = {
      ...base,
      backend: backendOf(o.backend),
      epochs: o.epochs.map(epochOf),
      error: o.error,
      bestError: o.bestError,
      wallSeconds: o.wallSeconds,
      imagesPerSecond: o.imagesPerSecond,
      peakMemoryBytes: o.peakMemoryBytes,
      ...times,
      lrCurve: o.lrCurve,
      lossCurve: o.lossCurve,
    };
    if (o.divergedAt) record.divergedAt = o.divergedAt;
    return record;
  }
  const tested = epochs.map((e) => e.testError);
  return {
    ...base,
    backend: backendOf(backend),
    epochs: epochs.map(epochOf),
    error: null,
    bestError: tested.length === 0 ? null : Math.min(...tested),
    wallSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    imagesPerSecond: null,
    peakMemoryBytes: null,
    ...times,
    failure: { message: end.message, stack: end.kind === 'error' ? end.stack : end.output, cause: failureCause(end) },
  };
}

/**
 * Runs (or resumes) a sweep; see the module comment. Throws a SweepError or a
 * SweepDirectoryError for what the user must fix; a trial's failure is a result, not an error.
 *
 * A sequential sweep (sampling.samples with `until: decided`, no `samples` override) trains in
 * rounds: the first `target` models of every selected space, then the stopping rule on what is
 * recorded (core/analysis/sequential.ts) says whether to stop or which target comes next. The
 * workers stay up between rounds.
 */
export async function runSweep(options: SweepOptions): Promise<SweepSummary> {
  try {
    return await sweepOnce(options);
  } catch (err) {
    throw asFilesystemError(err, undefined, `cannot use the sweep directory ${options.out}`);
  }
}

/** A sweep opened for a run: its models sampled, its directory opened, what is recorded and what the run is to train. */
export interface OpenedSweep {
  store: SweepStore;
  models: SweepModel[];
  spaceNames: string[];
  /** The models of the selected spaces. */
  selected: SweepModel[];
  /** Present for a sequential sweep: its plan, and its state, which the runner advances round by round. */
  sequential?: { plan: NonNullable<ResolvedSpaceFile['sampling']['sequential']>; state: SequentialState; of: (records: TrialRecord[]) => SequentialState };
  /** Whether a trial is in the current round (every trial of a fixed-size sweep is). */
  inRound: (m: Pick<SweepModel, 'index'>) => boolean;
  /** `space/index` of failed trials to train again. */
  retrying: Set<string>;
  /** The trials this run sets out to train: missing or to retry, in the current round. */
  todo: SweepModel[];
}

/**
 * Samples the file, opens (or creates) the sweep directory and says what is to train, with the
 * `started` event (and a sequential sweep's `round`). Shared by the local runner and the Slurm
 * submission, so that both train the same trials of the same sweep.
 */
export function openSweep(options: SweepOptions, onEvent: (e: SweepEvent) => void): OpenedSweep {
  const plan = options.samples === undefined ? options.resolved.sampling.sequential : undefined;
  const models = sampleModels(options, onEvent);
  const store = SweepStore.open({
    dir: options.out,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    file: options.file,
    resolved: options.resolved,
    models,
    fresh: options.fresh,
  });
  if (store.keptAs !== undefined) onEvent({ type: 'warning', message: `${options.out} held a sweep of other settings: kept as ${store.keptAs}` });
  const spaceNames = [...new Set(options.spaces ?? options.resolved.spaces.map((s) => s.name))];
  const selected = models.filter((m) => spaceNames.includes(m.space));
  const scan = store.scan(selected);
  for (const u of scan.unusable) onEvent({ type: 'unusable', ...u });

  // A sequential sweep trains up to the current round's target; a fixed one, everything.
  const of = (records: TrialRecord[]): SequentialState => sequentialProgress(options.resolved, records, spaceNames, models);
  const sequential = plan ? { plan, state: of(scan.records), of } : undefined;
  if (sequential && sequential.state.pairs.length === 0) {
    onEvent({ type: 'warning', message: `a sequential sweep of ${spaceNames.join(', ')} compares no pair of spaces: it trains all ${sequential.plan.max} models per space` });
  }
  const inRound = (m: Pick<SweepModel, 'index'>): boolean => sequential === undefined || m.index < sequential.state.target;
  const planned = selected.filter(inRound);
  // Failed trials trained again: the environment's failures always, every one with retryFailed.
  const retry = (r: TrialRecord): boolean => r.status === 'failed' && (options.retryFailed === true || isEnvironmentFailure(r));
  const retrying = new Set(scan.records.filter(retry).map(trialKey));
  const missing = new Set(scan.todo.map(trialKey));
  const decided = sequential !== undefined && sequential.state.status !== 'running' && retrying.size === 0;
  const todo = decided ? [] : selected.filter((m) => inRound(m) && (missing.has(trialKey(m)) || retrying.has(trialKey(m))));
  onEvent({
    type: 'started',
    dir: options.out,
    created: store.created,
    total: planned.length,
    done: scan.records.filter(inRound).length,
    todo: todo.length,
    spaces: spaceNames.map((name) => ({
      name,
      n: planned.filter((m) => m.space === name).length,
      done: scan.records.filter((r) => r.space === name && inRound(r)).length,
    })),
  });
  if (sequential) onEvent({ type: 'round', sequential: summarizeSequential(sequential.state), total: planned.length, done: scan.records.filter(inRound).length });
  return { store, models, spaceNames, selected, ...(sequential ? { sequential } : {}), inRound, retrying, todo };
}

/** `A/3`: a trial's key in sets and maps. */
export const trialKey = (m: { space: string; index: number }): string => `${m.space}/${m.index}`;

async function sweepOnce(options: SweepOptions): Promise<SweepSummary> {
  const started = Date.now();
  const onEvent = options.onEvent ?? ((): void => {});
  const signal = options.signal;
  const grace = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const opened = openSweep(options, onEvent);
  const { store, spaceNames, selected, inRound, retrying, sequential } = opened;
  const firstTodo = opened.todo;
  const planned = (): SweepModel[] => selected.filter(inRound);

  let backend: BackendChoice | null = null;
  let workerCount = 0;
  let trained = 0;
  const skipped: SweepModel[] = [];
  /** After a round: the stopping rule on what is recorded; the next round's trials, or undefined to stop. */
  const nextRound = (heldElsewhere: readonly SweepModel[]): SweepModel[] | undefined => {
    if (sequential === undefined) return undefined;
    const now = store.scan(selected);
    sequential.state = sequential.of(now.records);
    onEvent({ type: 'round', sequential: summarizeSequential(sequential.state), total: planned().length, done: now.records.filter(inRound).length });
    if (sequential.state.status !== 'running') return undefined;
    const todo = now.todo.filter(inRound);
    // Trials held by other processes only: this run cannot finish the round; a later run will.
    return todo.every((m) => heldElsewhere.includes(m)) ? undefined : todo;
  };
  if (firstTodo.length > 0 && !signal?.aborted) {
    if (retrying.size > 0) onEvent({ type: 'warning', message: `training ${count(retrying.size, 'failed trial')} again (${options.retryFailed ? '--retry-failed' : 'they failed because of the environment'})` });
    // A lock left by a Slurm task that is gone is taken over once the scheduler says so.
    const run = await trainPool(store, firstTodo, { ...options, jobState: jobStateJudge() }, onEvent, grace, sequential ? nextRound : undefined, retrying);
    ({ backend, workerCount, trained } = run);
    skipped.push(...run.skipped);
  }

  const final = store.scan(selected);
  if (sequential) sequential.state = sequential.of(final.records);
  const target = planned();
  const finalTodo = final.todo.filter(inRound);
  const remaining = finalTodo.length;
  const environmentFailed = final.records.filter((r) => inRound(r) && isEnvironmentFailure(r));
  const summary: SweepSummary = {
    dir: options.out,
    file: options.file,
    fingerprint: store.manifest.fingerprint,
    backend,
    workers: workerCount,
    total: target.length,
    done: final.records.filter(inRound).length,
    trained,
    remaining,
    elsewhere: skipped.filter((m) => finalTodo.includes(m)).length,
    interrupted: Boolean(signal?.aborted) && remaining > 0,
    wallSeconds: (Date.now() - started) / 1000,
    spaces: summarizeSpaces(spaceNames, target, final.records.filter(inRound)),
    ...(sequential ? { sequential: summarizeSequential(sequential.state) } : {}),
    environmentFailures: environmentFailed.length,
    ...(environmentFailed.length > 0 ? { environmentFailure: environmentFailed[0].failure?.message ?? '' } : {}),
  };
  onEvent({ type: 'finished', summary });
  return summary;
}

/** What the worker pool takes of a sweep's options. */
export type PoolOptions = Pick<SweepOptions, 'file' | 'resolved' | 'workers' | 'backend' | 'nativeModulesPath' | 'signal' | 'trialModule'> & {
  /** Asks the scheduler whether the Slurm job of a lock's owner still runs (core/results/lock.ts). */
  jobState?: ClaimOptions['jobState'];
};

/** Signals that stop a whole process tree at once (Ctrl-C, scancel, a time limit, a shutdown). */
const TREE_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'];
/** How long a worker killed by one of them waits for this process to see the same signal. */
const TREE_SIGNAL_WAIT_MS = 300;

/** The worker pool: hands out the `todo` trials until none is left or the signal aborts. */
export async function trainPool(
  store: SweepStore,
  todo: SweepModel[],
  options: PoolOptions,
  onEvent: (e: SweepEvent) => void,
  grace: number,
  /** Called when every handed-out trial has ended and the queue is empty: more trials, or undefined to finish. */
  nextRound?: (heldElsewhere: readonly SweepModel[]) => SweepModel[] | undefined,
  /** `space/index` of failed trials queued to be trained again (their record does not mean done). */
  retrying: ReadonlySet<string> = new Set(),
): Promise<{ backend: BackendChoice | null; workerCount: number; trained: number; skipped: SweepModel[] }> {
  const { resolved, signal } = options;
  const config: WorkerConfig = {
    backend: options.backend ?? resolved.training.backend,
    nativeModulesPath: options.nativeModulesPath,
    trialModule: options.trialModule,
  };
  const workers = new Set<WorkerProcess>();
  const held = new Set<HeldLock>();
  const skipped: SweepModel[] = [];
  /** Trials not yet handed out, in order. */
  const queue = [...todo];
  let trained = 0;
  /** Trials handed out and not yet ended; the waiters get called when it falls to 0. */
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];
  let finishedRounds = false;
  /** Set once the pool shuts down: its workers' deaths are then expected. */
  let closing = false;
  let generation = 0;
  let stopped = false;
  /** Hands out no more trials (those in flight finish), saying why the first time. */
  const stopHandingOut = (why: string): void => {
    if (!stopped) onEvent({ type: 'warning', message: `stopping: ${why}` });
    stopped = true;
    queue.length = 0;
    finishedRounds = true;
  };
  const ended = (): void => {
    inFlight--;
    if (inFlight === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      waiters.forEach((w) => w());
    }
  };
  /**
   * The next trial to train. When the queue is empty, waits for every trial in flight to end and
   * asks `nextRound` for more (once per round, whichever slot gets there first).
   */
  const takeNext = async (): Promise<{ model: SweepModel; lock: HeldLock } | undefined> => {
    for (;;) {
      const claim = take();
      if (claim) {
        inFlight++;
        return claim;
      }
      if (!nextRound || finishedRounds || signal?.aborted) return undefined;
      const seen = generation;
      if (inFlight > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
      if (generation !== seen || queue.length > 0 || finishedRounds) continue;
      generation++;
      const more = signal?.aborted ? undefined : nextRound(skipped);
      if (more === undefined || more.length === 0) finishedRounds = true;
      else queue.push(...more);
    }
  };

  const start = (): WorkerProcess => {
    const w = new WorkerProcess(config);
    workers.add(w);
    return w;
  };
  const onAbort = (): void => {
    for (const w of workers) void w.kill(grace);
  };
  signal?.addEventListener('abort', onAbort);
  // A lock that cannot be refreshed (a read-only remount, say) ages into being taken over; the trial goes on.
  const heartbeat = setInterval(() => held.forEach((lock) => void tryFs(() => refreshLock(lock))), LOCK_REFRESH_MS);
  heartbeat.unref();

  /** The next trial this process may train, claimed; undefined when none is left. */
  const take = (): { model: SweepModel; lock: HeldLock } | undefined => {
    while (!signal?.aborted && queue.length > 0) {
      const model = queue.shift()!;
      let claim: ReturnType<SweepStore['claim']>;
      try {
        claim = store.claim(model, { jobState: options.jobState });
      } catch (err) {
        throw asFilesystemError(err, store.lockPath(model.space, model.index), 'cannot claim a trial');
      }
      if (!claim.claimed) {
        skipped.push(model);
        const age = claim.refreshedMsAgo === undefined ? '' : `, its lock refreshed ${Math.round(claim.refreshedMsAgo / 1000)} s ago`;
        const holder = `${claim.owner ? `process ${claim.owner.pid} on ${claim.owner.host}` : 'another process'}${age}`;
        onEvent({ type: 'trialSkipped', space: model.space, index: model.index, holder });
        continue;
      }
      if (claim.tookOver) {
        onEvent({ type: 'warning', message: `${trialRelativePath(model.space, model.index, 'lock')}: taken over (${claim.tookOver})` });
      }
      const read = store.readTrial(model);
      if ('record' in read && !(retrying.has(`${model.space}/${model.index}`) && read.record.status === 'failed')) {
        // Finished by another process since the scan.
        releaseLock(claim.lock);
        continue;
      }
      held.add(claim.lock);
      return { model, lock: claim.lock };
    }
    return undefined;
  };
  const release = (lock: HeldLock): void => {
    held.delete(lock);
    // A lock that cannot be removed names this (soon gone) process: the next run takes it over.
    tryFs(() => releaseLock(lock));
  };
  /** Finished trials whose record could not be written, with why; written again before the run ends. */
  const unwritten: { record: TrialRecord; reason: string; code: string }[] = [];
  const write = (record: TrialRecord): boolean => {
    try {
      store.writeTrial(record);
      return true;
    } catch (err) {
      const fsErr = asFilesystemError(err, store.recordPath(record.space, record.index));
      if (!(fsErr instanceof SweepFilesystemError)) throw err;
      unwritten.push({ record, reason: fsErr.message, code: fsErr.code });
      return false;
    }
  };

  /** One worker slot: trains trials one after another, replacing its worker when it dies. */
  const slot = async (id: number, worker: WorkerProcess, backend: BackendChoice): Promise<void> => {
    for (;;) {
      if (!worker.alive) worker = start();
      try {
        await worker.ready();
      } catch (err) {
        // While the pool shuts down (cancelled, or stopped by an error) its workers are killed on purpose.
        if (!signal?.aborted && !closing) onEvent({ type: 'warning', message: `worker ${id} could not start: ${(err as Error).message}` });
        return;
      }
      const claim = await takeNext();
      if (!claim) break;
      const { model, lock } = claim;
      const job: TrialJob = {
        space: model.space,
        index: model.index,
        model: model.model,
        training: withDrawnTraining(resolved.training, model.training),
        dataset: resolved.dataset,
        backend: backend.name,
        nativeModulesPath: options.nativeModulesPath,
        // A relative dataset.path is relative to the space file, wherever the sweep is started from.
        baseDir: path.dirname(path.resolve(options.file)),
        seed: resolved.training.seed,
      };
      const startedAt = new Date();
      const epochs: EpochResult[] = [];
      onEvent({ type: 'trialStarted', space: model.space, index: model.index, worker: id, model });
      const end = await worker.run(job, {
        onEpoch: (epoch) => {
          epochs.push(epoch);
          onEvent({ type: 'epoch', space: model.space, index: model.index, epoch });
        },
        onStep: (step, steps, loss) => onEvent({ type: 'step', space: model.space, index: model.index, step, steps, loss }),
      });
      if (end.kind === 'exit' && end.signal !== undefined && TREE_SIGNALS.includes(end.signal) && !signal?.aborted) {
        // Usually the whole process tree is being stopped and this process's own handler is about
        // to run: an interruption, not a failure of the trial, if it does.
        await new Promise((resolve) => setTimeout(resolve, TREE_SIGNAL_WAIT_MS));
      }
      if (signal?.aborted && end.kind !== 'done') {
        release(lock); // interrupted: no record, trained again on the next run
        ended();
        return;
      }
      const record = trialRecord(model, job, end, epochs, backend, startedAt);
      let written: boolean;
      try {
        written = write(record);
      } finally {
        release(lock);
        ended();
      }
      if (!written) {
        // The disk refuses records: train nothing more, keep this one to write again at the end.
        if (unwritten.length === 1) stopHandingOut(`cannot write ${unwritten[0].reason}`);
        continue;
      }
      trained++;
      onEvent({ type: 'trialFinished', record });
      // The dataset or the backend failed: every other trial would fail the same way.
      if (end.kind === 'error' && failureCause(end) === 'environment') stopHandingOut(end.message.split('\n')[0]);
    }
    await worker.stop(grace);
  };

  try {
    const first = start();
    let backend: BackendChoice;
    try {
      backend = await first.ready();
    } catch (err) {
      if (signal?.aborted) return { backend: null, workerCount: 0, trained, skipped };
      if (err instanceof WorkerStartError) {
        throw new SweepError(err.causeName === 'BackendUnavailableError' ? err.message : `the training process could not start: ${err.message}`);
      }
      throw err;
    }
    config.backend = backend.name;
    const count = Math.max(1, Math.min(options.workers ?? defaultWorkers(backend.name), todo.length));
    onEvent({ type: 'backend', backend, workers: count });
    // Started together, each claims its first trial once it is ready.
    const slots = Array.from({ length: count }, (_, i) => slot(i + 1, i === 0 ? first : start(), backend));
    await Promise.all(slots);
    if (unwritten.length > 0) {
      // Space may have come back (a released lock, another process's temp files): one more try, then tell what is lost.
      const lost = unwritten.filter(({ record }) => !tryFs(() => store.writeTrial(record)));
      trained += unwritten.length - lost.length;
      const what = lost.map(({ record: r }) => `${r.space} #${r.index}${r.error === null ? '' : ` (${r.error.toFixed(1)}% error)`}`).join(', ');
      // Training stopped either way: the user must hear why, and what (if anything) was lost.
      throw new SweepFilesystemError(
        `cannot write ${unwritten[0].reason}; training stopped; ${
          lost.length > 0 ? `not recorded, so trained again on the next run: ${what}` : 'every finished trial was recorded once space was freed'
        }`,
        unwritten[0].code,
      );
    }
    if (!signal?.aborted && queue.length > 0) {
      throw new SweepError('no worker process could start; see the warnings above');
    }
    return { backend, workerCount: count, trained, skipped };
  } finally {
    closing = true;
    signal?.removeEventListener('abort', onAbort);
    clearInterval(heartbeat);
    await Promise.all([...workers].map((w) => w.kill(grace)));
    held.forEach(releaseLock);
  }
}
