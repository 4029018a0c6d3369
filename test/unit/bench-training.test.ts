import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { complexity } from '../../src/core/complexity';
import type { ModelSpec } from '../../src/core/model';
import { expandModel } from '../../src/core/modelSpec';
import {
  betterFormat,
  betterMemoryPolicy,
  betterWaitPolicy,
  CIFAR_REGNETX,
  describePeer,
  describeTorch,
  findTorchPython,
  KEEP_FREED_MEMORY,
  imagesPerSecond,
  modelFigures,
  MODELS,
  peerFigure,
  ratios,
  slowPeerWarning,
  TINY_ANYNET,
  TINY_ANYNET_B32,
  TINY_ANYNET_SWISH,
  torchEnv,
  type ChildResult,
  type Throughput,
  type TorchDetails,
} from '../../bench/training';
import { median } from '../../src/core/analysis/statistics';

const SUITE = path.join(__dirname, '..', '..', 'bench', 'training.js');

describe('training benchmark models', () => {
  test('the tiny AnyNet is the reference one of training-backends.md', () => {
    const cx = complexity(expandModel(TINY_ANYNET.spec));
    assert.equal(cx.params, 38234);
    assert.equal(cx.flops, 4980618);
  });

  test('the swish row trains the tiny AnyNet, only its activation changed', () => {
    const relu = expandModel(TINY_ANYNET.spec);
    const swish = expandModel(TINY_ANYNET_SWISH.spec);
    assert.equal(swish.activation, 'swish');
    assert.deepEqual({ ...swish, activation: 'relu' }, relu);
    assert.deepEqual(complexity(swish), complexity(relu));
  });

  test('the batch-32 row trains the tiny AnyNet itself, at batch 32', () => {
    assert.equal(TINY_ANYNET_B32.spec, TINY_ANYNET.spec);
    assert.equal(TINY_ANYNET_B32.batch, 32);
    assert.ok(MODELS.includes(TINY_ANYNET_B32));
    assert.equal(new Set(MODELS.map((m) => m.key)).size, MODELS.length);
  });

  test('the CIFAR RegNetX has 3 stages, depths 1/2/3, widths 24/48/96, ~14 MFLOPs', () => {
    const spec = expandModel(CIFAR_REGNETX.spec);
    assert.deepEqual(
      spec.stages.map((s) => [s.depth, s.width, s.stride]),
      [
        [1, 24, 1],
        [2, 48, 2],
        [3, 96, 2],
      ],
    );
    const cx = complexity(spec);
    assert.equal(cx.params, 99450);
    assert.equal(cx.flops, 14353354);
  });
});

/** What torch_peer.py --describe printed on the development machine. */
const AVX2_PEER: TorchDetails = {
  torch: '1.13.0a0',
  mkldnn: true,
  onednn: { version: 'v2.6.3', isa: 'Intel AVX2', convolution: 'jit:avx2' },
  atenCapability: 'AVX2',
  cpu: { model: 'AMD EPYC', vectorFlags: ['sse4_1', 'avx', 'avx2', 'fma'], hypervisor: true },
  usableCores: 2,
  cpuQuota: null,
  defaultThreads: 1,
  interopThreads: 1,
  parallel: 'ATen parallel backend: OpenMP',
  env: {},
};

const ours = (single: boolean, ips: number): Throughput => ({ config: single ? 'wasm-1' : 'wasm-2', engine: 'ours', singleCore: single, imagesPerSecond: ips, label: '', note: '' });
const torch = (single: boolean, ips: number): Throughput => ({ config: single ? 'torch-1' : 'torch-all', engine: 'torch', singleCore: single, imagesPerSecond: ips, label: '', note: '' });

