/**
 * The webgpu configuration of the `training` suite: training images/s on the WebGPU adapter Dawn
 * picks (DSLAB_WEBGPU_ADAPTER chooses another), named explicitly so that a software adapter
 * (Mesa lavapipe) is measured too and labelled as such.
 *
 * Runs in its own process, as the suite's other configurations do: `node webgpu.js child JOB`.
 * `node out/bench/webgpu.js` alone measures the suite's models on webgpu and prints the rows.
 */
import { spawn } from 'node:child_process';

import type { ModelSpec } from '../src/core/model';
import { expandModel } from '../src/core/modelSpec';
import { median } from '../src/core/analysis/statistics';
import { Rng } from '../src/core/sampling/rng';
import { BackendUnavailableError, initBackend, tf } from '../src/train/backend';
import { buildModel } from '../src/train/model';
import { Trainer } from '../src/train/trainer';
import { serveChild } from './measure';
import type { BenchModel, StepPlan, Throughput } from './plan';

/** A GPU's plan: the suite's full batch. */
export const GPU_PLAN: StepPlan = { batch: 64, warmup: 3, steps: 8 };
/** A software adapter trains the tiny model at ~10–30 images/s: a smaller batch keeps it to seconds. */
export const SOFTWARE_PLAN: StepPlan = { batch: 16, warmup: 2, steps: 3 };

interface WebGpuJob extends StepPlan {
  model: ModelSpec;
  seed: number;
  /** Measure nothing on a software adapter (a model too large to train on an emulated GPU). */
  hardwareOnly?: boolean;
  /** The plan on a software adapter (default SOFTWARE_PLAN). */
  softwarePlan?: StepPlan;
  /** DSLAB_WEBGPU_KERNELS for the child: 'off' measures tfjs's own kernels and ops. */
  webgpuKernels?: 'off';
}

type WebGpuResult =
  | { ok: true; detail: string; software: boolean; batch: number; stepMs: number[]; params: number; dispatchesPerStep: number }
  | { ok: false; unavailable: string };

const CHILD_TIMEOUT_MS = 300_000;

/**
 * Counts the compute dispatches of the active webgpu backend (one per program tfjs runs): on a GPU a
 * small model's step costs about its dispatches, whatever their arithmetic.
 */
function countDispatches(): { reset(): void; count(): number } {
  const backend = tf.backend() as unknown as { runWebGPUProgram: (...args: unknown[]) => unknown };
  const run = backend.runWebGPUProgram.bind(backend);
  let n = 0;
  backend.runWebGPUProgram = (...args: unknown[]) => {
    n++;
    return run(...args);
  };
  return { reset: () => (n = 0), count: () => n };
}

/** In the child: trains warm-up + measured steps on webgpu; a software adapter switches to SOFTWARE_PLAN. */
async function runChild(job: WebGpuJob): Promise<WebGpuResult> {
  if (job.webgpuKernels !== undefined) process.env.DSLAB_WEBGPU_KERNELS = job.webgpuKernels;
  let choice;
  try {
    choice = await initBackend('webgpu');
  } catch (e) {
    if (e instanceof BackendUnavailableError) return { ok: false, unavailable: e.message };
    throw e;
  }
  const software = choice.adapter?.software === true;
  if (software && job.hardwareOnly) return { ok: false, unavailable: `only a software adapter (${choice.detail})` };
  const plan = software ? (job.softwarePlan ?? SOFTWARE_PLAN) : job;
  const spec = expandModel(job.model);
  const model = buildModel(spec, job.seed);
  const trainer = new Trainer(model, { optimizer: { momentum: 0.9, nesterov: true, weightDecay: 5e-4, bnWeightDecay: 5e-4 }, labelSmoothing: 0 });
  const rng = new Rng(job.seed);
  const batch = (): { x: Float32Array; y: Uint8Array; n: number } => {
    const x = Float32Array.from({ length: plan.batch * spec.resolution * spec.resolution * spec.channels }, () => 2 * rng.float() - 1);
    const y = Uint8Array.from({ length: plan.batch }, () => rng.int(0, spec.classes - 1));
    return { x, y, n: plan.batch };
  };
  const data = [batch(), batch()];
  const shape = { height: spec.resolution, width: spec.resolution, channels: spec.channels };
  const stepMs: number[] = [];
  const dispatches = countDispatches();
  for (let i = 0; i < plan.warmup + plan.steps; i++) {
    if (i === plan.warmup) dispatches.reset();
    const t = performance.now();
    // trainer.step reads the loss back, so each step's time includes the GPU's work.
    await trainer.step(data[i % 2], shape, 0.1);
    if (i >= plan.warmup) stepMs.push(performance.now() - t);
  }
  const dispatchesPerStep = dispatches.count() / plan.steps;
  const params = model.trainableParamCount();
  trainer.dispose();
  model.dispose();
  return { ok: true, detail: choice.detail, software, batch: plan.batch, stepMs, params, dispatchesPerStep };
}

