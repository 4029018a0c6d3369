import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { TrialSummary } from '../../src/core/analysis/analysisData';
import { loadSweep } from '../../src/core/analysis/loadSweep';
import { splitAnalysis } from '../../src/core/analysis/split';
import { analyzeSweep, type SweepAnalysis } from '../../src/core/analysis/sweepAnalysis';
import { trendAnalysis } from '../../src/core/analysis/trend';

const FIXTURE = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'sweeps', 'three-spaces');
const analysis = analyzeSweep(loadSweep(FIXTURE));

/** One space of 30 ok trials: flops 1..30 M; the best depth is 2 below 10M, 8 above 20M. */
function synthetic(): Pick<SweepAnalysis, 'spaces' | 'settings'> {
  const trials = Array.from({ length: 30 }, (_, i): TrialSummary => {
    const flops = (i + 1) * 1e6;
    const depth = i % 5 === 0 ? (flops <= 10e6 ? 2 : flops > 20e6 ? 8 : 5) : 4 + (i % 3);
    return {
      space: 'S', index: i, status: 'ok', error: i % 5 === 0 ? 10 : 30, flops, params: 1, acts: 1,
      metrics: { depth, flops }, labels: { block: 'X', activation: i % 2 === 0 ? 'relu' : 'swish' },
      blockWidths: [], stageStarts: [], line: null, epochs: [], wallSeconds: 1,
    };
  });
  const [space] = analysis.spaces;
  return { settings: { ...analysis.settings, bootstrap: { resamples: 2000, fraction: 0.5, seed: 1 } }, spaces: [{ ...space, name: 'S', trials }] };
}

describe('trendAnalysis', () => {
  test('bins of equal counts by complexity, each with the best range of every property', () => {
    const [t] = trendAnalysis(synthetic());
    assert.equal(t.space, 'S');
    assert.deepEqual(t.bins.map((b) => [b.range, b.n]), [[[1e6, 10e6], 10], [[11e6, 20e6], 10], [[21e6, 30e6], 10]]);
    // The best models of each bin have that bin's best depth; complexity itself is the axis, not a row.
    assert.deepEqual(t.bins.map((b) => b.bestRanges.depth.median), [2, 5, 8]);
    assert.ok(t.bins.every((b) => !('flops' in b.bestRanges)));
  });

  test('with a split, each bin reports every group', () => {
    const a = synthetic();
    const [t] = trendAnalysis(a, { bins: 2, split: splitAnalysis(a, ['activation']) });
    assert.deepEqual(t.bins.map((b) => b.groups?.map((g) => [g.label, g.n])), [
      [['activation = relu', 8], ['activation = swish', 7]],
      [['activation = relu', 7], ['activation = swish', 8]],
    ]);
  });

  test('bins too small for a bootstrap say so; tied complexities stay in one bin', () => {
    const trends = trendAnalysis(analysis);
    assert.deepEqual(trends.map((t) => t.space), ['AnyNetX_A', 'AnyNetX_E', 'RegNetX']);
    assert.match(trends[0].bins[0].bestRangesNote ?? '', /each bootstrap resample holds one model/);
    const a = synthetic();
    for (const t of a.spaces[0].trials) t.flops = t.index < 12 ? 5e6 : 9e6;
    assert.deepEqual(trendAnalysis(a).map((t) => t.bins.map((b) => b.n)), [[12, 18]]);
    assert.throws(() => trendAnalysis(a, { bins: 0 }), /positive integer/);
  });
});
