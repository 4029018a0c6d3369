import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deriveSpaceSeed, parseSpaceText, readSpaceFile, type DesignSpace, type ResolvedSpaceFile } from '../../src/core/space';
import { sampleFile } from '../../src/core/sampling/sampler';

const ROOT = path.join(__dirname, '..', '..', '..');
const GOOD = path.join(ROOT, 'test', 'fixtures', 'spaces', 'good');
const EXAMPLE = path.join(ROOT, 'examples', 'space.regnet.yaml');

function resolved(file: string): ResolvedSpaceFile {
  const result = readSpaceFile(file);
  assert.deepEqual(result.diagnostics, []);
  assert.ok(result.resolved);
  return result.resolved;
}

function space(file: ResolvedSpaceFile, name: string): DesignSpace {
  const s = file.spaces.find((x) => x.name === name);
  assert.ok(s, `no space ${name}`);
  return s;
}

describe('deriveSpaceSeed', () => {
  test('is FNV-1a over the seed words and the UTF-8 name, finished with fmix32 (pinned values)', () => {
    assert.equal(deriveSpaceSeed(0, 'AnyNetX_A'), 4048576953);
    assert.equal(deriveSpaceSeed(0, 'AnyNetX_E'), 502319730);
    assert.equal(deriveSpaceSeed(0, 'RegNetX'), 3948959053);
    assert.equal(deriveSpaceSeed(1, 'AnyNetX_A'), 753846074);
    assert.equal(deriveSpaceSeed(2 ** 32, 'AnyNetX_A'), 1594106402); // the high word counts
    assert.equal(deriveSpaceSeed(0, 'Größe'), 16979069); // UTF-8 bytes, not UTF-16 units
  });

  test('gives unsigned 32-bit integers that differ between names and seeds', () => {
    const seeds = new Set<number>();
    for (let s = 0; s < 20; s++) {
      for (const name of ['A', 'B', 'AnyNetX_A', 'RegNetX']) {
        const v = deriveSpaceSeed(s, name);
        assert.ok(Number.isInteger(v) && v >= 0 && v < 2 ** 32);
        seeds.add(v);
      }
    }
    assert.equal(seeds.size, 80);
  });

  test('rejects seeds that are not non-negative safe integers', () => {
    assert.throws(() => deriveSpaceSeed(-1, 'A'), RangeError);
    assert.throws(() => deriveSpaceSeed(1.5, 'A'), RangeError);
    assert.throws(() => deriveSpaceSeed(2 ** 53, 'A'), RangeError);
  });
});

