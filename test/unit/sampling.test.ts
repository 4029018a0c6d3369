import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { complexity } from '../../src/core/complexity';
import type { ModelSpec } from '../../src/core/model';
import { expandModel } from '../../src/core/modelSpec';
import { generateRegnet } from '../../src/core/regnet';
import { Rng } from '../../src/core/sampling/rng';
import { sampleFile, sampleSpace, SamplingError, selectSpaces, type SpaceSample } from '../../src/core/sampling/sampler';
import { candidateDrawer, InvalidCandidateError, modelKey, type Candidate } from '../../src/core/sampling/spaceSampler';
import { deriveSpaceSeed } from '../../src/core/space/seed';
import type { AnyNetSpace, RegNetSpace, ResolvedModelSettings, ResolvedSpaceFile } from '../../src/core/space/types';

// The example of design.md §3: 3 stages on 28×28 Fashion-MNIST, 2–6 MFLOPs.
const MODEL: ResolvedModelSettings = {
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
};
const FLOPS: [number, number] = [2e6, 6e6];

function anynetA(overrides: Partial<AnyNetSpace> = {}): AnyNetSpace {
  return {
    name: 'AnyNetX_A',
    type: 'anynet',
    samples: 6,
    constraints: { flops: FLOPS },
    maxAttempts: 200000,
    seed: 11,
    model: MODEL,
    depth: { kind: 'log-uniform', range: [1, 6], quantum: 1 },
    width: { kind: 'log-uniform', range: [8, 128], quantum: 8 },
    bottleneck: { kind: 'values', values: [1, 2, 4] },
    groupWidth: { kind: 'values', values: [1, 2, 4, 8, 16, 32] },
    restrictions: [],
    ...overrides,
  };
}

function anynetE(overrides: Partial<AnyNetSpace> = {}): AnyNetSpace {
  return anynetA({
    name: 'AnyNetX_E',
    seed: 12,
    extends: 'AnyNetX_A',
    restrictions: ['sharedBottleneck', 'sharedGroupWidth', 'increasingWidths', 'increasingDepths'],
    ...overrides,
  });
}

function regnetX(overrides: Partial<RegNetSpace> = {}): RegNetSpace {
  return {
    name: 'RegNetX',
    type: 'regnet',
    samples: 6,
    constraints: { flops: FLOPS },
    maxAttempts: 200000,
    seed: 13,
    model: MODEL,
    depth: { kind: 'uniform', range: [3, 12], quantum: 1 },
    w0: { kind: 'log-uniform', range: [8, 64], quantum: 8 },
    wa: { kind: 'log-uniform', range: [4, 64], quantum: 0.1 },
    wm: { kind: 'log-uniform', range: [1.5, 3], quantum: 0.001 },
    bottleneck: { kind: 'values', values: [1] },
    groupWidth: { kind: 'values', values: [1, 2, 4, 8, 16, 32] },
    ...overrides,
  };
}

/** `n` structurally valid candidates (rejected draws skipped). */
function candidates(space: AnyNetSpace | RegNetSpace, n: number, seed = 1): { accepted: Candidate[]; rejected: Map<string, number> } {
  const draw = candidateDrawer(space);
  const rng = new Rng(seed);
  const accepted: Candidate[] = [];
  const rejected = new Map<string, number>();
  while (accepted.length < n) {
    const c = draw(rng);
    if ('rejected' in c) rejected.set(c.rejected, (rejected.get(c.rejected) ?? 0) + 1);
    else accepted.push(c);
  }
  return { accepted, rejected };
}

function checkSample(sample: SpaceSample, space: AnyNetSpace | RegNetSpace): void {
  const rejected = Object.values(sample.rejections).reduce((a, b) => a + (b ?? 0), 0);
  assert.equal(rejected + sample.models.length, sample.attempts, 'every attempt is a model or a rejection');
  const keys = new Set<string>();
  sample.models.forEach((m, i) => {
    assert.equal(m.index, i);
    assert.equal(m.space, space.name);
    // The contract with `dslab cx`: the spec alone reproduces the counted complexity.
    const expanded = expandModel(m.model);
    const cx = complexity(expanded);
    assert.deepEqual([m.flops, m.params, m.acts], [cx.flops, cx.params, cx.acts]);
    for (const [metric, [lo, hi]] of Object.entries(space.constraints) as [keyof typeof cx, [number, number]][]) {
      assert.ok((cx[metric] as number) >= lo && (cx[metric] as number) <= hi, `${metric} ${cx[metric]} outside [${lo}, ${hi}]`);
    }
    for (const s of expanded.stages) assert.equal((s.width / s.bottleneck) % s.groupWidth, 0, `w_b = ${s.width}/${s.bottleneck} is not a multiple of g = ${s.groupWidth}`);
    keys.add(modelKey(expanded));
  });
  assert.equal(keys.size, sample.models.length, 'no two models build the same network');
}

