import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';

import { complexity, outSize } from '../../src/core/complexity';
import type { ExpandedModel, ModelSpec } from '../../src/core/model';
import { expandModel } from '../../src/core/modelSpec';
import { sampleFile } from '../../src/core/sampling/sampler';
import { Rng } from '../../src/core/sampling/rng';
import { readSpaceFile } from '../../src/core/space';
import { initBackend, tf } from '../../src/train/backend';
import { buildBlock, buildStem, VariableStore, BN_EPS } from '../../src/train/blocks';
import { basicBlock, bottleneckBlock, describeStem, vanillaBlock } from '../../src/core/network';
import { activeSimdKernels } from '../../src/train/kernels/simd/active';
import { ourKernelActive } from '../../src/train/kernels/active';
import { BATCH_NORM_TRAIN } from '../../src/train/kernels/simd/batchNorm';
import { buildModel, type TrainableModel } from '../../src/train/model';
import { crossEntropy, smoothedTargets } from '../../src/train/trainer';

const EXAMPLE = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'spaces', 'good', 'design-example.yaml');

before(async () => {
  await initBackend('wasm');
  await initBackend('cpu');
});

/** Hand-picked models: every stem, every block, SE, head, inverted bottleneck, g = 1 and g = w, strides 1/2/3, swish. */
const HAND_PICKED: Record<string, ModelSpec> = {
  'cifar stem, X, g = 1 (depthwise), stride 1 and 2': {
    anynet: { depths: [1, 2], widths: [8, 16], strides: [1, 2], bottlenecks: [1, 1], groupWidths: [1, 1] },
    stem: { type: 'cifar', width: 8 },
    block: 'X',
    resolution: 12,
    classes: 5,
    channels: 1,
  },
  'imagenet stem, Y (SE 0.25), g = w (one group)': {
    anynet: { depths: [2, 1], widths: [16, 24], strides: [2, 2], bottlenecks: [1, 1], groupWidths: [16, 24] },
    stem: { type: 'imagenet', width: 8 },
    block: 'Y',
    resolution: 28,
    classes: 10,
    channels: 3,
  },
  'resnet stem (7×7 + max-pool), X with b = 2 and head': {
    anynet: { depths: [1, 1], widths: [16, 32], strides: [1, 2], bottlenecks: [2, 2], groupWidths: [4, 8] },
    stem: { type: 'resnet', width: 8 },
    block: 'X',
    headWidth: 20,
    resolution: 28,
    classes: 7,
    channels: 1,
  },
  'inverted bottleneck (b = 1/4) with SE 0.5, stride 3': {
    anynet: { depths: [1, 1], widths: [8, 16], strides: [3, 1], bottlenecks: [0.25, 0.25], groupWidths: [8, 16] },
    stem: { type: 'cifar', width: 8 },
    block: 'X',
    se: 0.5,
    resolution: 7,
    classes: 3,
    channels: 2,
  },
  'R blocks (basic residual), same width at stride 1 (identity shortcut)': {
    anynet: { depths: [2, 2], widths: [8, 16], strides: [1, 2], bottlenecks: [1, 1], groupWidths: [8, 16] },
    stem: { type: 'cifar', width: 8 },
    block: 'R',
    resolution: 12,
    classes: 4,
    channels: 1,
  },
  'V blocks (vanilla, no shortcut) with head': {
    anynet: { depths: [1, 2], widths: [12, 8], strides: [2, 2], bottlenecks: [1, 1], groupWidths: [12, 8] },
    stem: { type: 'imagenet', width: 8 },
    block: 'V',
    headWidth: 16,
    resolution: 12,
    classes: 4,
    channels: 3,
  },
  'Y with swish (SE inside too), g = 1 (depthwise)': {
    anynet: { depths: [1, 2], widths: [8, 16], strides: [1, 2], bottlenecks: [1, 1], groupWidths: [1, 1] },
    stem: { type: 'cifar', width: 8 },
    block: 'Y',
    activation: 'swish',
    resolution: 12,
    classes: 5,
    channels: 1,
  },
  'R blocks with swish, resnet stem and head': {
    anynet: { depths: [1, 2], widths: [8, 12], strides: [1, 2], bottlenecks: [1, 1], groupWidths: [8, 12] },
    stem: { type: 'resnet', width: 8 },
    block: 'R',
    activation: 'swish',
    headWidth: 12,
    resolution: 20,
    classes: 4,
    channels: 2,
  },
  'V blocks with swish': {
    anynet: { depths: [2], widths: [8], strides: [2], bottlenecks: [1], groupWidths: [8] },
    stem: { type: 'imagenet', width: 8 },
    block: 'V',
    activation: 'swish',
    resolution: 12,
    classes: 3,
    channels: 1,
  },
  'RegNetX, four stages': {
    regnet: { depth: 5, w0: 8, wa: 8, wm: 2, groupWidth: 4, bottleneck: 1 },
    stem: { type: 'cifar', width: 8 },
    resolution: 7,
    classes: 10,
    channels: 1,
  },
};

