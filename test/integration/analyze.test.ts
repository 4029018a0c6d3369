import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');
const DSLAB = path.join(ROOT, 'bin', 'dslab');
// Relative to ROOT, the working directory of every run: messages must name paths as given.
const FIXTURE = 'test/fixtures/sweeps/three-spaces';

function dslab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [DSLAB, ...args], { encoding: 'utf8', cwd: ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-analyze-cli-'));
}

describe('dslab analyze', () => {
  test('prints the summary table, the KS tests and the findings', () => {
    const r = dslab('analyze', FIXTURE);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `Sweep fixture-three-spaces (${FIXTURE}): 24 of 24 trials recorded`);
    assert.match(r.stdout, /^ {2}AnyNetX_A +anynet +6 +1 +1 +0 +24\.00 +28\.42 +28\.00 +0\.139 /m);
    assert.match(r.stdout, /^ {2}RegNetX +regnet +8 +0 +0 +0 +18\.00 +20\.69 +20\.75 +0\.373 /m);
    assert.match(r.stdout, /EDF area up to ε = 33\.00% \(the largest ok error\)/);
    assert.match(r.stdout, /^ {2}AnyNetX_A vs RegNetX +D = 1\.00 \(p < 0\.001\) +D = 1\.00 \(p = 0\.00530\)$/m);
    assert.match(r.stdout, /^ {2}AnyNetX_E vs RegNetX +D = 0\.63 \(p = 0\.0567\) +D = 0\.65 \(p = 0\.0649\)$/m);
    assert.match(r.stdout, /^ {2}RegNetX +±0\.48 \(n = 8\) +±0\.52 \(n_eff = 6\.9\)$/m);
    assert.match(r.stdout, /^ {4}depth \d+ \[\d+, \d+\], w0 \d+ \[\d+, \d+\], wa [\d.]+ \[[\d.]+, [\d.]+\], wm [\d.]+ \[[\d.]+, [\d.]+\]$/m);
    assert.ok(lines.includes('  - RegNetX beats AnyNetX_A: median error −8.0 points, KS D = 1.00 (permutation p = 0.00530, flops-normalized).'));
    assert.ok(lines.includes('  - No clear difference between AnyNetX_E and RegNetX: median error −2.5 points for RegNetX, KS D = 0.65 (permutation p = 0.0649, flops-normalized).'));
    assert.ok(lines.includes('  - AnyNetX_A: 1 failed and 1 diverged trials left out of the EDFs.'));
  });

  test('--by splits the ok trials by a property: a table of groups and the split findings', () => {
    const r = dslab('analyze', FIXTURE, '--by', 'space');
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.ok(lines.includes('Split by space (ok trials of every space that has it):'));
    assert.match(r.stdout, /^ {2}space = RegNetX +8 +18\.0% +20\.8% +±0\.48$/m);
    assert.ok(lines.includes('  - space = RegNetX better than space = AnyNetX_A: median error −7.3 points, KS D = 1.00 (permutation p = 0.00550 ≤ α/3 = 0.0167, flops-normalized).'));
    const json = JSON.parse(dslab('analyze', FIXTURE, '--by', 'space,g', '--json').stdout);
    assert.deepEqual(json.split.keys, ['space', 'g']);
    assert.deepEqual(json.split.groups.map((g: { label: string; n: number }) => [g.label, g.n]), [
      ['space = RegNetX, g = 1', 3],
      ['space = RegNetX, g = 2', 1],
      ['space = RegNetX, g = 4', 1],
      ['space = RegNetX, g = 8', 3],
    ]);
    assert.deepEqual(json.split.without, { g: 14 });
    const bad = dslab('analyze', FIXTURE, '--by', 'bottleneck');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--by: no ok trial has 'bottleneck'; properties to split by: space, block, activation, depth, d1/);
    assert.equal(dslab('analyze', FIXTURE, '--by', 'a,b,c').status, 2);
  });

  test('--trend: per space, complexity bins with best ranges; --trend-bins sets their number; JSON has trends', () => {
    const r = dslab('analyze', FIXTURE, '--trend-bins', '1');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Trends across flops, RegNetX \(best ranges: median \[2\.5%, 97\.5%\] of the bin's bootstrap\):$/m);
    assert.match(r.stdout, /^ {2}flops +2\.42M–5\.99M \(n = 8\)$/m);
    assert.match(r.stdout, /^ {2}wm +[\d.]+ \[[\d.]+, [\d.]+\]$/m);
    const json = JSON.parse(dslab('analyze', FIXTURE, '--trend', '--by', 'space', '--json').stdout);
    assert.deepEqual(json.trends.map((t: { space: string; bins: unknown[] }) => [t.space, t.bins.length]), [['AnyNetX_A', 3], ['AnyNetX_E', 3], ['RegNetX', 3]]);
    assert.equal(json.trends[2].bins[0].groups.find((g: { label: string }) => g.label === 'space = RegNetX').n, 2);
    assert.equal(dslab('analyze', FIXTURE, '--trend-bins', '0').status, 2);
  });

  test('--json prints one document with every computed number', () => {
    const r = dslab('analyze', FIXTURE, '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['name', 'dir', 'settings', 'progress', 'spaces', 'comparisons', 'sequential', 'findings']);
    assert.equal(out.sequential, null);
    assert.equal(out.comparisons[1].ks.method, 'exact');
    assert.equal(out.comparisons[1].ksNormalized.method, 'permutation');
    assert.equal(out.comparisons[1].basis, 'normalized');
    assert.equal(out.spaces[2].band.epsilon, Math.sqrt(Math.log(40) / 16));
    assert.equal(out.dir, FIXTURE);
    assert.deepEqual(
      out.spaces.map((s: { name: string; n: number; median: number }) => [s.name, s.n, s.median]),
      [
        ['AnyNetX_A', 6, 28],
        ['AnyNetX_E', 8, 23.75],
        ['RegNetX', 8, 20.75],
      ],
    );
    assert.equal(out.comparisons[2].ks.d, 0.625);
    assert.equal(out.spaces[2].trials[4].line.efit, 0);
    assert.deepEqual(Object.keys(out.spaces[2].bestRanges.depth), ['lo', 'median', 'hi']);
  });

  test('--html writes one self-contained report; with --json the note goes to stderr', () => {
    const dir = tempDir();
    try {
      const file = path.join(dir, 'report.html');
      const r = dslab('analyze', FIXTURE, '--json', '--html', file);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).name, 'fixture-three-spaces');
      assert.equal(r.stderr, `HTML report written to ${file}\n`);
      const html = fs.readFileSync(file, 'utf8');
      assert.ok(html.startsWith('<!DOCTYPE html>'));
      // The page's own markup, without the bodies of its inline scripts (whose templates may
      // mention tags that are never rendered here).
      const markup = html.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, '$1</script>');
      assert.ok(!/<script[^>]*\bsrc=|<link\b/i.test(markup), 'no external scripts or stylesheets');
      assert.ok(html.includes('id="dslab-data"'));
      assert.ok(html.includes('<canvas id="edf-chart" tabindex="0" role="img"'));
      assert.ok(html.length > 100_000, 'the chart code is inlined');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a sweep that has just started: exit 0, nothing to analyze yet', () => {
    const dir = tempDir();
    try {
      fs.copyFileSync(path.join(ROOT, FIXTURE, 'sweep.json'), path.join(dir, 'sweep.json'));
      const r = dslab('analyze', dir);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /: 0 of 24 trials recorded\n/);
      assert.match(r.stdout, /^ {2}- No trial has finished yet \(0 of 24\): nothing to analyze\.$/m);
      assert.ok(!r.stdout.includes('Best ranges'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('user errors exit 1 and name the path as given; bad usage exits 2', () => {
    const missing = dslab('analyze', 'no/such/sweep');
    assert.equal(missing.status, 1);
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /no\/such\/sweep does not exist: not a sweep directory/);

    const dir = tempDir();
    try {
      const unwritable = dslab('analyze', FIXTURE, '--html', path.join(dir, 'no-dir', 'r.html'));
      assert.equal(unwritable.status, 1);
      assert.match(unwritable.stderr, /cannot write .*no-dir\/r\.html/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }

    assert.equal(dslab('analyze').status, 2);
    assert.equal(dslab('analyze', FIXTURE, '--bogus').status, 2);
    assert.equal(dslab('analyze', FIXTURE, FIXTURE).status, 2);
  });
});
