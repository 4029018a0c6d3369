/**
 * The end of a residual block on webgpu, under the wasm kernels' names (simd/addRelu.ts,
 * simd/addSwish.ts) and with their gradients: act(a + b) in one dispatch each way, where tfjs
 * runs Add and Relu (or Sigmoid and Multiply) forward and Step, Cast and Multiply backward.
 */
import type * as tf from '@tensorflow/tfjs-core';

import { ADD_RELU, RELU_GRAD } from '../simd/addRelu';
import { ADD_SWISH, ADD_SWISH_GRAD } from '../simd/addSwish';
import type { KernelArgs } from '../kernelConfig';
import { run, SWISH_WGSL } from './program';

type TensorInfo = tf.TensorInfo;

/** One element-wise program over float32 tensors of one shape: `value` is WGSL of the inputs at index i. */
function elementwise(name: string, args: KernelArgs, inputs: [string, TensorInfo][], value: string): TensorInfo {
  const [first] = inputs;
  for (const [, t] of inputs) {
    if (t.dtype !== 'float32' || t.shape.join() !== first[1].shape.join()) {
      throw new Error(`${name}: expected float32 tensors of one shape, got ${t.dtype} [${t.shape}] and ${first[1].dtype} [${first[1].shape}]`);
    }
  }
  const n = first[1].shape.reduce((a, b) => a * b, 1);
  return run(
    args.backend,
    {
      key: `dslab_${name}`,
      inputs: inputs.map(([key]) => key),
      outputShape: first[1].shape,
      threads: n,
      fields: [['n', 'i32', n]],
      code: `${SWISH_WGSL}
fn main(i : i32) {
  if (i >= uniforms.n) { return; }
  result[i] = ${value};
}`,
    },
    inputs.map(([, t]) => t),
  );
}

function addRelu(args: KernelArgs): TensorInfo {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  return elementwise(ADD_RELU, args, [['a', a], ['b', b]], 'max(a[i] + b[i], 0.0)');
}

function reluGrad(args: KernelArgs): TensorInfo {
  const { dy, y } = args.inputs as { dy: TensorInfo; y: TensorInfo };
  return elementwise(RELU_GRAD, args, [['dy', dy], ['y', y]], 'select(0.0, dy[i], y[i] > 0.0)');
}

function addSwish(args: KernelArgs): TensorInfo {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  return elementwise(ADD_SWISH, args, [['a', a], ['b', b]], '(a[i] + b[i]) * sigmoid(a[i] + b[i])');
}

/** dy·swish′(a + b) (σ recomputed: y is not read here). */
function addSwishGrad(args: KernelArgs): TensorInfo {
  const { dy, a, b } = args.inputs as Record<'dy' | 'a' | 'b', TensorInfo>;
  return elementwise(ADD_SWISH_GRAD, args, [['dy', dy], ['a', a], ['b', b]], 'swishGrad(dy[i], a[i] + b[i])');
}

const config = (kernelName: string, f: (args: KernelArgs) => TensorInfo): tf.KernelConfig => ({ kernelName, backendName: 'webgpu', kernelFunc: f as unknown as tf.KernelFunc });

export const RESIDUAL_WEBGPU_KERNELS: readonly tf.KernelConfig[] = [
  config(ADD_RELU, addRelu),
  config(RELU_GRAD, reluGrad),
  config(ADD_SWISH, addSwish),
  config(ADD_SWISH_GRAD, addSwishGrad),
];
