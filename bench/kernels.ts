/**
 * `npm run bench -- kernels`: the convolutions of one training step of the tiny AnyNet (batch 64)
 * on the wasm backend, one layer at a time: forward, input gradient and filter gradient, with our
 * native SIMD conv against tfjs's ops (XNNPACK forward, split/concat for groups, our composite
 * gradient kernels), in ms and GFLOP/s (2 flops per multiply-add). Each figure is the fastest of
 * several runs; tfjs's gradients are timed through autodiff (forward + gradient, minus forward).
 */
import { bottleneckWidth } from '../src/core/anynet';
import type { ExpandedModel } from '../src/core/model';
import { expandModel } from '../src/core/modelSpec';
import { initBackend, tf } from '../src/train/backend';
import { CONV, CONV_BACKPROP_FILTER, CONV_BACKPROP_INPUT, convKernelsActive, convOutSize } from '../src/train/kernels/simd/conv';
import { groupedConv2dTfjs } from '../src/train/ops/conv';
import { elapsedMs, type Figure, type Suite } from './measure';
import { TINY_ANYNET } from './training';

/** One conv layer: input [batch, size, size, cIn], k×k filter to cOut, stride, groups. */
export interface ConvLayer {
  name: string;
  size: number;
  cIn: number;
  cOut: number;
  k: number;
  stride: number;
  groups: number;
}

type CountedLayer = ConvLayer & { count: number; noInputGradient?: boolean };

/** '3×3 G4 32 s2 @28': role, filter, channels (in→out, or groups and width), stride, input size. */
function layerName(l: Omit<ConvLayer, 'name'>, role: string): string {
  const channels = l.groups === 1 ? `${l.cIn}→${l.cOut}` : `G${l.groups} ${l.cOut}`;
  return `${role}${l.k}×${l.k} ${channels}${l.stride > 1 ? ` s${l.stride}` : ''} @${l.size}`;
}

/**
 * The distinct conv layers of an X-block AnyNet, in the order a forward pass first runs them
 * (a block's 1×1, its 3×3 grouped conv, the projection where the shape changes, the last 1×1),
 * with how often each runs.
 */
function xBlockConvs(model: ExpandedModel): CountedLayer[] {
  const layers = new Map<string, CountedLayer>();
  const add = (l: Omit<ConvLayer, 'name'>, role = '', extra: { noInputGradient?: boolean } = {}): void => {
    const name = layerName(l, role);
    const seen = layers.get(name);
    if (seen !== undefined) seen.count++;
    else layers.set(name, { name, ...l, count: 1, ...extra });
  };
  let size = model.resolution;
  let wIn = model.stem.width;
  // The stem's input is the data: a training step needs no input gradient there.
  add({ size, cIn: model.channels, cOut: wIn, k: 3, stride: 1, groups: 1 }, 'stem ', { noInputGradient: true });
  for (const stage of model.stages) {
    const wb = bottleneckWidth(stage);
    for (let j = 0; j < stage.depth; j++) {
      const stride = j === 0 ? stage.stride : 1;
      const out = convOutSize(size, 3, stride);
      add({ size, cIn: wIn, cOut: wb, k: 1, stride: 1, groups: 1 });
      add({ size, cIn: wb, cOut: wb, k: 3, stride, groups: wb / stage.groupWidth });
      if (stride !== 1 || wIn !== stage.width) add({ size, cIn: wIn, cOut: stage.width, k: 1, stride, groups: 1 }, 'proj ');
      add({ size: out, cIn: wb, cOut: stage.width, k: 1, stride: 1, groups: 1 });
      size = out;
      wIn = stage.width;
    }
  }
  return [...layers.values()];
}

/**
 * The distinct conv layers of the tiny AnyNet of bench/training.ts, with how often each runs, and
 * one depthwise layer (not in this net: count 0) to compare with tfjs's depthwise kernels.
 */
export const TINY_ANYNET_CONVS: readonly CountedLayer[] = [
  ...xBlockConvs(expandModel(TINY_ANYNET.spec)),
  { name: 'depthwise 3×3 64 @14', size: 14, cIn: 64, cOut: 64, k: 3, stride: 1, groups: 64, count: 0 },
];

/** Multiply-adds ×2 of one pass (forward, input gradient and filter gradient each do as many). */
export function convFlops(l: ConvLayer, batch: number): number {
  const o = convOutSize(l.size, l.k, l.stride);
  return 2 * batch * o * o * l.k * l.k * (l.cIn / l.groups) * l.cOut;
}

type Times = { forward: number; dx: number; dw: number };

