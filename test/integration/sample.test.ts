import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { Io } from '../../src/cli/command';
import { main } from '../../src/cli/main';
import { deriveSpaceSeed } from '../../src/core/space/seed';

const ROOT = path.join(__dirname, '..', '..', '..');
const DSLAB = path.join(ROOT, 'bin', 'dslab');
const EXAMPLE = path.join(ROOT, 'examples', 'space.regnet.yaml');

function dslab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [DSLAB, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same command in this process (for checks repeated many times; spawning costs ~0.5 s each). */
async function dslabInProcess(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return inProcess(false, args);
}

async function inProcess(interactive: boolean, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive };
  const status = await main(args, io);
  return { status, stdout, stderr };
}

interface SampleJson {
  file: string;
  seed: number;
  spaces: { name: string; requested: number; sampled: number; attempts: number; acceptanceRate: number; rejections: Record<string, number>; seed: number; complete: boolean }[];
  models: { space: string; index: number; model: Record<string, unknown>; flops: number; params: number; acts: number }[];
}

function sampleJson(...args: string[]): SampleJson {
  const r = dslab('sample', ...args, '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  return JSON.parse(r.stdout) as SampleJson;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-sample-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A copy of the example with `edit` applied to its text, as a file in the temp dir. */
function variant(name: string, edit: (text: string) => string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, edit(fs.readFileSync(EXAMPLE, 'utf8')));
  return file;
}

describe('dslab sample on the example', () => {
  const rel = path.relative(ROOT, EXAMPLE);
  const first = dslab('sample', rel, '--json');

  test('--json: one document with every space and its models', () => {
    assert.equal(first.status, 0, first.stderr);
    assert.equal(first.stderr, '');
    const out = JSON.parse(first.stdout) as SampleJson;
    assert.deepEqual(Object.keys(out), ['file', 'seed', 'spaces', 'models']);
    assert.equal(out.file, rel);
    assert.equal(out.seed, 0);
    assert.deepEqual(out.spaces.map((s) => s.name), ['AnyNetX_A', 'AnyNetX_E', 'RegNetX']);
    for (const s of out.spaces) {
      assert.deepEqual(Object.keys(s), ['name', 'requested', 'sampled', 'attempts', 'acceptanceRate', 'rejections', 'seed', 'complete']);
      assert.deepEqual([s.requested, s.sampled, s.complete], [32, 32, true]);
      assert.equal(s.seed, deriveSpaceSeed(0, s.name));
      assert.equal(s.acceptanceRate, 32 / s.attempts);
      const rejected = Object.values(s.rejections).reduce((a, b) => a + b, 0);
      assert.equal(rejected + 32, s.attempts);
    }
    assert.ok(out.spaces[1].rejections.increasingWidths > 0, 'AnyNetX_E rejects decreasing widths');
    assert.equal(out.models.length, 96);
    for (const m of out.models) {
      assert.deepEqual(Object.keys(m), ['space', 'index', 'model', 'flops', 'params', 'acts']);
      assert.ok(m.flops >= 2e6 && m.flops <= 6e6, `${m.space} #${m.index}: ${m.flops} flops`);
      assert.deepEqual(m.model.stem, { type: 'cifar', width: 16 });
      assert.deepEqual([m.model.block, m.model.se, m.model.resolution, m.model.classes, m.model.headWidth], ['X', 0, 28, 10, 0]);
      assert.equal(typeof m.model.channels, 'number');
    }
    assert.deepEqual(out.models.filter((m) => m.space === 'RegNetX').map((m) => m.index), Array.from({ length: 32 }, (_, i) => i));
  });

  test('reproducible: a second run prints the same document', () => {
    assert.equal(dslab('sample', rel, '--json').stdout, first.stdout);
  });

  test('every sampled model gives dslab cx the same flops, params and acts', async () => {
    const out = JSON.parse(first.stdout) as SampleJson;
    for (const m of out.models) {
      // The first model of each space through bin/dslab, all of them through the same entry in-process.
      const cx = m.index === 0 ? dslab('cx', JSON.stringify(m.model), '--json') : await dslabInProcess('cx', JSON.stringify(m.model), '--json');
      assert.equal(cx.status, 0, `${m.space} #${m.index}: ${cx.stderr}`);
      const counted = JSON.parse(cx.stdout) as { flops: number; params: number; acts: number; model: unknown };
      assert.deepEqual([counted.flops, counted.params, counted.acts], [m.flops, m.params, m.acts], `${m.space} #${m.index}`);
      assert.deepEqual(counted.model, m.model, 'the sampled spec is already fully explicit');
    }
  });

  test('--space and --samples select and size the output', () => {
    const out = sampleJson(rel, '--space', 'RegNetX', '--samples', '4');
    assert.deepEqual(out.spaces.map((s) => [s.name, s.requested, s.sampled]), [['RegNetX', 4, 4]]);
    assert.deepEqual(out.models.map((m) => [m.space, m.index]), [0, 1, 2, 3].map((i) => ['RegNetX', i]));
    for (const m of out.models) assert.ok('regnet' in m.model);
    // A space's stream does not depend on which other spaces run: the first 4 are the full run's first 4.
    const all = JSON.parse(first.stdout) as SampleJson;
    assert.deepEqual(out.models, all.models.filter((m) => m.space === 'RegNetX').slice(0, 4));
  });

  test('--seed re-derives every space seed and changes the models', () => {
    const out = sampleJson(rel, '--seed', '7');
    assert.equal(out.seed, 7);
    assert.deepEqual(out.spaces.map((s) => s.seed), out.spaces.map((s) => deriveSpaceSeed(7, s.name)));
    const all = JSON.parse(first.stdout) as SampleJson;
    assert.notDeepEqual(out.models.map((m) => m.model), all.models.map((m) => m.model));
  });

  test('human output: a table per space and a summary line', () => {
    const r = dslab('sample', rel, '--samples', '2');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.split('\n');
    assert.match(r.stdout, /^AnyNetX_A \(anynet, seed \d+\)\n#\s+d\s+w\s+b\s+g\s+flops \(MF\)\s+params\s+acts\n/);
    assert.match(r.stdout, /\nRegNetX \(regnet, seed \d+\)\n#\s+d\s+w0\s+wa\s+wm\s+g\s+b\s+stage widths\s+stage depths\s+flops \(MF\)\s+params\s+acts\n/);
    const summaries = lines.filter((l) => /^\w+: \d+ models? from/.test(l));
    assert.equal(summaries.length, 3);
    for (const s of summaries) assert.match(s, /^\w+: 2 models from [\d,]+ attempts \(\d+\.\d% accepted(; rejected: ([a-zA-Z<>]+: [\d,]+(, )?)+)?\)$/);
    const row = lines.find((l) => /^0\s+\d+,\d+,\d+\s/.test(l));
    assert.ok(row, 'an AnyNet row lists per-stage values');
    assert.match(row, /\s\d+\.\d\d\s+\d+(\.\d\d k| M)?\s+\d+\.\d\d (k|M)$/);
  });
});

describe('dslab sample errors', () => {
  test('an invalid file: its problems at FILE:LINE:COL, exit 1, nothing on stdout', () => {
    const bad = variant('bad.yaml', (t) => t.replace(/^( +)w0: \[8, 64\]/m, '$1w0: [8, 60]').replace(/^( +)depth: \[3, 12\]/m, '$1depht: [3, 12]'));
    const r = dslab('sample', bad);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    const errors = r.stderr.trim().split('\n');
    assert.ok(errors.length >= 2, r.stderr);
    for (const e of errors) assert.ok(e.startsWith(`${bad}:`), e);
    assert.match(r.stderr, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error: .*depht`, 'm'));
    assert.match(r.stderr, /:\d+:\d+: error: .*60/);
  });

  test('a missing file: exit 1 naming it', () => {
    const r = dslab('sample', 'no/such/space.yaml');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no\/such\/space\.yaml/);
  });

  test('an unknown space: exit 1 naming the available ones', () => {
    const r = dslab('sample', EXAMPLE, '--space', 'RegNetY');
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /no space named 'RegNetY'; the file defines AnyNetX_A, AnyNetX_E, RegNetX/);
  });

  test('constraints nothing satisfies: exit 1 saying which space and why', () => {
    const file = variant('impossible.yaml', (t) =>
      t.replace('constraints: { flops: [2.0e6, 6.0e6] }', 'constraints: { flops: [1, 2] }\n  maxAttempts: 300'),
    );
    const r = dslab('sample', file, '--space', 'AnyNetX_A', '--json');
    assert.equal(r.status, 1);
    assert.deepEqual(JSON.parse(r.stdout), { error: { message: `${file}: no model of AnyNetX_A satisfied flops in [1, 2] after 300 attempts (flops too high: 300)` } });
    assert.equal(r.stderr, `dslab sample: error: ${file}: no model of AnyNetX_A satisfied flops in [1, 2] after 300 attempts (flops too high: 300)\n`);
  });

  test('on a terminal, a long run draws a one-line progress bar and erases it', async () => {
    const file = variant('slow.yaml', (t) => t.replace('constraints: { flops: [2.0e6, 6.0e6] }', 'constraints: { flops: [1, 2] }\n  maxAttempts: 400000'));
    const r = await inProcess(true, ['sample', file, '--space', 'AnyNetX_A']);
    assert.equal(r.status, 1);
    const bars = r.stderr.split('\r').filter((l) => l.startsWith('AnyNetX_A ['));
    assert.ok(bars.length > 0, `no progress bar in ${JSON.stringify(r.stderr.slice(0, 200))}`);
    for (const b of bars) assert.match(b.trimEnd(), /^AnyNetX_A \[#*-*\] 0\/32 models, [\d,]+ attempts, [\d,]+ attempts\/s$/);
    assert.ok(!r.stderr.includes('\n') || r.stderr.indexOf('\n') === r.stderr.length - 1, 'the bar stays on one line');
    // Erased before the error message: blanks, then a carriage return, then the message.
    assert.match(r.stderr, /\r +\rdslab sample: error: .* after 400,000 attempts \(flops too high: 400,000\)\n$/);
  });

  test('an attempt limit reached with some models: those models and a warning, exit 0', () => {
    const file = variant('partial.yaml', (t) => t.replace(/samples: \{[^\n]*\}/, 'samples: 50\n  maxAttempts: 40'));
    const r = dslab('sample', file, '--space', 'AnyNetX_A', '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as SampleJson;
    const s = out.spaces[0];
    assert.deepEqual([s.requested, s.attempts, s.complete], [50, 40, false]);
    assert.ok(s.sampled > 0 && s.sampled < 50);
    assert.equal(out.models.length, s.sampled);
    assert.equal(r.stderr, `dslab sample: warning: AnyNetX_A: only ${s.sampled} of 50 models after 40 attempts (the attempt limit); widen the constraints or raise maxAttempts\n`);
  });

  test('bad usage: exit 2', async () => {
    const r = dslab('sample', EXAMPLE, '--samples', 'many');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--samples expects an integer, got 'many'/);
    assert.equal(r.stdout, '');
    for (const args of [[], [EXAMPLE, EXAMPLE], [EXAMPLE, '--samples', '0'], [EXAMPLE, '--seed', '-1'], [EXAMPLE, '--seed', '4294967296'], [EXAMPLE, '--frobnicate']]) {
      assert.equal((await dslabInProcess('sample', ...args)).status, 2, args.join(' '));
    }
  });

  test('--help describes the command', () => {
    const r = dslab('sample', '--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: dslab sample FILE \[--space S\] \[--samples N\] \[--seed K\] \[--json\]/);
  });
});
