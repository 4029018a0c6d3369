/**
 * Our kernels on the webgpu backend: the fused batch norm (and its running statistics' update), the grouped conv with its gradients,
 * the end of a residual block and the SGD step, under the wasm kernels' names and gradients, so the ops that call them
 * (ops/batchNorm.ts, ops/conv.ts, optimizer.ts) need only know that the active backend has them
 * (kernels/active.ts).
 * On a GPU the cost of a training step is mostly dispatches, which these cut several-fold.
 */
import * as tf from '@tensorflow/tfjs-core';

import { convGradient } from '../simd/conv';
import { FUSED_GRADIENTS } from '../simd/fused';
import { batchNormRunningUpdateWebGpu, batchNormTrainGradWebGpu, batchNormTrainWebGpu } from './batchNorm';
import { convBackpropFilterWebGpu, convBackpropInputWebGpu, convWebGpu } from './conv';
import { RESIDUAL_WEBGPU_KERNELS } from './residual';
import { sgdMomentumWebGpu } from './sgd';

export const WEBGPU_KERNELS: readonly tf.KernelConfig[] = [
  batchNormTrainWebGpu,
  batchNormTrainGradWebGpu,
  batchNormRunningUpdateWebGpu,
  convWebGpu,
  convBackpropInputWebGpu,
  convBackpropFilterWebGpu,
  sgdMomentumWebGpu,
  ...RESIDUAL_WEBGPU_KERNELS,
];

/** Whether DSLAB_WEBGPU_KERNELS leaves our kernels on (the default); 'off' leaves tfjs's own kernels and ops. */
export function webgpuKernelsWanted(setting: string | undefined = process.env.DSLAB_WEBGPU_KERNELS): boolean {
  if (setting === undefined || setting === '' || setting === 'on') return true;
  if (setting === 'off') return false;
  throw new Error(`DSLAB_WEBGPU_KERNELS=${setting}: expected on or off`);
}

/** Registers them for 'webgpu' (and their gradients), or takes them away under DSLAB_WEBGPU_KERNELS=off; true when they are on. Idempotent. */
export function registerWebGpuKernels(): boolean {
  const on = webgpuKernelsWanted();
  for (const config of WEBGPU_KERNELS) {
    const current = tf.getKernel(config.kernelName, 'webgpu');
    if (current?.kernelFunc === config.kernelFunc) {
      if (!on) tf.unregisterKernel(config.kernelName, 'webgpu');
      continue;
    }
    if (!on) continue;
    if (current !== undefined) tf.unregisterKernel(config.kernelName, 'webgpu');
    tf.registerKernel(config);
  }
  if (on) for (const gradient of [...FUSED_GRADIENTS, convGradient]) tf.registerGradient(gradient);
  return on;
}
