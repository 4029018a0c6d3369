/**
 * Access to the SIMD kernels from ops and the optimizer: only when the active backend is wasm
 * with our kernels loaded, and in-place updates only of tensors whose data no other tensor shares.
 */
import * as tf from '@tensorflow/tfjs-core';

import { simdKernels, type SimdBackend, type SimdKernels } from './module';

/** The kernels of the active backend if it is wasm, they are loaded and they export `name`. */
export function activeSimdKernels(name: string): SimdKernels | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const kernels = simdKernels(tf.backend() as unknown as SimdBackend);
  return kernels !== undefined && kernels.has(name) ? kernels : undefined;
}

/**
 * The byte address of a float32 tensor's data for a kernel to overwrite in place, or undefined
 * when another tensor shares that data (a clone or a saved copy would see the change).
 */
export function exclusiveAddress(kernels: SimdKernels, t: tf.Tensor): number | undefined {
  if (t.isDisposed || t.dtype !== 'float32') return undefined;
  const backend = tf.backend() as unknown as { refCount(dataId: tf.DataId): number };
  return backend.refCount(t.dataId) === 1 ? kernels.address(t) : undefined;
}
