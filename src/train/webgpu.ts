/**
 * WebGPU through Dawn's Node bindings (the npm package `webgpu`) and tfjs-backend-webgpu: a GPU
 * backend on any vendor's GPU with a Vulkan (Linux), Metal (macOS) or D3D12 (Windows) driver.
 *
 * Both packages are optional dependencies, looked up like the native packages: in our own
 * node_modules, then under `nativeModulesPath`. tfjs-backend-webgpu registers its kernels into
 * tfjs-core's global registry (shared through `globalThis`, see backend.ts), so it must match our
 * tfjs-core version exactly. It registers its 'webgpu' backend itself only when it finds
 * `navigator.gpu` at load time; we load it without one and register the backend ourselves, on the
 * device of the adapter we picked and inspected, so the adapter that trains is the one reported.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';

import { withoutWarnings } from './quietWarnings';

/** The version of `webgpu` that package.json pins (tfjs-backend-webgpu is pinned at our tfjs-core version). */
export const WEBGPU_VERSION = '0.6.2';

/** What the adapter says about itself (WebGPU's GPUAdapterInfo), and whether it is a CPU emulating a GPU. */
export interface WebGpuAdapter {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software rasterizer (Mesa lavapipe/llvmpipe, SwiftShader, WARP): correct but slow. */
  software: boolean;
}

/** A loaded WebGPU adapter and device, ready for tfjs. */
export interface WebGpuDevice {
  adapter: WebGpuAdapter;
  /** One line for people, e.g. 'webgpu (software adapter: mesa llvmpipe-…, llvmpipe: Mesa 25.0.7 …)'. */
  detail: string;
  /** Opens a device on the adapter and registers tfjs's 'webgpu' backend on it (once per process). */
  open(): Promise<void>;
}

export type WebGpuAttempt = { ok: true; device: WebGpuDevice } | { ok: false; why: string };

export interface WebGpuOptions {
  /** Folders whose node_modules are searched, in order. */
  searchPaths: string[];
  /** The folder the install command targets (`--prefix`), when not our own node_modules. */
  nativeModulesPath?: string;
  /** Which adapter: an index into Dawn's list of adapters, or part of an adapter's name. Default: Dawn's high-performance choice. */
  adapter?: string;
  /** The tfjs-core version tfjs-backend-webgpu must match. */
  tfjsVersion: string;
}

/** The command that installs both packages where we would look for them. */
export function webgpuInstallHint(tfjsVersion: string, nativeModulesPath?: string): string {
  const prefix = nativeModulesPath === undefined ? '' : `--prefix ${nativeModulesPath} `;
  return `npm install ${prefix}webgpu@${WEBGPU_VERSION} @tensorflow/tfjs-backend-webgpu@${tfjsVersion}`;
}

/** What a machine needs for Dawn to find an adapter, per platform. */
export function driverHint(platform: NodeJS.Platform = process.platform): string {
  switch (platform) {
    case 'darwin':
      return 'Dawn uses Metal on macOS (macOS 10.15 or later with a Metal GPU)';
    case 'win32':
      return 'Dawn uses D3D12 on Windows: install the GPU vendor’s driver';
    default:
      return (
        'Dawn needs a Vulkan driver: the GPU vendor’s (NVIDIA’s driver, or Mesa’s radv/anv for AMD/Intel) ' +
        'and the Vulkan loader (Debian/Ubuntu: libvulkan1); for a software adapter, mesa-vulkan-drivers ' +
        '(lavapipe; Debian 12’s Mesa 22 is too old, take bookworm-backports’)'
      );
  }
}

/** A GPUAdapterInfo-like record judged software or hardware. */
export function describeAdapter(info: Partial<Record<keyof WebGpuAdapter | 'isFallbackAdapter', unknown>>): WebGpuAdapter {
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  const adapter = {
    vendor: text(info.vendor),
    architecture: text(info.architecture),
    device: text(info.device),
    description: text(info.description),
  };
  // Dawn marks CPU adapters as fallback adapters; older drivers and other implementations only
  // say so in their names.
  const names = `${adapter.architecture} ${adapter.device} ${adapter.description}`;
  const software = info.isFallbackAdapter === true || /\b(software|llvmpipe|lavapipe|softpipe|swiftshader|warp)\b/i.test(names);
  return { ...adapter, software };
}

