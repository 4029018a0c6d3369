import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

import { readSpaceFile } from '../../src/core/space';
import { sampleFile } from '../../src/core/sampling/sampler';
import { withDrawnTraining } from '../../src/core/space/drawnSettings';
import { complexity } from '../../src/core/complexity';
import { expandModel, normalizeModelSpec } from '../../src/core/modelSpec';
import { canonicalJson } from '../../src/core/results/fingerprint';
import { bottleneckOf, botMulOf, modelFromPyclsCfg, PyclsCfgError, pyclsConfig, trainingFromPyclsCfg, type PyclsCfg, type PyclsRecipe } from '../../src/core/interop/pyclsConfig';
import type { ResolvedTraining } from '../../src/core/space/types';
import { pythonFloatText, pyclsYaml } from '../../src/core/interop/pyclsYaml';
import { pyclsSweepConfig, sweepObstacles } from '../../src/core/interop/pyclsSweepConfig';
import { DEFAULTS } from '../../src/core/space/defaults';

const ROOT = path.join(__dirname, '..', '..', '..');

/** RegNetX-200MF as configs/dds_baselines/regnetx/RegNetX-200MF_dds_8gpu.yaml writes it (the keys that matter). */
const X200MF: PyclsCfg = {
  MODEL: { TYPE: 'regnet', NUM_CLASSES: 1000 },
  REGNET: { SE_ON: false, DEPTH: 13, W0: 24, WA: 36.44, WM: 2.49, GROUP_W: 8 },
  OPTIM: { LR_POLICY: 'cos', BASE_LR: 0.8, MAX_EPOCH: 100, MOMENTUM: 0.9, WEIGHT_DECAY: 5e-5, WARMUP_EPOCHS: 5 },
  TRAIN: { DATASET: 'imagenet', IM_SIZE: 224, BATCH_SIZE: 1024 },
  TEST: { DATASET: 'imagenet', IM_SIZE: 256, BATCH_SIZE: 800 },
};

function modelOf(cfg: PyclsCfg) {
  const r = modelFromPyclsCfg(cfg);
  if (!('model' in r)) throw new Error(r.unsupported);
  return r.model;
}

function cx(spec: Parameters<typeof expandModel>[0]): [number, number, number] {
  const c = complexity(expandModel(spec));
  return [c.flops, c.params, c.acts];
}

