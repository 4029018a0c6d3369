/** What tfjs passes a kernel function, and the registration of one on the wasm backend. */
import type * as tf from '@tensorflow/tfjs-core';

export type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };

/** `kernelFunc` registered as `kernelName` for the wasm backend. */
export function wasmKernelConfig(kernelName: string, kernelFunc: (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]): tf.KernelConfig {
  // tfjs types the arguments loosely (attrs as a NamedAttrMap, inputs untyped); ours say what they read.
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
