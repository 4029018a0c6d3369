import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import type { ModelSpec } from '../../src/core/model';
import { complexity } from '../../src/core/complexity';
import { expandModel, ModelSpecError, normalizeModelSpec } from '../../src/core/modelSpec';

const X200 = { depth: 13, w0: 24, wa: 36.44, wm: 2.49, groupWidth: 8, bottleneck: 1 };

/** Asserts that normalizing `input` fails with exactly `message` at `path`. */
function rejects(input: unknown, message: string, path: string): void {
  assert.throws(
    () => normalizeModelSpec(input),
    (err: unknown) => {
      assert.ok(err instanceof ModelSpecError, `expected a ModelSpecError, got ${err}`);
      assert.equal(err.message, message);
      assert.equal(err.path, path);
      return true;
    },
  );
}

describe('normalizeModelSpec: defaults', () => {
  test('a bare regnet gets stem imagenet/32, block X, no SE, 224, 1000 classes, 3 channels, stride 2', () => {
    assert.deepEqual(normalizeModelSpec({ regnet: X200 }), {
      regnet: { ...X200, stride: 2 },
      stem: { type: 'imagenet', width: 32 },
      block: 'X',
      se: 0,
      resolution: 224,
      classes: 1000,
      channels: 3,
      headWidth: 0,
    });
  });

  test('block Y defaults se to 0.25; an explicit se wins', () => {
    assert.equal(normalizeModelSpec({ regnet: X200, block: 'Y' }).se, 0.25);
    assert.equal(normalizeModelSpec({ regnet: X200, block: 'Y', se: 0 }).se, 0);
    assert.equal(normalizeModelSpec({ regnet: X200, block: 'X', se: 0.5 }).se, 0.5);
  });

  test('a partial stem keeps the other default', () => {
    assert.deepEqual(normalizeModelSpec({ regnet: X200, stem: { type: 'cifar' } }).stem, { type: 'cifar', width: 32 });
    assert.deepEqual(normalizeModelSpec({ regnet: X200, stem: { width: 64 } }).stem, { type: 'imagenet', width: 64 });
  });

  test('an R/V anynet may omit bottlenecks and group widths (b = 1, g = w)', () => {
    const n = normalizeModelSpec({ anynet: { depths: [9, 9], widths: [16, 32], strides: [1, 2] }, block: 'R' });
    assert.deepEqual(n.anynet, { depths: [9, 9], widths: [16, 32], strides: [1, 2], bottlenecks: [1, 1], groupWidths: [16, 32] });
  });

  test('normalizing twice changes nothing', () => {
    const specs: unknown[] = [
      { regnet: X200, block: 'Y', resolution: 32 },
      { regnet: { ...X200, strides: [1, 2, 2, 2] } },
      { anynet: { depths: [1, 2], widths: [64, 128], strides: [2, 2], bottlenecks: [1, 2], groupWidths: [8, 16] }, stem: { type: 'resnet', width: 64 } },
    ];
    for (const s of specs) {
      const once = normalizeModelSpec(s);
      assert.deepEqual(normalizeModelSpec(JSON.parse(JSON.stringify(once))), once);
    }
  });
});