/** Builds, runs `f`, disposes: every model's variables are freed even when an assertion fails. */
function withModel<T>(spec: ExpandedModel, seed: number, f: (m: TrainableModel) => T): T {
  const m = buildModel(spec, seed);
  try {
    return f(m);
  } finally {
    m.dispose();
  }
}

/** A deterministic input batch. */
function input(n: number, h: number, c: number, seed = 7): tf.Tensor4D {
  const rng = new Rng(seed);
  const v = new Float32Array(n * h * h * c);
  for (let i = 0; i < v.length; i++) v[i] = 2 * rng.float() - 1;
  return tf.tensor4d(v, [n, h, h, c]);
}

describe('buildModel: parameters equal complexity(spec).params', () => {
  for (const [name, model] of Object.entries(HAND_PICKED)) {
    test(name, () => {
      const spec = expandModel(model);
      const expected = complexity(spec).params;
      withModel(spec, 0, (m) => {
        assert.equal(m.trainableParamCount(), expected);
        assert.equal(
          m.variables.reduce((n, v) => n + v.variable.size, 0),
          expected,
        );
        assert.ok(m.variables.every((v) => v.variable.trainable));
      });
    });
  }

  test('60 models sampled from the example space file (20 per space)', () => {
    const { resolved } = readSpaceFile(EXAMPLE);
    assert.ok(resolved);
    const samples = sampleFile(resolved, { samples: 20 });
    const models = samples.flatMap((s) => s.models);
    assert.equal(models.length, 60);
    for (const sampled of models) {
      const spec = expandModel(sampled.model);
      withModel(spec, sampled.index, (m) => {
        assert.equal(m.trainableParamCount(), sampled.params, `${sampled.space} #${sampled.index}`);
      });
    }
  });
});

describe('buildModel: forward', () => {
  for (const [name, model] of Object.entries(HAND_PICKED)) {
    test(`${name}: logits [N, classes] in both modes`, () => {
      const spec = expandModel(model);
      withModel(spec, 1, (m) => {
        const x = input(2, spec.resolution, spec.channels);
        const before = tf.memory().numTensors;
        for (const training of [true, false]) {
          const y = m.forward(x, training);
          assert.deepEqual(y.shape, [2, spec.classes]);
          assert.ok(Array.from(y.dataSync()).every(Number.isFinite));
          y.dispose();
        }
        assert.equal(tf.memory().numTensors, before, 'forward leaves no tensor behind');
        x.dispose();
      });
    });
  }

  test('every sampled model of the example file runs at 28×28 to [2, 10]', () => {
    const { resolved } = readSpaceFile(EXAMPLE);
    assert.ok(resolved);
    // One model per space keeps the pure-JS backend quick; parameter counts cover 60 above.
    const x = input(2, 28, 1);
    for (const s of sampleFile(resolved)) {
      const spec = expandModel(s.models[0].model);
      withModel(spec, 0, (m) => {
        const y = m.forward(x, false);
        assert.deepEqual(y.shape, [2, 10]);
        y.dispose();
      });
    }
    x.dispose();
  });
});

