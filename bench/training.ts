/**
 * The `training` suite: training throughput (images/s) of our engines against PyTorch on the same
 * machine at the same moment, for small models (SGD with Nesterov momentum, BN in training
 * mode, random data held in memory).
 *
 * Every measurement runs in its own process: ours as `node training.js child JOB` (so that N of
 * them can train at once, one model each, as a sweep's workers do), PyTorch as
 * `python3 bench/torch_peer.py`. images/s = batch / median step time after warm-up steps. Each
 * configuration is measured in several rounds, interleaved with the others, and the median round
 * is reported with the CPU share it got (the machine may be shared), the peak memory of one
 * process and its page faults per step; PyTorch is measured in both memory formats, with glibc's
 * malloc returning freed tensors to the system (its default) and keeping them (and, with several
 * threads, with spinning and with sleeping OpenMP waits), and the best is reported, named, and
 * what decides its speed here (oneDNN's instruction set, ATen's CPU capability, the CPU's vector
 * flags, threads, steering environment variables) is printed with it, so a slow peer shows.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';

import { complexity } from '../src/core/complexity';
import type { ExpandedModel, ModelSpec } from '../src/core/model';
import { expandModel } from '../src/core/modelSpec';
import { median } from '../src/core/analysis/statistics';
import { Rng } from '../src/core/sampling/rng';
import { BackendUnavailableError, initBackend } from '../src/train/backend';
import { buildModel } from '../src/train/model';
import { defaultWorkers } from '../src/sweep/runner';
import { Trainer } from '../src/train/trainer';
import { serveChild, type Figure, type Suite } from './measure';
import type { BenchModel, StepPlan, Throughput } from './plan';
import { measureWebGpu } from './webgpu';

export type { BenchModel, StepPlan, Throughput };


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

/** The tiny AnyNet with swish in every layer: beside the ReLU one, what swish costs. */
export const TINY_ANYNET_SWISH: BenchModel = {
  key: 'tiny-anynet-swish',
  title: 'tiny AnyNet 28×28×1, swish',
  spec: { ...TINY_ANYNET.spec, activation: 'swish' },
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

/** The tiny AnyNet at batch 32, the example sweep's batch: per-step costs weigh more. */
export const TINY_ANYNET_B32: BenchModel = {
  key: 'tiny-anynet-b32',
  title: 'tiny AnyNet 28×28×1, batch 32',
  spec: TINY_ANYNET.spec,
  batch: 32,
};

export const MODELS: readonly BenchModel[] = [TINY_ANYNET, TINY_ANYNET_SWISH, TINY_ANYNET_B32, CIFAR_REGNETX];


/** The plan of every engine but the pure-JS cpu backend. */
export const FULL_PLAN: StepPlan = { batch: 64, warmup: 3, steps: 8 };
/** The pure-JS backend takes seconds per image: a small batch and few steps keep it to ~10–30 s a model. */
export const CPU_PLAN: StepPlan = { batch: 2, warmup: 1, steps: 2 };

/** What a child process trains. */
export interface ChildJob extends StepPlan {
  backend: 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
  model: ModelSpec;
  seed: number;
  /** DSLAB_WASM_KERNELS for the child: 'off' measures stock tfjs-wasm (with our composite gradient kernels). */
  wasmKernels?: 'off' | 'auto';
}

/**
 * What a child process reports: its step times (wall, and the process's CPU time per step, which
 * falls below the wall time when other processes take the core), or why its backend is unavailable.
 */
export type ChildResult =
  | { ok: true; detail: string; batch: number; stepMs: number[]; cpuMs: number[]; params: number; peakRssBytes: number; faultsPerStep: number }
  | { ok: false; unavailable: string };

/** What the PyTorch peer reports. */
export interface TorchResult {
  torch: string;
  threads: number;
  channelsLast: boolean;
  params: number;
  batch: number;
  stepMs: number[];
  /** CPU time of all its threads per step. */
  cpuMs: number[];
  peakRssBytes: number;
  /** Minor page faults per measured step. */
  faultsPerStep: number;
}

/** What `torch_peer.py --describe` reports: what decides how fast this PyTorch is here. */
export interface TorchDetails {
  torch: string;
  mkldnn: boolean;
  onednn: { version?: string; isa?: string; convolution?: string; error?: string };
  atenCapability: string | null;
  cpu: { model: string; vectorFlags: string[]; hypervisor: boolean };
  usableCores: number;
  /** Cores' worth of CPU time the cgroup allows, null when unlimited. */
  cpuQuota: number | null;
  defaultThreads: number;
  interopThreads: number;
  parallel: string;
  /** The OMP_/KMP_/MKL_/DNNL_/ONEDNN_/ATEN_/TORCH_ variables set. */
  env: Record<string, string>;
}

/** batch / median step time, in images per second. */
export function imagesPerSecond(batch: number, stepMs: readonly number[]): number {
  return (batch * 1000) / median(stepMs);
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
  if (job.wasmKernels !== undefined) process.env.DSLAB_WASM_KERNELS = job.wasmKernels;
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
  const cpuMs: number[] = [];
  let faults = 0;
  for (let i = 0; i < job.warmup + job.steps; i++) {
    if (i === job.warmup) faults = process.resourceUsage().minorPageFault;
    const t = performance.now();
    const c = process.cpuUsage();
    await trainer.step(data[i % 2], shape, 0.1);
    if (i >= job.warmup) {
      stepMs.push(performance.now() - t);
      const used = process.cpuUsage(c);
      cpuMs.push((used.user + used.system) / 1000);
    }
  }
  const faultsPerStep = (process.resourceUsage().minorPageFault - faults) / job.steps;
  const params = model.trainableParamCount();
  trainer.dispose();
  model.dispose();
  // maxRSS is in KiB: the process's peak, the wasm heap (which never shrinks) included.
  return { ok: true, detail, batch: job.batch, stepMs, cpuMs, params, peakRssBytes: process.resourceUsage().maxRSS * 1024, faultsPerStep };
}

/** Runs a command, resolves with its stdout (rejects with its stderr on a non-zero exit or after `timeoutMs`). */
function capture(command: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, env });
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

