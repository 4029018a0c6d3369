/**
 * `DslabSgdMomentum` {p, grad, buf} → [p', buf']: one SGD-with-momentum step of one variable as
 * one SIMD pass (wasm/src/sgd.c), where the tensor formulation takes eight element-wise kernels.
 * The results are new tensors for the caller to assign: writing a variable in place would leave
 * stale the weights XNNPACK packs and caches per tensor (its conv and matmul operators).
 */
import type * as tf from '@tensorflow/tfjs-core';

import { simdKernels, type SimdBackend } from './module';

type TensorInfo = tf.TensorInfo;
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };

export const SGD_MOMENTUM = 'DslabSgdMomentum';

/** The step's hyper-parameters. */
export interface SgdMomentumAttrs {
  lr: number;
  momentum: number;
  weightDecay: number;
  /** 1: Nesterov momentum; 0: plain. */
  nesterov: number;
}

function sgdMomentum(args: KernelArgs): TensorInfo[] {
  const { p, grad, buf } = args.inputs as Record<'p' | 'grad' | 'buf', TensorInfo>;
  const { lr, momentum, weightDecay, nesterov } = args.attrs as unknown as SgdMomentumAttrs;
  const n = p.shape.reduce((a, b) => a * b, 1);
  for (const t of [grad, buf]) {
    if (t.dtype !== 'float32' || t.shape.reduce((a, b) => a * b, 1) !== n) throw new Error(`${SGD_MOMENTUM}: gradient and buffer must be float32 of ${n} values`);
  }
  const backend = args.backend as unknown as SimdBackend;
  const k = simdKernels(backend);
  if (k === undefined) throw new Error(`${SGD_MOMENTUM}: the SIMD kernels are turned off (DSLAB_WASM_KERNELS=off)`);
  const pOut = backend.makeOutput(p.shape, 'float32');
  const bufOut = backend.makeOutput(p.shape, 'float32');
  k.fn('dslab_sgd_momentum')(k.address(p), k.address(grad), k.address(buf), k.address(pOut), k.address(bufOut), n, lr, momentum, weightDecay, nesterov ? 1 : 0);
  return [pOut, bufOut];
}

export const sgdMomentumConfig: tf.KernelConfig = {
  kernelName: SGD_MOMENTUM,
  backendName: 'wasm',
  kernelFunc: sgdMomentum as unknown as tf.KernelFunc,
};
