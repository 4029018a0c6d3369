/** What the training suite measures, in types: the models, a measurement's steps, a row of figures. */
import type { ModelSpec } from '../src/core/model';

/** A model the suite trains. */
export interface BenchModel {
  /** Short identifier used in the JSON figures. */
  key: string;
  title: string;
  spec: ModelSpec;
  /**
   * The batch of the wasm and PyTorch rows when not the suite's 64: a variant of a model above,
   * measured on those rows only (the pure-JS and WebGPU plans fix their own batch).
   */
  batch?: number;
}

/** How many steps one measurement takes. */
export interface StepPlan {
  batch: number;
  warmup: number;
  steps: number;
}

/** One configuration's throughput for one model; `config` names the configuration in the JSON. */
export interface Throughput {
  config: string;
  engine: 'ours' | 'torch';
  /** Undefined when the configuration could not run (see `note`). */
  imagesPerSecond?: number;
  /** One worker / one thread: the per-core figures compared by `ratioOneWorkerToOneThread`. */
  singleCore: boolean;
  /** A GPU configuration: not part of the CPU comparison. */
  gpu?: boolean;
  label: string;
  note: string;
  /** The largest peak resident memory of one process (one worker, or PyTorch's process) over the rounds. */
  peakRssBytes?: number;
  /** Minor page faults per step (median over the rounds). */
  faultsPerStep?: number;
}