const explicitKeys = ['stem', 'block', 'se', 'resolution', 'classes', 'channels', 'headWidth'];

describe('candidateDrawer (AnyNet)', () => {
  test('emits fully explicit specs that rebuild exactly the drawn network', () => {
    for (const c of candidates(anynetA(), 300).accepted) {
      for (const key of explicitKeys) assert.ok(key in c.spec, `spec lacks ${key}`);
      assert.deepEqual(c.spec.stem, { type: 'cifar', width: 16 });
      assert.deepEqual(c.spec.anynet!.strides, [1, 2, 2]);
      assert.deepEqual(expandModel(c.spec), c.model);
      // Widths and group widths are already adjusted: the spec is a fixed point of the adjustment.
      assert.deepEqual(c.spec.anynet!.widths, c.model.stages.map((s) => s.width));
      assert.deepEqual(c.spec.anynet!.groupWidths, c.model.stages.map((s) => s.groupWidth));
    }
  });

  test('AnyNetX_A draws each stage independently; AnyNetX_E shares b and g', () => {
    const a = candidates(anynetA(), 300).accepted;
    assert.ok(a.some((c) => new Set(c.spec.anynet!.bottlenecks).size > 1), 'A never drew distinct b_i');
    // Widths ≥ 128 keep w_b ≥ 32 ≥ g, so the adjustment never clips g and the shared value shows.
    const e = candidates(anynetE({ width: { kind: 'log-uniform', range: [128, 512], quantum: 8 } }), 300).accepted;
    for (const c of e) {
      assert.equal(new Set(c.spec.anynet!.bottlenecks).size, 1, `b not shared: ${c.spec.anynet!.bottlenecks}`);
      assert.equal(new Set(c.spec.anynet!.groupWidths).size, 1, `g not shared: ${c.spec.anynet!.groupWidths}`);
    }
    assert.ok(new Set(e.map((c) => c.spec.anynet!.groupWidths[0])).size > 3, 'the shared g varies between models');
  });

  test('AnyNetX_E: widths and depths never decrease, and violations are rejected by name', () => {
    const { accepted, rejected } = candidates(anynetE(), 300);
    for (const c of accepted) {
      const { depths, widths } = c.spec.anynet!;
      for (let i = 1; i < depths.length; i++) {
        assert.ok(depths[i] >= depths[i - 1], `depths ${depths}`);
        assert.ok(widths[i] >= widths[i - 1], `widths ${widths}`);
      }
    }
    assert.ok((rejected.get('increasingWidths') ?? 0) > 0 && (rejected.get('increasingDepths') ?? 0) > 0);
    assert.deepEqual([...rejected.keys()].sort(), ['increasingDepths', 'increasingWidths']);
  });

  test('a depth range reaching 0 yields emptyStage rejections, never an empty stage', () => {
    const { accepted, rejected } = candidates(anynetA({ depth: { kind: 'uniform', range: [0, 2], quantum: 1 } }), 100);
    assert.ok((rejected.get('emptyStage') ?? 0) > 0);
    for (const c of accepted) assert.ok(c.spec.anynet!.depths.every((d) => d >= 1));
  });

  test('a range that allows an unbuildable model names the space and the model', () => {
    const space = anynetA({ bottleneck: { kind: 'values', values: [0.3] } });
    assert.throws(() => candidates(space, 1), (err: unknown) => {
      assert.ok(err instanceof InvalidCandidateError);
      assert.match(err.message, /^space AnyNetX_A produced a model that cannot be built \(.*bottleneck.*\): \{"anynet"/);
      return true;
    });
  });
});

describe('candidateDrawer (RegNet)', () => {
  test('accepted candidates have exactly the space stage count and no skipped stage', () => {
    const { accepted, rejected } = candidates(regnetX(), 300);
    for (const c of accepted) {
      const r = c.spec.regnet!;
      const shape = generateRegnet(r);
      assert.equal(shape.numStages, 3);
      assert.equal(shape.totalStages, 3);
      assert.equal(c.model.stages.length, 3);
      assert.deepEqual(r.strides, [1, 2, 2]);
      assert.deepEqual(c.model.stages.map((s) => s.stride), [1, 2, 2]);
      for (const key of explicitKeys) assert.ok(key in c.spec, `spec lacks ${key}`);
      assert.deepEqual(expandModel(c.spec), c.model);
      assert.ok(Number(r.wa.toFixed(1)) === r.wa && Number(r.wm.toFixed(3)) === r.wm && r.w0 % 8 === 0);
    }
    assert.ok((rejected.get('emptyStage') ?? 0) > 0, 'w0 = 8 with wa ≥ 40 skips stage indices');
    assert.ok((rejected.get('stageCount') ?? 0) > 0);
  });

  test('RegNets that build the same network share one key', () => {
    const base = { depth: 1, w0: 16, wm: 2, groupWidth: 8, bottleneck: 1, strides: [2] };
    const a = expandModel({ regnet: { ...base, wa: 5 } });
    const b = expandModel({ regnet: { ...base, wa: 6.1 } });
    assert.equal(modelKey(a), modelKey(b));
    assert.notEqual(modelKey(a), modelKey(expandModel({ regnet: { ...base, w0: 24, wa: 5 } })));
  });
});

describe('sampleSpace', () => {
  test('AnyNetX_A, AnyNetX_E and RegNetX: requested models, all within constraints, distinct', () => {
    for (const space of [anynetA({ samples: 40 }), anynetE({ samples: 40 }), regnetX({ samples: 40 })]) {
      const sample = sampleSpace(space);
      assert.equal(sample.models.length, 40);
      assert.equal(sample.complete, true);
      assert.equal(sample.requested, 40);
      assert.equal(sample.seed, space.seed);
      assert.equal(sample.acceptanceRate, 40 / sample.attempts);
      checkSample(sample, space);
    }
  });

  test('the first RegNetX model of seed 13 is pinned (stream, quantization and complexity together)', () => {
    const [first] = sampleSpace(regnetX({ samples: 1 })).models;
    assert.deepEqual(first, {
      space: 'RegNetX',
      index: 0,
      model: {
        regnet: { depth: 8, w0: 8, wa: 6.9, wm: 2.576, groupWidth: 4, bottleneck: 1, strides: [1, 2, 2] },
        stem: { type: 'cifar', width: 16 },
        block: 'X',
        se: 0,
        resolution: 28,
        classes: 10,
        channels: 1,
        headWidth: 0,
      },
      // Stages 8×1, 24×3, 56×4 (g = 4); the triple re-derived by hand from reference §3.
      flops: 3650874,
      params: 41914,
      acts: 142698,
    });
  });

  test('same seed gives identical results; another seed gives other models', () => {
    const space = regnetX({ samples: 10 });
    const a = sampleSpace(space);
    assert.deepEqual(sampleSpace(space), a);
    const b = sampleSpace(space, { seed: 14 });
    assert.equal(b.seed, 14);
    assert.notDeepEqual(b.models.map((m) => m.model), a.models.map((m) => m.model));
  });

  test('duplicates are counted, not returned', () => {
    // A tiny space: d ∈ {1, 2}, w ∈ {8, 16}, b = 1, g = 8 per stage: 64 networks at most.
    const space = anynetA({
      samples: 64,
      constraints: {},
      depth: { kind: 'uniform', range: [1, 2], quantum: 1 },
      width: { kind: 'uniform', range: [8, 16], quantum: 8 },
      bottleneck: { kind: 'values', values: [1] },
      groupWidth: { kind: 'values', values: [8] },
    });
    const sample = sampleSpace(space, { maxAttempts: 5000 });
    assert.equal(sample.models.length, 64);
    assert.ok((sample.rejections.duplicate ?? 0) > 0);
    assert.equal(sample.attempts, 64 + sample.rejections.duplicate!);
    checkSample(sample, space);
  });

  test('an impossible constraint fails fast with what, where and why', () => {
    const space = anynetA({ constraints: { flops: [1, 2], params: [0, 1e6] } });
    const started = Date.now();
    assert.throws(
      () => sampleSpace(space, { maxAttempts: 500 }),
      (err: unknown) => {
        assert.ok(err instanceof SamplingError);
        assert.equal(err.space, 'AnyNetX_A');
        assert.equal(err.message, 'no model of AnyNetX_A satisfied flops in [1, 2] and params in [0, 1e6] after 500 attempts (flops too high: 500)');
        return true;
      },
    );
    assert.ok(Date.now() - started < 1000);
    assert.throws(
      () => sampleSpace(regnetX({ constraints: { flops: [1e9, 2e9] } }), { maxAttempts: 2000 }),
      {
        name: 'SamplingError',
        message: 'no model of RegNetX satisfied flops in [1e9, 2e9] after 2,000 attempts (not 3 stages: 1,003; flops too low: 553; empty stage: 444)',
      },
    );
  });

  test('a budget that runs out after some models returns them, flagged incomplete', () => {
    const sample = sampleSpace(anynetA({ samples: 1000 }), { maxAttempts: 300 });
    assert.equal(sample.attempts, 300);
    assert.equal(sample.complete, false);
    assert.ok(sample.models.length > 0 && sample.models.length < 1000);
    assert.equal(sample.acceptanceRate, sample.models.length / 300);
  });

  test('samples: 0 draws nothing', () => {
    const sample = sampleSpace(anynetA(), { samples: 0 });
    assert.deepEqual([sample.attempts, sample.models.length, sample.complete], [0, 0, true]);
  });

  test('progress reports are monotone and end at the final count', () => {
    const seen: { attempts: number; accepted: number }[] = [];
    const sample = sampleSpace(anynetE({ samples: 20 }), { onProgress: (p) => seen.push({ attempts: p.attempts, accepted: p.accepted }) });
    assert.ok(seen.length >= 20);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].attempts >= seen[i - 1].attempts && seen[i].accepted >= seen[i - 1].accepted);
    assert.deepEqual(seen[seen.length - 1], { attempts: sample.attempts, accepted: 20 });
  });
});

