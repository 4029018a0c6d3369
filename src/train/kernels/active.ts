/**
 * Whether the active backend runs one of our kernels: the question every op that has a fused
 * kernel asks before calling it, answered once for both backends that have them.
 */
import * as tf from '@tensorflow/tfjs-core';

import { activeSimdKernels } from './simd/active';

/**
 * True when kernel `name` is ours on the active backend: wasm with it registered and the SIMD
 * module that exports `wasmFunction` loaded (DSLAB_WASM_KERNELS=off leaves none), or webgpu with
 * it registered (DSLAB_WEBGPU_KERNELS=off leaves none). A kernel without a wasm function runs on
 * webgpu only.
 */
export function ourKernelActive(name: string, wasmFunction?: string): boolean {
  const backend = tf.getBackend();
  if (backend === 'wasm') return wasmFunction !== undefined && activeSimdKernels(wasmFunction) !== undefined && tf.getKernel(name, 'wasm') !== undefined;
  if (backend === 'webgpu') return tf.getKernel(name, 'webgpu') !== undefined;
  return false;
}
