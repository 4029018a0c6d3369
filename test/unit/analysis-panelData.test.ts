import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { scatterPoints, stepCurvePoints } from '../../src/core/analysis/drawnPoints';
import { edfCurve } from '../../src/core/analysis/edf';
import { loadSweep } from '../../src/core/analysis/loadSweep';
import { CURVE_ENDS, EDF_CHART_POINTS, panelAnalysisOf, trialDetailOf, trialKey, trialRowOf } from '../../src/core/analysis/panelData';
import { analysisMessage } from '../../src/core/analysis/panelProtocol';
import { analyzeSweep } from '../../src/core/analysis/sweepAnalysis';
import { packPanelAnalysis, unpackPanelAnalysis } from '../../src/core/analysis/trialColumns';
import { generatedAnalysis } from '../generatedSweep';

const FIXTURE = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'sweeps', 'three-spaces');

/** A seeded uniform stream in [0, 1) (xorshift32), for inputs of any size. */
function stream(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

/** The value a step curve drawn through `x, y` ('before': flat, then the jump at each x) takes at `at`. */
function drawnAt(x: readonly number[], y: readonly number[], at: number): number {
  let v = 0;
  for (let k = 0; k < x.length && x[k] <= at; k++) v = y[k];
  return v;
}

describe('the points a chart draws', () => {
  test('a step curve of few points is drawn whole', () => {
    const c = edfCurve([3, 1, 2, 2]);
    assert.deepEqual(stepCurvePoints(c.x, c.y, 10), [0, 1, 2]);
  });

  test('a large EDF keeps its ends exactly and its shape within a fraction of its span', () => {
    const next = stream(7);
    const errors = Array.from({ length: 20_000 }, () => 5 + 30 * next() ** 2);
    const c = edfCurve(errors);
    const max = 2000;
    const kept = stepCurvePoints(c.x, c.y, max);
    assert.ok(kept.length <= max, `${kept.length} points`);
    assert.deepEqual(kept, [...kept].sort((a, b) => a - b));
    const ends = max / 10;
    assert.deepEqual(kept.slice(0, ends), Array.from({ length: ends }, (_, i) => i));
    assert.deepEqual(kept.slice(-ends), Array.from({ length: ends }, (_, i) => c.x.length - ends + i));
    const x = kept.map((k) => c.x[k]);
    const y = kept.map((k) => c.y[k]);
    const r = (max - 2 * ends) / 2;
    let worst = 0;
    for (let k = 0; k < c.x.length; k += 7) worst = Math.max(worst, c.y[k] - drawnAt(x, y, c.x[k]));
    assert.ok(worst <= 1 / r, `drawn curve off by ${worst} (bound ${1 / r})`);
    assert.ok(worst > 0, 'the curve was thinned');
  });

  test('a large scatter keeps its best and worst points, the selected one, and a point in every region it reaches', () => {
    const next = stream(11);
    const n = 25_000;
    const xs = Array.from({ length: n }, () => next() * 100);
    const ys = xs.map((x) => 10 + x / 10 + 5 * next());
    const max = 3000;
    const kept = scatterPoints(xs, ys, max, [12_345]);
    assert.ok(kept.length <= max + 1 && kept.length > max / 2, `${kept.length} points`);
    const set = new Set(kept);
    assert.ok(set.has(12_345));
    const byY = Array.from({ length: n }, (_, i) => i).sort((a, b) => ys[a] - ys[b] || a - b);
    for (const i of [...byY.slice(0, max / 10), ...byY.slice(-max / 10)]) assert.ok(set.has(i), `end point ${i}`);
    // Every point lies within a grid cell's size of a kept one.
    const [w, h] = [100 / Math.floor(Math.sqrt(2 * (max - 600))), 15 / Math.floor((max - 600) / Math.floor(Math.sqrt(2 * (max - 600))))];
    for (let i = 0; i < n; i += 97) assert.ok(kept.some((k) => Math.abs(xs[k] - xs[i]) <= w && Math.abs(ys[k] - ys[i]) <= h), `point ${i} has no kept neighbour`);
    assert.equal(scatterPoints(xs.slice(0, 50), ys.slice(0, 50), max).length, 50);
  });
});

describe('the analysis as the Results panel receives it', () => {
  const full = analyzeSweep(loadSweep(FIXTURE));

  test('a small sweep comes whole: its curves as computed, every trial with its details', () => {
    const panel = panelAnalysisOf(full);
    full.spaces.forEach((s, i) => {
      const p = panel.spaces[i];
      assert.deepEqual(p.edf, s.edf);
      assert.deepEqual(p.band, s.band);
      assert.deepEqual(p.normalized?.curve, s.normalized?.curve);
      assert.deepEqual(p.trials, s.trials.map(trialRowOf));
    });
    const message = analysisMessage(full);
    assert.deepEqual(message.details, full.spaces.flatMap((s) => s.trials.map(trialDetailOf)));
    // As columns and back, through JSON as a webview message travels: the same rows.
    assert.deepEqual(unpackPanelAnalysis(JSON.parse(JSON.stringify(message.analysis))), panel);
    const row = panel.spaces[2].trials[4];
    assert.deepEqual({ key: trialKey(row), error: row.error, blocks: row.blocks, epochs: row.epochCount, efit: typeof row.metrics.efit }, { key: 'RegNetX/4', error: 18, blocks: 6, epochs: 2, efit: 'number' });
  });

  test('a large sweep comes slim: rows as columns, curves thinned for drawing, the details of the curves’ ends and the selections only', () => {
    const big = generatedAnalysis(5000);
    const message = analysisMessage(big, 'generated/17');
    const keys = message.details.map(trialKey);
    const ranked = big.spaces[0].trials.filter((t) => t.error !== null).sort((a, b) => (a.error as number) - (b.error as number));
    const expected = [...ranked.slice(0, CURVE_ENDS), ...ranked.slice(-CURVE_ENDS)].map(trialKey);
    assert.deepEqual(keys.slice().sort(), [...new Set([...expected, 'generated/17'])].sort());
    const sent = JSON.stringify(message).length;
    assert.ok(sent * 4 < JSON.stringify(big).length, `${sent} bytes`);
    const edf = message.analysis.spaces[0].edf;
    assert.ok(big.spaces[0].edf.x.length > EDF_CHART_POINTS && edf.x.length <= EDF_CHART_POINTS, `${edf.x.length} points`);
    assert.equal(message.analysis.spaces[0].band?.upper.length, edf.x.length);
    // Every statistic is the analysis's, and every trial is there.
    const panel = unpackPanelAnalysis(JSON.parse(JSON.stringify(message.analysis)));
    assert.deepEqual(panel.spaces[0].bestRanges, big.spaces[0].bestRanges);
    assert.deepEqual(panel.spaces[0].searchEfficiency, big.spaces[0].searchEfficiency);
    assert.deepEqual(panel.spaces[0].trials, big.spaces[0].trials.map(trialRowOf));
    assert.deepEqual(packPanelAnalysis(panel).spaces[0].trials.metricKeys, Object.keys(big.spaces[0].trials[0].metrics));
  });
});
