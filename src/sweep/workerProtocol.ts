/**
 * The messages between the sweep runner and its worker processes (over the fork IPC channel).
 * Type-only: importing it loads no tfjs.
 */
import type { BackendChoice, EpochResult } from '../core/analysis/sweepEvents';
import type { BackendName } from '../core/space/types';
import type { TrialJob, TrialOutcome } from '../train/trial';

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
export type RunnerMessage = { type: 'run'; job: TrialJob } | { type: 'stop' };

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
