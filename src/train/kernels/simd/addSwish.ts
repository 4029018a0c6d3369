/**
 * The end of a residual block under swish as one pass each way (wasm/src/residual.c), where tfjs
 * runs Add, Sigmoid and Multiply forward and their autodiff backward:
 * - `DslabAddSwish` {a, b} → y = (a + b)·σ(a + b) (same shapes, no broadcasting);
 * - `DslabAddSwishGrad` {dy, a, b, y} → dy·swish′(a + b): the gradient of both a and b, with
 *   σ(a + b) = y/(a + b). The sum is recomputed from the inputs, which the rest of the step keeps
 *   alive anyway, rather than saved.
 */
import * as tf from '@tensorflow/tfjs-core';

import { prepare, type KernelArgs } from './addRelu';
import type { SimdBackend } from './module';

type TensorInfo = tf.TensorInfo;

export const ADD_SWISH = 'DslabAddSwish';
export const ADD_SWISH_GRAD = 'DslabAddSwishGrad';

function addSwish(args: KernelArgs): TensorInfo {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { k, n } = prepare(ADD_SWISH, args, a, b);
  const y = (args.backend as unknown as SimdBackend).makeOutput(a.shape, 'float32');
  k.fn('dslab_add_swish')(k.address(a), k.address(b), k.address(y), n);
  return y;
}

function addSwishGrad(args: KernelArgs): TensorInfo {
  const { dy, a, b, y } = args.inputs as Record<'dy' | 'a' | 'b' | 'y', TensorInfo>;
  prepare(ADD_SWISH_GRAD, args, dy, a);
  prepare(ADD_SWISH_GRAD, args, y, a);
  const { k, n } = prepare(ADD_SWISH_GRAD, args, a, b);
  const dx = (args.backend as unknown as SimdBackend).makeOutput(a.shape, 'float32');
  k.fn('dslab_add_swish_grad')(k.address(dy), k.address(a), k.address(b), k.address(y), k.address(dx), n);
  return dx;
}

export const addSwishConfig: tf.KernelConfig = { kernelName: ADD_SWISH, backendName: 'wasm', kernelFunc: addSwish as unknown as tf.KernelFunc };
export const addSwishGradConfig: tf.KernelConfig = { kernelName: ADD_SWISH_GRAD, backendName: 'wasm', kernelFunc: addSwishGrad as unknown as tf.KernelFunc };

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
