/**
 * Where a training step's time goes on the wasm backend: every registered wasm kernel is wrapped
 * with a timer (self time: a composite kernel's calls to other kernels count for those), then a
 * few steps of a benchmark model are trained and the kernels are listed by time per step. What
 * no kernel accounts for is tfjs's own work (tape, tidy, gradient bookkeeping) and JavaScript.
 *
 *   node out/bench/profileStep.js [tiny-anynet|tiny-anynet-swish|cifar-regnetx] [--batch 64] [--steps 5]
 */
import { parseArgs } from 'node:util';

import { expandModel } from '../src/core/modelSpec';
import { Rng } from '../src/core/sampling/rng';
import { initBackend, tf } from '../src/train/backend';
import { buildModel } from '../src/train/model';
import { Trainer } from '../src/train/trainer';
import { MODELS } from './training';

/** Accumulated self time and calls per kernel name. */
class KernelClock {
  readonly totals = new Map<string, { ms: number; calls: number }>();
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
      }
    }) as tf.KernelFunc;
    return { ...config, kernelFunc };
  }

  reset(): void {
    this.totals.clear();
  }
}

async function main(): Promise<void> {
  const args = parseArgs({ options: { batch: { type: 'string', default: '64' }, steps: { type: 'string', default: '5' } }, allowPositionals: true });
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
  trainer.dispose();
  model.dispose();
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
