import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeComparison } from '../../src/core/analysis/findings';
import { formatP, signed } from '../../src/core/analysis/format';
import { loadSweep, type SweepSnapshot } from '../../src/core/analysis/loadSweep';
import { escapeHtml, renderReportHtml, scriptSafeJson } from '../../src/core/analysis/reportHtml';
import { analyzeSweep, complexityRange, spearman, type SweepAnalysis } from '../../src/core/analysis/sweepAnalysis';
import type { TrialRecord } from '../../src/core/results/records';
import { SweepDirectoryError } from '../../src/core/results/store';

const FIXTURE = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'sweeps', 'three-spaces');

// Errors written by test/fixtures/sweeps/make-fixture.js:
//   AnyNetX_A ok: 24, 29, 31.5, 27, 33, 26 (#2 failed, #5 diverged)
//   AnyNetX_E:    22, 25, 23.5, 27, 24, 21, 26, 23
//   RegNetX:      19, 22, 20.5, 22, 18, 21, 23, 20 (22 twice)
const fixture = loadSweep(FIXTURE);
const analysis = analyzeSweep(fixture);
const space = (a: SweepAnalysis, name: string) => {
  const s = a.spaces.find((x) => x.name === name);
  assert.ok(s, name);
  return s;
};

function withRecords(records: TrialRecord[]): SweepSnapshot {
  return { ...fixture, records };
}