describe('the example and the design example', () => {
  test('examples/space.regnet.yaml validates with no diagnostics and resolves', () => {
    const file = resolved(EXAMPLE);
    assert.equal(file.name, 'fashion-mnist-small');
    assert.deepEqual(
      file.spaces.map((s) => [s.name, s.type, s.samples, s.constraints, s.seed]),
      [
        ['AnyNetX_A', 'anynet', 32, { flops: [2e6, 6e6] }, 4048576953],
        ['AnyNetX_E', 'anynet', 32, { flops: [2e6, 6e6] }, 502319730],
        ['RegNetX', 'regnet', 32, { flops: [2e6, 6e6] }, 3948959053],
      ],
    );
  });

  test('design.md §3 resolves to the example but for its training regime and sample count (resolution/classes given = taken from the dataset)', () => {
    const design = resolved(path.join(GOOD, 'design-example.yaml'));
    const example = resolved(EXAMPLE);
    assert.deepEqual(design.dataset, example.dataset);
    assert.deepEqual(
      design.spaces.map((s) => ({ ...s, samples: 0 })),
      example.spaces.map((s) => ({ ...s, samples: 0 })),
    );
    // The example trains 157 annealed steps per model in rounds until decided; the design card's
    // first sketch trained 78 steps, 6 models per space.
    assert.deepEqual(example.sampling.sequential, { min: 16, max: 32, step: 8, until: 'decided', pairs: [['AnyNetX_A', 'AnyNetX_E'], ['AnyNetX_A', 'RegNetX']] });
    assert.deepEqual([example.training.batchSize, example.training.schedule.unit], [32, 'step']);
    assert.equal(example.analysis.alpha, 0.05);
  });

  test('the RegNetX space in full', () => {
    assert.deepEqual(space(resolved(EXAMPLE), 'RegNetX'), {
      name: 'RegNetX',
      type: 'regnet',
      samples: 32,
      constraints: { flops: [2e6, 6e6] },
      maxAttempts: 200000,
      seed: 3948959053,
      model: {
        stem: { type: 'cifar', width: 16 },
        block: 'X',
        se: 0,
        activation: 'relu',
        stages: 3,
        strides: [1, 2, 2],
        classes: 10,
        channels: 1,
        resolution: 28,
        headWidth: 0,
      },
      depth: { kind: 'uniform', range: [3, 12], quantum: 1 },
      w0: { kind: 'log-uniform', range: [8, 64], quantum: 8 },
      wa: { kind: 'log-uniform', range: [4, 64], quantum: 0.1 },
      wm: { kind: 'log-uniform', range: [1.5, 3], quantum: 0.001 },
      bottleneck: { kind: 'values', values: [1] },
      groupWidth: { kind: 'values', values: [1, 2, 4, 8, 16, 32] },
    });
  });

  test('AnyNetX_E is AnyNetX_A plus the four restrictions', () => {
    const file = resolved(EXAMPLE);
    const a = space(file, 'AnyNetX_A');
    const e = space(file, 'AnyNetX_E');
    assert.equal(e.type, 'anynet');
    assert.equal(e.extends, 'AnyNetX_A');
    assert.equal(a.extends, undefined);
    if (a.type !== 'anynet' || e.type !== 'anynet') throw new Error('anynet expected');
    assert.deepEqual(a.depth, { kind: 'log-uniform', range: [1, 6], quantum: 1 });
    assert.deepEqual(a.width, { kind: 'log-uniform', range: [8, 128], quantum: 8 });
    assert.deepEqual(a.restrictions, []);
    assert.deepEqual(e.restrictions, ['sharedBottleneck', 'sharedGroupWidth', 'increasingWidths', 'increasingDepths']);
    for (const key of ['depth', 'width', 'bottleneck', 'groupWidth', 'model', 'constraints', 'samples'] as const) assert.deepEqual(e[key], a[key]);
  });

  test('a UTF-8 byte order mark is skipped and does not shift columns', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-space-bom-'));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const file = path.join(tmp, 'bom.yaml');
    fs.writeFileSync(file, '\uFEFF' + fs.readFileSync(EXAMPLE, 'utf8').replace('version: 1', 'version: 2'));
    const result = readSpaceFile(file);
    assert.deepEqual(result.diagnostics.map((d) => [d.range.start, d.message]), [
      [{ line: 6, character: 9 }, 'unsupported version 2; this tool reads version 1'],
    ]);
  });

  test('space keys and the spaces key have their source ranges, in file order', () => {
    const result = readSpaceFile(EXAMPLE);
    assert.deepEqual(result.spacesKey, { start: { line: 36, character: 0 }, end: { line: 36, character: 6 } });
    assert.deepEqual(result.spaceKeys, [
      { name: 'AnyNetX_A', range: { start: { line: 37, character: 2 }, end: { line: 37, character: 11 } } },
      { name: 'AnyNetX_E', range: { start: { line: 43, character: 2 }, end: { line: 43, character: 11 } } },
      { name: 'RegNetX', range: { start: { line: 46, character: 2 }, end: { line: 46, character: 9 } } },
    ]);
  });
});

