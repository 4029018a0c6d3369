/** The activations a model can use (core `Activation`), and the residual sum followed by one. */
import type { Activation } from '../../core/model';
import { tf } from '../backend';
import { ADD_SWISH } from '../kernels/simd/addSwish';
import { ourKernelActive } from '../kernels/active';
import { addRelu } from './addRelu';

/** swish(x) = x·σ(x) (pycls `silu`); its gradient σ(x)·(1 + x·(1 − σ(x))) comes from autodiff. */
export function swish<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x)) as T;
}

export function activate<T extends tf.Tensor>(x: T, act: Activation): T {
  return act === 'relu' ? tf.relu(x) : swish(x);
}

/**
 * swish(a + b) of two tensors of the same shape. On wasm with our SIMD kernels, and on webgpu, one
 * fused kernel each way (DslabAddSwish and its gradient); elsewhere tf.add then swish.
 */
export function addSwish<T extends tf.Tensor>(a: T, b: T): T {
  if (ourKernelActive(ADD_SWISH, 'dslab_add_swish') && a.shape.join() === b.shape.join()) {
    return tf.engine().runKernel(ADD_SWISH, { a, b }) as T;
  }
  return swish(tf.add(a, b) as T);
}

/** act(a + b): the end of every residual block (one fused kernel where the backend has it). */
export function addActivate<T extends tf.Tensor>(a: T, b: T, act: Activation): T {
  return act === 'relu' ? addRelu(a, b) : addSwish(a, b);
}