describe('normalizeModelSpec: errors name the field', () => {
  test('regnet.w0 must be a positive multiple of 8', () => {
    rejects({ regnet: { ...X200, w0: 20 } }, 'regnet.w0 must be a positive multiple of 8, got 20', 'regnet.w0');
    rejects({ regnet: { ...X200, w0: 0 } }, 'regnet.w0 must be a positive multiple of 8, got 0', 'regnet.w0');
    rejects({ regnet: { ...X200, w0: '24' } }, 'regnet.w0 must be a positive multiple of 8, got "24"', 'regnet.w0');
  });

  test('regnet asserts as pycls: wa ≥ 0, wm > 1, depth an integer ≥ 1', () => {
    rejects({ regnet: { ...X200, wa: -1 } }, 'regnet.wa must be ≥ 0, got -1', 'regnet.wa');
    rejects({ regnet: { ...X200, wm: 1 } }, 'regnet.wm must be > 1, got 1', 'regnet.wm');
    rejects({ regnet: { ...X200, depth: 12.5 } }, 'regnet.depth must be an integer, got 12.5', 'regnet.depth');
    rejects({ regnet: { ...X200, depth: 0 } }, 'regnet.depth must be between 1 and 512, got 0', 'regnet.depth');
    rejects({ regnet: { ...X200, depth: 100000 } }, 'regnet.depth must be between 1 and 512, got 100000', 'regnet.depth');
  });

  test('non-finite numbers from JavaScript callers are rejected', () => {
    rejects({ regnet: { ...X200, wa: Number.NaN } }, 'regnet.wa must be a finite number, got NaN', 'regnet.wa');
    rejects({ regnet: { ...X200, wm: Infinity } }, 'regnet.wm must be a finite number, got Infinity', 'regnet.wm');
    rejects({ regnet: X200, resolution: Infinity }, 'resolution must be an integer, got Infinity', 'resolution');
  });

  test('missing regnet fields are named', () => {
    const { groupWidth: _g, ...noGroup } = X200;
    rejects({ regnet: noGroup }, 'regnet.groupWidth is required', 'regnet.groupWidth');
  });

  test('unknown keys are rejected with the expected ones listed', () => {
    rejects(
      { anynet: { depths: [1], widht: [8], strides: [1] } },
      "unknown key 'widht' in anynet; expected one of depths, widths, strides, bottlenecks, groupWidths",
      'anynet.widht',
    );
    rejects(
      { regnet: X200, resolutoin: 32 },
      "unknown key 'resolutoin' in model; expected one of regnet, anynet, stem, block, se, activation, resolution, classes, channels, headWidth",
      'resolutoin',
    );
    rejects({ regnet: X200, stem: { kind: 'cifar' } }, "unknown key 'kind' in stem; expected one of type, width", 'stem.kind');
  });

  test('anynet lists must agree in length', () => {
    rejects(
      { anynet: { depths: [1, 2, 3, 4], widths: [8, 16, 24], strides: [1, 1, 1, 1], bottlenecks: [1, 1, 1, 1], groupWidths: [8, 8, 8, 8] } },
      'anynet.widths has 3 entries but anynet.depths has 4',
      'anynet.widths',
    );
    rejects(
      { anynet: { depths: [1, 2], widths: [8, 16], strides: [1, 1], bottlenecks: [1], groupWidths: [8, 8] } },
      'anynet.bottlenecks has 1 entry but anynet.depths has 2',
      'anynet.bottlenecks',
    );
  });

  test('anynet entries are checked one by one', () => {
    const a = { depths: [1, 2], widths: [8, 16], strides: [1, 2], bottlenecks: [1, 1], groupWidths: [8, 8] };
    rejects({ anynet: { ...a, widths: [8, 16.5] } }, 'anynet.widths[1] must be an integer, got 16.5', 'anynet.widths[1]');
    rejects({ anynet: { ...a, depths: [1, '2'] } }, 'anynet.depths[1] must be an integer, got "2"', 'anynet.depths[1]');
    rejects({ anynet: { ...a, widths: [8, 70000] } }, 'anynet.widths[1] must be between 1 and 65536, got 70000', 'anynet.widths[1]');
    rejects({ anynet: { ...a, strides: [0, 2] } }, 'anynet.strides[0] must be between 1 and 4096, got 0', 'anynet.strides[0]');
    rejects({ anynet: { ...a, depths: [] } }, 'anynet.depths must have between 1 and 64 entries, got 0', 'anynet.depths');
    rejects({ anynet: { ...a, depths: 3 } }, 'anynet.depths must be a list, got 3', 'anynet.depths');
  });

  test('X/Y anynets need bottlenecks and group widths', () => {
    rejects(
      { anynet: { depths: [1], widths: [8], strides: [1] } },
      'anynet.bottlenecks is required for block X (one entry per stage)',
      'anynet.bottlenecks',
    );
  });

  test('bottlenecks must satisfy pycls: b ≥ 1 or 1/b an integer', () => {
    rejects({ regnet: { ...X200, bottleneck: 0.3 } }, 'regnet.bottleneck must be ≥ 1 or the reciprocal of an integer (1/2, 1/4, …), got 0.3', 'regnet.bottleneck');
    rejects({ regnet: { ...X200, bottleneck: 0 } }, 'regnet.bottleneck must be between 1/64 and 1024, got 0', 'regnet.bottleneck');
    assert.equal(normalizeModelSpec({ regnet: { ...X200, bottleneck: 0.5 } }).regnet?.bottleneck, 0.5);
  });

  test('se only with bottleneck blocks, and within [0, 1]', () => {
    rejects(
      { anynet: { depths: [1], widths: [8], strides: [1] }, block: 'R', se: 0.25 },
      'se applies only to bottleneck blocks (X, Y); block R has no squeeze-excitation, got se 0.25',
      'se',
    );
    rejects({ regnet: X200, se: 2 }, 'se must be between 0 and 1, got 2', 'se');
  });

  test('stem, block and sizes', () => {
    rejects({ regnet: X200, stem: { type: 'mobile' } }, 'stem.type must be one of cifar, imagenet, resnet, got "mobile"', 'stem.type');
    rejects({ regnet: X200, block: 'Z' }, 'block must be one of X, Y, R, V, got "Z"', 'block');
    rejects({ regnet: X200, resolution: 8192 }, 'resolution must be between 1 and 4096, got 8192', 'resolution');
    rejects({ regnet: X200, classes: 0 }, 'classes must be between 1 and 1000000, got 0', 'classes');
    rejects({ regnet: X200, headWidth: -1 }, 'headWidth must be between 0 and 65536, got -1', 'headWidth');
  });

  test('exactly one of regnet and anynet, in an object', () => {
    rejects({}, "a model needs 'regnet' or 'anynet'", '');
    rejects({ regnet: X200, anynet: { depths: [1], widths: [8], strides: [1] } }, "a model has either 'regnet' or 'anynet', not both", '');
    rejects([1, 2], 'a model must be a JSON object, got an array', '');
    rejects(null, 'a model must be a JSON object, got null', '');
    rejects({ regnet: [1] }, 'regnet must be an object, got an array', 'regnet');
  });

  test('regnet strides must match the generated stage count', () => {
    rejects(
      { regnet: { depth: 4, w0: 8, wa: 200, wm: 2, groupWidth: 8, bottleneck: 1, strides: [2, 2, 2, 2] } },
      'regnet.strides has 4 entries but the regnet parameters give 3 stages (widths 8, 256, 512)',
      'regnet.strides',
    );
    rejects({ regnet: { ...X200, stride: 2, strides: [2, 2, 2, 2] } }, 'give regnet.stride or regnet.strides, not both', 'regnet.strides');
  });

  test('regnet parameters that generate huge widths are refused', () => {
    rejects(
      { regnet: { depth: 512, w0: 8, wa: 60000, wm: 2, groupWidth: 8, bottleneck: 1 } },
      // last block: 8·2^round(log2((8 + 60000·511) / 8)) = 8·2^22
      'the regnet parameters give a block width of 33554432; widths above 65536 are not supported',
      'regnet',
    );
  });
});

