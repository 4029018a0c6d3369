/**
 * `DslabSgdMomentum` {p, grad, buf} → [p', buf']: one SGD-with-momentum step of one variable as
 * one SIMD pass (wasm/src/sgd.c), where the tensor formulation takes eight element-wise kernels.
 * The results are new tensors for the caller to assign: writing a variable in place would leave
 * stale the weights XNNPACK packs and caches per tensor (its conv and matmul operators).
 */
import type * as tf from '@tensorflow/tfjs-core';

import { wasmKernelConfig, type KernelArgs } from '../kernelConfig';
import { float32Output, requireSimdKernels } from './module';

type TensorInfo = tf.TensorInfo;

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
  const k = requireSimdKernels(args.backend, SGD_MOMENTUM);
  const pOut = float32Output(args.backend, p.shape);
  const bufOut = float32Output(args.backend, p.shape);
  k.fn('dslab_sgd_momentum')(k.address(p), k.address(grad), k.address(buf), k.address(pOut), k.address(bufOut), n, lr, momentum, weightDecay, nesterov ? 1 : 0);
  return [pOut, bufOut];
}

export const sgdMomentumConfig = wasmKernelConfig(SGD_MOMENTUM, sgdMomentum);