describe('spatial sizes: ⌊(h − 1)/s⌋ + 1 at every strided layer', () => {
  /** Output [h, w, c] of one layer built on a fresh store. */
  function shapeAfter(build: (store: VariableStore) => (x: tf.Tensor4D, training: boolean) => tf.Tensor4D, h: number, c: number): number[] {
    const store = new VariableStore(new Rng(3));
    const layer = build(store);
    const x = input(1, h, c);
    const y = layer(x, true);
    const shape = y.shape.slice(1);
    tf.dispose([x, y, ...store.trainable.map((v) => v.variable), ...store.state]);
    return shape;
  }

  const AT = { stage: 0, index: 0 };
  for (const h of [28, 12, 7]) {
    test(`stems at ${h}`, () => {
      assert.deepEqual(shapeAfter((s) => buildStem(s, describeStem('cifar', 1, 8, 'relu')), h, 1), [h, h, 8]);
      const s2 = outSize(h, 2);
      assert.deepEqual(shapeAfter((s) => buildStem(s, describeStem('imagenet', 3, 8, 'relu')), h, 3), [s2, s2, 8]);
      const pooled = outSize(outSize(h, 2), 2);
      assert.deepEqual(shapeAfter((s) => buildStem(s, describeStem('resnet', 3, 8, 'relu')), h, 3), [pooled, pooled, 8]);
    });

    test(`blocks at ${h}, strides 1, 2, 3`, () => {
      const stage = { width: 16, depth: 1, groupWidth: 4, bottleneck: 1, stride: 2 };
      for (const stride of [1, 2, 3]) {
        const o = outSize(h, stride);
        assert.deepEqual(shapeAfter((s) => buildBlock(s, bottleneckBlock(AT, 8, stage, stride, 0.25, 'relu')), h, 8), [o, o, 16]);
        assert.deepEqual(shapeAfter((s) => buildBlock(s, basicBlock(AT, 8, 16, stride, 'relu')), h, 8), [o, o, 16]);
        assert.deepEqual(shapeAfter((s) => buildBlock(s, vanillaBlock(AT, 8, 16, stride, 'relu')), h, 8), [o, o, 16]);
      }
    });
  }
});

