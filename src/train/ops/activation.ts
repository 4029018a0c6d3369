/** The activations a model can use (core `Activation`), and the residual sum followed by one. */
import type { Activation } from '../../core/model';
import { tf } from '../backend';
import { addRelu } from './addRelu';

/** swish(x) = x·σ(x) (pycls `silu`); its gradient σ(x)·(1 + x·(1 − σ(x))) comes from autodiff. */
export function swish<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x)) as T;
}

export function activate<T extends tf.Tensor>(x: T, act: Activation): T {
  return act === 'relu' ? tf.relu(x) : swish(x);
}

/** act(a + b): the end of every residual block (ReLU fused into one kernel where the backend has it). */
export function addActivate<T extends tf.Tensor>(a: T, b: T, act: Activation): T {
  return act === 'relu' ? addRelu(a, b) : swish(tf.add(a, b) as T);
}
