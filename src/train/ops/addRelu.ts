/** max(0, a + b): the end of every residual block. */
import { tf } from '../backend';
import { activeSimdKernels } from '../kernels/simd/active';
import { ADD_RELU } from '../kernels/simd/addRelu';
import { webgpuKernelsActive } from '../kernels/webgpu';

/**
 * ReLU of the sum of two tensors of the same shape. On wasm with our SIMD kernels, and on webgpu,
 * one fused kernel each way (DslabAddRelu and its gradient); elsewhere tf.add then tf.relu.
 */
export function addRelu<T extends tf.Tensor>(a: T, b: T): T {
  const fused = (activeSimdKernels('dslab_add_relu') !== undefined && tf.getKernel(ADD_RELU, 'wasm') !== undefined) || webgpuKernelsActive();
  if (fused && a.shape.join() === b.shape.join()) {
    return tf.engine().runKernel(ADD_RELU, { a, b }) as T;
  }
  return tf.relu(tf.add(a, b)) as T;
}
