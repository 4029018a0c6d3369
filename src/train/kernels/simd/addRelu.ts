/**
 * The end of a residual block as one pass each way (wasm/src/residual.c), where tfjs runs Add and
 * Relu forward and Step, Cast and Multiply backward:
 * - `DslabAddRelu` {a, b} → y = max(0, a + b) (same shapes, no broadcasting);
 * - `DslabReluGrad` {dy, y} → dy where y > 0, else 0: the gradient of both a and b.
 */
import * as tf from '@tensorflow/tfjs-core';

import { simdKernels, type SimdBackend, type SimdKernels } from './module';

type TensorInfo = tf.TensorInfo;
export type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };

export const ADD_RELU = 'DslabAddRelu';
export const RELU_GRAD = 'DslabReluGrad';

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The kernels, and the element count of two float32 tensors of the same shape. */
export function prepare(name: string, args: KernelArgs, first: TensorInfo, second: TensorInfo): { k: SimdKernels; n: number } {
  if (first.dtype !== 'float32' || second.dtype !== 'float32' || first.shape.join() !== second.shape.join()) {
    throw new Error(`${name}: expected two float32 tensors of one shape, got ${first.dtype} [${first.shape}] and ${second.dtype} [${second.shape}]`);
  }
  const k = simdKernels(args.backend as unknown as SimdBackend);
  if (k === undefined) throw new Error(`${name}: the SIMD kernels are turned off (DSLAB_WASM_KERNELS=off)`);
  return { k, n: sizeOf(first.shape) };
}

function addRelu(args: KernelArgs): TensorInfo {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { k, n } = prepare(ADD_RELU, args, a, b);
  const y = (args.backend as unknown as SimdBackend).makeOutput(a.shape, 'float32');
  k.fn('dslab_add_relu')(k.address(a), k.address(b), k.address(y), n);
  return y;
}

function reluGrad(args: KernelArgs): TensorInfo {
  const { dy, y } = args.inputs as { dy: TensorInfo; y: TensorInfo };
  const { k, n } = prepare(RELU_GRAD, args, dy, y);
  const dx = (args.backend as unknown as SimdBackend).makeOutput(y.shape, 'float32');
  k.fn('dslab_relu_grad')(k.address(dy), k.address(y), k.address(dx), n);
  return dx;
}

export const addReluConfig: tf.KernelConfig = { kernelName: ADD_RELU, backendName: 'wasm', kernelFunc: addRelu as unknown as tf.KernelFunc };
export const reluGradConfig: tf.KernelConfig = { kernelName: RELU_GRAD, backendName: 'wasm', kernelFunc: reluGrad as unknown as tf.KernelFunc };

/** Both inputs get the masked dy; b gets its own tensor (sharing the data) so each can be released alone. */
export const addReluGradient: tf.GradConfig = {
  kernelName: ADD_RELU,
  outputsToSave: [true],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const dx = tf.engine().runKernel(RELU_GRAD, { dy: Array.isArray(dy) ? dy[0] : dy, y: saved[0] }) as tf.Tensor;
    return { a: () => dx, b: () => tf.clone(dx) };
  },
};
