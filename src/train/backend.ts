/**
 * The one place that loads tfjs and picks the engine it computes on.
 *
 * 'auto' tries, in order: tfjs-node-gpu (libtensorflow with CUDA), webgpu on a hardware adapter
 * (Dawn: Vulkan, Metal or D3D12; webgpu.ts), tfjs-node (libtensorflow on the CPU), wasm (XNNPACK,
 * SIMD, one thread), cpu (pure JavaScript). A software WebGPU adapter (Mesa lavapipe, SwiftShader)
 * is slower than wasm on the same CPU, so 'auto' passes it by; naming 'webgpu' uses it. The native
 * packages are not dependencies (their install downloads libtensorflow) and the WebGPU pair is
 * optional; all are looked up at run time in our own node_modules and in `nativeModulesPath`.
 *
 * Native packages and tfjs-core: tfjs-node requires `@tensorflow/tfjs`, which requires its own
 * resolution of `@tensorflow/tfjs-core`, and registers its 'tensorflow' backend there. tfjs-core
 * keeps its engine and kernel registry on `globalThis` (`_tfengine`, `kernelRegistry`), so a second
 * copy of tfjs-core installed beside the native package shares our engine — but only a copy of the
 * same version behaves the same. A user therefore installs the native package at exactly our
 * tfjs-core version (`npm install @tensorflow/tfjs-node@4.22.0`, or `…-gpu@4.22.0`), either in
 * this package's node_modules or under `nativeModulesPath`; any other version is refused before it
 * is loaded, and after loading we check that the 'tensorflow' backend is visible to our tfjs-core.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import type { BackendChoice } from '../core/analysis/sweepEvents';
import type { BackendName } from '../core/space/types';
import { registerWasmKernels } from './kernels';
import { registerGradients } from './kernels/gradients';
import { registerWebGpuKernels } from './kernels/webgpu';
import { simdKernels, type SimdBackend } from './kernels/simd/module';
import { withoutWarnings } from './quietWarnings';
import { adapterName, loadWebGpu, type WebGpuAdapter } from './webgpu';
import { count } from '../core/presentation/counts';

export { tf };

// tfjs-core's CommonJS build has no gradient functions; every user of `tf` gets ours.
registerGradients();

/** A backend named explicitly cannot be used; the message says how to install it. */
export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
}

export interface BackendOptions {
  /** A folder holding `node_modules/@tensorflow/tfjs-node…` in addition to our own node_modules. */
  nativeModulesPath?: string;
  /** Receives each fall-through line as it happens. */
  log?: (line: string) => void;
  /** Folder holding tfjs-backend-wasm's `.wasm` files (default: the package's `dist`). */
  wasmDir?: string;
  /**
   * The WebGPU adapter: an index into Dawn's list of adapters or part of an adapter's name.
   * Default: the environment's DSLAB_WEBGPU_ADAPTER, else Dawn's high-performance adapter.
   */
  webgpuAdapter?: string;
}

type NativeName = 'tfjs-node-gpu' | 'tfjs-node';
/** `why`: the reason, without the backend's name. */
type Attempt = { ok: true; detail: string; adapter?: WebGpuAdapter } | { ok: false; why: string };

/** The tfjs-core version every native package must match. */
export const TFJS_VERSION: string = tf.version_core;

