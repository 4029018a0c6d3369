// With --json, every command prints exactly one JSON document on stdout, failures included:
// { "error": { "message", "file"?, "line"?, "column"? } }, with the usual exit status.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');
const DSLAB = path.join(ROOT, 'bin', 'dslab');
const EXAMPLE = path.join(ROOT, 'examples', 'space.regnet.yaml');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-json-errors-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function dslab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [DSLAB, ...args], { cwd: tmp, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The one JSON document on stdout, which must be an error document. */
function errorOf(r: { stdout: string }): { message: string; file?: string; line?: number; column?: number } {
  const doc = JSON.parse(r.stdout) as { error: { message: string } };
  assert.deepEqual(Object.keys(doc), ['error']);
  assert.equal(typeof doc.error.message, 'string');
  return doc.error;
}

describe('--json on errors', () => {
  test('validate on a directory: exit 1, the reason as a document', () => {
    const r = dslab('validate', '--json', tmp);
    assert.equal(r.status, 1, r.stderr);
    assert.match(errorOf(r).message, /it is a directory/);
  });

  test('sample with a constraint no model meets: exit 1, the reason', () => {
    const file = path.join(tmp, 'impossible.yaml');
    fs.writeFileSync(file, fs.readFileSync(EXAMPLE, 'utf8').replace('constraints: { flops: [2.0e6, 6.0e6] }', 'constraints: { flops: [1, 2] }\n  maxAttempts: 200'));
    const r = dslab('sample', file, '--space', 'RegNetX', '--json');
    assert.equal(r.status, 1, r.stderr);
    assert.match(errorOf(r).message, /after 200 attempts/);
  });

  test('fit with a width that is not a number: exit 1, the reason', () => {
    const r = dslab('fit', '--json', 'a,b');
    assert.equal(r.status, 1);
    assert.equal(errorOf(r).message, "item 1 'a' is not a positive number");
  });

  test('analyze on an empty folder: exit 1, the reason', () => {
    const empty = fs.mkdtempSync(path.join(tmp, 'empty-'));
    const r = dslab('analyze', '--json', empty);
    assert.equal(r.status, 1, r.stderr);
    assert.match(errorOf(r).message, /holds no sweep\.json/);
  });

  test('a space file with errors: the first one, located; every one still on stderr', () => {
    const bad = path.join(ROOT, 'test', 'fixtures', 'spaces', 'bad', 'range-order.yaml');
    for (const args of [['sample'], ['sweep', '--out', path.join(tmp, 'never')]]) {
      const r = dslab(...args, bad, '--json');
      assert.equal(r.status, 1, r.stderr);
      assert.deepEqual(errorOf(r), { message: 'spaces.AnyNetX_A.depth: lo 6 is greater than hi 1; write the range as [lo, hi] with lo ≤ hi', file: bad, line: 5, column: 12 });
      assert.match(r.stderr, /range-order\.yaml:5:12: error: spaces\.AnyNetX_A\.depth: lo 6 is greater than hi 1/);
    }
  });

  test('bad usage: exit 2 with a document too', () => {
    const r = dslab('sweep', '--json', '--workers', 'many', EXAMPLE);
    assert.equal(r.status, 2);
    assert.match(errorOf(r).message, /--workers expects an integer/);
  });
});

describe('control characters from user input', () => {
  test('an escape sequence in a file name is printed escaped, never raw', () => {
    const r = dslab('validate', 'clear\u001b[2J\u001b]0;owned\u0007.yaml');
    assert.equal(r.status, 1);
    assert.ok(!/[\u001b\u0007]/.test(r.stdout + r.stderr), 'no raw ESC or BEL');
    assert.match(r.stderr, /cannot read clear\\u001b\[2J\\u001b\]0;owned\\u0007\.yaml: no such file or directory/);
  });

  test('in a --json document the escape keeps the JSON valid and the same string', () => {
    const r = dslab('validate', '--json', 'x\u009b2J.yaml');
    assert.equal(r.status, 1);
    assert.ok(!r.stdout.includes('\u009b'));
    assert.match(errorOf(r).message, /^cannot read x\u009b2J\.yaml: no such file or directory$/);
  });
});
