/**
 * Kernels we install on the wasm backend: the gradients a conv net's backward pass needs that
 * tfjs-backend-wasm 4.22 lacks (Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter,
 * DepthwiseConv2dNativeBackpropInput), and faster versions of stock kernels on the training path
 * (Conv2DBackpropInput; Slice, SplitV and Concat as heap copies).
 */
import * as tf from '@tensorflow/tfjs-core';

import { conv2dBackpropFilterConfig, depthwiseBackpropFilterConfig } from './backpropFilter';
import { conv2dBackpropInputConfig, depthwiseBackpropInputConfig } from './backpropInput';
import { HEAP_COPY_KERNELS, rememberStock } from './heapCopy';

/** The gradient kernels. */
export const WASM_GRADIENT_KERNELS: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
];

/** Every kernel this module installs on the wasm backend. */
export const WASM_KERNELS: readonly tf.KernelConfig[] = [...WASM_GRADIENT_KERNELS, ...HEAP_COPY_KERNELS];

/** Installs our wasm kernels, replacing a stock one of the same name. Idempotent. */
export function registerWasmKernels(): void {
  for (const config of WASM_KERNELS) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc === config.kernelFunc) continue;
    rememberStock(config, current);
    if (current !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
}
