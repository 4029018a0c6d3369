/**
 * Where a training step's time goes on the wasm backend: every registered wasm kernel is wrapped
 * with a timer (self time: a composite kernel's calls to other kernels count for those), then a
 * few steps of a benchmark model are trained and the kernels are listed by time per step. What
 * no kernel accounts for is tfjs's own work (tape, tidy, gradient bookkeeping) and JavaScript.
 * The convolutions are then broken down by layer shape and pass, in GFLOP/s (2 flops per
 * multiply-add), so a slow layer shows whatever its share of the step.
 *
 * With --torch, PyTorch (1 thread, channels_last, freed memory kept: `torch_peer.py --profile`)
 * trains the same model under its profiler, and a table puts the two steps side by side by kind
 * of work.
 *
 *   node out/bench/profileStep.js [tiny-anynet|tiny-anynet-swish|cifar-regnetx] [--batch 64] [--steps 5] [--torch]
 */
import { parseArgs } from 'node:util';

import { expandModel } from '../src/core/modelSpec';
import { Rng } from '../src/core/sampling/rng';
import { initBackend, tf } from '../src/train/backend';
import type { ExpandedModel } from '../src/core/model';
import { ADD_RELU, RELU_GRAD } from '../src/train/kernels/simd/addRelu';
import { ADD_SWISH, ADD_SWISH_GRAD } from '../src/train/kernels/simd/addSwish';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD } from '../src/train/kernels/simd/batchNorm';
import { CONV, CONV_BACKPROP_FILTER, CONV_BACKPROP_INPUT, convOutSize } from '../src/train/kernels/simd/conv';
import { buildModel } from '../src/train/model';
import { Trainer } from '../src/train/trainer';
import { findTorchPython, MODELS, profileTorch } from './training';

/** Which of the kinds torch_peer.py's PROFILE_KINDS names each of our kernels does. */
const KINDS: Record<string, string> = {
  [CONV]: 'conv forward',
  [CONV_BACKPROP_INPUT]: 'conv backward',
  [CONV_BACKPROP_FILTER]: 'conv backward',
  [BATCH_NORM_TRAIN]: 'batch norm + activation forward',
  [ADD_RELU]: 'batch norm + activation forward',
  [ADD_SWISH]: 'batch norm + activation forward',
  [BATCH_NORM_TRAIN_GRAD]: 'batch norm + activation backward',
  [RELU_GRAD]: 'batch norm + activation backward',
  [ADD_SWISH_GRAD]: 'batch norm + activation backward',
};

/** The pass of each of our conv kernels, as the layer table names it. */
const CONV_PASSES: Record<string, string> = { [CONV]: 'forward', [CONV_BACKPROP_INPUT]: 'dx', [CONV_BACKPROP_FILTER]: 'dw' };

/** A conv call's layer ('3×3 G4 32→32 s2 @28', batch first) and its multiply-adds ×2, from the kernel's inputs. */
function convCall(name: string, args: Parameters<tf.KernelFunc>[0]): { layer: string; flops: number } | undefined {
  const pass = CONV_PASSES[name];
  if (pass === undefined) return undefined;
  const inputs = args.inputs as Record<string, tf.TensorInfo>;
  const attrs = args.attrs as unknown as { stride: number; groups: number; inputShape?: number[]; filterShape?: number[] };
  const xShape = name === CONV_BACKPROP_INPUT ? attrs.inputShape! : inputs.x.shape;
  const [k, , cInG, cOut] = name === CONV_BACKPROP_FILTER ? attrs.filterShape! : inputs.filter.shape;
  const [n, h, w, cIn] = xShape;
  const oh = convOutSize(h, k, attrs.stride);
  const ow = convOutSize(w, k, attrs.stride);
  const channels = attrs.groups === 1 ? `${cIn}→${cOut}` : attrs.groups === cIn && cIn === cOut ? `dw ${cIn}` : `G${attrs.groups} ${cIn}→${cOut}`;
  const layer = `${k}×${k} ${channels}${attrs.stride > 1 ? ` s${attrs.stride}` : ''} @${h}`;
  return { layer: `${layer.padEnd(22)} ${pass}`, flops: 2 * n * oh * ow * k * k * cInG * cOut };
}

