/**
 * Slice, SplitV and Concat for the wasm backend as block copies inside the wasm heap, and an
 * Identity that shares its input's buffer.
 *
 * tfjs-wasm 4.22 does these in JavaScript, and its Slice first copies the whole input out of the
 * heap (`readSync`) for every slice; SplitV is one such Slice per output. A grouped conv splits
 * and concatenates along channels twice per step, and there that dominated a training step
 * (SplitV about a fifth of it). Here each output is written straight from the input's place in
 * the heap, run by run. Four-byte types (float32, int32) take this path; others (bool, string)
 * go to the stock kernels.
 *
 * Identity is what `tf.clone` runs, and the engine clones every tensor it saves for a gradient:
 * stock tfjs-wasm copies the data (about 700 copies per training step of a small net); tensors
 * are immutable, so like the cpu backend we share the buffer and count the reference.
 */
import * as tf from '@tensorflow/tfjs-core';

import { wasmKernelConfig } from './kernelConfig';
import type { WasmBackend } from './wasmBackend';

type TensorInfo = tf.TensorInfo;
type KernelArgs = { inputs: tf.NamedTensorInfoMap | TensorInfo[]; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Copies `count` runs of `run` elements: run i from src + i·srcStride to dst + i·dstStride
 * (`contiguous`: the runs follow each other in both, one block). Short runs are copied element by
 * element: a call per run costs more than a few elements.
 */
export function copyRuns(
  heap: Float32Array | Int32Array,
  src: number,
  srcStride: number,
  dst: number,
  dstStride: number,
  run: number,
  count: number,
  contiguous = run === srcStride && run === dstStride,
): void {
  if (contiguous) {
    heap.copyWithin(dst, src, src + run * count);
  } else if (run >= 32) {
    for (let i = 0; i < count; i++) heap.copyWithin(dst + i * dstStride, src + i * srcStride, src + i * srcStride + run);
  } else {
    for (let i = 0; i < count; i++) {
      const s = src + i * srcStride;
      const d = dst + i * dstStride;
      for (let j = 0; j < run; j++) heap[d + j] = heap[s + j];
    }
  }
}

/** A view of the whole heap as 4-byte elements; take it after the last allocation. */
function heap32(backend: WasmBackend, dtype: tf.DataType): Float32Array | Int32Array {
  const buffer = backend.wasm.HEAPU8.buffer;
  return dtype === 'int32' ? new Int32Array(buffer) : new Float32Array(buffer);
}

/** Where a tensor's data starts, in 4-byte elements. */
function at(backend: WasmBackend, t: TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error('tensor data is not on the wasm backend');
  return data.memoryOffset / 4;
}

function fourBytes(dtype: tf.DataType): boolean {
  return dtype === 'float32' || dtype === 'int32';
}

/** Writes x[begin … begin + sizes) into `out` (already allocated with shape `sizes`). */
export function sliceInto(backend: WasmBackend, x: TensorInfo, begin: number[], sizes: number[], out: TensorInfo): void {
  if (size(sizes) === 0) return;
  const rank = x.shape.length;
  // The trailing axes taken whole, with the last partial one, are one contiguous run.
  let inner = rank - 1;
  while (inner > 0 && sizes[inner] === x.shape[inner]) inner--;
  const run = size(sizes.slice(inner));
  const strides = x.shape.map((_, i) => size(x.shape.slice(i + 1)));
  const outer = sizes.slice(0, inner);
  const heap = heap32(backend, x.dtype);
  const src0 = at(backend, x) + begin.reduce((s, b, i) => s + b * strides[i], 0);
  let dst = at(backend, out);
  if (outer.length === 0) {
    copyRuns(heap, src0, run, dst, run, run, 1);
    return;
  }
  // The innermost outer axis is copied as a batch of runs; the axes above it are enumerated.
  const last = outer.length - 1;
  const above = outer.slice(0, last);
  const index = above.map(() => 0);
  const count = size(above);
  for (let n = 0; n < count; n++) {
    let src = src0;
    for (let i = 0; i < above.length; i++) src += index[i] * strides[i];
    copyRuns(heap, src, strides[last], dst, run, run, outer[last]);
    dst += run * outer[last];
    for (let i = above.length - 1; i >= 0; i--) {
      if (++index[i] < above[i]) break;
      index[i] = 0;
    }
  }
}

/** Keeps the stock kernel of each name, for the types the heap path does not take. */
const stock = new Map<string, tf.KernelFunc>();

function fallback(name: string, args: KernelArgs): TensorInfo | TensorInfo[] {
  const f = stock.get(name);
  if (f === undefined) throw new Error(`no stock wasm ${name} kernel to fall back on`);
  return f(args as Parameters<tf.KernelFunc>[0]) as TensorInfo | TensorInfo[];
}

function slice(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { x } = args.inputs as { x: TensorInfo };
  if (!fourBytes(x.dtype)) return fallback(tf.Slice, args);
  const { begin, size: requested } = args.attrs as unknown as tf.SliceAttrs;
  const [b, s] = tf.slice_util.parseSliceParams(x, begin, requested);
  const backend = args.backend as WasmBackend;
  const out = backend.makeOutput(s, x.dtype);
  sliceInto(backend, x, b, s, out);
  return out;
}

function splitV(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { x } = args.inputs as { x: TensorInfo };
  if (!fourBytes(x.dtype)) return fallback(tf.SplitV, args);
  const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
  const $axis = tf.util.parseAxisParam(axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, $axis);
  const backend = args.backend as WasmBackend;
  const outs = sizes.map((s) => backend.makeOutput(x.shape.map((d, i) => (i === $axis ? s : d)), x.dtype));
  const begin = x.shape.map(() => 0);
  outs.forEach((out, j) => {
    sliceInto(backend, x, begin, out.shape, out);
    begin[$axis] += sizes[j];
  });
  return outs;
}

function concat(args: KernelArgs): TensorInfo | TensorInfo[] {
  const inputs = args.inputs as TensorInfo[];
  if (!fourBytes(inputs[0].dtype) || inputs.some((t) => t.dtype !== inputs[0].dtype)) return fallback(tf.Concat, args);
  const { axis } = args.attrs as unknown as tf.ConcatAttrs;
  const $axis = tf.util.parseAxisParam(axis, inputs[0].shape)[0];
  tf.backend_util.assertParamsConsistent(
    inputs.map((t) => t.shape),
    $axis,
  );
  const outShape = tf.backend_util.computeOutShape(
    inputs.map((t) => t.shape),
    $axis,
  );
  const backend = args.backend as WasmBackend;
  const out = backend.makeOutput(outShape, inputs[0].dtype);
  const heap = heap32(backend, out.dtype);
  const outer = size(outShape.slice(0, $axis));
  const rowOut = size(outShape.slice($axis));
  let dst = at(backend, out);
  for (const t of inputs) {
    const rowIn = size(t.shape.slice($axis));
    if (rowIn > 0) copyRuns(heap, at(backend, t), rowIn, dst, rowOut, rowIn, outer);
    dst += rowIn;
  }
  return out;
}

function identity(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { x } = args.inputs as { x: TensorInfo };
  if (!fourBytes(x.dtype)) return fallback(tf.Identity, args);
  (args.backend as WasmBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

const CONFIGS: tf.KernelConfig[] = [
  wasmKernelConfig(tf.Identity, identity),
  wasmKernelConfig(tf.Slice, slice),
  wasmKernelConfig(tf.SplitV, splitV),
  wasmKernelConfig(tf.Concat, concat),
];

/** The heap-copy kernels (and Identity), each replacing the stock wasm kernel of its name. */
export const HEAP_COPY_KERNELS: readonly tf.KernelConfig[] = CONFIGS;

/** Remembers the stock kernel a heap-copy kernel replaces, for the types it leaves to it. */
export function rememberStock(config: tf.KernelConfig, current: tf.KernelConfig | undefined): void {
  if (current !== undefined && current.kernelFunc !== config.kernelFunc && !stock.has(config.kernelName)) {
    stock.set(config.kernelName, current.kernelFunc);
  }
}