describe('defaults', () => {
  test('fill in exactly as documented', () => {
    assert.deepEqual(resolved(path.join(GOOD, 'minimal.yaml')), {
      version: 1,
      name: 'minimal', // the file stem
      dataset: { name: 'fashion-mnist', train: 5000, test: 1000, seed: 0, augment: { flip: false, padCrop: 0 } },
      training: {
        epochs: 1,
        batchSize: 64,
        optimizer: { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4, bnWeightDecay: 0 },
        schedule: { type: 'cosine', unit: 'step', warmupEpochs: 0, warmupFactor: 0.1 },
        labelSmoothing: 0,
        preciseBn: 1024,
        seed: 0,
        backend: 'auto',
      },
      sampling: { seed: 0, samples: 10, constraints: {}, maxAttempts: 200000 },
      analysis: { complexity: 'flops', bins: 8, alpha: 0.05, bootstrap: { resamples: 10000, fraction: 0.25, seed: 0 } },
      spaces: [
        {
          name: 'R',
          type: 'regnet',
          samples: 10,
          constraints: {},
          maxAttempts: 200000,
          seed: 2760770639,
          model: {
            stem: { type: 'cifar', width: 16 },
            block: 'X',
            se: 0,
            activation: 'relu',
            stages: 3,
            strides: [1, 2, 2],
            classes: 10,
            channels: 1,
            resolution: 28,
            headWidth: 0,
          },
          depth: { kind: 'uniform', range: [12, 28], quantum: 1 },
          w0: { kind: 'log-uniform', range: [8, 256], quantum: 8 },
          wa: { kind: 'log-uniform', range: [8, 256], quantum: 0.1 },
          wm: { kind: 'log-uniform', range: [2, 3], quantum: 0.001 },
          bottleneck: { kind: 'values', values: [1] }, // a bare number is a one-value list
          groupWidth: { kind: 'values', values: [8, 16] },
        },
      ],
    });
  });

  test('the name defaults to "space" from text, to the file stem from a file, and a written name wins', () => {
    const text = fs.readFileSync(path.join(GOOD, 'minimal.yaml'), 'utf8');
    assert.equal(parseSpaceText(text).resolved?.name, 'space');
    assert.equal(parseSpaceText(text, { defaultName: 'sweep-3' }).resolved?.name, 'sweep-3');
    assert.equal(parseSpaceText('name: mine\n' + text).resolved?.name, 'mine');
  });

  const anynet = (extra: string) =>
    `version: 1\n${extra}\nspaces:\n  A:\n    type: anynet\n    depth: [1, 4]\n    width: [8, 64]\n    bottleneck: [1]\n    groupWidth: [8]\n`;

  test('strides: 1 then 2s after a cifar stem, all 2 after the others', () => {
    const strides = (extra: string) => parseSpaceText(anynet(extra)).resolved?.spaces[0].model.strides;
    assert.deepEqual(strides(''), [1, 2, 2]);
    assert.deepEqual(strides('model: { stages: 4 }'), [1, 2, 2, 2]);
    assert.deepEqual(strides('model: { stem: { type: imagenet }, stages: 2 }'), [2, 2]);
    assert.deepEqual(strides('dataset: { name: cifar10 }\nmodel: { stem: { type: resnet, width: 64 } }'), [2, 2, 2]);
  });

  test('activation: relu unless written; a space can set its own; sampled models carry swish only', () => {
    const text = `version: 1\nmodel: { activation: swish }\nspaces:\n  A:\n    type: anynet\n    depth: [1, 4]\n    width: [8, 64]\n    bottleneck: [1]\n    groupWidth: [8]\n  B:\n    extends: A\n    model: { activation: relu }\n`;
    const file = parseSpaceText(text).resolved;
    assert.ok(file);
    assert.deepEqual(file.spaces.map((s) => s.model.activation), ['swish', 'relu']);
    assert.equal(parseSpaceText(anynet('')).resolved?.spaces[0].model.activation, 'relu');
    const [a, b] = sampleFile(file, { samples: 1 });
    assert.equal(a.models[0].model.activation, 'swish');
    // relu is the default and is left out, so sweeps made before the option keep their fingerprint.
    assert.equal('activation' in b.models[0].model, false);
  });

  test('se: 0.25 for block Y unless written, 0 otherwise', () => {
    const se = (extra: string) => parseSpaceText(anynet(extra)).resolved?.spaces[0].model.se;
    assert.equal(se('model: { block: Y }'), 0.25);
    assert.equal(se('model: { block: Y, se: 0.5 }'), 0.5);
    assert.equal(se('model: { block: Y, se: 0 }'), 0);
    assert.equal(se('model: { block: R }'), 0);
    assert.equal(se(''), 0);
  });

  test('the image shape comes from the dataset; synthetic has its own keys', () => {
    const model = (extra: string) => {
      const m = parseSpaceText(anynet(extra)).resolved?.spaces[0].model;
      return m && [m.channels, m.resolution, m.classes];
    };
    assert.deepEqual(model('dataset: { name: mnist }'), [1, 28, 10]);
    assert.deepEqual(model('dataset: { name: cifar10 }'), [3, 32, 10]);
    assert.deepEqual(model('dataset: { name: synthetic }'), [3, 32, 10]);
    assert.deepEqual(model('dataset: { name: synthetic, channels: 2, resolution: 12, classes: 5 }'), [2, 12, 5]);
  });

  test('shorthands become explicit distributions with pycls sampler defaults', () => {
    const text = `version: 1
spaces:
  A:
    type: anynet
    depth: [2, 5]
    width: 64
    bottleneck: { dist: power2, range: [1, 4] }
    groupWidth: { range: [1, 32] }
  R:
    type: regnet
    depth: { values: [10, 20] }
    w0: { dist: uniform, range: [16, 64] }
    wa: { range: [0.5, 2.5], quantum: 0.5 }
    wm: 2.5
    bottleneck: [1, 2]
    groupWidth: { dist: log-uniform, range: [2, 10] }
`;
    const file = parseSpaceText(text).resolved;
    assert.ok(file);
    const [a, r] = file.spaces;
    assert.deepEqual(
      a.type === 'anynet' && [a.depth, a.width, a.bottleneck, a.groupWidth],
      [
        { kind: 'log-uniform', range: [2, 5], quantum: 1 },
        { kind: 'values', values: [64] },
        { kind: 'power2', range: [1, 4], quantum: 1 },
        { kind: 'power2-or-log-uniform', range: [1, 32], quantum: 8 },
      ],
    );
    assert.deepEqual(
      r.type === 'regnet' && [r.depth, r.w0, r.wa, r.wm, r.bottleneck, r.groupWidth],
      [
        { kind: 'values', values: [10, 20] },
        { kind: 'uniform', range: [16, 64], quantum: 8 },
        { kind: 'log-uniform', range: [0.5, 2.5], quantum: 0.5 },
        { kind: 'values', values: [2.5] },
        { kind: 'values', values: [1, 2] },
        { kind: 'log-uniform', range: [2, 10], quantum: 1 },
      ],
    );
  });
});