/** Accumulated self time and calls per kernel name, and per conv layer and pass. */
class KernelClock {
  readonly totals = new Map<string, { ms: number; calls: number }>();
  readonly convs = new Map<string, { ms: number; calls: number; flops: number }>();
  private readonly stack: { name: string; start: number; children: number }[] = [];

  wrap(config: tf.KernelConfig): tf.KernelConfig {
    const inner = config.kernelFunc;
    const kernelFunc = ((args: Parameters<tf.KernelFunc>[0]) => {
      this.stack.push({ name: config.kernelName, start: performance.now(), children: 0 });
      try {
        return inner(args);
      } finally {
        const frame = this.stack.pop()!;
        const elapsed = performance.now() - frame.start;
        const entry = this.totals.get(frame.name) ?? { ms: 0, calls: 0 };
        entry.ms += elapsed - frame.children;
        entry.calls++;
        this.totals.set(frame.name, entry);
        if (this.stack.length > 0) this.stack[this.stack.length - 1].children += elapsed;
        const call = convCall(frame.name, args);
        if (call !== undefined) {
          const layer = this.convs.get(call.layer) ?? { ms: 0, calls: 0, flops: 0 };
          layer.ms += elapsed - frame.children;
          layer.calls++;
          layer.flops += call.flops;
          this.convs.set(call.layer, layer);
        }
      }
    }) as tf.KernelFunc;
    return { ...config, kernelFunc };
  }

  reset(): void {
    this.totals.clear();
    this.convs.clear();
  }
}

async function main(): Promise<void> {
  const args = parseArgs({ options: { batch: { type: 'string', default: '64' }, steps: { type: 'string', default: '5' }, torch: { type: 'boolean', default: false } }, allowPositionals: true });
  const key = args.positionals[0] ?? 'tiny-anynet';
  const bench = MODELS.find((m) => m.key === key);
  if (bench === undefined) throw new Error(`unknown model '${key}'; one of ${MODELS.map((m) => m.key).join(', ')}`);
  const batch = Number(args.values.batch);
  const steps = Number(args.values.steps);
  const detail = (await initBackend('wasm')).detail;
  const clock = new KernelClock();
  for (const config of tf.getKernelsForBackend('wasm')) {
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(clock.wrap(config));
  }
  const spec = expandModel(bench.spec);
  const model = buildModel(spec, 1);
  const trainer = new Trainer(model, { optimizer: { momentum: 0.9, nesterov: true, weightDecay: 5e-4, bnWeightDecay: 5e-4 }, labelSmoothing: 0 });
  const rng = new Rng(1);
  const x = new Float32Array(batch * spec.resolution * spec.resolution * spec.channels);
  for (let i = 0; i < x.length; i++) x[i] = 2 * rng.float() - 1;
  const data = { x, y: Array.from({ length: batch }, (_, i) => i % spec.classes), n: batch };
  const shape = { height: spec.resolution, width: spec.resolution, channels: spec.channels };
  for (let i = 0; i < 3; i++) await trainer.step(data, shape, 0.1);
  clock.reset();
  const start = performance.now();
  for (let i = 0; i < steps; i++) await trainer.step(data, shape, 0.1);
  const stepMs = (performance.now() - start) / steps;
  const rows = [...clock.totals].map(([name, t]) => ({ name, ms: t.ms / steps, calls: t.calls / steps })).sort((a, b) => b.ms - a.ms);
  const inKernels = rows.reduce((a, r) => a + r.ms, 0);
  process.stdout.write(`${bench.title}, batch ${batch}, ${detail}: ${stepMs.toFixed(1)} ms/step (${((batch * 1000) / stepMs).toFixed(0)} images/s)\n`);
  process.stdout.write(`${'kernel'.padEnd(36)} ${'ms/step'.padStart(8)} ${'share'.padStart(6)} ${'calls'.padStart(6)}\n`);
  for (const r of rows) {
    process.stdout.write(`${r.name.padEnd(36)} ${r.ms.toFixed(2).padStart(8)} ${((100 * r.ms) / stepMs).toFixed(1).padStart(5)}% ${r.calls.toFixed(0).padStart(6)}\n`);
  }
  process.stdout.write(`${'(outside kernels: tfjs, JavaScript)'.padEnd(36)} ${(stepMs - inKernels).toFixed(2).padStart(8)} ${((100 * (stepMs - inKernels)) / stepMs).toFixed(1).padStart(5)}%\n`);
  const layers = [...clock.convs].sort((a, b) => b[1].ms - a[1].ms);
  const convFlops = layers.reduce((a, [, t]) => a + t.flops, 0);
  const convMs = layers.reduce((a, [, t]) => a + t.ms, 0);
  process.stdout.write(`\nconvolutions by layer and pass: ${(convFlops / steps / 1e9).toFixed(2)} GFLOP a step at ${(convFlops / convMs / 1e6).toFixed(1)} GFLOP/s\n`);
  process.stdout.write(`${'layer'.padEnd(22)} ${'pass'.padEnd(8)} ${'ms/step'.padStart(8)} ${'calls'.padStart(6)} ${'GFLOP/s'.padStart(8)}\n`);
  for (const [layer, t] of layers) {
    process.stdout.write(`${layer.padEnd(31)} ${(t.ms / steps).toFixed(2).padStart(8)} ${(t.calls / steps).toFixed(0).padStart(6)} ${(t.flops / t.ms / 1e6).toFixed(1).padStart(8)}\n`);
  }
  trainer.dispose();
  model.dispose();
  if (args.values.torch) await compareWithTorch(spec, batch, steps, stepMs, rows);
}

