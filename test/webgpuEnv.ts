/**
 * The WebGPU tests run on whatever adapter Dawn finds: in CI, Mesa's software Vulkan (lavapipe).
 * On Linux without a Vulkan loader or driver they skip, saying what to install (see
 * requirements.ts; in CI they fail instead). Where a driver is there but Dawn still finds no
 * adapter, they fail with Dawn's reason. DSLAB_SKIP_WEBGPU=1 skips them whatever is installed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelSpec } from '../src/core/model';
import type { BackendChoice } from '../src/core/analysis/sweepEvents';
import { initBackend } from '../src/train/backend';
import { skipUnless } from './requirements';

/** On Linux, what Dawn's Vulkan backend needs and this machine lacks: the loader, a driver (ICD). */
function missingVulkan(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const libDirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'];
  const loader = libDirs.some((d) => fs.existsSync(path.join(d, 'libvulkan.so.1')));
  const icdDirs = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
  const driver = icdDirs.some((d) => fs.existsSync(d) && fs.readdirSync(d).some((f) => f.endsWith('.json')));
  if (loader && driver) return undefined;
  return `no Vulkan ${loader ? 'driver' : 'loader'} for WebGPU`;
}

/** `skip` option for describe(): the reason when DSLAB_SKIP_WEBGPU=1 or Vulkan is missing (outside CI), else false. */
export const skipWebGpu: string | false =
  process.env.DSLAB_SKIP_WEBGPU === '1'
    ? 'DSLAB_SKIP_WEBGPU=1: the webgpu backend is untested here'
    : skipUnless(missingVulkan(), 'on Debian 12: apt-get install -t bookworm-backports libvulkan1 mesa-vulkan-drivers');

let available: Promise<BackendChoice> | undefined;

/** Starts the webgpu backend (then re-activates it), or throws why it cannot, with what to install. */
export async function requireWebGpu(): Promise<BackendChoice> {
  available ??= initBackend('webgpu').catch((e: Error) => {
    throw new Error(
      `the webgpu tests need a WebGPU adapter: ${e.message}. ` +
        'On Debian 12: apt-get install -t bookworm-backports libvulkan1 mesa-vulkan-drivers. Or set DSLAB_SKIP_WEBGPU=1 to skip these tests.',
    );
  });
  await available;
  return initBackend('webgpu');
}

/** One model per thing a sampled network can contain. */
export const BLOCK_MODELS: Record<string, ModelSpec> = {
  'cifar stem, X blocks, g = 1 (depthwise), stride 2': {
    anynet: { depths: [1, 1], widths: [8, 16], strides: [1, 2], bottlenecks: [1, 1], groupWidths: [1, 1] },
    stem: { type: 'cifar', width: 8 },
    block: 'X',
    resolution: 8,
    classes: 5,
    channels: 1,
  },
  'imagenet stem, Y blocks (SE 0.25), 2 and 4 groups': {
    anynet: { depths: [1, 1], widths: [16, 32], strides: [2, 2], bottlenecks: [1, 1], groupWidths: [8, 8] },
    stem: { type: 'imagenet', width: 8 },
    block: 'Y',
    resolution: 16,
    classes: 10,
    channels: 3,
  },
  'resnet stem (7×7 + max-pool), X with b = 2, head': {
    anynet: { depths: [1, 1], widths: [16, 32], strides: [1, 2], bottlenecks: [2, 2], groupWidths: [4, 8] },
    stem: { type: 'resnet', width: 8 },
    block: 'X',
    headWidth: 12,
    resolution: 16,
    classes: 7,
    channels: 1,
  },
  'R blocks (basic residual), identity and projection shortcuts': {
    anynet: { depths: [2, 1], widths: [8, 16], strides: [1, 2], bottlenecks: [1, 1], groupWidths: [8, 16] },
    stem: { type: 'cifar', width: 8 },
    block: 'R',
    resolution: 8,
    classes: 4,
    channels: 1,
  },
  'X blocks under swish, 2 and 6 channels per group': {
    anynet: { depths: [1, 1], widths: [12, 24], strides: [1, 2], bottlenecks: [1, 1], groupWidths: [2, 6] },
    stem: { type: 'cifar', width: 8 },
    block: 'X',
    activation: 'swish',
    resolution: 8,
    classes: 5,
    channels: 1,
  },
  'V blocks (vanilla) with head, stride 3': {
    anynet: { depths: [1, 1], widths: [12, 8], strides: [3, 1], bottlenecks: [1, 1], groupWidths: [12, 8] },
    stem: { type: 'cifar', width: 8 },
    block: 'V',
    headWidth: 16,
    resolution: 9,
    classes: 4,
    channels: 3,
  },
};