/** The adapter in a few words: vendor, device, then the driver's description. */
export function adapterName(adapter: WebGpuAdapter): string {
  const name = [adapter.vendor, adapter.device || adapter.architecture].filter((s) => s !== '').join(' ');
  return [name, adapter.description].filter((s) => s !== '').join(', ') || 'an unnamed adapter';
}

/** Adapters Dawn lists when asked for one that does not exist: `* backend: 'vulkan', name: 'llvmpipe (…)'`. */
export function parseAdapterList(message: string): { backend: string; name: string }[] {
  const found: { backend: string; name: string }[] = [];
  for (const m of message.matchAll(/\*\s*backend:\s*'([^']*)',\s*name:\s*'([^']*)'/g)) found.push({ backend: m[1], name: m[2] });
  return found;
}

type Gpu = { requestAdapter(options?: object): Promise<GpuAdapter | null> };
type GpuAdapter = {
  info: Record<string, unknown>;
  features: Set<string>;
  limits: Record<string, number>;
  requestDevice(descriptor?: object): Promise<unknown>;
};
type DawnModule = { create(flags: string[]): Gpu; globals: Record<string, unknown> };

/** The adapter found in this process, and Dawn's GPU object, which must stay referenced while its device is used. */
let loaded: { gpu: Gpu; device: WebGpuDevice } | undefined;

