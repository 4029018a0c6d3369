/**
 * The end of a residual block as one pass each way (wasm/src/residual.c), where tfjs runs Add and
 * Relu forward and Step, Cast and Multiply backward:
 * - `DslabAddRelu` {a, b} → y = max(0, a + b) (same shapes, no broadcasting);
 * - `DslabReluGrad` {dy, y} → dy where y > 0, else 0: the gradient of both a and b.
 */
import * as tf from '@tensorflow/tfjs-core';

import { wasmKernelConfig, type KernelArgs } from '../kernelConfig';
import { float32Output, requireSimdKernels, type SimdKernels } from './module';

type TensorInfo = tf.TensorInfo;

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
  return { k: requireSimdKernels(args.backend, name), n: sizeOf(first.shape) };
}

/** Runs kernel `fn` (first, second, out, n) on two float32 tensors of one shape into a new tensor of that shape. */
function binaryKernel(name: string, fn: string, args: KernelArgs, first: TensorInfo, second: TensorInfo): TensorInfo {
  const { k, n } = prepare(name, args, first, second);
  const out = float32Output(args.backend, first.shape);
  k.fn(fn)(k.address(first), k.address(second), k.address(out), n);
  return out;
}

function addRelu(args: KernelArgs): TensorInfo {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  return binaryKernel(ADD_RELU, 'dslab_add_relu', args, a, b);
}

function reluGrad(args: KernelArgs): TensorInfo {
  const { dy, y } = args.inputs as { dy: TensorInfo; y: TensorInfo };
  return binaryKernel(RELU_GRAD, 'dslab_relu_grad', args, dy, y);
}

export const addReluConfig = wasmKernelConfig(ADD_RELU, addRelu);
export const reluGradConfig = wasmKernelConfig(RELU_GRAD, reluGrad);

/** Both inputs get the masked dy; b gets its own tensor (sharing the data) so each can be released alone. */
export const addReluGradient: tf.GradConfig = {
  kernelName: ADD_RELU,
  outputsToSave: [true],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const dx = tf.engine().runKernel(RELU_GRAD, { dy: Array.isArray(dy) ? dy[0] : dy, y: saved[0] }) as tf.Tensor;
    return { a: () => dx, b: () => tf.clone(dx) };
  },
};