/** The tfjs backend name each of our names activates. */
const TFJS_NAME: Record<BackendChoice['name'], string> = {
  'tfjs-node-gpu': 'tensorflow',
  webgpu: 'webgpu',
  'tfjs-node': 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

const AUTO_ORDER: BackendChoice['name'][] = ['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu'];

/** Choices made (or being made) in this process, by requested name: initBackend is idempotent. */
const chosen = new Map<BackendName, Promise<BackendChoice>>();
/** The native package loaded in this process: both register 'tensorflow', so only one may load. */
let nativeLoaded: { name: NativeName; detail: string } | undefined;

/**
 * Loads and activates a tfjs backend: 'auto' tries tfjs-node-gpu → webgpu (hardware adapters
 * only) → tfjs-node → wasm → cpu and takes the first that loads. Installs our wasm kernels (the
 * gradients tfjs-backend-wasm lacks).
 * Idempotent per process: asking again for the same name returns the same choice (and makes it
 * the active backend again, so tests may switch between names).
 */
export async function initBackend(requested: BackendName, options: BackendOptions = {}): Promise<BackendChoice> {
  const previous = chosen.get(requested);
  if (previous !== undefined) {
    const choice = await previous;
    await activate(choice.name);
    return choice;
  }
  const choosing = choose(requested, options);
  chosen.set(requested, choosing);
  // A failed request is not remembered: the user may install the package and ask again.
  choosing.catch(() => chosen.delete(requested));
  return choosing;
}

async function choose(requested: BackendName, options: BackendOptions): Promise<BackendChoice> {
  if (requested !== 'auto') {
    const attempt = await tryBackend(requested, options, true);
    if (!attempt.ok) throw new BackendUnavailableError(`backend '${requested}' is unavailable: ${attempt.why}`);
    return choiceOf(requested, attempt, []);
  }
  const fellThrough: string[] = [];
  for (const name of AUTO_ORDER) {
    const attempt = await tryBackend(name, options, false);
    if (attempt.ok) return choiceOf(name, attempt, fellThrough);
    const line = `${name}: ${attempt.why}`;
    fellThrough.push(line);
    options.log?.(line);
  }
  throw new BackendUnavailableError(`no tfjs backend could be loaded:\n${fellThrough.join('\n')}`);
}

function choiceOf(name: BackendChoice['name'], attempt: Attempt & { ok: true }, fellThrough: string[]): BackendChoice {
  return attempt.adapter === undefined
    ? { name, detail: attempt.detail, fellThrough }
    : { name, detail: attempt.detail, adapter: attempt.adapter, fellThrough };
}

async function activate(name: BackendChoice['name']): Promise<void> {
  if (tf.getBackend() !== TFJS_NAME[name] && !(await tf.setBackend(TFJS_NAME[name]))) {
    throw new BackendUnavailableError(`backend '${name}' loaded earlier but can no longer be activated`);
  }
}

/** `named`: the user asked for this backend by name (a software WebGPU adapter will then do). */
async function tryBackend(name: BackendChoice['name'], options: BackendOptions, named: boolean): Promise<Attempt> {
  switch (name) {
    case 'tfjs-node-gpu':
    case 'tfjs-node':
      return tryNative(name, options.nativeModulesPath);
    case 'webgpu':
      return tryWebGpu(options, named);
    case 'wasm':
      return tryWasm(options.wasmDir);
    case 'cpu':
      return tryCpu();
  }
}

async function tryCpu(): Promise<Attempt> {
  if (!(await tf.setBackend('cpu'))) return { ok: false, why: 'failed to start' };
  // The cpu backend prints a banner recommending tfjs-node on its first write; our fall-through
  // lines already say why cpu was chosen and how to get a faster backend.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  return { ok: true, detail: 'cpu (pure JavaScript)' };
}

/** How to install a native package, where we would look for it. */
export function installHint(name: NativeName, nativeModulesPath?: string): string {
  const prefix = nativeModulesPath === undefined ? '' : `--prefix ${nativeModulesPath} `;
  const needs = name === 'tfjs-node-gpu' ? '; needs CUDA 11.2 + cuDNN 8.1' : '';
  return `npm install ${prefix}@tensorflow/${name}@${TFJS_VERSION}${needs}`;
}

/** Joins a possibly multi-line error message into one line. */
function oneLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const line = text.replace(/\s*\n\s*/g, ' ').trim();
  return line.length > 400 ? `${line.slice(0, 397)}...` : line;
}

/**
 * Sets tfjs's backend `name`: undefined when it started, else why not. tfjs warns on the console
 * when a backend fails to start; the reason goes into our line instead.
 */
async function startQuietly(name: string): Promise<string | undefined> {
  const warnings: string[] = [];
  let ok: boolean;
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.map((a) => oneLine(a)).join(' '));
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    warnings.push(oneLine(e));
    ok = false;
  } finally {
    console.warn = warn;
  }
  // The first warning is the cause; tfjs and emscripten repeat it in the ones after.
  return ok ? undefined : (warnings[0] ?? 'unknown error');
}

/** Folders whose node_modules (and their parents') are searched for native packages. */
function searchPaths(nativeModulesPath?: string): string[] {
  return nativeModulesPath === undefined ? [__dirname] : [__dirname, path.resolve(nativeModulesPath)];
}

/** The installed package's folder, or undefined when no search path has it. */
function findPackageDir(pkg: string, paths: string[]): string | undefined {
  try {
    return path.dirname(require.resolve(`${pkg}/package.json`, { paths }));
  } catch {
    return undefined;
  }
}