describe('pycls config → model', () => {
  test('RegNetX-200MF: pycls defaults fill the rest, and the complexity is pycls\'s (reference §3.2)', () => {
    const m = modelOf(X200MF);
    assert.deepEqual(m.regnet, { depth: 13, w0: 24, wa: 36.44, wm: 2.49, groupWidth: 8, bottleneck: 1, strides: [2, 2, 2, 2] });
    assert.deepEqual(m.stem, { type: 'imagenet', width: 32 });
    assert.equal(m.block, 'X');
    assert.equal(m.channels, 3);
    assert.deepEqual(cx(m), [199040872, 2684792, 2164056]);
  });

  test('RegNetY-400MF: SE_ON with SE_R gives block Y, and pycls\'s complexity', () => {
    const m = modelOf({ ...X200MF, REGNET: { SE_ON: true, SE_R: 0.25, DEPTH: 16, W0: 48, WA: 27.89, WM: 2.09, GROUP_W: 8 } });
    assert.equal(m.block, 'Y');
    assert.equal(m.se, 0.25);
    assert.deepEqual(cx(m), [401849056, 4344144, 3892496]);
  });

  test('the CIFAR ResNet-56 anynet of pycls\'s model zoo: basic blocks, cifar stem, 10 classes (reference §3.3)', () => {
    const m = modelOf({
      MODEL: { TYPE: 'anynet', NUM_CLASSES: 10 },
      ANYNET: { STEM_TYPE: 'res_stem_cifar', STEM_W: 16, BLOCK_TYPE: 'res_basic_block', DEPTHS: [9, 9, 9], WIDTHS: [16, 32, 64], STRIDES: [1, 2, 2] },
      TRAIN: { DATASET: 'cifar10', IM_SIZE: 32 },
    });
    assert.equal(m.block, 'R');
    assert.deepEqual(cx(m), [125747850, 855770, 544778]);
  });

  test('an anynet written by pycls\'s sweep (the scaler turned a RegNet into one) reads back as that RegNet', () => {
    // sweep_setup keeps REGNET.* and writes the generated, adjusted stages as ANYNET.*.
    const regnet = { DEPTH: 13, W0: 24, WA: 36.44, WM: 2.49, GROUP_W: 8, BOT_MUL: 1.0, STRIDE: 2, STEM_TYPE: 'simple_stem_in', STEM_W: 32, BLOCK_TYPE: 'res_bottleneck_block', SE_ON: false, SE_R: 0.25, HEAD_W: 0 };
    const anynet = { STEM_TYPE: 'simple_stem_in', STEM_W: 32, BLOCK_TYPE: 'res_bottleneck_block', DEPTHS: [1, 1, 4, 7], WIDTHS: [24, 56, 152, 368], STRIDES: [2, 2, 2, 2], BOT_MULS: [1.0, 1.0, 1.0, 1.0], GROUP_WS: [8, 8, 8, 8], HEAD_W: 0, SE_ON: false, SE_R: 0.25 };
    const m = modelOf({ ...X200MF, MODEL: { TYPE: 'anynet', NUM_CLASSES: 1000 }, ANYNET: anynet, REGNET: regnet });
    assert.deepEqual(m.regnet, { depth: 13, w0: 24, wa: 36.44, wm: 2.49, groupWidth: 8, bottleneck: 1, strides: [2, 2, 2, 2] });
    // The same anynet with REGNET.* that generate other stages stays an anynet.
    const other = modelOf({ ...X200MF, MODEL: { TYPE: 'anynet', NUM_CLASSES: 1000 }, ANYNET: anynet, REGNET: { ...regnet, WA: 30.0 } });
    assert.equal(other.regnet, undefined);
    assert.deepEqual(other.anynet?.widths, [24, 56, 152, 368]);
    assert.deepEqual(cx(other), [199040872, 2684792, 2164056]);
  });

  test('swish is pycls\'s silu (and its alias swish)', () => {
    for (const name of ['silu', 'swish']) assert.equal(modelOf({ ...X200MF, MODEL: { TYPE: 'regnet', NUM_CLASSES: 1000, ACTIVATION_FUN: name } }).activation, 'swish');
    assert.equal(modelOf(X200MF).activation, undefined);
  });

  test('input channels follow the dataset: 1 for ours that have 1, 3 for the rest', () => {
    assert.equal(modelOf({ ...X200MF, TRAIN: { DATASET: 'fashion-mnist', IM_SIZE: 28 } }).channels, 1);
    assert.equal(modelOf({ ...X200MF, TRAIN: { DATASET: 'imagenet', IM_SIZE: 224 } }).channels, 3);
  });

  test('other model types, stems, blocks and activations are unsupported, with the type and why', () => {
    assert.deepEqual(modelFromPyclsCfg({ MODEL: { TYPE: 'resnet' } }), { unsupported: 'MODEL.TYPE "resnet" is not an AnyNet or a RegNet', type: 'resnet' });
    assert.deepEqual(modelFromPyclsCfg({}), { unsupported: 'the config sets no MODEL.TYPE', type: '' });
    const block = modelFromPyclsCfg({ ...X200MF, REGNET: { BLOCK_TYPE: 'res_bottleneck_linear_block' } });
    assert.ok('unsupported' in block && /REGNET.BLOCK_TYPE res_bottleneck_linear_block/.test(block.unsupported));
    const act = modelFromPyclsCfg({ ...X200MF, MODEL: { TYPE: 'regnet', ACTIVATION_FUN: 'gelu' } });
    assert.ok('unsupported' in act && /gelu/.test(act.unsupported));
  });

  test('a malformed value is an error naming its key', () => {
    assert.throws(() => modelFromPyclsCfg({ ...X200MF, REGNET: { WA: 'wide' } }), (e: unknown) => e instanceof PyclsCfgError && e.path === 'REGNET.WA' && /must be a number/.test(e.message));
    assert.throws(() => modelFromPyclsCfg({ ...X200MF, REGNET: 3 }), (e: unknown) => e instanceof PyclsCfgError && e.path === 'REGNET');
    assert.throws(() => modelFromPyclsCfg({ ...X200MF, REGNET: { WM: 0.5 } }), /REGNET: regnet.wm must be > 1/);
  });

  test('the recipe: OPTIM, TRAIN and BN in our terms', () => {
    const t = trainingFromPyclsCfg(X200MF);
    assert.deepEqual(
      { lr: t.lr, weightDecay: t.weightDecay, epochs: t.epochs, batchSize: t.batchSize, policy: t.policy, warmupEpochs: t.warmupEpochs, preciseBn: t.preciseBn, seed: t.seed },
      { lr: 0.8, weightDecay: 5e-5, epochs: 100, batchSize: 1024, policy: 'cos', warmupEpochs: 5, preciseBn: 8192, seed: 1 },
    );
  });

  test('b and BOT_MUL are reciprocals, exactly for b = 1/k and powers of two', () => {
    for (const b of [1, 2, 4, 0.5, 0.25, 1 / 3]) assert.equal(bottleneckOf(botMulOf(b)), b);
    assert.equal(botMulOf(4), 0.25);
    assert.equal(bottleneckOf(3), 1 / 3);
  });
});