/**
 * How PyTorch's OpenMP threads wait between parallel regions: 'default' leaves libgomp's spinning
 * (fastest on idle cores); 'passive' (OMP_WAIT_POLICY=PASSIVE) makes them sleep. With another
 * process on one of the cores, spinning threads wait for a partner that is not running: on the
 * 2-core development machine 2 threads fell from ~420 to ~27 images/s on the tiny AnyNet.
 */
export type WaitPolicy = 'default' | 'passive';

/**
 * What glibc's malloc does with PyTorch's freed tensors: 'returned' (its defaults) gives blocks
 * of a few MB back to the system, so every step maps them in again, a minor page fault per 4 KiB
 * page: ~17,000 a step on the tiny AnyNet with one thread, ~45% of PyTorch's step on the
 * development machine (a virtual machine, where a fault cost ~3 µs). 'kept' raises the thresholds with
 * KEEP_FREED_MEMORY so freed memory stays in the process, as an allocator such as jemalloc would.
 */
export type MemoryPolicy = 'returned' | 'kept';

/** glibc tunables that keep freed memory in the process: no mmap below 32 MiB (glibc's maximum), no trimming below 1 GiB. */
export const KEEP_FREED_MEMORY = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824';

/** The environment of a PyTorch peer run: the process's, with the wait and memory policies' variables. */
export function torchEnv(base: NodeJS.ProcessEnv, wait: WaitPolicy, memory: MemoryPolicy): NodeJS.ProcessEnv {
  const env = { ...base };
  if (wait === 'passive') env.OMP_WAIT_POLICY = 'PASSIVE';
  if (memory === 'kept') env.GLIBC_TUNABLES = base.GLIBC_TUNABLES ? `${base.GLIBC_TUNABLES}:${KEEP_FREED_MEMORY}` : KEEP_FREED_MEMORY;
  return env;
}

