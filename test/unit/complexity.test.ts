import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { complexity, outSize } from '../../src/core/complexity';
import type { ExpandedModel, ModelSpec } from '../../src/core/model';
import { expandModel } from '../../src/core/modelSpec';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const X200: ModelSpec = { regnet: { depth: 13, w0: 24, wa: 36.44, wm: 2.49, groupWidth: 8, bottleneck: 1 } };
const Y400: ModelSpec = { regnet: { depth: 16, w0: 48, wa: 27.89, wm: 2.09, groupWidth: 8, bottleneck: 1 }, block: 'Y' };
const X3200: ModelSpec = { regnet: { depth: 25, w0: 88, wa: 26.31, wm: 2.25, groupWidth: 48, bottleneck: 1 } };

type Triple = [number, number, number];
const triple = (c: { flops: number; params: number; acts: number }): Triple => [c.flops, c.params, c.acts];

describe('complexity: per-part golden vectors at 224 (reference §3.1)', () => {
  const golden: [string, ModelSpec, Record<string, Triple>, Triple][] = [
    [
      'RegNetX-200MF',
      X200,
      {
        stem: [10838016, 928, 401408],
        s1: [19267584, 4032, 526848],
        s2: [10888192, 10304, 307328],
        s3: [48620544, 226480, 476672],
        s4: [109057536, 2074048, 450800],
        head: [369000, 369000, 1000],
      },
      [199040872, 2684792, 2164056],
    ],
    [
      'RegNetY-400MF',
      Y400,
      {
        stem: [10838016, 928, 401408],
        s1: [42148664, 10040, 1053752],
        s2: [79592824, 102296, 1060344],
        s3: [132208830, 737438, 898430],
        s4: [136619722, 3052442, 477562],
        head: [441000, 441000, 1000],
      },
      [401849056, 4344144, 3892496],
    ],
    [
      'RegNetX-3.2GF',
      X3200,
      {
        stem: [10838016, 928, 401408],
        s1: [394985472, 118080, 3010560],
        s2: [780337152, 947328, 3311616],
        s3: [1690730496, 8417088, 4148928],
        s4: [298722816, 4804128, 493920],
        head: [1009000, 1009000, 1000],
      },
      [3176622952, 15296552, 11367432],
    ],
  ];
  for (const [name, spec, parts, total] of golden) {
    test(name, () => {
      const c = complexity(expandModel(spec));
      assert.deepEqual(
        c.parts.map((p) => p.name),
        ['stem', 's1', 's2', 's3', 's4', 'head'],
      );
      for (const p of c.parts) assert.deepEqual(triple(p), parts[p.name], `${name} ${p.name}`);
      assert.deepEqual(triple(c), total);
    });
  }
});

describe('complexity: CIFAR (reference §3.3)', () => {
  const cifar = { stem: { type: 'cifar', width: 16 }, resolution: 32, classes: 10 } as const;
  test('R-56: basic blocks, stem 16, depths 9/9/9, widths 16/32/64', () => {
    // As JSON would give it: basic blocks need no bottlenecks or group widths.
    const json: unknown = { anynet: { depths: [9, 9, 9], widths: [16, 32, 64], strides: [1, 2, 2] }, block: 'R', ...cifar };
    const c = complexity(expandModel(json as ModelSpec));
    assert.deepEqual(triple(c), [125747850, 855770, 544778]);
  });
  const best = { depth: 12, w0: 96, wa: 19.5, wm: 2.942, groupWidth: 8, bottleneck: 1 };
  test('cifar_best RegNet-125MF with SE', () => {
    assert.deepEqual(triple(complexity(expandModel({ regnet: best, block: 'Y', ...cifar }))), [120497384, 1811688, 914584]);
  });
  test('cifar_best RegNet-125MF without SE', () => {
    assert.deepEqual(triple(complexity(expandModel({ regnet: best, block: 'X', ...cifar }))), [120191738, 1506042, 911370]);
  });
  test('an X block with an explicit se ratio is a Y block', () => {
    assert.deepEqual(triple(complexity(expandModel({ regnet: best, block: 'X', se: 0.25, ...cifar }))), [120497384, 1811688, 914584]);
  });
});

interface ZooEntry {
  name: string;
  config: string;
  model: ModelSpec;
  flops: number;
  params: number;
  acts: number;
}

describe('complexity: the whole pycls model zoo (dev/model_complexity.json)', () => {
  const file = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'pycls-zoo.json');
  const zoo = JSON.parse(fs.readFileSync(file, 'utf8')) as { models: ZooEntry[] };
  test('the fixture holds all 24 RegNets, 6 ResNe(X)ts and 3 CIFAR nets', () => {
    assert.equal(zoo.models.length, 33);
    assert.equal(zoo.models.filter((m) => m.model.regnet).length, 24);
  });
  for (const m of zoo.models) {
    test(`${m.name} = ${m.flops} / ${m.params} / ${m.acts}`, () => {
      assert.deepEqual(triple(complexity(expandModel(m.model))), [m.flops, m.params, m.acts]);
    });
  }
});