describe('pycls YAML', () => {
  test('floats as PyYAML reads floats', () => {
    assert.deepEqual([36, 0.1, 1e-10, 2.5e-11, 1e21, 5e-4].map(pythonFloatText), ['36.0', '0.1', '1.0e-10', '2.5e-11', '1.0e+21', '0.0005']);
  });

  test('keys pycls types as floats are written as floats, lists on one line', () => {
    const text = pyclsYaml({ REGNET: { WA: 36, DEPTH: 13, BOT_MUL: 1 }, ANYNET: { BOT_MULS: [1, 0.5], DEPTHS: [1, 2] }, OPTIM: { WEIGHT_DECAY: 1e-10 } });
    assert.equal(text, 'REGNET:\n  WA: 36.0\n  DEPTH: 13\n  BOT_MUL: 1.0\nANYNET:\n  BOT_MULS: [ 1.0, 0.5 ]\n  DEPTHS: [ 1, 2 ]\nOPTIM:\n  WEIGHT_DECAY: 1.0e-10\n');
  });
});

/** The space files whose sampled models must survive the trip: the examples and the good fixtures. */
const SPACE_FILES = [
  ...['examples', 'examples/findings', 'examples/pycls', 'test/fixtures/spaces/good', 'test/fixtures/interop'].flatMap((dir) =>
    fs
      .readdirSync(path.join(ROOT, dir))
      .filter((f) => f.endsWith('.yaml') && f !== 'paper-table1.yaml')
      .map((f) => `${dir}/${f}`),
  ),
];

describe('round trip: every sampled model of the example spaces, exported and read back', () => {
  for (const file of SPACE_FILES) {
    test(file, () => {
      const { resolved } = readSpaceFile(path.join(ROOT, file));
      assert.ok(resolved, `${file} resolves`);
      let n = 0;
      for (const sample of sampleFile(resolved, { samples: 8 })) {
        for (const m of sample.models) {
          const recipe: PyclsRecipe = { dataset: resolved.dataset.name, training: withDrawnTraining(resolved.training, m.training) };
          const text = pyclsYaml(pyclsConfig(m.model, recipe, `${sample.space} #${m.index}`));
          const cfg = parse(text) as PyclsCfg;
          const back = modelOf(cfg);
          const original = normalizeModelSpec(m.model);
          const where = `${sample.space} #${m.index}`;
          if (original.block === 'X' && original.se > 0) {
            // pycls has one bottleneck block with SE: it reads back as Y with the same ratio.
            assert.equal(canonicalJson(back), canonicalJson({ ...original, block: 'Y' }), where);
          } else {
            assert.equal(canonicalJson(back), canonicalJson(original), where);
          }
          assert.deepEqual(cx(back), [m.flops, m.params, m.acts], where);
          const t = trainingFromPyclsCfg(cfg);
          const r: ResolvedTraining = recipe.training;
          assert.deepEqual(
            [t.lr, t.weightDecay, t.epochs, t.batchSize, t.labelSmoothing, t.momentum, t.nesterov, t.seed],
            [r.optimizer.lr, r.optimizer.weightDecay, r.epochs, r.batchSize, r.labelSmoothing, r.optimizer.momentum, r.optimizer.nesterov, r.seed],
            where,
          );
          n++;
        }
      }
      assert.ok(n > 0);
    });
  }
});

