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
    assert.equal(r.stdout, 'examples/space.regnet.yaml: ok (3 spaces: AnyNetX_A, AnyNetX_E, RegNetX)\n');
    assert.equal(r.stderr, '');
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
    fs.writeFileSync(file, fs.readFileSync(path.join(ROOT, EXAMPLE), 'utf8').replace('batchSize: 64', 'batchSize: 8192'));
    const r = dslab('validate', file);
    assert.equal(r.status, 0);
    assert.equal(
      r.stdout,
      `${file}:23:14: warning: training.batchSize 8192 is larger than dataset.train 5000; every epoch is one partial batch\n` +
        `${file}: ok, 1 warning (3 spaces: AnyNetX_A, AnyNetX_E, RegNetX)\n`,
    );
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
    assert.deepEqual(out, { file: EXAMPLE, valid: true, diagnostics: [], spaces: ['AnyNetX_A', 'AnyNetX_E', 'RegNetX'] });
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
    assert.equal(r.stderr, 'examples/space.regnet.yaml: ok (3 spaces: AnyNetX_A, AnyNetX_E, RegNetX)\n');
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