/** torch_peer.py's arguments for training `spec` with `plan` on `threads` threads (0: all). */
function peerArgs(spec: ExpandedModel, plan: StepPlan, threads: number, channelsLast: boolean, device: string): string[] {
  const args = [TORCH_PEER, '--device', device, '--model', JSON.stringify(spec), '--batch', `${plan.batch}`, '--warmup', `${plan.warmup}`, '--steps', `${plan.steps}`, '--threads', `${threads}`];
  return channelsLast ? [...args, '--channels-last'] : args;
}

export function runTorch(
  python: string,
  spec: ExpandedModel,
  plan: StepPlan,
  threads: number,
  channelsLast: boolean,
  device = 'cpu',
  wait: WaitPolicy = 'default',
  memory: MemoryPolicy = 'kept',
): Promise<TorchResult> {
  return capture(python, peerArgs(spec, plan, threads, channelsLast, device), CHILD_TIMEOUT_MS, torchEnv(process.env, wait, memory)).then((s) => lastJsonLine<TorchResult>(s));
}

/** What `torch_peer.py --profile` reports: ms per step by kind of work (see PROFILE_KINDS there). */
export interface TorchProfile {
  torch: string;
  threads: number;
  stepMs: number;
  kinds: Record<string, number>;
  otherOpsMs: number;
  outsideOpsMs: number;
}

/** Profiles PyTorch training `spec` on 1 thread, channels_last, freed memory kept: its best single-thread setting. */
export function profileTorch(python: string, spec: ExpandedModel, plan: StepPlan): Promise<TorchProfile> {
  const args = [...peerArgs(spec, plan, 1, true, 'cpu'), '--profile'];
  return capture(python, args, CHILD_TIMEOUT_MS, torchEnv(process.env, 'default', 'kept')).then((s) => lastJsonLine<TorchProfile>(s));
}

/** Runs `torch_peer.py --describe`. */
export function describeTorch(python: string): Promise<TorchDetails> {
  return capture(python, [TORCH_PEER, '--describe'], CHILD_TIMEOUT_MS).then((s) => lastJsonLine<TorchDetails>(s));
}

/** True for an instruction set or capability name of AVX2 or wider (AVX-512, AMX). */
const wideVectors = (name: string | null | undefined): boolean => name != null && /avx2|avx-?512|amx/i.test(name);

/**
 * Why this PyTorch would run slower here than on a machine where it gets AVX2, or undefined when
 * nothing says so: oneDNN or ATen dispatched narrower vectors (a CPU or hypervisor that hides
 * AVX2, or ONEDNN_MAX_CPU_ISA / ATEN_CPU_CAPABILITY set), or a cgroup quota below the cores.
 */
export function slowPeerWarning(d: TorchDetails): string | undefined {
  const why: string[] = [];
  if (d.onednn.isa !== undefined && !wideVectors(d.onednn.isa)) why.push(`oneDNN dispatches ${d.onednn.isa}`);
  if (d.atenCapability !== null && !wideVectors(d.atenCapability)) why.push(`ATen's CPU capability is ${d.atenCapability}`);
  if (why.length > 0) {
    const shown = d.cpu.vectorFlags.includes('avx2') ? 'the CPU shows avx2, so a setting holds it back' : 'the CPU shows no avx2';
    why[why.length - 1] += ` (${shown})`;
  }
  if (d.cpuQuota !== null && d.cpuQuota < d.usableCores) why.push(`a cgroup quota of ${d.cpuQuota} cores`);
  if (why.length === 0) return undefined;
  return `PyTorch is held back here: ${why.join('; ')}; with AVX2 the same PyTorch trains ~2–4× faster, so the ratios overstate ours`;
}

