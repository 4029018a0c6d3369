import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { splitAnalysis } from '../../src/core/analysis/split';
import { summarizeTrial } from '../../src/core/analysis/sweepAnalysis';
import type { TrialRecord } from '../../src/core/results/records';
import { sampleFile } from '../../src/core/sampling/sampler';
import { parseSpaceText } from '../../src/core/space';
import { designSpaceSize } from '../../src/core/spaceSize';
import { fingerprintInput } from '../../src/core/results/fingerprint';
import { withDrawnTraining } from '../../src/core/space/drawnSettings';

const regnet = (extra = '') =>
  `  R:\n    type: regnet\n    depth: [3, 12]\n    w0: [8, 64]\n    wa: [4, 64]\n    wm: [1.5, 3.0]\n    bottleneck: [1]\n    groupWidth: [8]\n${extra}`;

function resolved(text: string) {
  const r = parseSpaceText(text);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.ok(r.resolved);
  return r.resolved;
}

function problems(text: string): string[] {
  return parseSpaceText(text).diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code}: ${d.message}`);
}

describe('model settings drawn per model', () => {
  test('each form resolves: list, { values }, { dist, range }; one value stays fixed', () => {
    const file = resolved(
      `version: 1\nmodel: { activation: [relu, swish] }\nspaces:\n${regnet('    model: { block: { values: [X, Y] }, se: 0.25, stem: { width: { dist: log-uniform, range: [8, 32] } } }\n')}  S:\n    extends: R\n    model: { activation: [swish], block: X, se: [0, 0.25, 0.5], stem: { width: 16 } }\n`,
    );
    const [r, s] = file.spaces;
    assert.deepEqual(r.model.sampled, { activation: ['relu', 'swish'], block: ['X', 'Y'], stemWidth: { kind: 'log-uniform', range: [8, 32], quantum: 8 } });
    assert.equal(r.model.activation, 'relu'); // the first value stands for the space
    assert.equal(r.model.se, 0.25);
    assert.deepEqual(s.model.sampled, { se: { kind: 'values', values: [0, 0.25, 0.5] } });
    assert.equal(s.model.activation, 'swish');
    // A space that draws nothing has no `sampled` at all, as in manifests written before.
    assert.equal(resolved(`version: 1\nspaces:\n${regnet()}`).spaces[0].model.sampled, undefined);
  });

  test('drawn per model, each value about equally often, reproducibly; a drawn block brings its own SE default', () => {
    const file = resolved(`version: 1\nmodel: { activation: [relu, swish], block: [X, Y] }\nsampling: { samples: 200 }\nspaces:\n${regnet()}`);
    const [{ models }] = sampleFile(file);
    const count = (f: (m: (typeof models)[number]['model']) => boolean) => models.filter((m) => f(m.model)).length;
    const swish = count((m) => m.activation === 'swish');
    const y = count((m) => m.block === 'Y');
    assert.ok(swish > 70 && swish < 130, `swish ${swish} of 200`);
    assert.ok(y > 70 && y < 130, `Y ${y} of 200`);
    assert.equal(count((m) => m.block === 'Y' && m.se !== 0.25), 0);
    assert.equal(count((m) => m.block === 'X' && m.se !== 0), 0);
    assert.equal(count((m) => m.activation === 'relu' && 'activation' in m), 0); // relu, the default, is left out
    assert.deepEqual(sampleFile(file)[0].models, models);
  });

  test('a space that draws no setting samples exactly the models it did before', () => {
    const plain = resolved(`version: 1\nspaces:\n${regnet()}`);
    const drawn = resolved(`version: 1\nspaces:\n${regnet('    model: { activation: [swish] }\n')}`);
    const a = sampleFile(plain, { samples: 5 })[0].models.map((m) => m.model.regnet);
    const b = sampleFile(drawn, { samples: 5 })[0].models.map((m) => m.model.regnet);
    assert.deepEqual(a, b); // [swish] alone is a fixed value: nothing is drawn
  });

  test('models that differ only in a drawn setting are different models', () => {
    const file = resolved(`version: 1\nsampling: { samples: 4 }\nspaces:\n  R:\n    type: regnet\n    depth: 6\n    w0: 16\n    wa: 24\n    wm: 2.5\n    bottleneck: [1]\n    groupWidth: [8]\n    model: { activation: [relu, swish], stem: { width: [8, 16] } }\n`);
    const [s] = sampleFile(file);
    assert.equal(s.models.length, 4);
    assert.equal(new Set(s.models.map((m) => JSON.stringify(m.model))).size, 4);
  });

  test('the space size counts each drawn setting as a degree of freedom', () => {
    const file = resolved(`version: 1\nmodel: { activation: [relu, swish], se: { values: [0, 0.25, 0.5] } }\nspaces:\n${regnet()}`);
    const size = designSpaceSize(file.spaces[0]);
    assert.equal(size.dof, 8);
    assert.equal(size.formula, '10·8·601·1501·1·1·2·3');
  });

  test('SE drawn with a block that has none: an error at the SE setting', () => {
    assert.deepEqual(problems(`version: 1\nspaces:\n${regnet('    model: { block: [X, R], se: [0, 0.25] }\n')}`), [
      '11:33 se-block: spaces.R.model.se draws up to 0.25, but spaces.R.model.block draws R; squeeze-excitation needs an X or Y block',
    ]);
    assert.deepEqual(problems(`version: 1\nmodel: { activation: [relu, tanh] }\nspaces:\n${regnet()}`).length, 1);
  });

  test('drawn numeric settings are analysis properties; block and activation are labels', () => {
    const file = resolved(`version: 1\nmodel: { se: [0, 0.25], stem: { width: [16, 32] } }\nspaces:\n${regnet()}`);
    const space = file.spaces[0];
    const [{ models }] = sampleFile(file, { samples: 6 });
    const records = models.map((m, i): TrialRecord => ({ space: 'R', index: i, model: m.model, status: 'ok', error: 20 + i, flops: m.flops, params: m.params, acts: m.acts, epochs: [], wallSeconds: 1 }) as unknown as TrialRecord);
    const trials = records.map((r) => summarizeTrial(space, r));
    assert.deepEqual(trials.map((t) => [t.metrics.se, t.metrics.stemWidth]), models.map((m) => [m.model.se, m.model.stem?.width]));
    assert.deepEqual(trials[0].labels, { block: 'X', activation: 'relu' });
    const split = splitAnalysis({ settings: { complexity: 'flops', bins: 8, bootstrap: { resamples: 10, fraction: 0.25, seed: 0 }, range: null, rangeSource: 'none', epsilon: null, significance: 0.05 }, spaces: [{ trials } as never] }, ['stemWidth']);
    assert.deepEqual(split.groups.map((g) => g.label).sort(), [...new Set(models.map((m) => `stemWidth = ${m.model.stem?.width}`))].sort());
  });

  test('training values: distributions of the file and values of a space, drawn after the model, recorded per model', () => {
    const file = resolved(
      `version: 1\ntraining: { optimizer: { lr: [0.02, 0.5], weightDecay: 5.0e-4 } }\nsampling: { samples: 3 }\nspaces:\n${regnet()}  S:\n    extends: R\n    training: { epochs: [1, 2], optimizer: { weightDecay: 1.0e-4 } }\n`,
    );
    const [r, s] = file.spaces;
    assert.equal(file.training.optimizer.lr, 0.1); // drawn per model: the recipe keeps its default
    assert.deepEqual(r.training, { lr: { kind: 'log-uniform', range: [0.02, 0.5], quantum: 0.0001 } });
    assert.deepEqual(s.training, { lr: { kind: 'log-uniform', range: [0.02, 0.5], quantum: 0.0001 }, weightDecay: { kind: 'values', values: [0.0001] }, epochs: { kind: 'values', values: [1, 2] } });
    const [a, b] = sampleFile(file);
    for (const m of a.models) assert.ok(m.training && m.training.lr! >= 0.02 && m.training.lr! <= 0.5 && Object.keys(m.training).length === 1);
    for (const m of b.models) assert.ok(m.training && m.training.weightDecay === 0.0001 && [1, 2].includes(m.training.epochs!));
    assert.deepEqual(withDrawnTraining(file.training, { lr: 0.3, epochs: 4 }).optimizer.lr, 0.3);
    assert.equal(withDrawnTraining(file.training, { lr: 0.3, epochs: 4 }).epochs, 4);
    assert.equal(designSpaceSize(r).dof, 7);
  });

  test('a drawn training value that cannot be drawn: an error where it is written, once', () => {
    assert.deepEqual(problems(`version: 1\ntraining: { optimizer: { lr: [0.5, 0.02] } }\nspaces:\n${regnet()}  S:\n    extends: R\n`), [
      '2:30 distribution: training.optimizer.lr: range [0.5, 0.02] is reversed',
    ]);
  });

  test('sweeps without drawn training values keep their fingerprint input: bare model specs', () => {
    const plain = resolved(`version: 1\nsampling: { samples: 2 }\nspaces:\n${regnet()}`);
    const models = sampleFile(plain)[0].models;
    assert.deepEqual(fingerprintInput(plain, models).spaces.R, models.map((m) => m.model));
    const drawn = resolved(`version: 1\ntraining: { epochs: [1, 2] }\nsampling: { samples: 2 }\nspaces:\n${regnet()}`);
    const dm = sampleFile(drawn)[0].models;
    assert.deepEqual(fingerprintInput(drawn, dm).spaces.R, dm.map((m) => ({ model: m.model, training: m.training })));
  });
});