describe('extends', () => {
  const file = resolved(path.join(GOOD, 'extends.yaml'));

  test('model maps deep-merge: file model, then the parent, then the child', () => {
    assert.deepEqual(space(file, 'RegNetY').model, {
      stem: { type: 'imagenet', width: 32 }, // type from the file, width from RegNetX
      block: 'Y', // the child's
      se: 0.25, // Y's default
      activation: 'relu',
      stages: 4, // the file's
      strides: [1, 2, 2, 2], // RegNetX's
      classes: 10,
      channels: 3,
      resolution: 32, // cifar10
      headWidth: 0,
    });
    assert.deepEqual(space(file, 'RegNetX').model.stem, { type: 'imagenet', width: 32 });
    assert.equal(space(file, 'RegNetX').model.block, 'X');
  });

  test('parameters and lists replace; what the child does not set is inherited', () => {
    const y = space(file, 'RegNetY');
    const x = space(file, 'RegNetX');
    if (y.type !== 'regnet' || x.type !== 'regnet') throw new Error('regnet expected');
    assert.deepEqual(y.wm, { kind: 'uniform', range: [2, 2.5], quantum: 0.25 });
    assert.deepEqual(y.groupWidth, { kind: 'values', values: [16, 32] });
    assert.deepEqual([y.depth, y.w0, y.wa, y.bottleneck], [x.depth, x.w0, x.wa, x.bottleneck]);
    const e = space(file, 'AnyE');
    assert.ok(e.type === 'anynet');
    assert.deepEqual(e.restrictions, ['sharedBottleneck', 'sharedGroupWidth']); // replaced, not appended
  });

  test('constraints merge per metric; samples and maxAttempts are inherited; the seed is not', () => {
    const y = space(file, 'RegNetY');
    assert.deepEqual(y.constraints, { flops: [1e6, 9e6], params: [0, 2e5] });
    assert.equal(y.samples, 3); // RegNetX's
    assert.equal(space(file, 'RegNetX').seed, 99);
    assert.equal(y.seed, deriveSpaceSeed(7, 'RegNetY'));
    assert.equal(y.seed, 3740510621);
    assert.equal(space(file, 'AnyA').samples, 5); // sampling.samples
    assert.equal(space(file, 'AnyE').maxAttempts, 1000);
    assert.equal(space(file, 'AnyA').maxAttempts, 200000);
  });

  test('the result does not depend on the order of the spaces in the file', () => {
    const text = fs.readFileSync(path.join(GOOD, 'extends.yaml'), 'utf8');
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.startsWith('  RegNetY:'));
    const end = lines.findIndex((l) => l.startsWith('  RegNetX:'));
    const moved = [...lines.slice(0, start), ...lines.slice(end), ...lines.slice(start, end)].join('\n');
    const reordered = parseSpaceText(moved, { defaultName: 'extends' });
    assert.deepEqual(reordered.diagnostics, []);
    assert.deepEqual(reordered.resolved?.spaces.map((s) => s.name), ['RegNetX', 'AnyA', 'AnyE', 'RegNetY']);
    const byName = (f: ResolvedSpaceFile) => Object.fromEntries(f.spaces.map((s) => [s.name, s]));
    assert.deepEqual(byName(reordered.resolved!), byName(file));
  });
});

