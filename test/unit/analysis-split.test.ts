import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { TrialSummary } from '../../src/core/analysis/analysisData';
import { loadSweep } from '../../src/core/analysis/loadSweep';
import { MAX_DISTINCT, splitAnalysis, splitKeys } from '../../src/core/analysis/split';
import { analyzeSweep, type SweepAnalysis } from '../../src/core/analysis/sweepAnalysis';

const FIXTURE = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'sweeps', 'three-spaces');
const analysis = analyzeSweep(loadSweep(FIXTURE));

/** An analysis holding only `trials` (one RegNet space), with the fixture's settings. */
function withTrials(trials: Partial<TrialSummary>[]): Pick<SweepAnalysis, 'spaces' | 'settings'> {
  const full = trials.map((t, index): TrialSummary => ({
    space: 'RegNetX',
    index,
    status: 'ok',
    error: 20,
    flops: 3e6,
    params: 1e5,
    acts: 1e5,
    metrics: {},
    labels: { block: 'X', activation: 'relu' },
    blockWidths: [],
    stageStarts: [],
    line: null,
    epochs: [],
    wallSeconds: 1,
    ...t,
  }));
  const [regnet] = analysis.spaces.filter((s) => s.name === 'RegNetX');
  return { settings: analysis.settings, spaces: [{ ...regnet, trials: full }] };
}

describe('splitAnalysis', () => {
  test('by space: one group per space, the same n and median as the space analysis', () => {
    const split = splitAnalysis(analysis, ['space']);
    assert.deepEqual(
      split.groups.map((g) => [g.label, g.n, g.median]),
      analysis.spaces.map((s) => [`space = ${s.name}`, s.n, s.median]),
    );
    assert.equal(split.comparisons.length, 3);
    assert.equal(split.pairLevel, analysis.settings.significance / 3);
  });

  test('a clear difference is claimed at α / pairs, named best first', () => {
    // b = 1 errors 10..19, b = 4 errors 30..39, b = 2 in between: every pair separates completely.
    const trials = [1, 2, 4].flatMap((b, k) => Array.from({ length: 10 }, (_, i) => ({ metrics: { b }, error: 10 + 10 * k + i + (b === 4 ? 10 : 0), flops: 2.5e6 + i * 3e5 })));
    const split = splitAnalysis(withTrials(trials), ['b']);
    assert.deepEqual(split.groups.map((g) => g.label), ['b = 1', 'b = 2', 'b = 4']);
    assert.equal(split.findings.length, 3);
    assert.match(split.findings[0], /^b = 1 better than b = 2: median error −10\.0 points, KS D = 1\.00 \(.* p < 0\.001 ≤ α\/3 = 0\.0167/);
    assert.match(split.findings[2], /^b = 2 better than b = 4/);
  });

  test('overlapping groups: no claim', () => {
    const trials = Array.from({ length: 20 }, (_, i) => ({ labels: { block: 'X', activation: i % 2 === 0 ? 'relu' : 'swish' }, error: 20 + (i % 7) }));
    const split = splitAnalysis(withTrials(trials), ['activation']);
    assert.deepEqual(split.groups.map((g) => [g.label, g.n]), [['activation = relu', 10], ['activation = swish', 10]]);
    assert.match(split.findings[0], /^No clear difference between activation = relu and activation = swish/);
  });

  test('many distinct values are cut into quantile bins, the last one closed', () => {
    const trials = Array.from({ length: 20 }, (_, i) => ({ metrics: { wa: 10 + i * 0.5 }, error: 20 + i }));
    assert.ok(20 > MAX_DISTINCT);
    const split = splitAnalysis(withTrials(trials), ['wa']);
    assert.deepEqual(split.groups.map((g) => [g.label, g.n]), [
      ['wa ∈ [10, 12.50)', 5],
      ['wa ∈ [12.50, 15)', 5],
      ['wa ∈ [15, 17.50)', 5],
      ['wa ∈ [17.50, 19.50]', 5],
    ]);
  });

  test('two keys: their combinations, in the order of the first key, then the second', () => {
    const trials = Array.from({ length: 16 }, (_, i) => ({ metrics: { g: i % 2 === 0 ? 1 : 8 }, labels: { block: 'X', activation: i < 8 ? 'swish' : 'relu' }, error: 20 + i }));
    const split = splitAnalysis(withTrials(trials), ['activation', 'g']);
    assert.deepEqual(split.groups.map((g) => g.label), ['activation = relu, g = 1', 'activation = relu, g = 8', 'activation = swish, g = 1', 'activation = swish, g = 8']);
    assert.equal(split.comparisons.length, 6);
  });

  test('trials without the property are left out and counted; single-trial groups are named, not tested', () => {
    const split = splitAnalysis(analysis, ['g']);
    assert.equal(split.without.g, 14); // the two AnyNet spaces have g1, g2, g3 instead
    assert.deepEqual(split.groups.map((g) => [g.label, g.n]), [['g = 1', 3], ['g = 2', 1], ['g = 4', 1], ['g = 8', 3]]);
    assert.equal(split.comparisons.length, 1);
    assert.ok(split.findings.includes('Not compared, one ok trial each: g = 2; g = 4.'));
  });

  test('an unknown key names the ones there are', () => {
    assert.ok(splitKeys(analysis).includes('wm'));
    assert.throws(() => splitAnalysis(analysis, ['bottleneck']), /no ok trial has 'bottleneck'; properties to split by: space, block, activation, depth/);
  });
});