describe('training benchmark arithmetic', () => {
  test('images/s is the batch over the median step time', () => {
    assert.equal(median([500, 100, 400]), 400);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(imagesPerSecond(64, [500, 100, 400]), 160);
  });

  const rows: Throughput[] = [
    { config: 'wasm-1', engine: 'ours', imagesPerSecond: 100, singleCore: true, label: 'w1', note: '' },
    { config: 'wasm-2', engine: 'ours', imagesPerSecond: 190, singleCore: false, label: 'w2', note: '' },
    { config: 'cpu', engine: 'ours', imagesPerSecond: 1, singleCore: true, label: 'cpu', note: '' },
    { config: 'torch-1', engine: 'torch', imagesPerSecond: 200, singleCore: true, label: 't1', note: '' },
    { config: 'torch-all', engine: 'torch', imagesPerSecond: 400, singleCore: false, label: 't2', note: '' },
    { config: 'torch-cuda', engine: 'torch', imagesPerSecond: 9000, singleCore: false, gpu: true, label: 'gpu', note: '' },
  ];

  test('ratios compare the best CPU configurations, and one worker with one thread', () => {
    assert.deepEqual(ratios(rows), { ratioBestCpuToTorchBest: 190 / 400, bestOurs: 'wasm-2', bestTorch: 'torch-all', ratioOneWorkerToOneThread: 0.5 });
  });

  test('without PyTorch figures there is no ratio', () => {
    const skipped = rows.map((r) => (r.engine === 'torch' ? { ...r, imagesPerSecond: undefined } : r));
    const q = ratios(skipped);
    assert.equal(q.ratioBestCpuToTorchBest, undefined);
    assert.equal(q.ratioOneWorkerToOneThread, undefined);
    const figure = modelFigures(TINY_ANYNET, skipped).find((f) => f.config === 'ratioBestCpuToTorchBest');
    assert.ok(figure !== undefined && Number.isNaN(figure.value));
  });

  test("a row's peak memory and page faults reach its figure (the --json output)", () => {
    const row: Throughput = { config: 'torch-1', engine: 'torch', singleCore: true, imagesPerSecond: 900, label: 'PyTorch', note: 'n', peakRssBytes: 3 * 2 ** 20, faultsPerStep: 98 };
    const figure = modelFigures(TINY_ANYNET, [row]).find((f) => f.config === 'torch-1');
    assert.equal(figure?.peakRssBytes, 3 * 2 ** 20);
    assert.equal(figure?.faultsPerStep, 98);
  });

  test('every model gets a ratioBestCpuToTorchBest figure', () => {
    const figures = modelFigures(CIFAR_REGNETX, rows);
    assert.equal(figures.length, rows.length + 2);
    const ratio = figures.find((f) => f.config === 'ratioBestCpuToTorchBest');
    assert.equal(ratio?.model, 'cifar-regnetx');
    assert.equal(ratio?.value, 0.475);
    assert.match(ratio?.note ?? '', /wasm-2 vs torch-all; 14\.35 MFLOPs, 99,450 params/);
  });

  test("PyTorch's row is its better memory format, named, with the other in the note", () => {
    const contiguous: Throughput = { config: 'torch-1', engine: 'torch', imagesPerSecond: 300, singleCore: true, label: 'PyTorch 1.13, 1 thread, contiguous (NCHW)', note: 'median of 3 rounds' };
    const channelsLast: Throughput = { config: 'torch-1-cl', engine: 'torch', imagesPerSecond: 350, singleCore: true, label: 'PyTorch 1.13, 1 thread, channels_last', note: 'median of 3 rounds' };
    const row = betterFormat(contiguous, channelsLast, 'torch-1');
    assert.equal(row.config, 'torch-1');
    assert.equal(row.imagesPerSecond, 350);
    assert.equal(row.label, 'PyTorch 1.13, 1 thread, channels_last');
    assert.match(row.note, /the better memory format \(contiguous \(NCHW\): 300 images\/s\)$/);
    assert.equal(betterFormat({ ...contiguous, imagesPerSecond: 400 }, channelsLast, 'torch-1').imagesPerSecond, 400);
  });

  test("PyTorch's all-threads row is its better OpenMP wait, named, with the other in the note", () => {
    const spinning: Throughput = { config: 'torch-all', engine: 'torch', singleCore: false, imagesPerSecond: 27, label: 'PyTorch 1.13, 2 threads, channels_last', note: 'n' };
    const passive: Throughput = { ...spinning, imagesPerSecond: 420, label: 'PyTorch 1.13, 2 threads, channels_last, OMP_WAIT_POLICY=PASSIVE' };
    const row = betterWaitPolicy(spinning, passive);
    assert.equal(row.imagesPerSecond, 420);
    assert.match(row.label, /OMP_WAIT_POLICY=PASSIVE$/);
    assert.match(row.note, /the better OpenMP wait \(spinning \(default\): 27 images\/s\)$/);
    assert.equal(betterWaitPolicy({ ...spinning, imagesPerSecond: 500 }, passive).imagesPerSecond, 500);
  });

  test("PyTorch's row is its better allocator setting; a failed run loses and shows why", () => {
    const returned: Throughput = { config: 'torch-1-cl-returned', engine: 'torch', singleCore: true, imagesPerSecond: 540, label: 'PyTorch 1.13, 1 thread, channels_last', note: '18,000 page faults per step', faultsPerStep: 18000.4 };
    const kept: Throughput = { ...returned, config: 'torch-1-cl', imagesPerSecond: 1000, label: 'PyTorch 1.13, 1 thread, channels_last, freed memory kept', note: '40 page faults per step', faultsPerStep: 40 };
    const row = betterMemoryPolicy(returned, kept);
    assert.equal(row.imagesPerSecond, 1000);
    // The setting that lost keeps its speed and its page faults in the note: what the difference comes from.
    assert.match(row.note, /^40 page faults per step; the better allocator setting \(glibc's defaults, freed memory returned: 540 images\/s, 18,000 page faults per step\)$/);
    const failedRun: Throughput = { ...kept, imagesPerSecond: undefined, note: 'failed: exit 1' };
    assert.equal(betterMemoryPolicy(returned, failedRun).imagesPerSecond, 540);
    assert.match(betterMemoryPolicy(returned, failedRun).note, /\(freed memory kept: failed: exit 1\)$/);
  });

  test("the peer's environment: OMP_WAIT_POLICY when passive, glibc's thresholds raised when memory is kept, a user's tunables kept", () => {
    assert.deepEqual(torchEnv({ PATH: '/bin' }, 'default', 'returned'), { PATH: '/bin' });
    assert.deepEqual(torchEnv({}, 'passive', 'kept'), { OMP_WAIT_POLICY: 'PASSIVE', GLIBC_TUNABLES: KEEP_FREED_MEMORY });
    assert.equal(torchEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, 'default', 'kept').GLIBC_TUNABLES, `glibc.malloc.arena_max=2:${KEEP_FREED_MEMORY}`);
    assert.match(KEEP_FREED_MEMORY, /^glibc\.malloc\.mmap_threshold=33554432:glibc\.malloc\.trim_threshold=\d+$/);
  });

  test('a peer with AVX2 is described and not flagged; the ratios carry no caveat', () => {
    assert.equal(slowPeerWarning(AVX2_PEER), undefined);
    const f = peerFigure(AVX2_PEER);
    assert.equal(f.value, 1);
    assert.match(f.note!, /^torch 1\.13\.0a0; oneDNN v2\.6\.3 ISA Intel AVX2 \(3×3 conv: jit:avx2\); ATen CPU capability AVX2; CPU AMD EPYC \(sse4_1 avx avx2 fma, virtual machine\); 2 usable cores, no CPU quota;/);
    assert.match(f.note!, /steering environment: none set$/);
    assert.deepEqual(f.peer, AVX2_PEER);
  });

  test('a peer held to SSE4.1 by a setting is flagged, and so are the ratios', () => {
    const slow: TorchDetails = {
      ...AVX2_PEER,
      onednn: { version: 'v2.6.3', isa: 'Intel SSE4.1', convolution: 'jit:sse41' },
      atenCapability: 'NO AVX',
      env: { ONEDNN_MAX_CPU_ISA: 'SSE41' },
    };
    const warning = slowPeerWarning(slow)!;
    assert.match(warning, /oneDNN dispatches Intel SSE4\.1; ATen's CPU capability is NO AVX \(the CPU shows avx2, so a setting holds it back\)/);
    assert.equal(peerFigure(slow).value, 0);
    assert.match(describePeer(slow), /steering environment: ONEDNN_MAX_CPU_ISA=SSE41$/);
    const figures = modelFigures(TINY_ANYNET, [ours(true, 600), torch(true, 200)], warning);
    assert.ok(figures.filter((f) => f.unit === '×').every((f) => f.note!.endsWith(warning)));
    const hidden = slowPeerWarning({ ...slow, env: {}, cpu: { ...slow.cpu, vectorFlags: ['sse4_1', 'avx'] } })!;
    assert.match(hidden, /\(the CPU shows no avx2\)/);
  });

  test('a cgroup quota below the usable cores is flagged', () => {
    assert.match(slowPeerWarning({ ...AVX2_PEER, cpuQuota: 0.5 })!, /a cgroup quota of 0\.5 cores/);
  });

  test('a missing PyTorch is reported with how to install it', () => {
    const r = findTorchPython(['/nonexistent/python3']);
    assert.ok('missing' in r);
    assert.match(r.missing, /\/nonexistent\/python3: not found.*apt-get install python3-torch/);
  });
});

describe('training benchmark child process', () => {
  test('trains a tiny model on cpu and reports its step times', () => {
    const model: ModelSpec = {
      anynet: { depths: [1], widths: [8], strides: [1], bottlenecks: [1], groupWidths: [8] },
      stem: { type: 'cifar', width: 8 },
      resolution: 8,
      classes: 4,
      channels: 1,
    };
    const job = { backend: 'cpu', model, seed: 3, batch: 2, warmup: 1, steps: 2 };
    const r = spawnSync(process.execPath, [SUITE, 'child', JSON.stringify(job)], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
    assert.ok(result.ok);
    assert.equal(result.detail, 'cpu (pure JavaScript)');
    assert.equal(result.batch, 2);
    assert.equal(result.stepMs.length, 2);
    assert.ok(result.stepMs.every((ms) => ms > 0));
    assert.equal(result.params, complexity(expandModel(model)).params);
    assert.ok(result.peakRssBytes > 10 * 2 ** 20, `peak memory ${result.peakRssBytes} bytes`);
    // Page faults over the measured steps: a count, never negative (the warm-up's are not in it).
    assert.ok(Number.isFinite(result.faultsPerStep) && result.faultsPerStep >= 0, `faults per step ${result.faultsPerStep}`);
  });

  test('on wasm, measures stock tfjs kernels or ours as the job asks', () => {
    const model: ModelSpec = {
      anynet: { depths: [1], widths: [8], strides: [1], bottlenecks: [1], groupWidths: [8] },
      stem: { type: 'cifar', width: 8 },
      resolution: 8,
      classes: 4,
      channels: 1,
    };
    for (const [wasmKernels, expected] of [
      ['off', /^wasm \(SIMD, 1 thread\), stock kernels$/],
      ['auto', /^wasm \(SIMD, 1 thread\), our SIMD kernels( \(relaxed\))?$/],
    ] as const) {
      const job = { backend: 'wasm', model, seed: 3, batch: 4, warmup: 1, steps: 2, wasmKernels };
      const r = spawnSync(process.execPath, [SUITE, 'child', JSON.stringify(job)], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
      assert.ok(result.ok);
      assert.match(result.detail, expected);
      assert.equal(result.cpuMs.length, 2);
      assert.ok(result.cpuMs.every((ms) => ms > 0));
    }
  });

  const peer = findTorchPython();
  test('the PyTorch peer describes the instruction set oneDNN dispatched, and a setting that narrows it', { skip: 'missing' in peer && peer.missing }, async () => {
    if ('missing' in peer) return;
    const d = await describeTorch(peer.python);
    assert.ok(d.onednn.isa !== undefined, d.onednn.error);
    assert.match(d.torch, /^\d+\.\d+/);
    assert.ok(d.usableCores >= 1);
    // Held to SSE4.1 by the environment, the peer says so and the suite flags it.
    process.env.ONEDNN_MAX_CPU_ISA = 'SSE41';
    try {
      const narrowed = await describeTorch(peer.python);
      assert.match(narrowed.onednn.isa ?? '', /SSE4\.1/);
      assert.equal(narrowed.env.ONEDNN_MAX_CPU_ISA, 'SSE41');
      assert.match(slowPeerWarning(narrowed)!, /oneDNN dispatches Intel SSE4\.1/);
    } finally {
      delete process.env.ONEDNN_MAX_CPU_ISA;
    }
  });

  test('reports a backend that is not installed instead of failing', () => {
    const job = { backend: 'tfjs-node', model: TINY_ANYNET.spec, seed: 1, batch: 2, warmup: 0, steps: 1 };
    const r = spawnSync(process.execPath, [SUITE, 'child', JSON.stringify(job)], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_PATH: '' } });
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
    assert.ok(!result.ok);
    assert.match(result.unavailable, /^backend 'tfjs-node' is unavailable: not installed \(npm install @tensorflow\/tfjs-node@4\.22\.0\)$/);
  });
});
