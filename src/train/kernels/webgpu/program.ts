/**
 * Compute programs for tfjs-backend-webgpu, which compiles and dispatches them: one program is
 * one dispatch with one output tensor. tfjs declares the bindings (the output `result` and each
 * input under its name, all `array<f32>`), a `uniforms` struct with every tensor's shape (`xShape`,
 * …, `outShape`) followed by the program's own fields, and the workgroup builtins as private
 * variables (`localIndex`, `workgroupId`, `numWorkgroups`); the program supplies
 * `fn main(index : i32)`, called with the invocation's global index.
 *
 * tfjs-backend-webgpu is an optional package loaded at run time, so this module only describes
 * programs; the backend object that runs them comes with each kernel call. `runWebGPUProgram` and
 * the program's fields are that package's own interface for its kernels, not a public API: the
 * package is pinned at our tfjs-core version, and the tests run every program.
 *
 * Pipelines are cached by `key` (with the inputs' ranks and names): whatever the WGSL text depends
 * on goes into the key; shapes and sizes go into uniforms. Dawn builds each pipeline's layout from
 * the bindings the shader uses, so every program reads every input it declares and its uniforms.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** What tfjs-backend-webgpu's WebGPUProgram needs from us. */
export interface WebGpuProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms?: string;
  getUserCode: () => string;
}

/** A program's own uniform field: name, WGSL type, value. */
export type UniformField = [name: string, type: 'i32' | 'f32', value: number];

type ProgramUniform = { type: 'int32' | 'float32'; data: number[] };

/** The part of tfjs-backend-webgpu's WebGPUBackend the kernels use. */
export interface WebGpuBackendLike {
  runWebGPUProgram(program: WebGpuProgram, inputs: tf.TensorInfo[], outputDtype: 'float32', uniforms?: ProgramUniform[]): tf.TensorInfo;
  disposeData(dataId: tf.DataId): boolean;
}

export interface ProgramSpec {
  /** Cache key: names the WGSL text (constants baked into it included). */
  key: string;
  /** Input names, in the order of the tensors passed to `run`. */
  inputs: string[];
  outputShape: number[];
  /** Invocations (one per workgroup lane) or, with `workgroups`, workgroups of `workgroupSize`. */
  threads?: number;
  workgroups?: number;
  workgroupSize?: number;
  /** Own uniform fields, after tfjs's. */
  fields: UniformField[];
  /** WGSL defining `fn main(index : i32)` and anything it needs. */
  code: string;
}

/** The invocation count of a flat dispatch of `threads` lanes, `size` per workgroup. */
function workgroupCount(spec: ProgramSpec, size: number): number {
  if (spec.workgroups !== undefined) return Math.max(1, spec.workgroups);
  return Math.max(1, Math.ceil((spec.threads ?? 0) / size));
}

/**
 * Runs one program on `inputs` and returns its output (float32, `outputShape`). A dispatch of more
 * workgroups than one dimension allows is spread over two or three by tfjs: `workgroupIndex()` in
 * the WGSL gives the linear index, and surplus workgroups must do nothing.
 */
export function run(backend: tf.KernelBackend, spec: ProgramSpec, inputs: tf.TensorInfo[]): tf.TensorInfo {
  const size = spec.workgroupSize ?? 64;
  const program: WebGpuProgram = {
    variableNames: spec.inputs,
    outputShape: spec.outputShape,
    shaderKey: spec.key,
    dispatchLayout: { x: spec.outputShape.map((_, i) => i) },
    dispatch: [workgroupCount(spec, size), 1, 1],
    workgroupSize: [size, 1, 1],
    uniforms: spec.fields.map(([name, type]) => `${name} : ${type}, `).join(''),
    getUserCode: () => `${WORKGROUP_INDEX}\n${spec.code}`,
  };
  const uniforms: ProgramUniform[] = spec.fields.map(([, type, value]) => ({ type: type === 'i32' ? 'int32' : 'float32', data: [value] }));
  return (backend as unknown as WebGpuBackendLike).runWebGPUProgram(program, inputs, 'float32', uniforms);
}

/** Releases an intermediate result (tfjs frees the buffer once the queued work that reads it is done). */
export function release(backend: tf.KernelBackend, t: tf.TensorInfo): void {
  (backend as unknown as WebGpuBackendLike).disposeData(t.dataId);
}

/** The linear index of this invocation's workgroup, however tfjs spread the dispatch. */
const WORKGROUP_INDEX = `
fn workgroupIndex() -> i32 {
  return i32((workgroupId.z * numWorkgroups.y + workgroupId.y) * numWorkgroups.x + workgroupId.x);
}`;

/**
 * σ(z), from t = exp(−|z|) ∈ (0, 1], which cannot overflow: 1/(1 + t) for z ≥ 0, t/(1 + t) below
 * (as wasm/src/swish.h computes it); and dy·swish′(z) = dy·σ(z)·(1 + z·(1 − σ(z))).
 */
export const SWISH_WGSL = `
fn sigmoid(z : f32) -> f32 {
  let t = exp(-abs(z));
  return select(t, 1.0, z >= 0.0) / (1.0 + t);
}
fn swishGrad(dy : f32, z : f32) -> f32 {
  let s = sigmoid(z);
  return dy * s * (1.0 + z * (1.0 - s));
}`;