/** Makes `navigator.gpu` this GPU object (Node 21+ has a `navigator` of its own; Node 20 none). */
function exposeGpu(gpu: Gpu): void {
  const g = globalThis as { navigator?: object };
  if (g.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  Object.defineProperty(g.navigator as object, 'gpu', { value: gpu, configurable: true, writable: true });
}

/** Joins a possibly multi-line error message into one line. */
function oneLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function findPackageDir(pkg: string, paths: string[]): string | undefined {
  try {
    return path.dirname(require.resolve(`${pkg}/package.json`, { paths }));
  } catch {
    return undefined;
  }
}

function versionOf(dir: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** An adapter chosen by index in Dawn's list, by part of its name, or Dawn's high-performance one. */
async function requestAdapter(dawn: DawnModule, choice: string | undefined): Promise<{ gpu: Gpu; adapter: GpuAdapter } | { why: string }> {
  if (choice === undefined || choice === '') {
    const gpu = dawn.create([]);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    return adapter === null ? { why: `no adapter found (${driverHint()})` } : { gpu, adapter };
  }
  // Dawn lists its adapters in the error for an adapter name that matches none.
  let listed: { backend: string; name: string }[] = [];
  try {
    await dawn.create(['adapter=\u0001']).requestAdapter();
  } catch (e) {
    listed = parseAdapterList(oneLine(e));
  }
  const list = listed.map((a, i) => `${i}: ${a.name} (${a.backend})`).join('; ');
  let flags: string[];
  if (/^\d+$/.test(choice)) {
    const picked = listed[Number(choice)];
    if (picked === undefined) return { why: `adapter ${choice} does not exist; adapters: ${list || 'none'}` };
    flags = [`adapter=${picked.name}`, `backend=${picked.backend}`];
  } else {
    flags = [`adapter=${choice}`];
  }
  try {
    const gpu = dawn.create(flags);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    return adapter === null ? { why: `Dawn returned no adapter for '${choice}'; adapters: ${list || 'none'}` } : { gpu, adapter };
  } catch {
    return { why: `no adapter matches '${choice}'; adapters: ${list || 'none'}` };
  }
}

/**
 * Loads Dawn and tfjs-backend-webgpu and picks an adapter; `open` makes the device. The caller
 * decides first whether the adapter will do (a software one is only used when asked for). The
 * first success is kept for the process (one device); later calls return it.
 */
export async function loadWebGpu(options: WebGpuOptions): Promise<WebGpuAttempt> {
  if (loaded !== undefined) return { ok: true, device: loaded.device };
  const install = webgpuInstallHint(options.tfjsVersion, options.nativeModulesPath);
  const dawnDir = findPackageDir('webgpu', options.searchPaths);
  const tfjsDir = findPackageDir('@tensorflow/tfjs-backend-webgpu', options.searchPaths);
  if (dawnDir === undefined || tfjsDir === undefined) {
    const missing = [dawnDir === undefined ? 'webgpu' : '', tfjsDir === undefined ? '@tensorflow/tfjs-backend-webgpu' : ''].filter(Boolean);
    return { ok: false, why: `${missing.join(' and ')} not installed (${install})` };
  }
  const tfjsVersion = versionOf(tfjsDir);
  if (tfjsVersion !== options.tfjsVersion) {
    return {
      ok: false,
      why: `@tensorflow/tfjs-backend-webgpu ${String(tfjsVersion)} in ${tfjsDir} does not match tfjs-core ${options.tfjsVersion} (${install})`,
    };
  }

  let dawn: DawnModule;
  try {
    // `webgpu` is an ES module; a dynamic import loads it from CommonJS on every Node we support.
    const main = require.resolve('webgpu', { paths: options.searchPaths });
    dawn = (await import(pathToFileURL(main).href)) as DawnModule;
  } catch (e) {
    const platform = `${process.platform}-${process.arch}`;
    return { ok: false, why: `webgpu installed in ${dawnDir} but failed to load (no Dawn build for ${platform}?): ${oneLine(e)}` };
  }
  // tfjs-backend-webgpu uses WebGPU's global constants (GPUBufferUsage, GPUMapMode, …).
  Object.assign(globalThis, dawn.globals);

  const picked = await requestAdapter(dawn, options.adapter);
  if ('why' in picked) return { ok: false, why: picked.why };
  const { gpu, adapter: gpuAdapter } = picked;
  const adapter = describeAdapter(gpuAdapter.info as Parameters<typeof describeAdapter>[0]);

  let backendModule: { WebGPUBackend: new (device: unknown, info: unknown) => tf.KernelBackend };
  try {
    // Installed under nativeModulesPath it brings its own copies of tfjs-core and
    // tfjs-backend-cpu, which share our engine and say so on the console; we say it here.
    const main = require.resolve('@tensorflow/tfjs-backend-webgpu', { paths: options.searchPaths });
    backendModule = withoutWarnings(/already registered|has already been set/, () => require(main));
  } catch (e) {
    return { ok: false, why: `@tensorflow/tfjs-backend-webgpu installed in ${tfjsDir} but failed to load: ${oneLine(e)}` };
  }

  let opened: Promise<void> | undefined;
  const device: WebGpuDevice = {
    adapter,
    detail: `webgpu (${adapter.software ? 'software adapter: ' : ''}${adapterName(adapter)})`,
    open() {
      opened ??= openDevice(gpu, gpuAdapter, adapter, backendModule.WebGPUBackend);
      return opened;
    },
  };
  loaded = { gpu, device };
  return { ok: true, device };
}

/** Requests a device with the adapter's own limits (as tfjs-backend-webgpu would) and registers the backend on it. */
async function openDevice(
  gpu: Gpu,
  gpuAdapter: GpuAdapter,
  adapter: WebGpuAdapter,
  WebGPUBackend: new (device: unknown, info: unknown) => tf.KernelBackend,
): Promise<void> {
  const limits = gpuAdapter.limits;
  const requiredLimits: Record<string, number> = {};
  for (const name of [
    'maxComputeWorkgroupStorageSize',
    'maxComputeWorkgroupsPerDimension',
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupSizeX',
    'maxComputeInvocationsPerWorkgroup',
  ]) {
    requiredLimits[name] = limits[name];
  }
  let gpuDevice: unknown;
  try {
    gpuDevice = await gpuAdapter.requestDevice({ requiredFeatures: [], requiredLimits });
  } catch (e) {
    throw new Error(`the adapter (${adapterName(adapter)}) refused a device: ${oneLine(e)}`);
  }
  // WebGPUBackend's constructor checks for `navigator.gpu`; set only now, after the package
  // loaded, so that it did not register a backend of its own on another device.
  exposeGpu(gpu);
  tf.registerBackend('webgpu', () => new WebGPUBackend(gpuDevice, gpuAdapter.info), 3);
}
