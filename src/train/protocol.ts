/**
 * The messages of a sweep: between the runner and its worker processes (over the fork IPC
 * channel), and the events the runner reports to its user interface (the CLI prints them, or
 * emits them as JSON lines for the editor). Type-only: importing it loads no tfjs.
 */
import type { SweepModel, TrialRecord } from '../core/results/records';
import type { SequentialSummary } from '../core/analysis/sequential';
import type { BackendName } from '../core/space/types';
import type { BackendChoice } from './backend';
import type { EpochResult, TrialJob, TrialOutcome } from './trial';

export type { SequentialSummary };

// ------------------------------------------------------------------ runner ↔ worker

/** How a worker is started (JSON in its first argument). */
export interface WorkerConfig {
  backend: BackendName;
  nativeModulesPath?: string;
  /**
   * A module exporting `initBackend` and `runTrial` to use instead of the trainer's. Tests pass
   * a fast fake here; the product never sets it.
   */
  trialModule?: string;
}

/** Runner → worker. `stop`: finish (abort the running trial, if any) and exit. */
export type HostMessage = { type: 'run'; job: TrialJob } | { type: 'stop' };

/** Worker → runner. */
export type WorkerMessage =
  /** The backend is up; the worker waits for jobs. */
  | { type: 'ready'; backend: BackendChoice }
  | { type: 'epoch'; epoch: EpochResult }
  /** Throttled: at most a few per second. */
  | { type: 'step'; step: number; steps: number; loss: number }
  | { type: 'done'; outcome: TrialOutcome }
  /**
   * The trial (or, before `ready`, the backend) failed with an exception. `name` lets the runner
   * tell a backend that is not installed (BackendUnavailableError, a user error) from a crash.
   */
  | { type: 'error'; message: string; stack?: string; name?: string };

// ------------------------------------------------------------------ runner → user interface

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
  | { type: 'finished'; summary: SweepSummary };
