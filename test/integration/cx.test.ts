import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');
const DSLAB = path.join(ROOT, 'bin', 'dslab');

function dslab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [DSLAB, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ISSUE_MODEL =
  '{"regnet":{"depth":13,"w0":24,"wa":36.44,"wm":2.49,"groupWidth":8,"bottleneck":1},"stem":{"type":"imagenet","width":32},"block":"X","resolution":224,"classes":1000}';

const X200_STAGES = [
  { width: 24, depth: 1, groupWidth: 8, bottleneck: 1, stride: 2 },
  { width: 56, depth: 1, groupWidth: 8, bottleneck: 1, stride: 2 },
  { width: 152, depth: 4, groupWidth: 8, bottleneck: 1, stride: 2 },
  { width: 368, depth: 7, groupWidth: 8, bottleneck: 1, stride: 2 },
];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-cx-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('dslab cx --json', () => {
  test('the issue example: RegNetX-200MF', () => {
    const r = dslab('cx', '--json', ISSUE_MODEL);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out).slice(0, 4), ['flops', 'params', 'acts', 'stages']);
    assert.equal(out.flops, 199040872);
    assert.equal(out.params, 2684792);
    assert.equal(out.acts, 2164056);
    assert.deepEqual(out.stages, X200_STAGES);
    for (const s of out.stages) assert.deepEqual(Object.keys(s), ['width', 'depth', 'groupWidth', 'bottleneck', 'stride']);
    assert.deepEqual(out.regnet, { numStages: 4, totalStages: 4 });
    assert.deepEqual(out.blockWidths, [24, 56, 152, 152, 152, 152, 368, 368, 368, 368, 368, 368, 368]);
    assert.deepEqual(
      out.parts.map((p: { name: string; flops: number }) => [p.name, p.flops]),
      [
        ['stem', 10838016],
        ['s1', 19267584],
        ['s2', 10888192],
        ['s3', 48620544],
        ['s4', 109057536],
        ['head', 369000],
      ],
    );
    assert.equal(out.model.regnet.wa, 36.44);
    assert.equal(out.model.se, 0);
  });

  test('a model file gives the same answer as inline JSON', () => {
    const file = path.join(tmp, 'x200.json');
    fs.writeFileSync(file, JSON.stringify(JSON.parse(ISSUE_MODEL), null, 2));
    const r = dslab('cx', file, '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual([out.flops, out.params, out.acts], [199040872, 2684792, 2164056]);
    assert.deepEqual(out.stages, X200_STAGES);
  });

  test('an anynet model: ResNet-50 matches pycls', () => {
    const r50 = {
      anynet: { depths: [3, 4, 6, 3], widths: [256, 512, 1024, 2048], strides: [1, 2, 2, 2], bottlenecks: [4, 4, 4, 4], groupWidths: [64, 128, 256, 512] },
      stem: { type: 'resnet', width: 64 },
    };
    const r = dslab('cx', '--json', JSON.stringify(r50));
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual([out.flops, out.params, out.acts], [4089185256, 25557032, 11315688]);
    assert.deepEqual(
      out.stages.map((s: { width: number; bottleneck: number; stride: number }) => [s.width, s.bottleneck, s.stride]),
      [
        [256, 4, 1],
        [512, 4, 2],
        [1024, 4, 2],
        [2048, 4, 2],
      ],
    );
    assert.equal(out.regnet, undefined);
  });

  test('--resolution overrides the model resolution', () => {
    const at32 = JSON.stringify({ ...JSON.parse(ISSUE_MODEL), resolution: 32 });
    const r = dslab('cx', '--json', '--resolution', '224', at32);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.flops, 199040872);
    assert.equal(out.model.resolution, 224);
    const small = JSON.parse(dslab('cx', '--json', at32).stdout);
    assert.ok(small.flops < out.flops / 10, `flops at 32: ${small.flops}`);
    assert.equal(small.params, out.params);
  });
});