describe('pycls sweep configs', () => {
  const { resolved } = readSpaceFile(path.join(ROOT, 'test/fixtures/interop/regnet-sweep.yaml'));
  const samples = sampleFile(resolved!);
  const configOf = (name: string) => {
    const space = resolved!.spaces.find((s) => s.name === name)!;
    return pyclsSweepConfig(resolved!, space, samples.find((s) => s.space === name)!.models, '/sweeps', 'regnet-sweep.yaml');
  };

  test('a space in regnet_sampler terms gets pycls\'s regnet_sampler, the flops constraint and its stage count', () => {
    const setup = configOf('RegNetX')!.tree.SETUP as Record<string, Record<string, unknown>>;
    assert.deepEqual(setup.SAMPLERS, { REGNET: { TYPE: 'regnet_sampler', DEPTH: [3, 12], W0: [8, 64], WA: [4, 64], WM: [1.5, 3], GROUP_W: [1, 32], BOT_MUL: [1, 1] } });
    assert.deepEqual(setup.CONSTRAINTS, { CX: { FLOPS: [1e6, 8e6] }, REGNET: { NUM_STAGES: [3, 3] } });
    const base = setup.BASE_CFG as Record<string, Record<string, unknown>>;
    assert.equal(base.MODEL.TYPE, 'regnet');
    assert.equal(base.REGNET.DEPTH, undefined, 'the sampled keys are left to the samplers');
    assert.equal(setup.NUM_CONFIGS, 4);
  });

  test('other distributions get one sampler per key, drawn settings and training values included', () => {
    const samplers = (configOf('RegNetY')!.tree.SETUP as Record<string, Record<string, unknown>>).SAMPLERS;
    assert.deepEqual(samplers['REGNET.GROUP_W'], { TYPE: 'value_sampler', VALUES: [1, 2, 4, 8, 16] });
    assert.deepEqual(samplers['REGNET.WA'], { TYPE: 'float_sampler', RAND_TYPE: 'log_uniform', RANGE: [4, 64], QUANTIZE: 0.1 });
    assert.deepEqual(samplers['MODEL.ACTIVATION_FUN'], { TYPE: 'value_sampler', VALUES: ['relu', 'silu'] });
    assert.deepEqual(samplers['OPTIM.BASE_LR'], { TYPE: 'float_sampler', RAND_TYPE: 'log_uniform', RANGE: [0.05, 0.5], QUANTIZE: 0.0001 });
    const text = pyclsYaml(configOf('RegNetY')!.tree, configOf('RegNetY')!.isFloat);
    assert.match(text, /REGNET\.WA:\n {6}TYPE: float_sampler\n {6}RAND_TYPE: log_uniform\n {6}RANGE: \[ 4\.0, 64\.0 \]/);
    assert.match(text, /REGNET\.DEPTH:\n {6}TYPE: int_sampler\n {6}RAND_TYPE: uniform\n {6}RANGE: \[ 3, 12 \]\n {6}QUANTIZE: 1\n/);
  });

  test('an AnyNet space without restrictions: list samplers over its stages', () => {
    const samplers = (configOf('AnyNetX_A')!.tree.SETUP as Record<string, Record<string, unknown>>).SAMPLERS;
    assert.deepEqual(samplers['ANYNET.BOT_MULS'], { TYPE: 'list_sampler', LENGTH: 3, ITEM_SAMPLER: { TYPE: 'value_sampler', VALUES: [1, 0.5] } });
  });

  test('what pycls cannot draw is named: restrictions, per-stage strides, a drawn resolution', () => {
    const example = readSpaceFile(path.join(ROOT, 'examples/space.regnet.yaml')).resolved!;
    const [a, e, r] = example.spaces.map(sweepObstacles);
    assert.deepEqual(a, []);
    assert.match(e.join(';'), /restrictions sharedBottleneck, sharedGroupWidth, increasingWidths, increasingDepths/);
    assert.deepEqual(r, ['per-stage strides 1, 2, 2: a pycls RegNet has one stride']);
    const resolution = readSpaceFile(path.join(ROOT, 'examples/findings/resolution.regnet.yaml')).resolved!;
    assert.ok(sweepObstacles(resolution.spaces[0]).some((o) => /drawn resolution/.test(o)));
  });
});

describe('pycls config of a model', () => {
  test('a RegNet with per-stage strides is an explicit anynet that keeps its REGNET keys', () => {
    const spec = { regnet: { depth: 6, w0: 8, wa: 19.1, wm: 2.788, groupWidth: 4, bottleneck: 1, strides: [1, 2, 2] }, stem: { type: 'cifar' as const, width: 16 }, resolution: 28, classes: 10, channels: 1 };
    const cfg = pyclsConfig(spec, { dataset: 'fashion-mnist', training: { ...DEFAULTS.training, optimizer: { ...DEFAULTS.training.optimizer }, schedule: { ...DEFAULTS.training.schedule } } });
    assert.equal((cfg.MODEL as Record<string, unknown>).TYPE, 'anynet');
    assert.deepEqual((cfg.ANYNET as Record<string, unknown>).STRIDES, [1, 2, 2]);
    assert.equal((cfg.REGNET as Record<string, unknown>).WA, 19.1);
    assert.deepEqual(modelOf(cfg), normalizeModelSpec(spec));
  });
});
