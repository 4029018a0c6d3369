/**
 * `DslabSgdMomentum` on webgpu: one variable's SGD-with-momentum step in two dispatches (the new
 * buffer, then the new weights from it) where the tensor formulation takes eight. The arithmetic
 * is wasm/src/sgd.c's.
 */
import type * as tf from '@tensorflow/tfjs-core';

import { SGD_MOMENTUM, type SgdMomentumAttrs } from '../simd/sgd';
import type { KernelArgs } from '../kernelConfig';
import { run } from './program';

type TensorInfo = tf.TensorInfo;

const BUFFER = `
fn main(index : i32) {
  if (index >= uniforms.n) { return; }
  let g = grad[index] + uniforms.weightDecay * p[index];
  result[index] = uniforms.momentum * buf[index] + g;
}`;

const WEIGHTS = `
fn main(index : i32) {
  if (index >= uniforms.n) { return; }
  let w = p[index];
  let g = grad[index] + uniforms.weightDecay * w;
  let b = bufNext[index];
  let update = select(b, g + uniforms.momentum * b, uniforms.nesterov != 0);
  result[index] = w - uniforms.lr * update;
}`;

function sgdMomentum(args: KernelArgs): TensorInfo[] {
  const { p, grad, buf } = args.inputs as Record<'p' | 'grad' | 'buf', TensorInfo>;
  const { lr, momentum, weightDecay, nesterov } = args.attrs as unknown as SgdMomentumAttrs;
  const n = p.shape.reduce((a, b) => a * b, 1);
  for (const t of [p, grad, buf]) {
    if (t.dtype !== 'float32' || t.shape.reduce((a, b) => a * b, 1) !== n) throw new Error(`${SGD_MOMENTUM}: weights, gradient and buffer must be float32 of ${n} values`);
  }
  const bufNext = run(
    args.backend,
    {
      key: 'dslab_sgd_buffer',
      inputs: ['p', 'grad', 'buf'],
      outputShape: p.shape,
      threads: n,
      fields: [
        ['n', 'i32', n],
        ['momentum', 'f32', momentum],
        ['weightDecay', 'f32', weightDecay],
      ],
      code: BUFFER,
    },
    [p, grad, buf],
  );
  const pNext = run(
    args.backend,
    {
      key: 'dslab_sgd_weights',
      inputs: ['p', 'grad', 'bufNext'],
      outputShape: p.shape,
      threads: n,
      fields: [
        ['n', 'i32', n],
        ['lr', 'f32', lr],
        ['momentum', 'f32', momentum],
        ['weightDecay', 'f32', weightDecay],
        ['nesterov', 'i32', nesterov ? 1 : 0],
      ],
      code: WEIGHTS,
    },
    [p, grad, bufNext],
  );
  return [pNext, bufNext];
}

export const sgdMomentumWebGpu: tf.KernelConfig = { kernelName: SGD_MOMENTUM, backendName: 'webgpu', kernelFunc: sgdMomentum as unknown as tf.KernelFunc };
