import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.join(__dirname, '..', '..', '..');
const DSLAB = path.join(ROOT, 'bin', 'dslab');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-export-'));

function dslab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [DSLAB, ...args], { encoding: 'utf8', cwd: ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('dslab export pycls', () => {
  test('the example: one config per sampled model, a sweep config where pycls can draw the space, and why not elsewhere', () => {
    const out = path.join(tmp, 'example');
    const r = dslab('export', 'pycls', 'examples/space.regnet.yaml', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(
      r.stdout,
      [
        `Exported 96 pycls configs of examples/space.regnet.yaml to ${out}:`,
        '  AnyNetX_A  32 configs  cfgs/AnyNetX_A/  sweep config sweeps/AnyNetX_A.yaml',
        "  AnyNetX_E  32 configs  cfgs/AnyNetX_E/  explicit list: restrictions sharedBottleneck, sharedGroupWidth, increasingWidths, increasingDepths: pycls's samplers draw every stage on its own",
        '  RegNetX    32 configs  cfgs/RegNetX/    explicit list: per-stage strides 1, 2, 2: a pycls RegNet has one stride',
        'Notes:',
        '  - pycls sets the learning rate once per epoch (this file anneals it per step)',
        "  - pycls's stems read 3 input channels; fashion-mnist has 1",
        '',
      ].join('\n'),
    );
    for (const space of ['AnyNetX_A', 'AnyNetX_E', 'RegNetX']) {
      const files = fs.readdirSync(path.join(out, 'cfgs', space));
      assert.deepEqual(files, Array.from({ length: 32 }, (_, i) => `${String(i).padStart(4, '0')}.yaml`));
    }
    assert.deepEqual(fs.readdirSync(path.join(out, 'sweeps')), ['AnyNetX_A.yaml']);
    // The models are the ones `dslab sample` draws, in its order.
    const sampled = JSON.parse(dslab('sample', 'examples/space.regnet.yaml', '--json', '--space', 'RegNetX').stdout).models;
    const cfg = parse(fs.readFileSync(path.join(out, 'cfgs', 'RegNetX', '0003.yaml'), 'utf8'));
    const m = sampled[3].model.regnet;
    assert.deepEqual([cfg.REGNET.DEPTH, cfg.REGNET.W0, cfg.REGNET.WA, cfg.REGNET.WM, cfg.REGNET.GROUP_W], [m.depth, m.w0, m.wa, m.wm, m.groupWidth]);
    assert.equal(cfg.MODEL.TYPE, 'anynet');
    assert.equal(cfg.DESC, 'fashion-mnist-small RegNetX #3');
    assert.equal(cfg.TRAIN.DATASET, 'fashion-mnist');
    const sweep = parse(fs.readFileSync(path.join(out, 'sweeps', 'AnyNetX_A.yaml'), 'utf8'));
    assert.equal(sweep.ROOT_DIR, path.join(out, 'sweeps'));
    assert.equal(sweep.NAME, 'AnyNetX_A');
    assert.deepEqual(sweep.SETUP.CONSTRAINTS, { CX: { FLOPS: [2e6, 6e6] } });
  });

  test('--json and --space; a second export replaces the space\'s configs', () => {
    const out = path.join(tmp, 'json');
    fs.mkdirSync(path.join(out, 'cfgs', 'RegNetX'), { recursive: true });
    fs.writeFileSync(path.join(out, 'cfgs', 'RegNetX', '0099.yaml'), 'stale\n');
    const r = dslab('export', 'pycls', 'test/fixtures/interop/regnet-sweep.yaml', '--out', out, '--space', 'RegNetX', '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      file: 'test/fixtures/interop/regnet-sweep.yaml',
      out,
      spaces: [{ name: 'RegNetX', type: 'regnet', configs: 4, dir: 'cfgs/RegNetX/', sweep: 'sweeps/RegNetX.yaml', explicit: [] }],
      notes: [],
    });
    assert.deepEqual(fs.readdirSync(path.join(out, 'cfgs', 'RegNetX')), ['0000.yaml', '0001.yaml', '0002.yaml', '0003.yaml']);
    const sweep = fs.readFileSync(path.join(out, 'sweeps', 'RegNetX.yaml'), 'utf8');
    assert.match(sweep, /^ {4}REGNET:\n {6}TYPE: regnet_sampler\n {6}DEPTH: \[ 3, 12 \]\n {6}W0: \[ 8, 64 \]\n {6}WA: \[ 4\.0, 64\.0 \]\n/m);
  });

  test('bad usage exits 2 and points to --help', () => {
    for (const [args, message] of [
      [[], /missing the format \(pycls\)/],
      [['onnx', 'examples/space.regnet.yaml'], /unknown format 'onnx'; dslab exports pycls/],
      [['pycls'], /missing FILE/],
      [['pycls', 'a.yaml', 'b.yaml'], /expected one file, got 2/],
      [['pycls', 'examples/space.regnet.yaml', '--out', ''], /--out expects a folder/],
    ] as const) {
      const r = dslab('export', ...args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, message);
      assert.match(r.stderr, /Run 'dslab export --help' for usage/);
    }
  });

  test('errors in the input exit 1 and say what', () => {
    const missing = dslab('export', 'pycls', 'no-such.yaml', '--out', path.join(tmp, 'x'));
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot read no-such\.yaml: no such file or directory/);
    const space = dslab('export', 'pycls', 'examples/space.regnet.yaml', '--space', 'RegNetY', '--out', path.join(tmp, 'y'));
    assert.equal(space.status, 1);
    assert.match(space.stderr, /no space named 'RegNetY'; the file defines AnyNetX_A, AnyNetX_E, RegNetX/);
    const blocked = path.join(tmp, 'blocked');
    fs.writeFileSync(blocked, 'a file where the folder should go\n');
    const write = dslab('export', 'pycls', 'test/fixtures/interop/regnet-sweep.yaml', '--out', blocked, '--json');
    assert.equal(write.status, 1);
    assert.match(JSON.parse(write.stdout).error.message, new RegExp(`^cannot write the export to ${blocked}: `));
  });
});
