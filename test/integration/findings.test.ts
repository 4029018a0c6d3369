// The space files of examples/findings/: each validates and samples; one trains end to end, cut down.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');
const DSLAB = path.join(ROOT, 'bin', 'dslab');
const FINDINGS = path.join(ROOT, 'examples', 'findings');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-findings-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function dslab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [DSLAB, ...args], { cwd: tmp, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Sweeps a finding's file on 256 training and 128 test images, `samples` models per space; returns the sweep directory. */
function sweepCutDown(name: string, samples: number): string {
  const text = fs.readFileSync(path.join(FINDINGS, name), 'utf8').replace(/^dataset: .*$/m, 'dataset: { name: fashion-mnist, train: 256, test: 128 }');
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  const out = path.join(tmp, `out-${name}`);
  const r = dslab('sweep', file, '--samples', String(samples), '--out', out);
  assert.equal(r.status, 0, r.stderr);
  return out;
}

const files = fs.readdirSync(FINDINGS).filter((f) => f.endsWith('.yaml')).sort();

describe('examples/findings', () => {
  test('the findings the README lists are there', () => {
    assert.deepEqual(files, ['bottleneck.regnet.yaml', 'depthwise-swish.regnet.yaml', 'inverted-bottleneck.regnet.yaml', 'optimizer.regnet.yaml', 'resolution.regnet.yaml', 'trends.regnet.yaml']);
  });

  for (const file of files) {
    test(`${file}: validates without warnings, says what the paper found, samples every space`, () => {
      const full = path.join(FINDINGS, file);
      const v = dslab('validate', full);
      assert.equal(v.status, 0, v.stderr);
      assert.doesNotMatch(v.stdout + v.stderr, /warning/);
      assert.match(fs.readFileSync(full, 'utf8'), /^# Finding: [^\n]*The paper/);
      const s = dslab('sample', full, '--samples', '4', '--json');
      assert.equal(s.status, 0, s.stderr);
      const out = JSON.parse(s.stdout) as { spaces: { name: string; sampled: number; complete: boolean }[] };
      assert.ok(out.spaces.length > 0);
      for (const space of out.spaces) assert.ok(space.complete && space.sampled === 4, `${space.name}: ${space.sampled} of 4`);
    });
  }

  test('the sample table shows each drawn setting as a column, with each model’s value', () => {
    const optimizer = dslab('sample', path.join(FINDINGS, 'optimizer.regnet.yaml'), '--samples', '3');
    assert.equal(optimizer.status, 0, optimizer.stderr);
    const [, header, ...rows] = optimizer.stdout.split('\n');
    assert.match(header, /\bstage depths\s+lr\s+weightDecay\s+flops \(MF\)/);
    for (const row of rows.slice(0, 3)) assert.match(row, /\s0\.\d+\s+0\.\d+\s+\d+\.\d\d\s/);
    const resolution = dslab('sample', path.join(FINDINGS, 'resolution.regnet.yaml'), '--samples', '2');
    assert.match(resolution.stdout.split('\n')[1], /\bresolution\b/);
  });

  test('depthwise × swish trains end to end (cut down) and splits by activation', () => {
    const out = sweepCutDown('depthwise-swish.regnet.yaml', 1);
    const record = JSON.parse(fs.readFileSync(path.join(out, 'trials', 'swish_depthwise', '0000.json'), 'utf8'));
    assert.equal(record.status, 'ok');
    assert.equal(record.model.activation, 'swish');
    assert.equal(record.model.regnet.groupWidth, 1);
    const a = dslab('analyze', out, '--by', 'activation', '--json');
    assert.equal(a.status, 0, a.stderr);
    const split = JSON.parse(a.stdout).split as { groups: { label: string; n: number }[] };
    assert.deepEqual(split.groups.map((g) => [g.label, g.n]), [['activation = relu', 2], ['activation = swish', 2]]);
  });

  test('resolution trains end to end (cut down): each model on images resized to its own resolution', () => {
    const out = sweepCutDown('resolution.regnet.yaml', 4);
    const records = [0, 1, 2, 3].map((i) => JSON.parse(fs.readFileSync(path.join(out, 'trials', 'RegNetX', `000${i}.json`), 'utf8')));
    assert.ok(records.every((x) => x.status === 'ok'));
    const resolutions = records.map((x) => x.model.resolution as number);
    assert.ok(new Set(resolutions).size > 1, `resolutions ${resolutions}`);
    const a = JSON.parse(dslab('analyze', out, '--by', 'resolution', '--json').stdout);
    assert.deepEqual(
      a.split.groups.map((g: { label: string }) => g.label),
      [...new Set(resolutions)].sort((x, y) => x - y).map((x) => `resolution = ${x}`),
    );
  });

  test('the optimizer sweep trains end to end (cut down): each trial with its drawn lr and weight decay', () => {
    const out = sweepCutDown('optimizer.regnet.yaml', 2);
    const records = [0, 1].map((i) => JSON.parse(fs.readFileSync(path.join(out, 'trials', 'RegNetX', `000${i}.json`), 'utf8')));
    for (const x of records) {
      assert.equal(x.status, 'ok');
      assert.ok(x.training.lr >= 0.01 && x.training.lr <= 1 && x.training.weightDecay >= 1e-5 && x.training.weightDecay <= 1e-3);
      assert.equal(x.lrCurve[0].lr, x.training.lr); // the schedule starts at the drawn lr
    }
    const a = JSON.parse(dslab('analyze', out, '--json').stdout);
    const metrics = a.spaces[0].trials[0].metrics;
    assert.ok(Math.abs(metrics.lrWd - Math.log10(records[0].training.lr * records[0].training.weightDecay)) < 1e-9);
  });
});