/** Prints our step and PyTorch's side by side by kind of work (ours: `rows`, ms per step by kernel). */
async function compareWithTorch(spec: ExpandedModel, batch: number, steps: number, stepMs: number, rows: readonly { name: string; ms: number }[]): Promise<void> {
  const peer = findTorchPython();
  if ('missing' in peer) {
    process.stdout.write(`\nPyTorch: not profiled: ${peer.missing}\n`);
    return;
  }
  const t = await profileTorch(peer.python, spec, { batch, warmup: 3, steps });
  const ours = new Map<string, number>(Object.keys(t.kinds).map((k) => [k, 0]));
  let other = 0;
  for (const r of rows) {
    const kind = KINDS[r.name];
    // A kind the peer does not report (a renamed one) counts as other rather than vanishing.
    if (kind === undefined || !ours.has(kind)) other += r.ms;
    else ours.set(kind, ours.get(kind)! + r.ms);
  }
  const inKernels = rows.reduce((a, r) => a + r.ms, 0);
  const line = (what: string, a: number, b: number): string => `${what.padEnd(40)} ${a.toFixed(1).padStart(8)} ${b.toFixed(1).padStart(8)}\n`;
  process.stdout.write(`\nours and PyTorch ${t.torch} (${t.threads} thread, channels_last, freed memory kept, under its profiler), ms per step:\n`);
  process.stdout.write(`${'kind of work'.padEnd(40)} ${'ours'.padStart(8)} ${'PyTorch'.padStart(8)}\n`);
  for (const [kind, ms] of Object.entries(t.kinds)) process.stdout.write(line(kind, ours.get(kind) ?? 0, ms));
  process.stdout.write(line('other operators', other, t.otherOpsMs));
  process.stdout.write(line('outside operators (framework, language)', stepMs - inKernels, t.outsideOpsMs));
  process.stdout.write(line('step', stepMs, t.stepMs));
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
