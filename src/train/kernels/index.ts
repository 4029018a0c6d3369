/**
 * Kernels we install on the wasm backend: the gradients a conv net's backward pass needs that
 * tfjs-backend-wasm 4.22 lacks (Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter,
 * DepthwiseConv2dNativeBackpropInput), and faster versions of stock kernels on the training path
 * (Conv2DBackpropInput; Slice, SplitV and Concat as heap copies); and the SIMD kernels of simd/
 * (one native grouped conv with its gradients, the fused training kernels).
 */
import * as tf from '@tensorflow/tfjs-core';

import { conv2dBackpropFilterConfig, depthwiseBackpropFilterConfig } from './backpropFilter';
import { conv2dBackpropInputConfig, depthwiseBackpropInputConfig } from './backpropInput';
import { HEAP_COPY_KERNELS, rememberStock } from './heapCopy';
import { CONV_KERNELS, convGradient } from './simd/conv';
import { FUSED_GRADIENTS, FUSED_KERNELS } from './simd/fused';

/** The gradient kernels. */
export const WASM_GRADIENT_KERNELS: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
];

/** The kernels installed under tfjs's own names (replacing or adding stock kernels). */
export const WASM_KERNELS: readonly tf.KernelConfig[] = [...WASM_GRADIENT_KERNELS, ...HEAP_COPY_KERNELS];

/** Our SIMD kernels under their own names (Dslab…), called by our ops when the kernels are loaded. */
export const SIMD_KERNELS: readonly tf.KernelConfig[] = [...FUSED_KERNELS, ...CONV_KERNELS];

/** Installs our wasm kernels, replacing a stock one of the same name. Idempotent. */
export function registerWasmKernels(): void {
  for (const config of [...WASM_KERNELS, ...SIMD_KERNELS]) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc === config.kernelFunc) continue;
    rememberStock(config, current);
    if (current !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  for (const gradient of [...FUSED_GRADIENTS, convGradient]) tf.registerGradient(gradient);
}
