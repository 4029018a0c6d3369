/**
 * The `gpu` suite: training images/s on the GPU at hand, ours on `webgpu` (Dawn on the GPU's
 * Vulkan, Metal or D3D12 driver; with our kernels, and with tfjs's own) beside PyTorch on CUDA, for the training suite's tiny AnyNet and
 * RegNetX and a CIFAR-size RegNetX of ~220 MFLOPs at batch 128, where per-step overheads no
 * longer hide the GPU's arithmetic. Only a hardware adapter is measured (a software one emulates
 * the GPU on the CPU: the training suite lists it); without a GPU every row says why it is empty.
 *
 *   npm run bench -- gpu [--json]
 *
 * DSLAB_BENCH_GPU_MODELS=KEY,… measures only those models; DSLAB_BENCH_GPU_SOFTWARE=1 measures on
 * a software adapter too (a few steps at batch 4: to see that the path works and count its
 * dispatches, not how fast).
 *
 * bench/device-gpu.sh runs it on a machine lent with an NVIDIA GPU and no npm (see its header).
 */
import { spawnSync } from 'node:child_process';

import { complexity } from '../src/core/complexity';
import { expandModel } from '../src/core/modelSpec';
import type { Figure, Suite } from './measure';
import type { BenchModel, StepPlan } from './plan';
import { CIFAR_REGNETX, findTorchPython, measureTorchCuda, TINY_ANYNET } from './training';
import { measureWebGpu } from './webgpu';

/**
 * RegNetX-200MF's parameters (depth 13, w0 24, wa 36.44, wm 2.49, g 8) with the CIFAR stem and
 * strides 1, 1, 2, 2 on 32×32 images: 220,860,010 flops, 2,319,482 params.
 */
export const CIFAR_REGNETX_200MF: BenchModel = {
  key: 'cifar-regnetx-200mf',
  title: 'RegNetX-200MF 32×32×3',
  spec: {
    regnet: { depth: 13, w0: 24, wa: 36.44, wm: 2.49, groupWidth: 8, bottleneck: 1, strides: [1, 1, 2, 2] },
    stem: { type: 'cifar', width: 32 },
    block: 'X',
    resolution: 32,
    classes: 10,
    channels: 3,
  },
  batch: 128,
};

export const GPU_MODELS: readonly BenchModel[] = [TINY_ANYNET, CIFAR_REGNETX, CIFAR_REGNETX_200MF];

/** Warm-up and measured steps on a GPU (a step takes milliseconds there). */
const GPU_STEPS = { warmup: 5, steps: 20 };
/** On a software adapter (DSLAB_BENCH_GPU_SOFTWARE=1): enough to see the path work and count its dispatches. */
const SOFTWARE_GPU_PLAN: StepPlan = { batch: 4, warmup: 1, steps: 2 };

/** What nvidia-smi says of the GPUs, one line each, or undefined without one. */
function nvidiaGpus(): string | undefined {
  const r = spawnSync('nvidia-smi', ['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split('\n').join('; ') : undefined;
}

/** The models DSLAB_BENCH_GPU_MODELS names (all when unset); throws on a key it does not know. */
export function selectedModels(keys: string | undefined): readonly BenchModel[] {
  if (keys === undefined || keys.trim() === '') return GPU_MODELS;
  return keys.split(',').map((k) => {
    const m = GPU_MODELS.find((g) => g.key === k.trim());
    if (m === undefined) throw new Error(`DSLAB_BENCH_GPU_MODELS: unknown model '${k.trim()}'; one of ${GPU_MODELS.map((g) => g.key).join(', ')}`);
    return m;
  });
}

async function run(): Promise<Figure[]> {
  const figures: Figure[] = [];
  const models = selectedModels(process.env.DSLAB_BENCH_GPU_MODELS);
  const hardwareOnly = process.env.DSLAB_BENCH_GPU_SOFTWARE !== '1';
  const gpus = nvidiaGpus();
  const torch = findTorchPython();
  const cuda = 'missing' in torch ? undefined : torch.cuda ? torch.python : undefined;
  const why = 'missing' in torch ? torch.missing : `${torch.python}'s torch sees no CUDA GPU`;
  figures.push({ name: 'NVIDIA GPUs (nvidia-smi)', value: gpus === undefined ? 0 : gpus.split('; ').length, unit: 'GPUs', note: gpus ?? 'nvidia-smi not found or failed' });
  for (const m of models) {
    const plan: StepPlan = { batch: m.batch ?? 64, ...GPU_STEPS };
    const flops = complexity(expandModel(m.spec)).flops;
    const title = `${m.title}, batch ${plan.batch} (${(flops / 1e6).toFixed(1)} MFLOPs)`;
    const ours = await measureWebGpu(m, { plan, softwarePlan: SOFTWARE_GPU_PLAN, hardwareOnly });
    // The same backend with tfjs's own kernels and ops: what our programs (fewer dispatches) change.
    const stock = await measureWebGpu(m, { plan, softwarePlan: SOFTWARE_GPU_PLAN, hardwareOnly, webgpuKernels: 'off' });
    const peer = cuda === undefined ? undefined : await measureTorchCuda(cuda, expandModel(m.spec), plan);
    for (const row of [ours, stock, peer]) {
      if (row === undefined) figures.push({ name: `${title}: PyTorch CUDA: not measured`, value: NaN, unit: 'images/s', note: why });
      else if (row.imagesPerSecond === undefined) figures.push({ name: `${title}: ${row.label}: not measured`, value: NaN, unit: 'images/s', note: row.note });
      else figures.push({ name: `${title}: ${row.label}`, value: row.imagesPerSecond, unit: 'images/s', note: row.note });
    }
    if (ours.imagesPerSecond !== undefined && stock.imagesPerSecond !== undefined) {
      figures.push({ name: `${title}: webgpu, our kernels / tfjs’s`, value: ours.imagesPerSecond / stock.imagesPerSecond, unit: '×', note: 'the notes give each one’s dispatches a step' });
    }
    if (ours.imagesPerSecond !== undefined && peer?.imagesPerSecond !== undefined) {
      figures.push({ name: `${title}: webgpu / PyTorch CUDA`, value: ours.imagesPerSecond / peer.imagesPerSecond, unit: '×', note: 'goal on the largest model: ≥ 0.5×' });
    }
  }
  return figures;
}

export const gpuSuite: Suite = {
  name: 'gpu',
  summary: 'training on the GPU at hand: ours on webgpu beside PyTorch on CUDA, up to a ~220 MFLOPs RegNetX at batch 128 (hardware adapters only)',
  run,
};