describe('analyzeSweep on the fixture sweep', () => {
  test('counts: ok trials, failed and diverged ones left out', () => {
    assert.deepEqual(
      analysis.spaces.map((s) => [s.name, s.type, s.planned, s.n, s.failed, s.diverged, s.missing]),
      [
        ['AnyNetX_A', 'anynet', 8, 6, 1, 1, 0],
        ['AnyNetX_E', 'anynet', 8, 8, 0, 0, 0],
        ['RegNetX', 'regnet', 8, 8, 0, 0, 0],
      ],
    );
    assert.deepEqual(analysis.progress, { planned: 24, recorded: 24, missing: 0, unusable: [] });
  });

  test('min, mean and median error per space', () => {
    assert.deepEqual(
      analysis.spaces.map((s) => [s.min, s.median]),
      [
        [24, 28], // (27 + 29) / 2
        [21, 23.75], // (23.5 + 24) / 2
        [18, 20.75], // (20.5 + 21) / 2
      ],
    );
    assert.ok(Math.abs((space(analysis, 'AnyNetX_A').mean as number) - 170.5 / 6) < 1e-12);
    assert.equal(space(analysis, 'AnyNetX_E').mean, 23.9375);
    assert.equal(space(analysis, 'RegNetX').mean, 20.6875);
  });

  test('ε is the largest ok error and the EDF area is 1 − mean(e/ε)', () => {
    assert.equal(analysis.settings.epsilon, 33);
    assert.ok(Math.abs((space(analysis, 'AnyNetX_A').area as number) - (1 - 170.5 / 6 / 33)) < 1e-12);
    assert.ok(Math.abs((space(analysis, 'RegNetX').area as number) - (1 - 20.6875 / 33)) < 1e-12);
  });

  test('tied errors make one step of the EDF', () => {
    const edf = space(analysis, 'RegNetX').edf;
    assert.deepEqual(edf.x, [18, 19, 20, 20.5, 21, 22, 23]);
    assert.deepEqual(edf.y, [1, 2, 3, 4, 5, 7, 8].map((k) => k / 8));
  });

  test('KS D between every pair, hand-checked', () => {
    const ks = analysis.comparisons.map((c) => [c.a, c.b, c.ks?.d]);
    // A vs E: at e = 25, F_E = 6/8 and F_A = 1/6. A vs R: every RegNetX error is below every A error.
    // E vs R: at e = 22, F_R = 7/8 and F_E = 2/8.
    assert.equal(ks.length, 3);
    assert.deepEqual(ks[0].slice(0, 2), ['AnyNetX_A', 'AnyNetX_E']);
    assert.ok(Math.abs((ks[0][2] as number) - 7 / 12) < 1e-12);
    assert.deepEqual(ks[1], ['AnyNetX_A', 'RegNetX', 1]);
    assert.deepEqual(ks[2], ['AnyNetX_E', 'RegNetX', 0.625]);
    assert.equal(analysis.comparisons[1].medianDiff, -7.25);
  });

  test('normalized EDFs share the constraint range and the bins of the file', () => {
    assert.deepEqual(analysis.settings.range, [2e6, 6e6]);
    assert.equal(analysis.settings.rangeSource, 'constraint');
    const a = space(analysis, 'AnyNetX_A').normalized;
    assert.ok(a);
    assert.deepEqual(a.binCounts, [1, 0, 2, 3]);
    assert.deepEqual(a.emptyBins, [1]);
    assert.equal(a.dropped, 0);
    // Three filled bins, each 1/3 of the mass: the lone model of bin 0 weighs 1/3.
    assert.ok(Math.abs(a.weights.reduce((s, w) => s + w, 0) - 1) < 1e-12);
    assert.ok(Math.abs(Math.max(...a.weights) - 1 / 3) < 1e-12);
  });

  test('findings compare spaces only where the KS test supports it', () => {
    // E vs RegNetX: Stephens' asymptotic p was 0.0495 here and claimed an order; the permutation
    // test within flops bins gives 0.065, the exact plain test with ties 0.0567 (scipy-free check:
    // the tie-aware lattice path), so no claim.
    assert.deepEqual(analysis.findings.slice(0, 5), [
      'No clear difference between AnyNetX_A and AnyNetX_E: median error −5.5 points for AnyNetX_E, KS D = 0.67 (permutation p = 0.15, flops-normalized).',
      'RegNetX beats AnyNetX_A: median error −8.0 points, KS D = 1.00 (permutation p = 0.00530, flops-normalized).',
      'No clear difference between AnyNetX_E and RegNetX: median error −2.5 points for RegNetX, KS D = 0.65 (permutation p = 0.0649, flops-normalized).',
      'Lowest error: 18.00% (RegNetX #4).',
      'AnyNetX_A: 1 failed and 1 diverged trials left out of the EDFs.',
    ]);
    assert.ok(analysis.findings.includes('AnyNetX_A: 1 of 4 flops bins holds no model; the normalized EDF gives their share to the other bins.'));
    assert.ok(!analysis.findings.some((f) => f.startsWith('RegNetX: ') && f.includes('bins')));
  });

  test('per model: block widths, stage starts and the width line', () => {
    const a3 = space(analysis, 'AnyNetX_A').trials[3];
    assert.deepEqual(a3.blockWidths, [16, 16, 16, 16, 16, 16, 24, 24, 24, 24, 24, 64, 64, 64]);
    assert.deepEqual(a3.stageStarts, [0, 6, 11]);
    assert.equal(a3.line?.source, 'fit');
    assert.equal(a3.metrics.depth, 14);
    assert.deepEqual([a3.metrics.d1, a3.metrics.w3, a3.metrics.g3, a3.metrics.b1], [6, 64, 16, 4]);
    const r3 = space(analysis, 'RegNetX').trials[3];
    assert.deepEqual(r3.blockWidths, [16, 40, 112, 112, 112]);
    assert.deepEqual(r3.line && { w0: r3.line.w0, wa: r3.line.wa, wm: r3.line.wm, efit: r3.line.efit, source: r3.line.source }, {
      w0: 16,
      wa: 29.7,
      wm: 2.616,
      efit: 0,
      source: 'params',
    });
    assert.deepEqual(r3.line?.continuous.map((u) => Math.round(u * 10) / 10), [16, 45.7, 75.4, 105.1, 134.8]);
    const failed = space(analysis, 'AnyNetX_A').trials[2];
    assert.deepEqual([failed.status, failed.error, failed.note], ['failed', null, 'out of memory while building the model']);
  });

  test('bootstrap best ranges are seeded: the same seed gives the same ranges', () => {
    const again = analyzeSweep(fixture);
    assert.deepEqual(again.spaces.map((s) => s.bestRanges), analysis.spaces.map((s) => s.bestRanges));
    // Six ok trials at fraction 0.25: a resample is one model, so no best range but a note.
    assert.deepEqual(space(analysis, 'AnyNetX_A').bestRanges, {});
    assert.match(space(analysis, 'AnyNetX_A').bestRangesNote ?? '', /each bootstrap resample holds one model \(8 or more needed\)/);
    const r = space(analysis, 'RegNetX').bestRanges;
    assert.deepEqual(Object.keys(r), ['depth', 'w0', 'wa', 'wm', 'g', 'b', 'flops', 'params', 'acts', 'efit']);
    assert.deepEqual(r.efit, { lo: 0, median: 0, hi: 0 });
    assert.deepEqual(r.b, { lo: 1, median: 1, hi: 1 });
    assert.deepEqual(Object.keys(space(analysis, 'AnyNetX_E').bestRanges).slice(0, 5), ['depth', 'd1', 'd2', 'd3', 'w1']);
  });

  test('random search efficiency runs m = 1 … n, from the mean error down to near the minimum', () => {
    const r = space(analysis, 'RegNetX');
    assert.deepEqual(r.searchEfficiency.map((p) => p.m), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.ok(Math.abs(r.searchEfficiency[0].mean - (r.mean as number)) < 1e-9);
    assert.ok(r.searchEfficiency[7].mean >= (r.min as number) && r.searchEfficiency[7].mean < r.searchEfficiency[0].mean);
  });
});

describe('analyzeSweep edge cases', () => {
  test('a running sweep: missing trials counted, the findings say the numbers will change', () => {
    const a = analyzeSweep(withRecords(fixture.records.filter((r) => r.index < 3)));
    assert.deepEqual(a.progress, { planned: 24, recorded: 9, missing: 15, unusable: [] });
    assert.deepEqual(a.spaces.map((s) => [s.n, s.missing]), [[2, 5], [3, 5], [3, 5]]);
    assert.equal(a.findings[0], 'Incomplete: 9 of 24 trials recorded; the numbers will change as the rest are trained.');
  });

  test('an empty sweep: nothing to compare, no numbers invented', () => {
    const a = analyzeSweep(withRecords([]));
    assert.equal(a.settings.epsilon, null);
    assert.deepEqual(a.spaces.map((s) => [s.n, s.min, s.median, s.area, s.normalized]), [
      [0, null, null, null, null],
      [0, null, null, null, null],
      [0, null, null, null, null],
    ]);
    assert.deepEqual(a.comparisons.map((c) => c.ks), [null, null, null]);
    assert.deepEqual(a.findings, ['No trial has finished yet (0 of 24): nothing to analyze.']);
  });

  test('an all-failed sweep: every trial counted as failed, no EDF', () => {
    const failed = fixture.records.map((r) => ({ ...r, status: 'failed' as const, error: null, failure: { message: 'boom' } }));
    const a = analyzeSweep(withRecords(failed));
    assert.deepEqual(a.spaces.map((s) => [s.n, s.failed, s.edf.x.length]), [[0, 8, 0], [0, 8, 0], [0, 8, 0]]);
    assert.ok(a.findings.includes('RegNetX: no trial finished ok.'));
    assert.ok(!a.findings.some((f) => f.includes('beats')));
  });

  test('one model: its error is min, mean and median; nothing to compare it with', () => {
    const one = fixture.records.filter((r) => r.space === 'RegNetX' && r.index === 4);
    const a = analyzeSweep(withRecords(one));
    const r = space(a, 'RegNetX');
    assert.deepEqual([r.n, r.min, r.mean, r.median, r.area], [1, 18, 18, 18, 0]);
    assert.deepEqual(r.bestRanges, {});
    assert.deepEqual(a.comparisons.map((c) => c.ks), [null, null, null]);
    assert.deepEqual(a.findings, [
      'Incomplete: 1 of 24 trials recorded; the numbers will change as the rest are trained.',
      'AnyNetX_A vs RegNetX: too few ok trials to compare (n = 0 and 1).',
      'AnyNetX_E vs RegNetX: too few ok trials to compare (n = 0 and 1).',
      'Lowest error: 18.00% (RegNetX #4).',
      'RegNetX: 3 of 4 flops bins hold no model; the normalized EDF gives their share to the other bins.',
      'RegNetX: no best ranges: with 1 ok trial and fraction 0.25, each bootstrap resample holds one model (8 or more needed).',
    ]);
  });

  test('without a constraint the range is min to max over the ok trials', () => {
    const resolved = structuredClone(fixture.manifest.resolved);
    resolved.sampling.constraints = {};
    for (const s of resolved.spaces) s.constraints = {};
    assert.deepEqual(complexityRange(resolved, [5, 3, 9]), { range: [3, 9], rangeSource: 'trials' });
    assert.deepEqual(complexityRange(resolved, [4, 4]), { range: null, rangeSource: 'none' });
    assert.deepEqual(complexityRange(resolved, []), { range: null, rangeSource: 'none' });
  });
});

describe('findings wording', () => {
  test('numbers as people read them', () => {
    assert.equal(signed(-1.84), '−1.8');
    assert.equal(signed(0.4), '+0.4');
    assert.equal(signed(-0.01), '0.0');
    assert.deepEqual([formatP(0.0004), formatP(0.0495), formatP(0.62)], ['p < 0.001', 'p = 0.0495', 'p = 0.62']);
  });

  test('a large p-value is "no clear difference", whatever the medians say', () => {
    const a = space(analysis, 'AnyNetX_A');
    const e = space(analysis, 'AnyNetX_E');
    const c = { ...analysis.comparisons[0], basis: 'plain' as const, ksNormalized: null, ks: { d: 0.3, p: 0.4, at: 25, method: 'exact' as const } };
    assert.equal(
      describeComparison(c, { ...a, normalized: null }, { ...e, normalized: null }, 'flops', 0.05),
      'No clear difference between AnyNetX_A and AnyNetX_E: median error −4.3 points for AnyNetX_E, KS D = 0.30 (exact p = 0.40).',
    );
  });

  test('spearman: perfect, reversed, tied and undefined', () => {
    assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
    assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
    assert.ok(Math.abs((spearman([1, 2, 3], [1, 1, 2]) as number) - Math.sqrt(3) / 2) < 1e-12);
    assert.equal(spearman([1, 2], [1, 2]), null);
    assert.equal(spearman([1, 2, 3], [5, 5, 5]), null);
  });
});

describe('loadSweep', () => {
  test('a directory without sweep.json is not a sweep', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-analyze-'));
    try {
      assert.throws(() => loadSweep(dir), (err: Error) => err instanceof SweepDirectoryError && err.message.startsWith(`${dir} holds no sweep.json`));
      assert.throws(() => loadSweep(path.join(dir, 'nope')), /nope does not exist/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('records that cannot be used are reported, never written over', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-analyze-'));
    try {
      fs.cpSync(FIXTURE, dir, { recursive: true });
      const empty = path.join(dir, 'trials', 'RegNetX', '0001.json');
      fs.writeFileSync(empty, '');
      fs.rmSync(path.join(dir, 'trials', 'RegNetX', '0002.json'));
      const snap = loadSweep(dir);
      assert.deepEqual(snap.unusable, [{ file: 'trials/RegNetX/0001.json', reason: 'empty' }]);
      assert.equal(snap.records.length, 22);
      assert.equal(fs.readFileSync(empty, 'utf8'), '');
      const a = analyzeSweep(snap);
      assert.equal(space(a, 'RegNetX').missing, 2);
      assert.equal(a.findings[a.findings.length - 1], '1 record cannot be used: trials/RegNetX/0001.json (empty).');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('report HTML', () => {
  test('one self-contained page: data and code inlined, nothing loaded from elsewhere', () => {
    const html = renderReportHtml(analysis, 'window.x = "</script>";', 'bm9uY2Utb2YtdGhlLXRlc3Q=');
    assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'nonce-bm9uY2Utb2YtdGhlLXRlc3Q='; script-src 'nonce-bm9uY2Utb2YtdGhlLXRlc3Q=';">`));
    assert.equal(html.match(/<script nonce="bm9uY2Utb2YtdGhlLXRlc3Q=">/g)?.length, 1);
    assert.throws(() => renderReportHtml(analysis, '', 'short'), /nonce/);
    assert.ok(!/<script[^>]+src=|<link[^>]+href=|https?:\/\//i.test(html.replace(/http:\/\/www\.w3\.org[^"]*/g, '')));
    assert.ok(html.includes('window.x = "<\\/script>";'));
    const data = /<script type="application\/json" id="dslab-data">(.*?)<\/script>/s.exec(html);
    assert.ok(data);
    assert.deepEqual(JSON.parse(data[1]), JSON.parse(JSON.stringify(analysis)));
    assert.ok(html.includes('<li>RegNetX beats AnyNetX_A: median error −8.0 points'));
  });

  test('text and JSON are escaped for the page', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    assert.equal(scriptSafeJson({ s: '</script>' }), '{"s":"\\u003c/script>"}');
  });
});
