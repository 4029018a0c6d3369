/**
 * The `training` suite: training throughput (images/s) of our engines against PyTorch on the same
 * machine at the same moment, for two small models (SGD with Nesterov momentum, BN in training
 * mode, random data held in memory).
 *
 * Every measurement runs in its own process: ours as `node training.js child JOB` (so that N of
 * them can train at once, one model each, as a sweep's workers do), PyTorch as
 * `python3 bench/torch_peer.py`. images/s = batch / median step time after warm-up steps.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';

import { complexity } from '../src/core/complexity';
import type { ExpandedModel, ModelSpec } from '../src/core/model';
import { expandModel } from '../src/core/modelSpec';
import { Rng } from '../src/core/sampling/rng';
import { BackendUnavailableError, initBackend } from '../src/train/backend';
import { buildModel } from '../src/train/model';
import { defaultWorkers } from '../src/train/sweep';
import { Trainer } from '../src/train/trainer';
import type { Figure, Suite } from './measure';

/** A model the suite trains. */
export interface BenchModel {
  /** Short identifier used in the JSON figures. */
  key: string;
  title: string;
  spec: ModelSpec;
}

/** The reference tiny AnyNet of training-backends.md (38,234 params, 4,980,618 flops). */
export const TINY_ANYNET: BenchModel = {
  key: 'tiny-anynet',
  title: 'tiny AnyNet 28×28×1',
  spec: {
    anynet: { depths: [1, 2, 2], widths: [16, 32, 64], strides: [1, 2, 2], bottlenecks: [1, 1, 1], groupWidths: [8, 8, 8] },
    stem: { type: 'cifar', width: 16 },
    block: 'X',
    resolution: 28,
    classes: 10,
    channels: 1,
  },
};

/**
 * A CIFAR-size RegNetX: d 6, w0 24, wa 16, wm 2, g 8, b 1, strides 1/2/2 → depths 1/2/3, widths
 * 24/48/96 (99,450 params, 14,353,354 flops at 32×32×3).
 */
export const CIFAR_REGNETX: BenchModel = {
  key: 'cifar-regnetx',
  title: 'RegNetX 32×32×3',
  spec: {
    regnet: { depth: 6, w0: 24, wa: 16, wm: 2, groupWidth: 8, bottleneck: 1, strides: [1, 2, 2] },
    stem: { type: 'cifar', width: 16 },
    block: 'X',
    resolution: 32,
    classes: 10,
    channels: 3,
  },
};

export const MODELS: readonly BenchModel[] = [TINY_ANYNET, CIFAR_REGNETX];

/** How many steps one measurement takes. */
export interface StepPlan {
  batch: number;
  warmup: number;
  steps: number;
}

/** The plan of every engine but the pure-JS cpu backend. */
export const FULL_PLAN: StepPlan = { batch: 64, warmup: 3, steps: 8 };
/** The pure-JS backend takes seconds per image: a small batch and few steps keep it to ~10–30 s a model. */
export const CPU_PLAN: StepPlan = { batch: 2, warmup: 1, steps: 2 };

/** What a child process trains. */
export interface ChildJob extends StepPlan {
  backend: 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
  model: ModelSpec;
  seed: number;
}

/** What a child process reports: its step times, or why its backend is unavailable. */
export type ChildResult =
  | { ok: true; detail: string; batch: number; stepMs: number[]; params: number; rssBytes: number }
  | { ok: false; unavailable: string };

/** What the PyTorch peer reports. */
export interface TorchResult {
  torch: string;
  threads: number;
  channelsLast: boolean;
  params: number;
  batch: number;
  stepMs: number[];
}

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** batch / median step time, in images per second. */
export function imagesPerSecond(batch: number, stepMs: readonly number[]): number {
  return (batch * 1000) / median(stepMs);
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
}

/** The two comparisons the README quotes. */
export interface Ratios {
  /** Best CPU configuration of ours / best of PyTorch. */
  ratioBestCpuToTorchBest?: number;
  bestOurs?: string;
  bestTorch?: string;
  /** Best single-worker configuration of ours / best single-thread of PyTorch. */
  ratioOneWorkerToOneThread?: number;
}

function best(rows: readonly Throughput[]): Throughput | undefined {
  let top: Throughput | undefined;
  for (const r of rows) if (r.imagesPerSecond !== undefined && (top?.imagesPerSecond === undefined || r.imagesPerSecond > top.imagesPerSecond)) top = r;
  return top;
}