async function tryNative(name: NativeName, nativeModulesPath?: string): Promise<Attempt> {
  if (nativeLoaded !== undefined) {
    if (nativeLoaded.name !== name) {
      return { ok: false, why: `not loaded because ${nativeLoaded.name} already is (both provide the 'tensorflow' backend)` };
    }
    return (await tf.setBackend('tensorflow')) ? { ok: true, detail: nativeLoaded.detail } : { ok: false, why: 'failed to start' };
  }
  const pkg = `@tensorflow/${name}`;
  const paths = searchPaths(nativeModulesPath);
  const dir = findPackageDir(pkg, paths);
  if (dir === undefined) return { ok: false, why: `not installed (${installHint(name, nativeModulesPath)})` };
  let version: unknown;
  try {
    version = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  } catch (e) {
    return { ok: false, why: `unreadable package.json in ${dir}: ${oneLine(e)}` };
  }
  if (version !== TFJS_VERSION) {
    return {
      ok: false,
      why: `version ${String(version)} in ${dir} does not match tfjs-core ${TFJS_VERSION} (${installHint(name, nativeModulesPath)})`,
    };
  }
  try {
    // A real require, at run time, of a package that is not a dependency. A second copy of
    // tfjs-backend-cpu beside it re-registers its kernels, one console warning each.
    withoutWarnings(/already registered/, () => require(require.resolve(pkg, { paths })));
  } catch (e) {
    return { ok: false, why: `installed in ${dir} but failed to load: ${oneLine(e)}` };
  }
  if (tf.findBackendFactory('tensorflow') === null) {
    return { ok: false, why: `loaded from ${dir} but registered no 'tensorflow' backend with our tfjs-core ${TFJS_VERSION}` };
  }
  if (!(await tf.setBackend('tensorflow'))) return { ok: false, why: `loaded from ${dir} but its backend failed to start` };
  // NodeJSKernelBackend says whether libtensorflow found a CUDA device.
  const usingGpu = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice;
  const device = usingGpu === true ? 'CUDA GPU' : usingGpu === false ? 'no GPU found: CPU' : 'device unknown';
  const detail = `${name} ${TFJS_VERSION} (libtensorflow, ${name === 'tfjs-node-gpu' ? device : 'CPU'})`;
  nativeLoaded = { name, detail };
  return { ok: true, detail };
}

async function tryWebGpu(options: BackendOptions, named: boolean): Promise<Attempt> {
  const loaded = await loadWebGpu({
    searchPaths: searchPaths(options.nativeModulesPath),
    nativeModulesPath: options.nativeModulesPath,
    adapter: options.webgpuAdapter ?? process.env.DSLAB_WEBGPU_ADAPTER,
    tfjsVersion: TFJS_VERSION,
  });
  if (!loaded.ok) return loaded;
  const { device } = loaded;
  if (device.adapter.software && !named) {
    return { ok: false, why: `only a software adapter (${adapterName(device.adapter)}); name --backend webgpu to use it` };
  }
  try {
    await device.open();
  } catch (e) {
    return { ok: false, why: oneLine(e) };
  }
  let ours: boolean;
  try {
    ours = registerWebGpuKernels();
  } catch (e) {
    return { ok: false, why: oneLine(e) };
  }
  const failure = await startQuietly('webgpu');
  if (failure !== undefined) return { ok: false, why: `${device.detail} failed to start: ${failure}` };
  // Records say which kernels trained a model, as for wasm.
  return { ok: true, detail: `${device.detail}, ${ours ? 'our kernels' : 'tfjs’s kernels (DSLAB_WEBGPU_KERNELS=off)'}`, adapter: device.adapter };
}

/** The folder of tfjs-backend-wasm's `.wasm` binaries in our node_modules. */
export function defaultWasmDir(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
}

let wasmPathsSet = false;

async function tryWasm(wasmDir?: string): Promise<Attempt> {
  registerWasmKernels();
  // The threaded build does not start in Node (its worker comes from a blob URL: ERR_WORKER_PATH);
  // tfjs already rules it out under Node, and this keeps it so in any host that looks otherwise.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  if (!wasmPathsSet) {
    // Explicit so that a bundled extension can ship the binaries elsewhere. Node loads the file
    // with fs from `prefix + name`, so the prefix is a folder path ending in a separator.
    const dir = path.resolve(wasmDir ?? defaultWasmDir());
    const binary = simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
    if (!fs.existsSync(path.join(dir, binary))) return { ok: false, why: `${binary} not found in ${dir}` };
    setWasmPaths(dir.endsWith(path.sep) ? dir : dir + path.sep);
    wasmPathsSet = true;
  }
  const failure = await startQuietly('wasm');
  if (failure !== undefined) return { ok: false, why: `failed to load: ${failure}` };
  const threads = getThreadsCount();
  // Records say which kernels trained a model: ours change the float32 rounding (and the speed).
  const kernels = simdKernels(tf.backend() as unknown as SimdBackend);
  const ours = kernels === undefined ? 'stock kernels' : `our SIMD kernels${kernels.relaxed ? ' (relaxed)' : ''}`;
  return { ok: true, detail: `wasm (${simd ? 'SIMD' : 'no SIMD'}, ${count(threads, 'thread')}), ${ours}` };
}