describe('per-space seeds', () => {
  test('adding a space changes no other space\'s seed', () => {
    const text = fs.readFileSync(EXAMPLE, 'utf8');
    const more = text.replace('  RegNetX:\n', '  RegNetX_B:\n    extends: RegNetX\n    wm: [2.0, 2.5]\n  RegNetX:\n');
    const before = parseSpaceText(text).resolved!;
    const after = parseSpaceText(more).resolved!;
    assert.deepEqual(after.spaces.map((s) => s.name), ['AnyNetX_A', 'AnyNetX_E', 'RegNetX_B', 'RegNetX']);
    for (const s of before.spaces) assert.equal(space(after, s.name).seed, s.seed);
    assert.equal(space(after, 'RegNetX_B').seed, deriveSpaceSeed(0, 'RegNetX_B'));
  });

  test('follow the file seed', () => {
    const text = fs.readFileSync(EXAMPLE, 'utf8').replace('  seed: 0                      # each space', '  seed: 12345                  # each space');
    const file = parseSpaceText(text).resolved!;
    assert.equal(file.sampling.seed, 12345);
    for (const s of file.spaces) assert.equal(s.seed, deriveSpaceSeed(12345, s.name));
  });
});

describe('warnings do not stop resolution', () => {
  test('a value listed twice is a warning and the file still resolves', () => {
    const text = `version: 1
spaces:
  A:
    type: anynet
    depth: [1, 4]
    width: [8, 64]
    bottleneck: [1, 2, 1]
    groupWidth: [8]
`;
    const result = parseSpaceText(text);
    assert.deepEqual(
      result.diagnostics.map((d) => [d.severity, d.code, d.range.start.line, d.range.start.character, d.message]),
      [['warning', 'duplicate-value', 6, 23, 'spaces.A.bottleneck[2]: 1 is listed twice, so it is drawn twice as often']],
    );
    assert.ok(result.resolved);
  });
});