describe('expandModel', () => {
  test('RegNetX-3.2GF: adjusted widths 96, 192, 432, 1008 and groups 2, 4, 9, 21', () => {
    const m = expandModel({ regnet: { depth: 25, w0: 88, wa: 26.31, wm: 2.25, groupWidth: 48, bottleneck: 1 } });
    assert.deepEqual(
      m.stages.map((s) => [s.width, s.depth, s.groupWidth, s.bottleneck, s.stride]),
      [
        [96, 2, 48, 1, 2],
        [192, 6, 48, 1, 2],
        [432, 15, 48, 1, 2],
        [1008, 2, 48, 1, 2],
      ],
    );
    assert.deepEqual(
      m.stages.map((s) => s.width / s.groupWidth),
      [2, 4, 9, 21],
    );
  });

  test('RegNetX-8.0GF: stage 1 group width clipped to its width 80', () => {
    const m = expandModel({ regnet: { depth: 23, w0: 80, wa: 49.56, wm: 2.88, groupWidth: 120, bottleneck: 1 } });
    assert.deepEqual(
      m.stages.map((s) => [s.width, s.depth, s.groupWidth]),
      [
        [80, 2, 80],
        [240, 5, 120],
        [720, 15, 120],
        [1920, 1, 120],
      ],
    );
  });

  test('RegNetY-400MF keeps its widths with g = 8 and carries se 0.25', () => {
    const m = expandModel({ regnet: { depth: 16, w0: 48, wa: 27.89, wm: 2.09, groupWidth: 8, bottleneck: 1 }, block: 'Y' });
    assert.deepEqual(
      m.stages.map((s) => s.width),
      [48, 104, 208, 440],
    );
    assert.deepEqual(
      m.stages.map((s) => s.width / s.groupWidth),
      [6, 13, 26, 55],
    );
    assert.equal(m.se, 0.25);
    assert.equal(m.block, 'Y');
  });

  test('regnet strides: one stride for all stages, or a list', () => {
    assert.deepEqual(
      expandModel({ regnet: { ...X200, stride: 1 } }).stages.map((s) => s.stride),
      [1, 1, 1, 1],
    );
    assert.deepEqual(
      expandModel({ regnet: { ...X200, strides: [1, 2, 1, 2] } }).stages.map((s) => s.stride),
      [1, 2, 1, 2],
    );
  });

  test('anynet X stages are adjusted as pycls’s scaler does', () => {
    const m = expandModel({ anynet: { depths: [1, 2], widths: [120, 368], strides: [2, 2], bottlenecks: [1, 4], groupWidths: [48, 8] } });
    assert.deepEqual(
      m.stages.map((s) => [s.width, s.depth, s.groupWidth, s.bottleneck, s.stride]),
      [
        [96, 1, 48, 1, 2],
        [384, 2, 8, 4, 2],
      ],
    );
  });

  test('R and V stages record b = 1 and g = w, unadjusted', () => {
    const spec: ModelSpec = { anynet: { depths: [2, 3], widths: [20, 44], strides: [1, 2], bottlenecks: [4, 4], groupWidths: [48, 48] }, block: 'V' };
    assert.deepEqual(
      expandModel(spec).stages.map((s) => [s.width, s.depth, s.groupWidth, s.bottleneck, s.stride]),
      [
        [20, 2, 20, 1, 1],
        [44, 3, 44, 1, 2],
      ],
    );
  });

  test('carries the model settings through', () => {
    const m = expandModel({ regnet: X200, stem: { type: 'cifar', width: 16 }, resolution: 32, classes: 10, channels: 1, headWidth: 512 });
    assert.deepEqual(
      { stem: m.stem, resolution: m.resolution, classes: m.classes, channels: m.channels, headWidth: m.headWidth, se: m.se },
      { stem: { type: 'cifar', width: 16 }, resolution: 32, classes: 10, channels: 1, headWidth: 512, se: 0 },
    );
  });

  test('expanding an adjusted anynet again gives the same model (what the sampler emits)', () => {
    const first = expandModel({ regnet: { depth: 23, w0: 80, wa: 49.56, wm: 2.88, groupWidth: 120, bottleneck: 1 } });
    const again = expandModel({
      anynet: {
        depths: first.stages.map((s) => s.depth),
        widths: first.stages.map((s) => s.width),
        strides: first.stages.map((s) => s.stride),
        bottlenecks: first.stages.map((s) => s.bottleneck),
        groupWidths: first.stages.map((s) => s.groupWidth),
      },
    });
    assert.deepEqual(again, first);
  });

  test('invalid specs throw ModelSpecError', () => {
    assert.throws(() => expandModel({ regnet: { ...X200, w0: 12 } }), ModelSpecError);
  });
});