/** The peer's details in one line, for the suite's output. */
export function describePeer(d: TorchDetails): string {
  const isa = d.onednn.isa === undefined ? `oneDNN: ${d.onednn.error ?? 'unknown'}` : `oneDNN ${d.onednn.version ?? ''} ISA ${d.onednn.isa} (3×3 conv: ${d.onednn.convolution ?? '?'})`;
  const env = Object.entries(d.env).map(([k, v]) => `${k}=${v}`);
  return [
    `torch ${d.torch}`,
    isa,
    `ATen CPU capability ${d.atenCapability ?? 'unknown'}`,
    `CPU ${d.cpu.model} (${d.cpu.vectorFlags.join(' ') || 'no vector flags listed'}${d.cpu.hypervisor ? ', virtual machine' : ''})`,
    `${d.usableCores} usable cores, ${d.cpuQuota === null ? 'no CPU quota' : `CPU quota ${d.cpuQuota} cores`}`,
    `threads set per row (default ${d.defaultThreads}, interop ${d.interopThreads}, ${d.parallel})`,
    `steering environment: ${env.length === 0 ? 'none set' : env.join(' ')}`,
  ].join('; ');
}

/** A note's tail naming the workers whose backend was unavailable (counted as 0 images/s). */
function failed(results: readonly ChildResult[]): string {
  const why = results.flatMap((r, i) => (r.ok ? [] : [`worker ${i + 1}: ${r.unavailable}`]));
  return why.length === 0 ? '' : `; ${why.join('; ')}`;
}

