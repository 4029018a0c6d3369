/**
 * Building kernels for the wasm backend out of kernels it already has. A composite kernel calls
 * the wasm kernel functions directly on TensorInfos (as tfjs's own backends do), so nothing it
 * makes is seen by the engine, recorded on a gradient tape or counted in `tf.memory()`; every
 * intermediate is released when the composite finishes.
 *
 * Data movement (windows of an image, crops) is done with copies inside the wasm heap (see
 * heapCopy.ts), never through a JavaScript copy of a whole tensor.
 */
import * as tf from '@tensorflow/tfjs-core';

import { sliceInto } from './heapCopy';
import type { WasmBackend } from './wasmBackend';

export type { WasmBackend };

type TensorInfo = tf.TensorInfo;


function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Runs wasm kernels and keeps track of the intermediates they make. */
export class WasmComposite {
  private readonly made: TensorInfo[] = [];

  constructor(readonly backend: WasmBackend) {}

  /** Runs the wasm kernel `name`; its output is released by `finish` unless it is the result. */
  run(name: string, inputs: Record<string, TensorInfo> | TensorInfo[], attrs: Record<string, unknown> = {}): TensorInfo {
    const config = tf.getKernel(name, 'wasm');
    if (config === undefined) throw new Error(`wasm kernel ${name} is not registered`);
    const out = config.kernelFunc({
      inputs: inputs as tf.NamedTensorInfoMap,
      backend: this.backend,
      attrs: attrs as tf.NamedAttrMap,
    }) as TensorInfo;
    this.made.push(out);
    return out;
  }

  /** A new float32 tensor with uninitialized contents, owned by this composite. */
  output(shape: number[]): TensorInfo {
    const out = this.backend.makeOutput(shape, 'float32');
    this.made.push(out);
    return out;
  }

  /**
   * The whole wasm heap as floats. Take it after the last `output` call of a step: growing the
   * heap (any allocation may) detaches earlier views.
   */
  heap(): Float32Array {
    return new Float32Array(this.backend.wasm.HEAPU8.buffer);
  }

  /** Where a tensor's data starts in `heap()`, in floats. */
  offset(t: TensorInfo): number {
    const data = this.backend.dataIdMap.get(t.dataId);
    if (data === undefined) throw new Error('tensor data is not on the wasm backend');
    return data.memoryOffset / 4;
  }

  /** A constant float32 tensor owned by this composite. */
  constant(shape: number[], values: Float32Array): TensorInfo {
    const out = this.output(shape);
    this.heap().set(values, this.offset(out));
    return out;
  }

  /** A float32 tensor filled with `value`. */
  filled(shape: number[], value: number): TensorInfo {
    const out = this.output(shape);
    const start = this.offset(out);
    this.heap().fill(value, start, start + size(shape));
    return out;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  concat(xs: TensorInfo[], axis: number): TensorInfo {
    return xs.length === 1 ? this.reshape(xs[0], xs[0].shape) : this.run('Concat', xs, { axis });
  }

  /** A plain 2-D matMul (no transposes: tfjs-wasm's transposed-operand paths are slow). */
  matMul(a: TensorInfo, b: TensorInfo): TensorInfo {
    return this.run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
  }

  /** x[begin … begin + size) along every axis, copied run by run on the heap. */
  slice(x: TensorInfo, begin: number[], sizes: number[]): TensorInfo {
    if (sizes.every((s, i) => s === x.shape[i])) return this.reshape(x, x.shape);
    const out = this.output(sizes);
    sliceInto(this.backend, x, begin, sizes, out);
    return out;
  }

  /** Whether `t` came out of this composite (a result must, or its buffer would be freed twice). */
  isOwnOutput(t: TensorInfo): boolean {
    return this.made.includes(t);
  }

  /** Releases every intermediate except `result` (reshapes share buffers by reference count). */
  finish(result: TensorInfo): TensorInfo {
    for (const t of this.made) if (t !== result) this.backend.disposeData(t.dataId);
    this.made.length = 0;
    return result;
  }

  /** Releases everything; for failures part-way. */
  abandon(): void {
    for (const t of this.made) this.backend.disposeData(t.dataId);
    this.made.length = 0;
  }
}

/** Runs `body` on a fresh composite, releasing its intermediates on success and on failure. */
export function composite(backend: tf.KernelBackend, body: (c: WasmComposite) => TensorInfo): TensorInfo {
  const c = new WasmComposite(backend as WasmBackend);
  let result: TensorInfo;
  try {
    result = body(c);
  } catch (e) {
    c.abandon();
    throw e;
  }
  if (!c.isOwnOutput(result)) {
    throw new Error('a composite kernel must return a tensor it made');
  }
  return c.finish(result);
}
