import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');
const DSLAB = path.join(ROOT, 'bin', 'dslab');

function dslab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [DSLAB, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** RegNetX-200MF's block widths (reference §2.4). */
const X200MF = [24, 56, 152, 152, 152, 152, 368, 368, 368, 368, 368, 368, 368];

describe('dslab fit --json', () => {
  test('RegNetX-200MF widths: e_fit 0, the predicted widths are the observed ones', () => {
    const r = dslab('fit', X200MF.join(','), '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(JSON.parse(r.stdout), { w0: 24, wa: 35.2, wm: 2.49, efit: 0, predicted: X200MF, widths: X200MF });
  });

  test('comma lists, space-separated arguments and JSON arrays give the same fit', () => {
    const outputs = [dslab('fit', '--json', '64,32'), dslab('fit', '--json', '64', '32'), dslab('fit', '--json', '[64, 32]')];
    for (const r of outputs) {
      assert.equal(r.status, 0, r.stderr);
      // Hand-checked in the unit tests: every 32 ≤ w0 ≤ 64 gives ln 2 in total; the smallest wins.
      assert.deepEqual(JSON.parse(r.stdout), { w0: 32, wa: 0.1, wm: 1.5, efit: Math.LN2 / 2, predicted: [32, 32], widths: [64, 32] });
    }
  });

  test('--snap 0 predicts unsnapped widths', () => {
    const r = dslab('fit', '--json', '--snap', '0', X200MF.join(','));
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.ok(out.efit > 0 && out.efit < 0.03, String(out.efit));
    assert.ok(out.predicted.some((w: number) => !Number.isInteger(w)));
    assert.deepEqual(out.widths, X200MF);
  });
});

describe('dslab fit (human output)', () => {
  test('prints the parameters, e_fit, the stage count and observed vs predicted per block', () => {
    const r = dslab('fit', '8,512,16,256');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const json = JSON.parse(dslab('fit', '--json', '8,512,16,256').stdout);
    assert.equal(
      r.stdout,
      [
        'Quantized linear fit of 4 block widths:',
        `  w0 = ${json.w0}   wa = ${json.wa}   wm = ${json.wm}`,
        `  e_fit = ${json.efit.toFixed(4)}   stages = 3`,
        '',
        '  block  observed  predicted',
        ...[8, 512, 16, 256].map((w, j) => `  ${String(j).padStart(5)}  ${String(w).padStart(8)}  ${String(json.predicted[j]).padStart(9)}`),
        '',
      ].join('\n'),
    );
    assert.ok(json.efit > 0.5);
  });

  test('an exact RegNet reads e_fit = 0.0000 with its four stages', () => {
    const r = dslab('fit', ...X200MF.map(String));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Quantized linear fit of 13 block widths:\n {2}w0 = 24 {3}wa = 35\.2 {3}wm = 2\.49\n {2}e_fit = 0\.0000 {3}stages = 4\n/);
    assert.match(r.stdout, /\n {5}12 {7}368 {8}368\n$/);
  });
});

describe('dslab fit errors', () => {
  test('no WIDTHS is bad usage (exit 2)', () => {
    const r = dslab('fit');
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^dslab fit: missing WIDTHS/);
    assert.match(r.stderr, /dslab fit --help/);
  });

  test('a bad item is named by its position (exit 1)', () => {
    for (const [arg, message] of [
      ['24,56,abc,152', "item 3 'abc' is not a positive number"],
      ['24,-8', "item 2 '-8' is not a positive number"],
      ['[24, "x", 56]', `item 2 '"x"' is not a positive number`],
    ]) {
      const r = dslab('fit', arg, '--json');
      assert.equal(r.status, 1, arg);
      assert.deepEqual(JSON.parse(r.stdout), { error: { message } }, arg);
      assert.equal(r.stderr, `dslab fit: error: ${message}\n`, arg);
    }
  });

  test('malformed or empty JSON arrays are user errors', () => {
    const broken = dslab('fit', '[24, 56');
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, /^dslab fit: error: WIDTHS is not a valid JSON array/);
    const empty = dslab('fit', '[]');
    assert.equal(empty.status, 1);
    assert.equal(empty.stderr, 'dslab fit: error: WIDTHS is an empty array: nothing to fit\n');
  });

  test('--snap other than 8 or 0 and unknown flags are bad usage', () => {
    const snap = dslab('fit', '24,56', '--snap', '4');
    assert.equal(snap.status, 2);
    assert.match(snap.stderr, /--snap must be 8 or 0, got '4'/);
    const flag = dslab('fit', '24,56', '--nope');
    assert.equal(flag.status, 2);
    assert.equal(flag.stdout, '');
  });

  test('--help documents WIDTHS and the options', () => {
    const r = dslab('fit', '--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: dslab fit WIDTHS/);
    assert.match(r.stdout, /--snap N/);
    assert.match(r.stdout, /--json/);
  });
});

describe('dslab fit range', () => {
  test('a width beyond any block is refused, naming it (exit 1)', () => {
    for (const arg of ['1e308,16', '[16, 70000]']) {
      const r = dslab('fit', arg, '--json');
      assert.equal(r.status, 1, arg);
      assert.match(JSON.parse(r.stdout).error.message, /^item \d \([\de+.]+\) is wider than 65,536 channels, more than any block can be$/, arg);
    }
    assert.equal(dslab('fit', '16,65536').status, 0);
  });
});
