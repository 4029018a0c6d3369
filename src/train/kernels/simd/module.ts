/**
 * Loads our SIMD training kernels (wasm/dslab-kernels*.wasm, built from wasm/src/*.c) onto the
 * memory of tfjs's wasm backend, so they read and write tensors where tfjs keeps them: no copies.
 *
 * The module imports the backend's `memory` and owns nothing in it; its shadow stack is a block
 * we allocate from tfjs's heap (`_malloc`) and never free while the backend lives. Relaxed-SIMD
 * fused multiply-add is used when this Node accepts it: Node 20's V8 has it behind
 * `--experimental-wasm-relaxed-simd`, which can be turned on before the first relaxed module is
 * compiled; Node 22 has it on by default.
 *
 * DSLAB_WASM_KERNELS=off disables the kernels (tfjs's own and our composite kernels run instead),
 * =simd forces plain SIMD; the default picks relaxed when available.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';

import type * as tf from '@tensorflow/tfjs-core';

import type { WasmBackend } from '../composite';

/** The calling convention version of wasm/src/abi.c this loader speaks. */
export const ABI_VERSION = 2;

/** Bytes of shadow stack given to the kernels. */
const STACK_BYTES = 256 * 1024;

/** The package root: this module is compiled to out/src/train/kernels/simd/. */
const PACKAGE_ROOT = path.resolve(__dirname, '..', '..', '..', '..', '..');

/** The committed binaries. */
export const KERNEL_FILES = {
  simd: path.join(PACKAGE_ROOT, 'wasm', 'dslab-kernels.wasm'),
  relaxed: path.join(PACKAGE_ROOT, 'wasm', 'dslab-kernels-relaxed.wasm'),
} as const;

/** The emscripten module of tfjs-backend-wasm, as far as we use it. */
export interface WasmModule {
  HEAPU8: Uint8Array;
  asm: { memory: WebAssembly.Memory };
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

/** A wasm backend as the SIMD kernels see it. */
export type SimdBackend = WasmBackend & { wasm: WasmModule };

/** An exported kernel: all arguments are i32 addresses/sizes or f32 scalars. */
export type KernelFunction = (...args: number[]) => number | void;

/** The loaded kernels of one wasm backend instance. */
export interface SimdKernels {
  /** True when built with relaxed-SIMD fused multiply-add. */
  readonly relaxed: boolean;
  /** Which file was loaded. */
  readonly file: string;
  /** An exported kernel by name; throws if the binary lacks it. */
  fn(name: string): KernelFunction;
  /** True if the binary exports `name`. */
  has(name: string): boolean;
  /** Byte address of a tensor's data in the shared memory. */
  address(t: tf.TensorInfo): number;
  /** Scratch memory from tfjs's heap; free it with `free` (it may grow the memory). */
  malloc(bytes: number): number;
  free(pointer: number): void;
  /** The shared memory as floats: take it after the last allocation (growth detaches views). */
  f32(): Float32Array;
}

export type KernelMode = 'off' | 'simd' | 'relaxed';

/** The kernel set DSLAB_WASM_KERNELS asks for ('auto' when unset). */
export function parseKernelMode(setting: string | undefined): KernelMode | 'auto' {
  const value = (setting ?? '').trim().toLowerCase();
  if (value === '' || value === 'auto' || value === 'on') return 'auto';
  if (value === 'off' || value === '0' || value === 'false') return 'off';
  if (value === 'simd') return 'simd';
  if (value === 'relaxed') return 'relaxed';
  throw new Error(`DSLAB_WASM_KERNELS=${setting}: expected off, simd, relaxed or auto`);
}

let relaxedSupport: boolean | undefined;

/**
 * True when this Node can run relaxed-SIMD code, turning V8's flag on if it needs it. Checked once,
 * by validating the relaxed binary itself.
 */
export function relaxedSimdAvailable(): boolean {
  if (relaxedSupport !== undefined) return relaxedSupport;
  const bytes = fs.readFileSync(KERNEL_FILES.relaxed);
  if (!WebAssembly.validate(bytes)) {
    // Node 20: behind a flag that V8 honours for modules compiled after it is set.
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  }
  relaxedSupport = WebAssembly.validate(bytes);
  return relaxedSupport;
}

const loaded = new WeakMap<object, SimdKernels | null>();

/**
 * The SIMD kernels bound to a wasm backend instance (loaded once per instance), or undefined when
 * turned off with DSLAB_WASM_KERNELS=off.
 */
export function simdKernels(backend: SimdBackend): SimdKernels | undefined {
  const cached = loaded.get(backend);
  if (cached !== undefined) return cached ?? undefined;
  const mode = parseKernelMode(process.env.DSLAB_WASM_KERNELS);
  const kernels = mode === 'off' ? null : load(backend, mode === 'simd' ? false : mode === 'relaxed' ? true : relaxedSimdAvailable());
  loaded.set(backend, kernels);
  return kernels ?? undefined;
}

/** The kernels for kernel `name` on `backend`; throws when they are turned off. */
export function requireSimdKernels(backend: tf.KernelBackend, name: string): SimdKernels {
  const kernels = simdKernels(backend as unknown as SimdBackend);
  if (kernels === undefined) throw new Error(`${name}: the SIMD kernels are turned off (DSLAB_WASM_KERNELS=off)`);
  return kernels;
}

/** A new float32 tensor of `shape` on the wasm `backend`, for a kernel to write. */
export function float32Output(backend: tf.KernelBackend, shape: number[]): tf.TensorInfo {
  return (backend as unknown as SimdBackend).makeOutput(shape, 'float32');
}

function load(backend: SimdBackend, relaxed: boolean): SimdKernels {
  if (relaxed && !relaxedSimdAvailable()) throw new Error('DSLAB_WASM_KERNELS=relaxed: this Node cannot run relaxed-SIMD WebAssembly');
  const file = relaxed ? KERNEL_FILES.relaxed : KERNEL_FILES.simd;
  const wasm = backend.wasm;
  const memory = wasm.asm.memory;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file)), { env: { memory } });
  const api = instance.exports;
  const abi = (api.dslab_abi_version as () => number)();
  if (abi !== ABI_VERSION) throw new Error(`${file}: kernel ABI ${abi}, expected ${ABI_VERSION}; rebuild with npm run build:kernels`);
  // The stack grows down from the top of its block, 16-byte aligned as the C ABI wants.
  const stack = wasm._malloc(STACK_BYTES);
  (api.__stack_pointer as WebAssembly.Global).value = (stack + STACK_BYTES) & ~15;
  const fns = new Map<string, KernelFunction>();
  return {
    relaxed,
    file,
    fn(name) {
      let f = fns.get(name);
      if (f === undefined) {
        const e = api[name];
        if (typeof e !== 'function') throw new Error(`${file} has no kernel '${name}'`);
        f = e as KernelFunction;
        fns.set(name, f);
      }
      return f;
    },
    has: (name) => typeof api[name] === 'function',
    address(t) {
      const data = backend.dataIdMap.get(t.dataId);
      if (data === undefined) throw new Error('tensor data is not on the wasm backend');
      return data.memoryOffset;
    },
    malloc: (bytes) => wasm._malloc(bytes),
    free: (pointer) => wasm._free(pointer),
    f32: () => new Float32Array(memory.buffer),
  };
}