/** The ratios of ours to PyTorch among the measured CPU configurations (undefined where a side has none). */
export function ratios(rows: readonly Throughput[]): Ratios {
  const cpu = rows.filter((r) => !r.gpu);
  const ours = best(cpu.filter((r) => r.engine === 'ours'));
  const torch = best(cpu.filter((r) => r.engine === 'torch'));
  const ours1 = best(cpu.filter((r) => r.engine === 'ours' && r.singleCore));
  const torch1 = best(cpu.filter((r) => r.engine === 'torch' && r.singleCore));
  return {
    ratioBestCpuToTorchBest: ours && torch ? ours.imagesPerSecond! / torch.imagesPerSecond! : undefined,
    bestOurs: ours?.config,
    bestTorch: torch?.config,
    ratioOneWorkerToOneThread: ours1 && torch1 ? ours1.imagesPerSecond! / torch1.imagesPerSecond! : undefined,
  };
}

/** Random NHWC images and labels for `n` examples of `spec`, seeded. */
function syntheticBatch(spec: ExpandedModel, n: number, seed: number): { x: Float32Array; y: Uint8Array; n: number } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * spec.resolution * spec.resolution * spec.channels);
  for (let i = 0; i < x.length; i++) x[i] = 2 * rng.float() - 1;
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) y[i] = rng.int(0, spec.classes - 1);
  return { x, y, n };
}

/** Runs in a child process: trains `job.model` for warm-up + measured steps and reports the measured step times. */
async function runChild(job: ChildJob): Promise<ChildResult> {
  let detail: string;
  try {
    detail = (await initBackend(job.backend)).detail;
  } catch (e) {
    if (e instanceof BackendUnavailableError) return { ok: false, unavailable: e.message };
    throw e;
  }
  const spec = expandModel(job.model);
  const model = buildModel(spec, job.seed);
  const trainer = new Trainer(model, { optimizer: { momentum: 0.9, nesterov: true, weightDecay: 5e-4, bnWeightDecay: 5e-4 }, labelSmoothing: 0 });
  // Two different batches, alternated: data already in memory, as an in-memory dataset's batches are.
  const data = [syntheticBatch(spec, job.batch, job.seed), syntheticBatch(spec, job.batch, job.seed + 1)];
  const shape = { height: spec.resolution, width: spec.resolution, channels: spec.channels };
  const stepMs: number[] = [];
  for (let i = 0; i < job.warmup + job.steps; i++) {
    const t = performance.now();
    await trainer.step(data[i % 2], shape, 0.1);
    if (i >= job.warmup) stepMs.push(performance.now() - t);
  }
  const params = model.trainableParamCount();
  trainer.dispose();
  model.dispose();
  return { ok: true, detail, batch: job.batch, stepMs, params, rssBytes: process.memoryUsage().rss };
}

/** Runs a command, resolves with its stdout (rejects with its stderr on a non-zero exit or after `timeoutMs`). */
function capture(command: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(command)} ${signal ? `killed (${signal})` : `exited ${code}`}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/** The last line of a process's stdout, parsed (the libraries may print before it). */
function lastJsonLine<T>(stdout: string): T {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

const CHILD_TIMEOUT_MS = 180_000;

/** Trains in a child process; a crash or a timeout is reported like an unavailable backend, so the other figures still come. */
function runOurs(job: ChildJob): Promise<ChildResult> {
  return capture(process.execPath, [__filename, 'child', JSON.stringify(job)], CHILD_TIMEOUT_MS).then(
    (s) => lastJsonLine<ChildResult>(s),
    (e: Error) => ({ ok: false, unavailable: `failed: ${e.message}` }),
  );
}

/** The interpreter that runs the peer and whether its torch sees a CUDA GPU, or why there is none. */
export type TorchPeer = { python: string; cuda: boolean } | { missing: string };

/** Interpreters tried for the peer: the one on PATH, then Debian's (python3-torch installs there). */
const PYTHONS = ['python3', '/usr/bin/python3'];

/** The first interpreter that can `import torch`, or why none can. */
export function findTorchPython(candidates: readonly string[] = PYTHONS): TorchPeer {
  const why: string[] = [];
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import torch; print(torch.cuda.is_available())'], { encoding: 'utf8' });
    if (r.error) why.push(`${python}: not found`);
    else if (r.status !== 0) why.push(`${python}: ${r.stderr.trim().split('\n').pop()}`);
    else return { python, cuda: r.stdout.trim().endsWith('True') };
  }
  return { missing: `no python3 with torch (${why.join('; ')}); on Debian: apt-get install python3-torch` };
}

/** bench/torch_peer.py, beside the compiled suite's source tree (out/bench → bench). */
const TORCH_PEER = path.join(__dirname, '..', '..', 'bench', 'torch_peer.py');

function runTorch(python: string, spec: ExpandedModel, plan: StepPlan, threads: number, channelsLast: boolean, device = 'cpu'): Promise<TorchResult> {
  const args = [TORCH_PEER, '--device', device, '--model', JSON.stringify(spec), '--batch', `${plan.batch}`, '--warmup', `${plan.warmup}`, '--steps', `${plan.steps}`, '--threads', `${threads}`];
  if (channelsLast) args.push('--channels-last');
  return capture(python, args, CHILD_TIMEOUT_MS).then((s) => lastJsonLine<TorchResult>(s));
}