/** The shortest of `runs` timed calls after two discarded ones: on a busy machine the least disturbed run. */
function minMs(f: () => void, runs = 9): number {
  let best = Infinity;
  for (let i = 0; i < runs + 2; i++) {
    const ms = elapsedMs(f).ms;
    if (i >= 2) best = Math.min(best, ms);
  }
  return best;
}

function layerTensors(l: ConvLayer, batch: number): { x: tf.Tensor4D; w: tf.Tensor4D; dy: tf.Tensor4D } {
  const o = convOutSize(l.size, l.k, l.stride);
  return {
    x: tf.randomUniform([batch, l.size, l.size, l.cIn], -1, 1, 'float32', 1) as tf.Tensor4D,
    w: tf.randomUniform([l.k, l.k, l.cIn / l.groups, l.cOut], -1, 1, 'float32', 2) as tf.Tensor4D,
    dy: tf.randomUniform([batch, o, o, l.cOut], -1, 1, 'float32', 3) as tf.Tensor4D,
  };
}

/** Our three kernels, each called on its own. */
function timeOurs(l: ConvLayer, batch: number): Times {
  const { x, w, dy } = layerTensors(l, batch);
  const attrs = { stride: l.stride, groups: l.groups };
  const run = (name: string, inputs: tf.NamedTensorMap, extra: object): number =>
    minMs(() => (tf.engine().runKernel(name, inputs, { ...attrs, ...extra } as unknown as tf.NamedAttrMap) as tf.Tensor).dispose());
  const times = {
    forward: run(CONV, { x, filter: w }, {}),
    dx: run(CONV_BACKPROP_INPUT, { dy, filter: w }, { inputShape: x.shape }),
    dw: run(CONV_BACKPROP_FILTER, { x, dy }, { filterShape: w.shape }),
  };
  tf.dispose([x, w, dy]);
  return times;
}

/**
 * tfjs's path (groupedConv2dTfjs and the kernels autodiff calls for it): forward, forward + dx
 * and forward + dw; each gradient's time is the difference.
 */
function timeTfjs(l: ConvLayer, batch: number): Times {
  const { x, w, dy } = layerTensors(l, batch);
  const gx = tf.grad((a: tf.Tensor) => groupedConv2dTfjs(a as tf.Tensor4D, w, l.stride, l.groups));
  const gw = tf.grad((b: tf.Tensor) => groupedConv2dTfjs(x, b as tf.Tensor4D, l.stride, l.groups));
  const forward = minMs(() => tf.tidy(() => groupedConv2dTfjs(x, w, l.stride, l.groups)).dispose());
  const withDx = minMs(() => gx(x, dy).dispose());
  const withDw = minMs(() => gw(w, dy).dispose());
  tf.dispose([x, w, dy]);
  return { forward, dx: Math.max(0, withDx - forward), dw: Math.max(0, withDw - forward) };
}

export const kernelsSuite: Suite = {
  name: 'kernels',
  summary: 'the tiny AnyNet’s convolutions on wasm (batch 64): our SIMD conv vs tfjs’s ops, ms and GFLOP/s per pass',
  async run(): Promise<Figure[]> {
    await initBackend('wasm');
    if (!convKernelsActive()) throw new Error('kernels: the SIMD kernels are off (DSLAB_WASM_KERNELS=off); nothing to compare');
    const batch = 64;
    const figures: Figure[] = [];
    const totals = { ours: 0, tfjs: 0 };
    for (const l of TINY_ANYNET_CONVS) {
      const flops = convFlops(l, batch);
      const ours = timeOurs(l, batch);
      const tfjs = timeTfjs(l, batch);
      for (const pass of ['forward', 'dx', 'dw'] as const) {
        const gflops = (ms: number): string => (ms > 0 ? `${(flops / ms / 1e6).toFixed(1)} GFLOP/s` : '–');
        figures.push({
          name: `${l.name} ${pass}`,
          value: ours[pass],
          unit: 'ms',
          note: `ours ${gflops(ours[pass])}; tfjs ${tfjs[pass].toFixed(2)} ms, ${gflops(tfjs[pass])}`,
        });
      }
      const dxCount = l.noInputGradient === true ? 0 : 1;
      totals.ours += l.count * (ours.forward + dxCount * ours.dx + ours.dw);
      totals.tfjs += l.count * (tfjs.forward + dxCount * tfjs.dx + tfjs.dw);
    }
    figures.push({
      name: 'all convs of one training step',
      value: totals.ours,
      unit: 'ms',
      note: `tfjs ops ${totals.tfjs.toFixed(1)} ms (${(totals.tfjs / totals.ours).toFixed(1)}×)`,
    });
    return figures;
  },
};