describe('normalizeModelSpec: hostile input', () => {
  function lcg(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  test('random field values either validate or fail with a ModelSpecError, and valid ones count to finite integers', () => {
    const rand = lcg(99);
    const hostile: unknown[] = [0, -1, 0.5, 1 / 3, 1e308, 1e-9, 2.49, 65537, '8', null, [], {}, true, Number.NaN];
    // A plausible value, or (one time in eight) a hostile one.
    const maybe = (plausible: () => unknown): unknown => (rand() < 0.125 ? hostile[Math.floor(rand() * hostile.length)] : plausible());
    const int = (lo: number, hi: number) => () => lo + Math.floor(rand() * (hi - lo + 1));
    const list = (n: number, item: () => unknown): unknown => maybe(() => Array.from({ length: rand() < 0.1 ? n + 1 : n }, () => maybe(item)));
    let valid = 0;
    for (let n = 0; n < 4000; n++) {
      const stages = 1 + Math.floor(rand() * 5);
      const spec: Record<string, unknown> =
        rand() < 0.5
          ? {
              regnet: {
                depth: maybe(int(1, 40)),
                w0: maybe(() => 8 * int(1, 40)()),
                wa: maybe(() => rand() * 200),
                wm: maybe(() => 1 + rand() * 2),
                groupWidth: maybe(int(1, 64)),
                bottleneck: maybe(() => [1, 2, 4, 0.5][Math.floor(rand() * 4)]),
              },
            }
          : {
              anynet: {
                depths: list(stages, int(1, 8)),
                widths: list(stages, int(1, 1024)),
                strides: list(stages, int(1, 2)),
                bottlenecks: list(stages, () => [1, 2, 4, 0.25][Math.floor(rand() * 4)]),
                groupWidths: list(stages, int(1, 64)),
              },
            };
      if (rand() < 0.3) spec.resolution = maybe(int(1, 512));
      if (rand() < 0.3) spec.block = ['X', 'Y', 'R', 'V', 'Q'][Math.floor(rand() * 5)];
      if (rand() < 0.2) spec.se = maybe(() => [0, 0.25, 0.5][Math.floor(rand() * 3)]);
      try {
        const model = expandModel(spec as ModelSpec);
        const c = complexity(model);
        assert.ok(Number.isInteger(c.flops) && Number.isInteger(c.params) && Number.isInteger(c.acts), JSON.stringify(spec));
        valid++;
      } catch (err) {
        assert.ok(err instanceof ModelSpecError, `${JSON.stringify(spec)} threw ${err}`);
        assert.ok(err.message.length > 0);
      }
    }
    assert.ok(valid > 500, `only ${valid} valid specs drawn`);
  });
});