/** A note's tail naming the workers whose backend was unavailable (counted as 0 images/s). */
function failed(results: readonly ChildResult[]): string {
  const why = results.flatMap((r, i) => (r.ok ? [] : [`worker ${i + 1}: ${r.unavailable}`]));
  return why.length === 0 ? '' : `; ${why.join('; ')}`;
}

const fmtMs = (ms: number): string => (ms >= 100 ? Math.round(ms).toLocaleString('en-US') : ms.toPrecision(3));
const planNote = (p: StepPlan): string => `batch ${p.batch}, median of ${p.steps} steps after ${p.warmup} warm-up`;

/** Measures every configuration for one model. `unavailable` remembers backends found missing. */
async function measureModel(m: BenchModel, workers: number, torch: TorchPeer, unavailable: Map<string, string>): Promise<Throughput[]> {
  const spec = expandModel(m.spec);
  const params = complexity(spec).params;
  const rows: Throughput[] = [];
  const job = (backend: ChildJob['backend'], plan: StepPlan, seed = 1): ChildJob => ({ backend, model: m.spec, seed, ...plan });
  const paramCheck = (p: number): string => (p === params ? '' : `; ${p.toLocaleString('en-US')} params, expected ${params.toLocaleString('en-US')}!`);

  for (const backend of ['tfjs-node-gpu', 'tfjs-node'] as const) {
    if (unavailable.has(backend)) continue;
    const r = await runOurs(job(backend, FULL_PLAN));
    if (!r.ok) {
      unavailable.set(backend, r.unavailable);
      continue;
    }
    rows.push({ config: backend, engine: 'ours', imagesPerSecond: imagesPerSecond(r.batch, r.stepMs), singleCore: false, gpu: backend === 'tfjs-node-gpu', label: r.detail, note: `${planNote(FULL_PLAN)}; step ${fmtMs(median(r.stepMs))} ms${paramCheck(r.params)}` });
  }

  const one = await runOurs(job('wasm', FULL_PLAN));
  if (!one.ok) {
    rows.push({ config: 'wasm-1', engine: 'ours', singleCore: true, label: 'wasm, 1 worker', note: `skipped: ${one.unavailable}` });
  } else {
    rows.push({
      config: 'wasm-1',
      engine: 'ours',
      imagesPerSecond: imagesPerSecond(one.batch, one.stepMs),
      singleCore: true,
      label: `${one.detail}, 1 worker`,
      note: `${planNote(FULL_PLAN)}; step ${fmtMs(median(one.stepMs))} ms; RSS ${Math.round(one.rssBytes / 2 ** 20)} MiB${paramCheck(one.params)}`,
    });
    if (workers > 1) {
      // One model per process, all at once: the way a sweep uses the cores.
      const all = await Promise.all(Array.from({ length: workers }, (_, i) => runOurs(job('wasm', FULL_PLAN, 1 + i))));
      const each = all.map((r) => (r.ok ? imagesPerSecond(r.batch, r.stepMs) : 0));
      rows.push({
        config: `wasm-${workers}`,
        engine: 'ours',
        imagesPerSecond: each.reduce((a, b) => a + b, 0),
        singleCore: false,
        label: `wasm, ${workers} workers`,
        note: `${workers} processes at once, one model each, images/s summed (${each.map((x) => x.toFixed(1)).join(' + ')}); ${planNote(FULL_PLAN)}${failed(all)}`,
      });
    }
  }

  const cpu = await runOurs(job('cpu', CPU_PLAN));
  rows.push(
    cpu.ok
      ? {
          config: 'cpu',
          engine: 'ours',
          imagesPerSecond: imagesPerSecond(cpu.batch, cpu.stepMs),
          singleCore: true,
          label: `${cpu.detail}, 1 worker`,
          note: `pure JS is slow: ${planNote(CPU_PLAN)}; step ${fmtMs(median(cpu.stepMs))} ms`,
        }
      : { config: 'cpu', engine: 'ours', singleCore: true, label: 'cpu', note: `skipped: ${cpu.unavailable}` },
  );

  for (const [threads, channelsLast] of [
    [1, false],
    [1, true],
    [0, false],
    [0, true],
  ] as const) {
    const config = `torch-${threads === 1 ? '1' : 'all'}${channelsLast ? '-cl' : ''}`;
    const label = `PyTorch, ${threads === 1 ? '1 thread' : 'all threads'}${channelsLast ? ', channels_last' : ''}`;
    if ('missing' in torch) {
      rows.push({ config, engine: 'torch', singleCore: threads === 1, label, note: `skipped: ${torch.missing}` });
      continue;
    }
    try {
      const t = await runTorch(torch.python, spec, FULL_PLAN, threads, channelsLast);
      rows.push({
        config,
        engine: 'torch',
        imagesPerSecond: imagesPerSecond(t.batch, t.stepMs),
        singleCore: threads === 1,
        label: `PyTorch ${t.torch}, ${t.threads} thread${t.threads === 1 ? '' : 's'}${channelsLast ? ', channels_last' : ''}`,
        note: `${planNote(FULL_PLAN)}; step ${fmtMs(median(t.stepMs))} ms${paramCheck(t.params)}`,
      });
    } catch (e) {
      rows.push({ config, engine: 'torch', singleCore: threads === 1, label, note: `failed: ${(e as Error).message}` });
    }
  }
  if (!('missing' in torch) && torch.cuda) {
    try {
      const t = await runTorch(torch.python, spec, FULL_PLAN, 1, true, 'cuda');
      rows.push({
        config: 'torch-cuda',
        engine: 'torch',
        imagesPerSecond: imagesPerSecond(t.batch, t.stepMs),
        singleCore: false,
        gpu: true,
        label: `PyTorch ${t.torch}, CUDA GPU, channels_last`,
        note: `GPU, not in the CPU ratios; ${planNote(FULL_PLAN)}; step ${fmtMs(median(t.stepMs))} ms`,
      });
    } catch (e) {
      rows.push({ config: 'torch-cuda', engine: 'torch', singleCore: false, gpu: true, label: 'PyTorch, CUDA GPU', note: `failed: ${(e as Error).message}` });
    }
  }
  return rows;
}