describe('complexity: layer rules', () => {
  const base = (over: Partial<ExpandedModel>): ExpandedModel => ({
    stem: { type: 'imagenet', width: 32 },
    block: 'X',
    se: 0,
    activation: 'relu',
    resolution: 224,
    classes: 1000,
    channels: 3,
    headWidth: 0,
    stages: [{ width: 368, depth: 1, groupWidth: 8, bottleneck: 1, stride: 2 }],
    ...over,
  });

  test('outSize is ⌊(h−1)/s⌋ + 1', () => {
    assert.equal(outSize(224, 2), 112);
    assert.equal(outSize(7, 2), 4);
    assert.equal(outSize(1, 2), 1);
    assert.equal(outSize(32, 1), 32);
  });

  test('resnet stem: 7×7 s2 conv + BN + 3×3 s2 max-pool whose output counts in acts', () => {
    const stem = complexity(base({ stem: { type: 'resnet', width: 64 } })).parts[0];
    // conv: 7·7·3·64 weights at 112×112; BN 128 params; acts 64·112² + 64·56².
    assert.deepEqual(triple(stem), [9408 * 12544, 9408 + 128, 64 * 12544 + 64 * 3136]);
  });

  test('input channels scale the stem conv only', () => {
    const stem = complexity(base({ channels: 1 })).parts[0];
    assert.deepEqual(triple(stem), [9 * 32 * 12544, 9 * 32 + 64, 32 * 12544]);
  });

  test('a head width adds a 1×1 conv + BN before the pool', () => {
    const plain = complexity(expandModel(X200)).parts[5];
    const head = complexity(expandModel({ ...X200, headWidth: 1280 })).parts[5];
    assert.deepEqual(triple(plain), [368 * 1000 + 1000, 368 * 1000 + 1000, 1000]);
    assert.deepEqual(triple(head), [368 * 1280 * 49 + 1280 * 1000 + 1000, 368 * 1280 + 2 * 1280 + 1280 * 1000 + 1000, 1280 * 49 + 1000]);
  });

  test('SE width comes from the block input width: w_se = round(0.25·w_in)', () => {
    // One Y block 32 → 48 at 112 → 56: only the SE term differs from the X block.
    const stages = [{ width: 48, depth: 1, groupWidth: 8, bottleneck: 1, stride: 2 }];
    const x = complexity(base({ stages })).parts[1];
    const y = complexity(base({ stages, block: 'Y', se: 0.25 })).parts[1];
    const wSe = 8; // round(0.25 · 32), not round(0.25 · 48) = 12
    const se = 48 * wSe + wSe + wSe * 48 + 48;
    assert.deepEqual(triple(y), [x.flops + se, x.params + se, x.acts + wSe + 48]);
  });

  test('V blocks have no shortcut; R blocks project when the shape changes', () => {
    const stages = [{ width: 64, depth: 1, groupWidth: 64, bottleneck: 1, stride: 2 }];
    const v = complexity(base({ stages, block: 'V' })).parts[1];
    const r = complexity(base({ stages, block: 'R' })).parts[1];
    // proj: 1×1 32→64 at 56×56 plus BN.
    assert.deepEqual(triple(r), [v.flops + 32 * 64 * 3136, v.params + 32 * 64 + 128, v.acts + 64 * 3136]);
  });

  test('a stage of depth d counts like d stages of depth 1 (stride only in the first)', () => {
    const rand = lcg(11);
    for (let n = 0; n < 300; n++) {
      const block = (['X', 'Y', 'R', 'V'] as const)[n % 4];
      const depth = 1 + Math.floor(rand() * 6);
      const width = 8 * (1 + Math.floor(rand() * 40));
      const stride = 1 + Math.floor(rand() * 2);
      const stage = { width, depth, groupWidth: 8, bottleneck: 1, stride };
      const split = Array.from({ length: depth }, (_, i) => ({ ...stage, depth: 1, stride: i === 0 ? stride : 1 }));
      const se = block === 'Y' ? 0.25 : 0;
      assert.deepEqual(triple(complexity(base({ block, se, stages: [stage] }))), triple(complexity(base({ block, se, stages: split }))));
    }
  });
});

describe('complexity: invariants over random RegNets', () => {
  test('total = sum of parts, integers, and flops/acts grow with resolution', () => {
    const rand = lcg(3);
    let checked = 0;
    for (let n = 0; n < 1500; n++) {
      const spec: ModelSpec = {
        regnet: {
          depth: 1 + Math.floor(rand() * 28),
          w0: 8 * (1 + Math.floor(rand() * 32)),
          wa: 0.1 * Math.ceil(rand() * 2560),
          wm: 1.5 + Math.floor(rand() * 1500) / 1000,
          groupWidth: [1, 2, 4, 8, 16, 32, 64][Math.floor(rand() * 7)],
          bottleneck: [1, 2, 4][Math.floor(rand() * 3)],
        },
        block: rand() < 0.5 ? 'X' : 'Y',
        resolution: 32 + Math.floor(rand() * 200),
      };
      const model = expandModel(spec);
      for (const s of model.stages) {
        assert.equal(s.width % s.groupWidth, 0);
        assert.equal((s.width * (1 / s.bottleneck)) % s.groupWidth, 0);
      }
      const c = complexity(model);
      for (const key of ['flops', 'params', 'acts'] as const) {
        assert.ok(Number.isSafeInteger(c[key]), `${key} ${c[key]}`);
        assert.equal(
          c.parts.reduce((sum, p) => sum + p[key], 0),
          c[key],
        );
      }
      const bigger = complexity({ ...model, resolution: model.resolution + 17 });
      assert.ok(bigger.flops >= c.flops);
      assert.ok(bigger.acts >= c.acts);
      assert.equal(bigger.params, c.params, 'params do not depend on resolution');
      checked++;
    }
    assert.equal(checked, 1500);
  });
});