function runInChild(job: WebGpuJob): Promise<WebGpuResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [__filename, 'child', JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'], timeout: CHILD_TIMEOUT_MS });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code, signal) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as WebGpuResult);
      else resolve({ ok: false, unavailable: `failed: ${signal ? `killed (${signal})` : `exited ${code}`}: ${err.trim().split('\n').slice(-3).join(' | ')}` });
    });
  });
}

/** How one model is measured on webgpu. */
export interface WebGpuOptions {
  /** On a GPU (default GPU_PLAN). */
  plan?: StepPlan;
  /** On a software adapter (default SOFTWARE_PLAN). */
  softwarePlan?: StepPlan;
  /** Measure nothing on a software adapter. */
  hardwareOnly?: boolean;
  /** 'off': tfjs's own kernels and ops (DSLAB_WEBGPU_KERNELS=off) instead of ours. */
  webgpuKernels?: 'off';
}

/** The suite's webgpu row for one model: images/s, or why webgpu could not run (then no value). */
export async function measureWebGpu(m: BenchModel, options: WebGpuOptions = {}): Promise<Throughput> {
  const { plan = GPU_PLAN, softwarePlan, hardwareOnly = false, webgpuKernels } = options;
  const r = await runInChild({ model: m.spec, seed: 1, hardwareOnly, softwarePlan, webgpuKernels, ...plan });
  const config = webgpuKernels === 'off' ? 'webgpu, tfjs’s kernels' : 'webgpu';
  if (!r.ok) return { config, engine: 'ours', singleCore: false, gpu: true, label: config, note: `skipped: ${r.unavailable}` };
  const ms = median(r.stepMs);
  const why = r.software ? 'software adapter: the CPU emulates the GPU (correctness, not speed); ' : '';
  return {
    config,
    engine: 'ours',
    imagesPerSecond: (r.batch * 1000) / ms,
    singleCore: false,
    // Not in the CPU ratios: a GPU, or a CPU pretending to be one.
    gpu: true,
    label: `${r.detail}, 1 worker`,
    note: `${why}batch ${r.batch}, median of ${r.stepMs.length} steps; step ${ms >= 100 ? Math.round(ms) : ms.toPrecision(3)} ms; ${Math.round(r.dispatchesPerStep).toLocaleString('en-US')} dispatches a step; ${r.params.toLocaleString('en-US')} params`,
  };
}

if (require.main === module) {
  if (process.argv[2] === 'child') {
    serveChild(process.argv[3], runChild);
  } else {
    void (async () => {
      const { MODELS } = require('./training') as typeof import('./training');
      for (const m of MODELS) {
        const row = await measureWebGpu(m);
        process.stdout.write(`${m.title}: ${row.imagesPerSecond === undefined ? '—' : `${row.imagesPerSecond.toFixed(1)} images/s`}  ${row.label}  (${row.note})\n`);
      }
    })();
  }
}
