/** max(0, a + b): the end of every residual block. */
import { tf } from '../backend';
import { ADD_RELU } from '../kernels/simd/addRelu';
import { ourKernelActive } from '../kernels/active';

/**
 * ReLU of the sum of two tensors of the same shape. On wasm with our SIMD kernels, and on webgpu,
 * one fused kernel each way (DslabAddRelu and its gradient); elsewhere tf.add then tf.relu.
 */
export function addRelu<T extends tf.Tensor>(a: T, b: T): T {
  if (ourKernelActive(ADD_RELU, 'dslab_add_relu') && a.shape.join() === b.shape.join()) {
    return tf.engine().runKernel(ADD_RELU, { a, b }) as T;
  }
  return tf.relu(tf.add(a, b)) as T;
}