/** A figure of this suite: the standard fields plus which model and configuration it belongs to. */
export interface TrainingFigure extends Figure {
  model: string;
  config: string;
}

/** The suite's figures for one model: one per configuration, then the two ratios. */
export function modelFigures(m: BenchModel, rows: readonly Throughput[]): TrainingFigure[] {
  const spec = expandModel(m.spec);
  const cx = complexity(spec);
  const about = `${(cx.flops / 1e6).toFixed(2)} MFLOPs, ${cx.params.toLocaleString('en-US')} params`;
  const figures: TrainingFigure[] = rows.map((r) => ({
    name: `${m.title}: ${r.label}`,
    value: r.imagesPerSecond ?? NaN,
    unit: 'images/s',
    note: r.note,
    model: m.key,
    config: r.config,
  }));
  const q = ratios(rows);
  figures.push({
    name: `${m.title}: ours best / PyTorch best`,
    value: q.ratioBestCpuToTorchBest ?? NaN,
    unit: '×',
    note: q.ratioBestCpuToTorchBest === undefined ? 'not measured: a side has no CPU figure' : `${q.bestOurs} vs ${q.bestTorch}; ${about}`,
    model: m.key,
    config: 'ratioBestCpuToTorchBest',
  });
  figures.push({
    name: `${m.title}: ours 1 worker / PyTorch 1 thread`,
    value: q.ratioOneWorkerToOneThread ?? NaN,
    unit: '×',
    note: q.ratioOneWorkerToOneThread === undefined ? 'not measured: a side has no single-core figure' : 'best single-worker vs best single-thread configuration',
    model: m.key,
    config: 'ratioOneWorkerToOneThread',
  });
  return figures;
}

async function run(): Promise<Figure[]> {
  const torch = findTorchPython();
  const workers = defaultWorkers('wasm'); // as many as a wasm sweep starts here
  const unavailable = new Map<string, string>();
  const loadBefore = os.loadavg()[0];
  const figures: Figure[] = [];
  for (const m of MODELS) figures.push(...modelFigures(m, await measureModel(m, workers, torch, unavailable)));
  for (const [backend, why] of unavailable) {
    figures.push({ name: `${backend}: not measured`, value: NaN, unit: '', note: why, model: '', config: backend } as TrainingFigure);
  }
  figures.push({
    name: 'load average (1 min) at the end',
    value: os.loadavg()[0],
    unit: 'processes',
    note: `${loadBefore.toFixed(2)} at the start, on ${os.availableParallelism()} cores: ours and PyTorch shared the machine alike`,
    model: '',
    config: 'load',
  } as TrainingFigure);
  return figures;
}

export const trainingSuite: Suite = {
  name: 'training',
  summary: 'training images/s of our backends (cpu, wasm × 1 and × N workers, native if installed) against PyTorch, two small models',
  run,
};

if (require.main === module && process.argv[2] === 'child') {
  runChild(JSON.parse(process.argv[3]) as ChildJob).then(
    (r) => {
      process.stdout.write(JSON.stringify(r) + '\n');
      // A wasm backend keeps no handles open, but exit at once rather than wait on any.
      process.exit(0);
    },
    (e) => {
      process.stderr.write(`${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