describe('sampleFile', () => {
  const file = { spaces: [anynetA(), anynetE(), regnetX()] } as unknown as ResolvedSpaceFile;

  test('samples every space in file order from its own seed', () => {
    const result = sampleFile(file);
    assert.deepEqual(result.map((s) => s.space), ['AnyNetX_A', 'AnyNetX_E', 'RegNetX']);
    assert.deepEqual(result.map((s) => s.seed), [11, 12, 13]);
    assert.deepEqual(result[2], sampleSpace(file.spaces[2]));
  });

  test('a seed override re-derives every space seed from it and the space name', () => {
    const result = sampleFile(file, { seed: 5, samples: 3 });
    for (const s of result) {
      const space = file.spaces.find((x) => x.name === s.space)!;
      assert.equal(s.seed, deriveSpaceSeed(5, s.space));
      assert.deepEqual(s, sampleSpace(space, { seed: deriveSpaceSeed(5, s.space), samples: 3 }));
    }
    assert.notDeepEqual(sampleFile(file, { seed: 6, samples: 3 })[0].models, result[0].models);
  });

  test('one space by name; an unknown name lists the available ones', () => {
    const result = sampleFile(file, { space: 'RegNetX', samples: 2 });
    assert.deepEqual(result.map((s) => [s.space, s.models.length]), [['RegNetX', 2]]);
    assert.throws(() => selectSpaces(file, 'RegNetY'), {
      name: 'SamplingError',
      message: "no space named 'RegNetY'; the file defines AnyNetX_A, AnyNetX_E, RegNetX",
    });
  });
});

test('sampled specs are plain JSON: a round trip changes nothing', () => {
  const models: ModelSpec[] = sampleSpace(anynetA({ samples: 5 })).models.map((m) => m.model);
  assert.deepEqual(JSON.parse(JSON.stringify(models)), models);
});
