import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readSpaceFile } from '../../src/core/space';

const ROOT = path.join(__dirname, '..', '..', '..');
const DSLAB = path.join(ROOT, 'bin', 'dslab');

/** Runs bin/dslab from the repository root, so relative paths are printed as given. */
function dslab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [DSLAB, ...args], { encoding: 'utf8', cwd: ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const EXAMPLE = 'examples/space.regnet.yaml';
const MANY = 'test/fixtures/spaces/bad/many-problems.yaml';
const CYCLE = 'test/fixtures/spaces/bad/extends-cycle.yaml';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-validate-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('dslab validate', { concurrency: true }, () => {
  test('a valid file: one summary line, exit 0', () => {
    const r = dslab('validate', EXAMPLE);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        'examples/space.regnet.yaml: ok (3 spaces: AnyNetX_A, AnyNetX_E, RegNetX)',
        '  AnyNetX_A  anynet  12 dof    5.2e9 models  = (6·16·3·6)^3',
        '  AnyNetX_E  anynet   8 dof  822,528 models  = C(8,3)·C(18,3)·3·6',
        '  RegNetX    regnet   6 dof    4.3e8 models  = 10·8·601·1501·1·6',
        '',
      ].join('\n'),
    );
    assert.equal(r.stderr, '');
  });

  test("the paper's Table 1: sizes and degrees of freedom of AnyNetX_A…E and RegNet", () => {
    const r = dslab('validate', '--json', 'test/fixtures/spaces/good/paper-table1.yaml');
    assert.equal(r.status, 0, r.stderr);
    const sizes = JSON.parse(r.stdout).sizes as { space: string; dof: number; count: number; formula: string }[];
    assert.deepEqual(
      sizes.map((s) => [s.space, s.dof, s.formula]),
      [
        ['AnyNetX_A', 16, '(16·128·3·6)^4'],
        ['AnyNetX_B', 13, '(16·128·6)^4·3'],
        ['AnyNetX_C', 10, '(16·128)^4·3·6'],
        ['AnyNetX_D', 10, '16^4·C(131,4)·3·6'],
        ['AnyNetX_E', 10, 'C(19,4)·C(131,4)·3·6'],
        ['RegNetX', 6, '63·31·2559·1501·3·6'],
      ],
    );
    // A, B, C exactly as the paper counts them; D, E count non-decreasing sequences exactly
    // where the paper divides by 4! (within 6% for D; 1.5× for E, whose 16 depths repeat often).
    assert.equal(sizes[0].count, (16 * 128 * 3 * 6) ** 4);
    assert.equal(sizes[1].count, (16 * 128 * 6) ** 4 * 3);
    assert.equal(sizes[2].count, (16 * 128) ** 4 * 18);
    assert.equal(sizes[3].count, 16 ** 4 * 11716640 * 18);
    assert.equal(sizes[4].count, 3876 * 11716640 * 18);
  });

  test('an invalid file: FILE:LINE:COL: error: message lines, a count, exit 1', () => {
    const r = dslab('validate', CYCLE);
    assert.equal(r.status, 1);
    assert.equal(
      r.stdout,
      [
        'test/fixtures/spaces/bad/extends-cycle.yaml:4:14: error: extends cycle: A → B → A',
        'test/fixtures/spaces/bad/extends-cycle.yaml:11:14: error: extends cycle: B → A → B',
        'test/fixtures/spaces/bad/extends-cycle.yaml: 2 errors',
        '',
      ].join('\n'),
    );
    assert.equal(r.stderr, '');
  });

  test('errors and warnings together', () => {
    const r = dslab('validate', MANY);
    assert.equal(r.status, 1);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 29);
    assert.equal(lines[0], `${MANY}:5:10: error: dataset.train is 70000, but fashion-mnist has 60000 training images`);
    assert.equal(
      lines[7],
      `${MANY}:16:43: warning: training.schedule.warmupEpochs is 2 but training lasts 1 epoch; the learning rate never leaves warmup`,
    );
    assert.equal(lines[28], `${MANY}: 27 errors, 1 warning`);
  });

  test('warnings alone: valid, exit 0', () => {
    const file = path.join(tmp, 'warn.yaml');
    fs.writeFileSync(file, fs.readFileSync(path.join(ROOT, EXAMPLE), 'utf8').replace('batchSize: 32 ', 'batchSize: 8192 '));
    const r = dslab('validate', file);
    assert.equal(r.status, 0);
    assert.deepEqual(r.stdout.split('\n').slice(0, 2), [
      `${file}:25:14: warning: training.batchSize 8192 is larger than dataset.train 5000; every epoch is one partial batch`,
      `${file}: ok, 1 warning (3 spaces: AnyNetX_A, AnyNetX_E, RegNetX)`,
    ]);
  });

  test('--json: one document with one-based positions', () => {
    const r = dslab('validate', '--json', CYCLE);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, '');
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['file', 'valid', 'diagnostics', 'spaces']);
    assert.deepEqual(out, {
      file: CYCLE,
      valid: false,
      diagnostics: [
        { severity: 'error', code: 'extends', message: 'extends cycle: A → B → A', line: 4, column: 14, endLine: 4, endColumn: 15, path: '/spaces/A/extends' },
        { severity: 'error', code: 'extends', message: 'extends cycle: B → A → B', line: 11, column: 14, endLine: 11, endColumn: 15, path: '/spaces/B/extends' },
      ],
      spaces: ['A', 'B'],
    });
  });

  test('--json --resolved on a valid file adds the resolved file (null when invalid)', () => {
    const ok = dslab('validate', EXAMPLE, '--resolved', '--json');
    assert.equal(ok.status, 0);
    assert.equal(ok.stderr, '');
    const { resolved, ...out } = JSON.parse(ok.stdout);
    assert.deepEqual(Object.keys(out), ['file', 'valid', 'diagnostics', 'spaces', 'sizes']);
    assert.deepEqual(
      { file: out.file, valid: out.valid, diagnostics: out.diagnostics, spaces: out.spaces },
      { file: EXAMPLE, valid: true, diagnostics: [], spaces: ['AnyNetX_A', 'AnyNetX_E', 'RegNetX'] },
    );
    assert.deepEqual(out.sizes[1], { space: 'AnyNetX_E', type: 'anynet', count: 822528, log10: Math.log10(822528), dof: 8, formula: 'C(8,3)·C(18,3)·3·6' });
    assert.equal(resolved.spaces[2].wm.quantum, 0.001);
    assert.deepEqual(resolved, readSpaceFile(path.join(ROOT, EXAMPLE)).resolved);
    const bad = dslab('validate', '--json', '--resolved', CYCLE);
    assert.equal(bad.status, 1);
    assert.equal(JSON.parse(bad.stdout).resolved, null);
  });

  test('--resolved alone: the resolved file as JSON on stdout, the report on stderr', () => {
    const r = dslab('validate', '--resolved', EXAMPLE);
    assert.equal(r.status, 0);
    assert.deepEqual(JSON.parse(r.stdout), readSpaceFile(path.join(ROOT, EXAMPLE)).resolved);
    assert.match(r.stderr, /^examples\/space\.regnet\.yaml: ok \(3 spaces: AnyNetX_A, AnyNetX_E, RegNetX\)\n  AnyNetX_A  anynet/);
    const bad = dslab('validate', '--resolved', CYCLE);
    assert.equal(bad.status, 1);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /extends-cycle\.yaml: 2 errors\n$/);
  });

  test('a binary file is a problem in the file, not a crash', () => {
    const r = dslab('validate', 'test/fixtures/spaces/bad/binary-junk.yaml');
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^test\/fixtures\/spaces\/bad\/binary-junk\.yaml:1:1: error: the file is not valid UTF-8 \(byte 0x89 at offset 0\)/);
  });

  test('a missing file: exit 1, cannot read', () => {
    const r = dslab('validate', 'no/such/space.yaml');
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'dslab validate: error: cannot read no/such/space.yaml: no such file or directory\n');
  });

  test('a directory: exit 1, cannot read', () => {
    const r = dslab('validate', 'examples');
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'dslab validate: error: cannot read examples: it is a directory\n');
  });

  test('bad usage: exit 2', () => {
    const none = dslab('validate');
    assert.equal(none.status, 2);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /^dslab validate: missing FILE/);
    assert.equal(dslab('validate', EXAMPLE, EXAMPLE).status, 2);
    assert.equal(dslab('validate', '--frobnicate', EXAMPLE).status, 2);
  });

  test('--help', () => {
    const r = dslab('validate', '--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: dslab validate FILE \[--json\] \[--resolved\]/);
  });
});

describe('constraints a space cannot reach', () => {
  test('a warning at the constraint naming the range the space reaches; the file stays valid', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-reach-'));
    try {
      const file = path.join(dir, 'unreachable.yaml');
      fs.writeFileSync(file, fs.readFileSync(path.join(ROOT, EXAMPLE), 'utf8').replace('constraints: { flops: [2.0e6, 6.0e6] }', 'constraints: { flops: [1, 2] }'));
      const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'dslab'), 'validate', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const warnings = r.stdout.split('\n').filter((l) => l.includes(': warning: '));
      assert.equal(warnings.length, 3);
      assert.match(warnings[0], /:35:25: warning: spaces\.AnyNetX_A: flops in \[1, 2\] is beyond what the space reaches \(2,000 models drawn: [\d.]+k to [\d.]+M\); sampling would end at maxAttempts$/);
      // The example's own constraints are reachable: no warning.
      const ok = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'dslab'), 'validate', path.join(ROOT, EXAMPLE)], { encoding: 'utf8' });
      assert.doesNotMatch(ok.stdout, /warning/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
