/**
 * The end of a residual block under swish as one pass each way (wasm/src/residual.c), where tfjs
 * runs Add, Sigmoid and Multiply forward and their autodiff backward:
 * - `DslabAddSwish` {a, b} → y = (a + b)·σ(a + b) (same shapes, no broadcasting);
 * - `DslabAddSwishGrad` {dy, a, b, y} → dy·swish′(a + b): the gradient of both a and b, with
 *   σ(a + b) = y/(a + b). The sum is recomputed from the inputs, which the rest of the step keeps
 *   alive anyway, rather than saved.
 */
import * as tf from '@tensorflow/tfjs-core';

import { wasmKernelConfig, type KernelArgs } from '../kernelConfig';
import { prepare } from './addRelu';
import { float32Output } from './module';

type TensorInfo = tf.TensorInfo;

export const ADD_SWISH = 'DslabAddSwish';
export const ADD_SWISH_GRAD = 'DslabAddSwishGrad';

/** Runs kernel `fn` on `inputs` (float32, all of one shape, at least two) into a new tensor of that shape. */
function elementwise(name: string, fn: string, args: KernelArgs, inputs: TensorInfo[]): TensorInfo {
  const [{ k, n }] = inputs.slice(1).map((t) => prepare(name, args, inputs[0], t));
  const out = float32Output(args.backend, inputs[0].shape);
  k.fn(fn)(...inputs.map((t) => k.address(t)), k.address(out), n);
  return out;
}

function addSwish(args: KernelArgs): TensorInfo {
  const { a, b } = args.inputs as Record<'a' | 'b', TensorInfo>;
  return elementwise(ADD_SWISH, 'dslab_add_swish', args, [a, b]);
}

function addSwishGrad(args: KernelArgs): TensorInfo {
  const { dy, a, b, y } = args.inputs as Record<'dy' | 'a' | 'b' | 'y', TensorInfo>;
  return elementwise(ADD_SWISH_GRAD, 'dslab_add_swish_grad', args, [dy, a, b, y]);
}

export const addSwishConfig = wasmKernelConfig(ADD_SWISH, addSwish);
export const addSwishGradConfig = wasmKernelConfig(ADD_SWISH_GRAD, addSwishGrad);

/** Both inputs get the same gradient; b gets its own tensor (sharing the data) so each can be released alone. */
export const addSwishGradient: tf.GradConfig = {
  kernelName: ADD_SWISH,
  inputsToSave: ['a', 'b'],
  outputsToSave: [true],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [a, b, y] = saved;
    const dx = tf.engine().runKernel(ADD_SWISH_GRAD, { dy: Array.isArray(dy) ? dy[0] : dy, a, b, y }) as tf.Tensor;
    return { a: () => dx, b: () => tf.clone(dx) };
  },
};