describe('buildModel: variables', () => {
  const spec = expandModel(HAND_PICKED['resnet stem (7×7 + max-pool), X with b = 2 and head']);

  test('pycls names; the shortcut rule: projection iff w_in ≠ w or s ≠ 1', () => {
    const x = expandModel({
      anynet: { depths: [2, 1, 1], widths: [8, 16, 16], strides: [1, 1, 2], bottlenecks: [1, 1, 1], groupWidths: [4, 4, 4] },
      stem: { type: 'cifar', width: 8 },
      resolution: 8,
      classes: 2,
      channels: 1,
    });
    withModel(x, 0, (m) => {
      const names = m.variables.map((v) => v.name);
      const proj = names.filter((n) => n.endsWith('.proj.weight'));
      // s1.b1: 8→8 s1 (identity), s1.b2 identity, s2.b1: 8→16 (projection), s3.b1: stride 2 (projection).
      assert.deepEqual(proj, ['s2.b1.proj.weight', 's3.b1.proj.weight']);
      assert.deepEqual(names.slice(0, 3), ['stem.conv.weight', 'stem.conv_bn.gamma', 'stem.conv_bn.beta']);
      assert.deepEqual(names.slice(-2), ['head.fc.weight', 'head.fc.bias']);
      assert.equal(new Set(names).size, names.length, 'names are unique');
    });
    const v = expandModel({ anynet: { depths: [1], widths: [16], strides: [2], bottlenecks: [1], groupWidths: [16] }, stem: { type: 'cifar', width: 8 }, block: 'V', resolution: 8, classes: 2, channels: 1 });
    withModel(v, 0, (m) => assert.ok(m.variables.every((x) => !x.name.includes('proj')), 'V blocks never get a shortcut'));
  });

  test('filter shapes: [k, k, c_in/G, c_out] (grouped 3×3, 7×7 stem)', () => {
    withModel(spec, 0, (m) => {
      const shape = (name: string) => m.variables.find((v) => v.name === name)?.variable.shape;
      assert.deepEqual(shape('stem.conv.weight'), [7, 7, 1, 8]);
      // s1: w 16, b 2 → w_b 8, g 4 → 2 groups of 4 channels.
      assert.deepEqual(shape('s1.b1.f.b.weight'), [3, 3, 4, 8]);
      assert.deepEqual(shape('s2.b1.f.b.weight'), [3, 3, 8, 16]);
      assert.deepEqual(shape('head.conv.weight'), [1, 1, 32, 20]);
      assert.deepEqual(shape('head.fc.weight'), [20, 7]);
    });
  });

  test('decay is false exactly for BN γ/β and biases', () => {
    const y = expandModel(HAND_PICKED['imagenet stem, Y (SE 0.25), g = w (one group)']);
    withModel(y, 0, (m) => {
      for (const v of m.variables) {
        const noDecay = /\.(gamma|beta|bias)$/.test(v.name);
        assert.equal(v.decay, !noDecay, v.name);
      }
      assert.ok(m.variables.some((v) => v.name.endsWith('.f.se.f_ex.0.bias')));
    });
  });

  test('pycls init: conv N(0, √(2/fan_out)), BN γ 1 β 0, linear N(0, 0.01) bias 0, SE bias U(±1/√fan_in)', () => {
    const big = expandModel({
      anynet: { depths: [1], widths: [64], strides: [1], bottlenecks: [1], groupWidths: [8] },
      stem: { type: 'cifar', width: 32 },
      block: 'Y',
      resolution: 8,
      classes: 100,
      channels: 3,
    });
    withModel(big, 5, (m) => {
      const values = (name: string) => {
        const v = m.variables.find((x) => x.name === name);
        assert.ok(v, name);
        return Array.from(v.variable.dataSync());
      };
      const std = (a: number[]) => Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);
      const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
      // grouped 3×3, 64 → 64, 8 groups: fan_out = 9·64 regardless of groups; 4608 draws.
      const b = values('s1.b1.f.b.weight');
      assert.equal(b.length, 9 * 8 * 64);
      assert.ok(Math.abs(std(b) / Math.sqrt(2 / (9 * 64)) - 1) < 0.05, `std ${std(b)}`);
      assert.ok(Math.abs(mean(b)) < 0.005);
      const a = values('s1.b1.f.a.weight'); // 1×1, 32 → 64
      assert.ok(Math.abs(std(a) / Math.sqrt(2 / 64) - 1) < 0.05);
      const fc = values('head.fc.weight');
      assert.ok(Math.abs(std(fc) / 0.01 - 1) < 0.05, `fc std ${std(fc)}`);
      assert.ok(values('head.fc.bias').every((x) => x === 0));
      assert.ok(values('s1.b1.f.a_bn.gamma').every((x) => x === 1));
      assert.ok(values('s1.b1.f.a_bn.beta').every((x) => x === 0));
      // SE: w_se = round(0.25 · 32) = 8; first bias bound 1/√64, second 1/√8.
      const b0 = values('s1.b1.f.se.f_ex.0.bias');
      const b2 = values('s1.b1.f.se.f_ex.2.bias');
      assert.equal(b0.length, 8);
      assert.equal(b2.length, 64);
      assert.ok(b0.every((x) => Math.abs(x) <= 1 / 8) && b0.some((x) => Math.abs(x) > 1 / 32));
      assert.ok(b2.every((x) => Math.abs(x) <= 1 / Math.sqrt(8)) && b2.some((x) => Math.abs(x) > 1 / 8));
      assert.ok(Math.abs(std(values('s1.b1.f.se.f_ex.0.weight')) / Math.sqrt(2 / 8) - 1) < 0.1);
    });
  });

  test('same seed → identical weights; another seed → different weights', () => {
    const weights = (seed: number) => withModel(spec, seed, (m) => m.variables.map((v) => Array.from(v.variable.dataSync())));
    assert.deepEqual(weights(42), weights(42));
    assert.notDeepEqual(weights(42)[0], weights(43)[0]);
  });

  test('dispose frees every tensor the model made', () => {
    const before = tf.memory().numTensors;
    const m = buildModel(spec, 0);
    const x = input(2, 28, 1);
    m.forward(x, true).dispose();
    x.dispose();
    m.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});

describe('batch norm state', () => {
  const spec = expandModel({
    anynet: { depths: [1], widths: [8], strides: [1], bottlenecks: [1], groupWidths: [8] },
    stem: { type: 'cifar', width: 4 },
    resolution: 6,
    classes: 3,
    channels: 2,
  });

  test('training mode moves the running statistics, inference mode uses them and changes nothing', () => {
    withModel(spec, 0, (m) => {
      const x = input(4, 6, 2);
      const infer = () => {
        const y = m.forward(x, false);
        const v = Array.from(y.dataSync());
        y.dispose();
        return v;
      };
      const first = infer();
      assert.deepEqual(infer(), first, 'inference is repeatable');
      m.forward(x, true).dispose();
      const second = infer();
      assert.notDeepEqual(second, first, 'a training pass updated the running statistics');
      assert.deepEqual(infer(), second);
      x.dispose();
    });
  });

  test('after many training passes on one batch, inference ≈ training output (running stats converge, momentum 0.1)', () => {
    withModel(spec, 0, (m) => {
      const x = input(8, 6, 2, 11);
      // Batch statistics use the biased variance, running ones the unbiased: with N·H·W = 288
      // values per channel the two differ by 288/287, a small but visible gap.
      for (let i = 0; i < 60; i++) m.forward(x, true).dispose();
      const yt = m.forward(x, true);
      const yi = m.forward(x, false);
      const diff = tf.max(tf.abs(tf.sub(yt, yi))).dataSync()[0];
      const scale = tf.max(tf.abs(yt)).dataSync()[0];
      assert.ok(diff < 0.02 * scale + 1e-4, `diff ${diff}, scale ${scale}`);
      tf.dispose([x, yt, yi]);
    });
  });

  test('precise BN: running statistics become the average of the batch statistics, at once', () => {
    withModel(spec, 0, (m) => {
      const a = input(8, 6, 2, 21);
      const b = input(8, 6, 2, 22);
      const gap = (x: tf.Tensor4D) =>
        tf.tidy(() => {
          const yt = m.forward(x, true);
          return tf.max(tf.abs(tf.sub(yt, m.forward(x, false)))).dataSync()[0] / tf.max(tf.abs(yt)).dataSync()[0];
        });
      // One momentum-0.1 update leaves the running statistics far from this batch's.
      m.forward(a, true).dispose();
      assert.ok(gap(a) > 0.1, `gap after one update ${gap(a)}`);
      // Recomputed on this batch alone, inference matches training mode up to the 288/287 variance factor.
      m.recomputeBnStatistics([a]);
      assert.ok(gap(a) < 0.02, `gap after precise BN ${gap(a)}`);
      // Over two batches they hold the mean of both: inference equals that of a model recomputed on [b, a].
      const before = tf.memory().numTensors;
      m.recomputeBnStatistics([a, b]);
      assert.equal(tf.memory().numTensors, before, 'no tensor is left behind');
      const y1 = Array.from(tf.tidy(() => m.forward(a, false)).dataSync());
      m.recomputeBnStatistics([b, a]);
      const y2 = Array.from(tf.tidy(() => m.forward(a, false)).dataSync());
      y1.forEach((v, i) => assert.ok(Math.abs(v - y2[i]) < 1e-5, `${v} vs ${y2[i]}`));
      m.recomputeBnStatistics([]);
      assert.deepEqual(Array.from(tf.tidy(() => m.forward(a, false)).dataSync()), y2, 'no batches: unchanged');
      tf.dispose([a, b]);
    });
  });

  test('BN ε is pycls’s 1e-5', () => {
    assert.equal(BN_EPS, 1e-5);
  });
});

// ------------------------------------------------------------------ an independent reference

/** NHWC activations in float64. */
interface Act {
  n: number;
  h: number;
  c: number;
  d: Float64Array;
}

/**
 * The network of `spec` in inference mode written out with plain loops from pycls's definition
 * (fresh running statistics: mean 0, variance 1), reading the weights by name. Shares no code
 * with the model: it checks layer order, grouping, SE, shortcuts and head of the real thing.
 */
function reference(spec: ExpandedModel, w: Map<string, { shape: number[]; d: Float32Array }>, x: Act): number[][] {
  const get = (name: string) => {
    const v = w.get(name);
    assert.ok(v, `no variable ${name}`);
    return v;
  };
  const conv = (a: Act, name: string, stride: number, groups: number): Act => {
    const { shape, d: f } = get(`${name}.weight`);
    const [k, , cig, co] = shape;
    const p = (k - 1) / 2;
    const h = Math.floor((a.h - 1) / stride) + 1;
    const out = new Float64Array(a.n * h * h * co);
    const cog = co / groups;
    for (let b = 0; b < a.n; b++)
      for (let y = 0; y < h; y++)
        for (let xx = 0; xx < h; xx++)
          for (let o = 0; o < co; o++) {
            const g = Math.floor(o / cog);
            let sum = 0;
            for (let ky = 0; ky < k; ky++)
              for (let kx = 0; kx < k; kx++) {
                const iy = y * stride + ky - p;
                const ix = xx * stride + kx - p;
                if (iy < 0 || ix < 0 || iy >= a.h || ix >= a.h) continue;
                for (let j = 0; j < cig; j++) {
                  sum += a.d[((b * a.h + iy) * a.h + ix) * a.c + g * cig + j] * f[((ky * k + kx) * cig + j) * co + o];
                }
              }
            out[((b * h + y) * h + xx) * co + o] = sum;
          }
    return { n: a.n, h, c: co, d: out };
  };
  const map = (a: Act, f: (v: number, ch: number) => number): Act => ({ ...a, d: a.d.map((v, i) => f(v, i % a.c)) });
  const bn = (a: Act, name: string) => {
    const g = get(`${name}.gamma`).d;
    const b = get(`${name}.beta`).d;
    return map(a, (v, ch) => (g[ch] * v) / Math.sqrt(1 + BN_EPS) + b[ch]);
  };
  const nonlinearity = spec.activation === 'swish' ? (v: number) => v / (1 + Math.exp(-v)) : (v: number) => Math.max(0, v);
  const activation = (a: Act) => map(a, nonlinearity);
  const convBn = (a: Act, name: string, stride: number, groups: number, act: boolean) => {
    const y = bn(conv(a, name, stride, groups), `${name}_bn`);
    return act ? activation(y) : y;
  };
  const add = (a: Act, b: Act): Act => ({ ...a, d: a.d.map((v, i) => v + b.d[i]) });
  const pool = (a: Act): number[][] =>
    Array.from({ length: a.n }, (_, b) =>
      Array.from({ length: a.c }, (_, ch) => {
        let s = 0;
        for (let i = 0; i < a.h * a.h; i++) s += a.d[(b * a.h * a.h + i) * a.c + ch];
        return s / (a.h * a.h);
      }),
    );
  const dense = (v: number[], name: string): number[] => {
    const { shape, d } = get(`${name}.weight`);
    const b = get(`${name}.bias`).d;
    return Array.from({ length: shape[1] }, (_, o) => v.reduce((s, vi, i) => s + vi * d[i * shape[1] + o], b[o]));
  };
  const maxPool = (a: Act): Act => {
    const h = Math.floor((a.h - 1) / 2) + 1;
    const out = new Float64Array(a.n * h * h * a.c).fill(-Infinity);
    for (let b = 0; b < a.n; b++)
      for (let y = 0; y < h; y++)
        for (let xx = 0; xx < h; xx++)
          for (let ky = -1; ky <= 1; ky++)
            for (let kx = -1; kx <= 1; kx++) {
              const iy = 2 * y + ky;
              const ix = 2 * xx + kx;
              if (iy < 0 || ix < 0 || iy >= a.h || ix >= a.h) continue;
              for (let ch = 0; ch < a.c; ch++) {
                const o = ((b * h + y) * h + xx) * a.c + ch;
                out[o] = Math.max(out[o], a.d[((b * a.h + iy) * a.h + ix) * a.c + ch]);
              }
            }
    return { n: a.n, h, c: a.c, d: out };
  };

  let a = convBn(x, 'stem.conv', spec.stem.type === 'cifar' ? 1 : 2, 1, true);
  if (spec.stem.type === 'resnet') a = maxPool(a);
  let wIn = spec.stem.width;
  spec.stages.forEach((stage, i) => {
    for (let j = 0; j < stage.depth; j++) {
      const name = `s${i + 1}.b${j + 1}`;
      const stride = j === 0 ? stage.stride : 1;
      const win = j === 0 ? wIn : stage.width;
      const proj = win !== stage.width || stride !== 1;
      if (spec.block === 'V') {
        a = convBn(convBn(a, `${name}.a`, stride, 1, true), `${name}.b`, 1, 1, true);
        continue;
      }
      let f: Act;
      if (spec.block === 'R') {
        f = convBn(convBn(a, `${name}.f.a`, stride, 1, true), `${name}.f.b`, 1, 1, false);
      } else {
        const wB = Math.round(stage.width / stage.bottleneck);
        f = convBn(a, `${name}.f.a`, 1, 1, true);
        f = convBn(f, `${name}.f.b`, stride, wB / stage.groupWidth, true);
        if (spec.se > 0) {
          const s = pool(f).map((v) => dense(dense(v, `${name}.f.se.f_ex.0`).map(nonlinearity), `${name}.f.se.f_ex.2`));
          const gate = s.map((v) => v.map((z) => 1 / (1 + Math.exp(-z))));
          const hw = f.h * f.h;
          f = { ...f, d: f.d.map((v, idx) => v * gate[Math.floor(idx / (hw * f.c))][idx % f.c]) };
        }
        f = convBn(f, `${name}.f.c`, 1, 1, false);
      }
      a = activation(add(proj ? convBn(a, `${name}.proj`, stride, 1, false) : a, f));
    }
    wIn = stage.width;
  });
  if (spec.headWidth > 0) a = convBn(a, 'head.conv', 1, 1, true);
  return pool(a).map((v) => dense(v, 'head.fc'));
}

describe('forward equals an independent loop implementation of pycls’s network', () => {
  for (const name of [
    'cifar stem, X, g = 1 (depthwise), stride 1 and 2',
    'imagenet stem, Y (SE 0.25), g = w (one group)',
    'resnet stem (7×7 + max-pool), X with b = 2 and head',
    'inverted bottleneck (b = 1/4) with SE 0.5, stride 3',
    'R blocks (basic residual), same width at stride 1 (identity shortcut)',
    'V blocks (vanilla, no shortcut) with head',
    'Y with swish (SE inside too), g = 1 (depthwise)',
    'R blocks with swish, resnet stem and head',
    'V blocks with swish',
  ]) {
    test(name, () => {
      const spec = expandModel(HAND_PICKED[name]);
      withModel(spec, 9, (m) => {
        // Random γ/β so every BN matters, and a larger linear layer so the logits are not tiny.
        const rng = new Rng(5);
        for (const v of m.variables) {
          if (/\.(gamma|beta)$/.test(v.name) || v.name === 'head.fc.weight') {
            const values = Float32Array.from({ length: v.variable.size }, () => 0.5 + rng.float());
            tf.tidy(() => v.variable.assign(tf.tensor(values, v.variable.shape)));
          }
        }
        const weights = new Map(m.variables.map((v) => [v.name, { shape: v.variable.shape, d: v.variable.dataSync() as Float32Array }]));
        const x = input(2, spec.resolution, spec.channels, 13);
        const expected = reference(spec, weights, { n: 2, h: spec.resolution, c: spec.channels, d: Float64Array.from(x.dataSync()) });
        const y = m.forward(x, false);
        const actual = y.arraySync() as number[][];
        tf.dispose([x, y]);
        const scale = Math.max(...expected.flat().map(Math.abs));
        assert.ok(scale > 1e-3, `logits of a useful size (${scale})`);
        for (let b = 0; b < 2; b++)
          for (let k = 0; k < spec.classes; k++) {
            assert.ok(Math.abs(actual[b][k] - expected[b][k]) <= 1e-4 * scale, `[${b}][${k}]: ${actual[b][k]} vs ${expected[b][k]}`);
          }
      });
    });
  }
});

describe('gradients of the whole network', () => {
  // On wasm the fused kernels (BN + activation, residual add + activation) carry the gradient.
  for (const backend of ['cpu', 'wasm'])
  for (const activation of ['relu', 'swish'] as const)
  test(`match central differences of the loss for one coordinate of every variable (${backend}, float32, ${activation})`, () => {
    tf.setBackend(backend);
    if (backend === 'wasm') assert.ok(ourKernelActive(BATCH_NORM_TRAIN, 'dslab_batchnorm_train') && activeSimdKernels('dslab_add_swish') !== undefined, 'the fused kernels are in use');
    // Every part at once: 7×7 stem + max-pool, grouped X blocks with SE, projection and identity
    // shortcuts, head conv, BN in training mode.
    const spec = expandModel({
      anynet: { depths: [2, 1], widths: [8, 16], strides: [1, 2], bottlenecks: [1, 2], groupWidths: [4, 4] },
      stem: { type: 'resnet', width: 8 },
      block: 'Y',
      activation,
      headWidth: 12,
      resolution: 11,
      classes: 3,
      channels: 2,
    });
    withModel(spec, 21, (m) => {
      const x = input(4, 11, 2, 17);
      const targets = tf.tensor2d(smoothedTargets([0, 1, 2, 1], 4, 3, 0), [4, 3]);
      const loss = () => tf.tidy(() => crossEntropy(m.forward(x, true), targets).dataSync()[0]);
      const { grads } = tf.variableGrads(() => crossEntropy(m.forward(x, true), targets), m.variables.map((v) => v.variable));
      let checked = 0;
      for (const { name, variable } of m.variables) {
        const g = grads[variable.name].dataSync();
        // The coordinate with the largest gradient: its difference quotient stands far above float32 noise.
        let i = 0;
        for (let j = 1; j < g.length; j++) if (Math.abs(g[j]) > Math.abs(g[i])) i = j;
        const values = variable.dataSync().slice() as Float32Array;
        const h = 3e-3;
        const at = (delta: number) => {
          const v = values.slice();
          v[i] += delta;
          tf.tidy(() => variable.assign(tf.tensor(v, variable.shape)));
          return loss();
        };
        const numeric = (at(h) - at(-h)) / (2 * h);
        tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
        assert.ok(Math.abs(numeric - g[i]) <= 0.05 * Math.abs(g[i]) + 2e-4, `${name}[${i}]: autodiff ${g[i]}, central difference ${numeric}`);
        checked++;
      }
      assert.equal(checked, m.variables.length);
      tf.dispose([x, targets, grads]);
    });
    tf.setBackend('cpu');
  });
});