describe('dslab cx: human output', () => {
  test('summary, stage table and parts', () => {
    const r = dslab('cx', ISSUE_MODEL);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^RegNet \(block X\): depth 13, w0 24, wa 36\.44, wm 2\.49, group width 8, bottleneck 1$/m);
    assert.match(r.stdout, /^flops {3}199\.04 MF \(199040872\)$/m);
    assert.match(r.stdout, /^params {2}2\.68 M \(2684792\)$/m);
    assert.match(r.stdout, /^acts {4}2\.16 M \(2164056\)$/m);
    assert.match(r.stdout, /^s4 +368 +7 +8 +46 +1 +2$/m);
    assert.match(r.stdout, /^head +369000 +369000 +1000$/m);
    assert.match(r.stdout, /^total +199040872 +2684792 +2164056$/m);
  });

  test('a regnet whose parameters skip stages says so', () => {
    const r = dslab('cx', '{"regnet":{"depth":4,"w0":8,"wa":200,"wm":2,"groupWidth":8,"bottleneck":1}}');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /the parameters span 7 stages but only 3 have distinct widths/);
  });
});

describe('dslab cx: errors', () => {
  test('bad JSON: exit 1 with the parser message and where', () => {
    const r = dslab('cx', '--json', '{"regnet":{"depth":13,}}');
    assert.equal(r.status, 1);
    // --json: one error document on stdout, the message on stderr as always.
    assert.match(JSON.parse(r.stdout).error.message, /^invalid JSON in MODEL at line 1, column 23 \(position 22\): /);
    assert.match(r.stderr, /^dslab cx: error: invalid JSON in MODEL at line 1, column 23 \(position 22\): /);
  });

  test('bad JSON in a file: FILE:LINE:COL', () => {
    const file = path.join(tmp, 'broken.json');
    fs.writeFileSync(file, '{\n  "regnet": {\n    "depth": 13\n    "w0": 24\n  }\n}\n');
    const r = dslab('cx', file);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `dslab cx: error: ${file}:4:5: invalid JSON: Expected ',' or '}' after property value\n`);
  });

  test('an invalid field: exit 1 naming it', () => {
    const r = dslab('cx', '--json', ISSUE_MODEL.replace('"w0":24', '"w0":20'));
    assert.equal(r.status, 1);
    assert.deepEqual(JSON.parse(r.stdout), { error: { message: 'regnet.w0 must be a positive multiple of 8, got 20' } });
    assert.equal(r.stderr, 'dslab cx: error: regnet.w0 must be a positive multiple of 8, got 20\n');
  });

  test('an invalid field in a file is prefixed with the path as given', () => {
    const file = path.join(tmp, 'typo.json');
    fs.writeFileSync(file, '{"anynet":{"depths":[1],"widht":[8],"strides":[1]}}');
    const r = dslab('cx', file);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `dslab cx: error: ${file}: unknown key 'widht' in anynet; expected one of depths, widths, strides, bottlenecks, groupWidths\n`);
  });

  test('a missing file: exit 1', () => {
    const r = dslab('cx', 'no-such-model.json');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cannot read model file 'no-such-model\.json': no such file/);
  });

  test('a model too large to count exactly: exit 1', () => {
    const huge = { anynet: { depths: [500, 500], widths: [65536, 65536], strides: [1, 1], bottlenecks: [1, 1], groupWidths: [1, 1] }, resolution: 4096 };
    const r = dslab('cx', JSON.stringify(huge));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /too large to count exactly/);
  });

  test('--help: exit 0 with usage on stdout', () => {
    const r = dslab('cx', '--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: dslab cx MODEL \[--resolution N\] \[--json\]/);
    assert.equal(r.stderr, '');
  });

  test('usage errors: exit 2', () => {
    for (const args of [['cx'], ['cx', '--bogus', ISSUE_MODEL], ['cx', '--resolution', 'big', ISSUE_MODEL], ['cx', ISSUE_MODEL, ISSUE_MODEL]]) {
      const r = dslab(...args);
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /Run 'dslab cx --help' for usage\./);
    }
  });
});