const fmtMs = (ms: number): string => (ms >= 100 ? Math.round(ms).toLocaleString('en-US') : ms.toPrecision(3));
const fmtMiB = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MiB`;
const planNote = (p: StepPlan): string => `batch ${p.batch}, median of ${p.steps} steps after ${p.warmup} warm-up`;

/** How many times each configuration is measured, interleaved with the others; the median counts. */
export const ROUNDS = 3;

/** One measurement of one configuration. */
interface Sample {
  imagesPerSecond: number;
  /** CPU time / wall time of the measured steps (1 = one core fully used). */
  cpuShare: number;
  stepMs: number;
  label: string;
  /** A problem worth reporting (a parameter count that differs, a worker that failed). */
  warning?: string;
  /** Peak resident memory of one process (the largest worker's). */
  peakRssBytes: number;
  /** Minor page faults per step (the most of any worker). */
  faultsPerStep: number;
}

/** A configuration measured once per round. */
interface Config {
  config: string;
  engine: 'ours' | 'torch';
  singleCore: boolean;
  label: string;
  run(): Promise<Sample>;
}

/**
 * The median of the rounds' samples as a row; the note gives every round's figure and the CPU
 * share, so a loaded machine shows.
 */
function summarize(c: Config, samples: readonly Sample[], failures: readonly string[], plan: StepPlan): Throughput {
  if (samples.length === 0) return { config: c.config, engine: c.engine, singleCore: c.singleCore, label: c.label, note: `failed: ${failures[0] ?? 'no result'}` };
  const ips = median(samples.map((x) => x.imagesPerSecond));
  const rounds = samples.map((x) => x.imagesPerSecond.toFixed(0)).join(', ');
  const warnings = [...new Set(samples.flatMap((x) => (x.warning ? [x.warning] : [])))];
  const peakRssBytes = Math.max(...samples.map((x) => x.peakRssBytes));
  const faults = median(samples.map((x) => x.faultsPerStep));
  return {
    config: c.config,
    engine: c.engine,
    imagesPerSecond: ips,
    singleCore: c.singleCore,
    label: samples[0].label,
    peakRssBytes,
    faultsPerStep: faults,
    note: [
      `median of ${samples.length} rounds (${rounds})`,
      `step ${fmtMs(median(samples.map((x) => x.stepMs)))} ms`,
      `CPU ${(100 * median(samples.map((x) => x.cpuShare))).toFixed(0)}% of wall`,
      `peak memory ${fmtMiB(peakRssBytes)} per ${c.engine === 'ours' ? 'worker' : 'process'}`,
      `${Math.round(faults).toLocaleString('en-US')} page faults per step`,
      planNote(plan),
      ...warnings,
      ...failures.map((f) => `a round failed: ${f}`),
    ].join('; '),
  };
}

/**
 * The faster of two measurements that differ in one PyTorch setting (`what`): the row is that one,
 * with the other (`aName`/`bName` name each) in its note.
 */
function better(what: string, a: Throughput, aName: string, b: Throughput, bName: string): Throughput {
  const [win, lose, loseName] = (b.imagesPerSecond ?? -1) > (a.imagesPerSecond ?? -1) ? [b, a, aName] : [a, b, bName];
  const faults = lose.faultsPerStep === undefined ? '' : `, ${Math.round(lose.faultsPerStep).toLocaleString('en-US')} page faults per step`;
  const other = lose.imagesPerSecond === undefined ? `${loseName}: ${lose.note}` : `${loseName}: ${lose.imagesPerSecond.toFixed(0)} images/s${faults}`;
  return { ...win, note: `${win.note}; the better ${what} (${other})` };
}

/** PyTorch's better memory format for one thread count: the row is that one, named, with the other in its note. */
export function betterFormat(contiguous: Throughput, channelsLast: Throughput, config: string): Throughput {
  return { ...better('memory format', contiguous, 'contiguous (NCHW)', channelsLast, 'channels_last'), config };
}

/** PyTorch's all-threads row: the better of spinning (default) and sleeping OpenMP waits, the other in its note. */
export function betterWaitPolicy(spinning: Throughput, passive: Throughput): Throughput {
  return better('OpenMP wait', spinning, 'spinning (default)', passive, 'OMP_WAIT_POLICY=PASSIVE');
}

/** The better of PyTorch with glibc's defaults and with freed memory kept (see MemoryPolicy), the other in its note. */
export function betterMemoryPolicy(returned: Throughput, kept: Throughput): Throughput {
  return better('allocator setting', returned, "glibc's defaults, freed memory returned", kept, 'freed memory kept');
}

/** The key of one PyTorch configuration, e.g. torch-all-cl-passive-returned. */
const torchConfig = (threads: number, channelsLast: boolean, wait: WaitPolicy, memory: MemoryPolicy): string =>
  `torch-${threads === 1 ? '1' : 'all'}${channelsLast ? '-cl' : ''}${wait === 'passive' ? '-passive' : ''}${memory === 'returned' ? '-returned' : ''}`;

/**
 * Measures every configuration for one model: each once per round, in an order rotated every
 * round (so a burst of load elsewhere does not fall on one configuration), `ROUNDS` rounds. The
 * pure-JS cpu backend and the native ones are measured once. `unavailable` remembers backends
 * found missing; `loads` gets the 1-minute load average at the start of every round.
 */
async function measureModel(m: BenchModel, workers: number, torch: TorchPeer, unavailable: Map<string, string>, loads: number[]): Promise<Throughput[]> {
  const spec = expandModel(m.spec);
  const plan: StepPlan = { ...FULL_PLAN, batch: m.batch ?? FULL_PLAN.batch };
  // A batch variant measures the wasm and PyTorch rows only; the others fix their own batch.
  const variant = m.batch !== undefined;
  const params = complexity(spec).params;
  const rows: Throughput[] = [];
  const job = (backend: ChildJob['backend'], plan: StepPlan, seed = 1, wasmKernels?: ChildJob['wasmKernels']): ChildJob => ({ backend, model: m.spec, seed, wasmKernels, ...plan });
  const paramCheck = (p: number): string | undefined => (p === params ? undefined : `${p.toLocaleString('en-US')} params, expected ${params.toLocaleString('en-US')}!`);
  const ours = (r: ChildResult, suffix: string): Sample => {
    if (!r.ok) throw new Error(r.unavailable);
    const wall = r.stepMs.reduce((a, b) => a + b, 0);
    return {
      imagesPerSecond: imagesPerSecond(r.batch, r.stepMs),
      cpuShare: r.cpuMs.reduce((a, b) => a + b, 0) / wall,
      stepMs: median(r.stepMs),
      label: `${r.detail}${suffix}`,
      warning: paramCheck(r.params),
      peakRssBytes: r.peakRssBytes,
      faultsPerStep: r.faultsPerStep,
    };
  };

  for (const backend of ['tfjs-node-gpu', 'tfjs-node'] as const) {
    if (variant || unavailable.has(backend)) continue;
    const r = await runOurs(job(backend, FULL_PLAN));
    if (!r.ok) {
      unavailable.set(backend, r.unavailable);
      continue;
    }
    const warning = paramCheck(r.params);
    rows.push({ config: backend, engine: 'ours', imagesPerSecond: imagesPerSecond(r.batch, r.stepMs), singleCore: false, gpu: backend === 'tfjs-node-gpu', label: r.detail, note: `${planNote(FULL_PLAN)}; step ${fmtMs(median(r.stepMs))} ms${warning ? `; ${warning}` : ''}` });
  }
  // WebGPU on whatever adapter Dawn has (a software one is measured with a small batch and labelled).
  if (!variant && !unavailable.has('webgpu')) {
    const row = await measureWebGpu(m);
    if (row.imagesPerSecond === undefined) unavailable.set('webgpu', row.note ?? 'unavailable');
    else rows.push(row);
  }

  const configs: Config[] = [
    { config: 'wasm-stock-1', engine: 'ours', singleCore: true, label: 'wasm, stock kernels, 1 worker', run: async () => ours(await runOurs(job('wasm', plan, 1, 'off')), ', 1 worker') },
    { config: 'wasm-1', engine: 'ours', singleCore: true, label: 'wasm, our SIMD kernels, 1 worker', run: async () => ours(await runOurs(job('wasm', plan, 1, 'auto')), ', 1 worker') },
  ];
  if (workers > 1) {
    configs.push({
      config: `wasm-${workers}`,
      engine: 'ours',
      singleCore: false,
      label: `wasm, our SIMD kernels, ${workers} workers`,
      // One model per process, all at once: the way a sweep uses the cores.
      run: async () => {
        const all = await Promise.all(Array.from({ length: workers }, (_, i) => runOurs(job('wasm', plan, 1 + i, 'auto'))));
        const first = all.find((r) => r.ok);
        if (first === undefined) throw new Error(failed(all).slice(2));
        const each = all.map((r) => (r.ok ? ours(r, '') : undefined));
        return {
          imagesPerSecond: each.reduce((a, x) => a + (x?.imagesPerSecond ?? 0), 0),
          cpuShare: each.reduce((a, x) => a + (x?.cpuShare ?? 0), 0),
          stepMs: median(each.flatMap((x) => (x ? [x.stepMs] : []))),
          label: `${first.detail}, ${workers} workers (one model each, images/s summed)`,
          warning: [paramCheck(first.params), failed(all).slice(2)].filter((w) => w).join('; ') || undefined,
          peakRssBytes: Math.max(...each.map((x) => x?.peakRssBytes ?? 0)),
          faultsPerStep: Math.max(...each.map((x) => x?.faultsPerStep ?? 0)),
        };
      },
    });
  }
  if (!('missing' in torch)) {
    // Several threads are also measured with sleeping OpenMP waits: spinning ones collapse when the cores are shared.
    const variants: [number, WaitPolicy][] = [
      [1, 'default'],
      [0, 'default'],
      [0, 'passive'],
    ];
    for (const [threads, wait] of variants) {
      for (const channelsLast of [false, true]) {
        // Each also with glibc's defaults, which hand freed tensors back to the system (MemoryPolicy).
        for (const memory of ['kept', 'returned'] as const) {
          const waitLabel = wait === 'passive' ? ', OMP_WAIT_POLICY=PASSIVE' : '';
          const memoryLabel = memory === 'kept' ? ', freed memory kept' : '';
          configs.push({
            config: torchConfig(threads, channelsLast, wait, memory),
            engine: 'torch',
            singleCore: threads === 1,
            label: `PyTorch, ${threads === 1 ? '1 thread' : 'all threads'}${channelsLast ? ', channels_last' : ''}${waitLabel}${memoryLabel}`,
            run: async () => {
              const t = await runTorch(torch.python, spec, plan, threads, channelsLast, 'cpu', wait, memory);
              const wall = t.stepMs.reduce((a, b) => a + b, 0);
              return {
                imagesPerSecond: imagesPerSecond(t.batch, t.stepMs),
                cpuShare: t.cpuMs.reduce((a, b) => a + b, 0) / wall,
                stepMs: median(t.stepMs),
                label: `PyTorch ${t.torch}, ${t.threads} thread${t.threads === 1 ? '' : 's'}, ${channelsLast ? 'channels_last' : 'contiguous (NCHW)'}${waitLabel}${memoryLabel}`,
                warning: paramCheck(t.params),
                peakRssBytes: t.peakRssBytes,
                faultsPerStep: t.faultsPerStep,
              };
            },
          });
        }
      }
    }
  }

  const samples = new Map<string, Sample[]>(configs.map((c) => [c.config, []]));
  const failures = new Map<string, string[]>(configs.map((c) => [c.config, []]));
  for (let round = 0; round < ROUNDS; round++) {
    loads.push(os.loadavg()[0]);
    const order = configs.map((_, i) => configs[(i + round) % configs.length]);
    for (const c of order) {
      try {
        samples.get(c.config)!.push(await c.run());
      } catch (e) {
        failures.get(c.config)!.push((e as Error).message);
      }
    }
  }
  const measured = new Map(configs.map((c) => [c.config, summarize(c, samples.get(c.config)!, failures.get(c.config)!, plan)]));
  for (const c of configs) if (c.engine === 'ours') rows.push(measured.get(c.config)!);

  if (!variant) {
    const cpu = await runOurs(job('cpu', CPU_PLAN));
    rows.push(
      cpu.ok
        ? {
            config: 'cpu',
            engine: 'ours',
            imagesPerSecond: imagesPerSecond(cpu.batch, cpu.stepMs),
            singleCore: true,
            label: `${cpu.detail}, 1 worker`,
            note: `pure JS is slow: measured once, ${planNote(CPU_PLAN)}; step ${fmtMs(median(cpu.stepMs))} ms`,
          }
        : { config: 'cpu', engine: 'ours', singleCore: true, label: 'cpu', note: `skipped: ${cpu.unavailable}` },
    );
  }

  if ('missing' in torch) {
    for (const [config, label] of [
      ['torch-1', 'PyTorch, 1 thread'],
      ['torch-all', 'PyTorch, all threads'],
    ]) {
      rows.push({ config, engine: 'torch', singleCore: config === 'torch-1', label, note: `skipped: ${torch.missing}` });
    }
  } else {
    // The best of every setting: allocator, then memory format, then (several threads) OpenMP wait.
    const best = (threads: number, wait: WaitPolicy): Throughput => {
      const memory = (channelsLast: boolean): Throughput =>
        betterMemoryPolicy(measured.get(torchConfig(threads, channelsLast, wait, 'returned'))!, measured.get(torchConfig(threads, channelsLast, wait, 'kept'))!);
      return betterFormat(memory(false), memory(true), threads === 1 ? 'torch-1' : 'torch-all');
    };
    rows.push(best(1, 'default'));
    rows.push(betterWaitPolicy(best(0, 'default'), best(0, 'passive')));
  }
  if (!('missing' in torch) && torch.cuda) rows.push(await measureTorchCuda(torch.python, spec, plan));
  return rows;
}

/** PyTorch on CUDA (one process, channels_last) training `spec`: a GPU row, or why it failed. */
export async function measureTorchCuda(python: string, spec: ExpandedModel, plan: StepPlan): Promise<Throughput> {
  try {
    const t = await runTorch(python, spec, plan, 1, true, 'cuda');
    return {
      config: 'torch-cuda',
      engine: 'torch',
      imagesPerSecond: imagesPerSecond(t.batch, t.stepMs),
      singleCore: false,
      gpu: true,
      label: `PyTorch ${t.torch}, CUDA GPU, channels_last`,
      note: `GPU, not in the CPU ratios; ${planNote(plan)}; step ${fmtMs(median(t.stepMs))} ms`,
    };
  } catch (e) {
    return { config: 'torch-cuda', engine: 'torch', singleCore: false, gpu: true, label: 'PyTorch, CUDA GPU', note: `failed: ${(e as Error).message}` };
  }
}

/** A figure of this suite: the standard fields plus which model and configuration it belongs to. */
export interface TrainingFigure extends Figure {
  model: string;
  config: string;
  peakRssBytes?: number;
  faultsPerStep?: number;
  /** On the PyTorch peer's figure: what decides its speed here. */
  peer?: TorchDetails;
}

/**
 * The suite's figures for one model: one per configuration, then the two ratios; `peerCaveat`
 * (slowPeerWarning's) is added to the ratios' notes.
 */
export function modelFigures(m: BenchModel, rows: readonly Throughput[], peerCaveat?: string): TrainingFigure[] {
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
    ...(r.peakRssBytes === undefined ? {} : { peakRssBytes: r.peakRssBytes }),
    ...(r.faultsPerStep === undefined ? {} : { faultsPerStep: r.faultsPerStep }),
  }));
  const q = ratios(rows);
  figures.push({
    name: `${m.title}: ours best / PyTorch best`,
    value: q.ratioBestCpuToTorchBest ?? NaN,
    unit: '×',
    note: q.ratioBestCpuToTorchBest === undefined ? 'not measured: a side has no CPU figure' : [`${q.bestOurs} vs ${q.bestTorch}`, about, peerCaveat].filter((x) => x).join('; '),
    model: m.key,
    config: 'ratioBestCpuToTorchBest',
  });
  figures.push({
    name: `${m.title}: ours 1 worker / PyTorch 1 thread`,
    value: q.ratioOneWorkerToOneThread ?? NaN,
    unit: '×',
    note:
      q.ratioOneWorkerToOneThread === undefined
        ? 'not measured: a side has no single-core figure'
        : ['best single-worker vs best single-thread configuration', peerCaveat].filter((x) => x).join('; '),
    model: m.key,
    config: 'ratioOneWorkerToOneThread',
  });
  return figures;
}

/** The figure that describes the PyTorch peer (value: its oneDNN ISA is AVX2 or wider, 1, or not, 0). */
export function peerFigure(d: TorchDetails): TrainingFigure {
  const warning = slowPeerWarning(d);
  return {
    name: 'PyTorch peer: AVX2 or wider in use',
    value: warning === undefined ? 1 : 0,
    unit: warning === undefined ? 'yes' : 'no',
    note: [describePeer(d), warning].filter((x) => x !== undefined).join('; '),
    model: '',
    config: 'torch-peer',
    peer: d,
  };
}

async function run(): Promise<Figure[]> {
  const torch = findTorchPython();
  const workers = defaultWorkers('wasm'); // as many as a wasm sweep starts here
  const unavailable = new Map<string, string>();
  const loads: number[] = [];
  const figures: Figure[] = [];
  let caveat: string | undefined;
  if (!('missing' in torch)) {
    try {
      const details = await describeTorch(torch.python);
      caveat = slowPeerWarning(details);
      figures.push(peerFigure(details));
    } catch (e) {
      figures.push({ name: 'PyTorch peer', value: NaN, unit: '', note: `not described: ${(e as Error).message}`, model: '', config: 'torch-peer' } as TrainingFigure);
    }
  }
  for (const m of MODELS) figures.push(...modelFigures(m, await measureModel(m, workers, torch, unavailable, loads), caveat));
  for (const [backend, why] of unavailable) {
    figures.push({ name: `${backend}: not measured`, value: NaN, unit: '', note: why, model: '', config: backend } as TrainingFigure);
  }
  figures.push({
    name: 'load average (1 min) at the end',
    value: os.loadavg()[0],
    unit: 'processes',
    note: `at the start of each round: ${loads.map((l) => l.toFixed(2)).join(', ')}, on ${os.availableParallelism()} cores; rounds interleave ours and PyTorch, so both met the same load`,
    model: '',
    config: 'load',
  } as TrainingFigure);
  return figures;
}

export const trainingSuite: Suite = {
  name: 'training',
  summary: 'training images/s of ours (cpu; wasm stock and with our SIMD kernels, 1 and N workers; native if installed) against PyTorch (1 and all threads), small models (ReLU and swish), interleaved rounds',
  run,
};

if (require.main === module && process.argv[2] === 'child') serveChild(process.argv[3], runChild);
