import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';

import { normalizeModelSpec } from '../../src/core/modelSpec';
import { canonicalJson } from '../../src/core/results/fingerprint';

const ROOT = path.join(__dirname, '..', '..', '..');
const DSLAB = path.join(ROOT, 'bin', 'dslab');
const PYCLS = 'test/fixtures/interop/cifar_regnet/sweep.json';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-import-'));

function dslab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [DSLAB, ...args], { encoding: 'utf8', cwd: ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('dslab import pycls', () => {
  const out = path.join(tmp, 'cifar');

  test('a collected sweep: one space per kind of model, unfinished jobs reported, the next command named', () => {
    const r = dslab('import', 'pycls', PYCLS, '--out', out);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `Imported 15 of 17 pycls jobs of ${PYCLS} into ${out}:`);
    assert.deepEqual(lines.slice(1, 5), [
      '  space                type    models  recorded',
      '  cifar_regnet.regnet  regnet      15        13',
      '  cifar_regnet.anynet  anynet       1         1',
      '  cifar_regnet.resnet  resnet       1         1',
    ]);
    assert.ok(lines.includes('Kept with their complexity and error only: 1 model (MODEL.TYPE "resnet" is not an AnyNet or a RegNet)'));
    assert.ok(lines.includes('Unfinished, without a record (the analysis counts them as missing): 2 jobs'));
    assert.match(r.stdout, /^ {2}entry 14 \(REGNET\.DEPTH \d+ .*\): tested 3 of 5 epochs$/m);
    assert.match(r.stdout, /^ {2}entry 15 \(.*\): no test epoch$/m);
    assert.equal(lines[lines.length - 2], `Analyze it: dslab analyze ${out}`);
    assert.deepEqual(fs.readdirSync(path.join(out, 'trials')).sort(), ['cifar_regnet.anynet', 'cifar_regnet.regnet', 'cifar_regnet.resnet']);
    assert.equal(fs.readdirSync(path.join(out, 'trials', 'cifar_regnet.regnet')).length, 13);
  });

  test('dslab analyze reads it as any sweep: EDFs, best ranges, width lines; the HTML report is written', () => {
    const r = dslab('analyze', out, '--json');
    assert.equal(r.status, 0, r.stderr);
    const a = JSON.parse(r.stdout);
    assert.deepEqual(a.progress.recorded, 15);
    assert.deepEqual(a.spaces.map((s: { name: string; type: string; n: number; missing: number }) => [s.name, s.type, s.n, s.missing]), [
      ['cifar_regnet.regnet', 'regnet', 13, 2],
      ['cifar_regnet.anynet', 'anynet', 1, 0],
      ['cifar_regnet.resnet', 'resnet', 1, 0],
    ]);
    const regnet = a.spaces[0];
    assert.ok(regnet.normalized !== null);
    assert.deepEqual(Object.keys(regnet.bestRanges), ['depth', 'w0', 'wa', 'wm', 'g', 'b', 'flops', 'params', 'acts', 'efit']);
    assert.equal(regnet.trials[0].line.source, 'params');
    assert.equal(a.spaces[2].size, null);
    assert.deepEqual(a.spaces[2].trials[0].labels, { block: 'resnet', activation: 'relu' });
    assert.equal(a.imported.format, 'pycls');
    assert.equal(a.findings[0], `Imported from ${PYCLS} (pycls): 15 of 17 jobs finished; 2 jobs without a finished test epoch are left out.`);
    const html = path.join(tmp, 'cifar.html');
    const report = dslab('analyze', out, '--html', html);
    assert.equal(report.status, 0, report.stderr);
    assert.ok(fs.statSync(html).size > 10_000);
    const text = dslab('analyze', out);
    assert.match(text.stdout, /^ {2}cifar_regnet\.resnet +resnet +1 +0 +0 +0 .* –$/m);
  });

  test('--json; importing again replaces the earlier import, a folder of something else is refused', () => {
    const r = dslab('import', 'pycls', PYCLS, '--out', out, '--space', 'cifar', '--json');
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.spaces.map((s: { name: string }) => s.name), ['cifar.regnet', 'cifar.anynet', 'cifar.resnet']);
    assert.deepEqual(doc.unfinished, [{ entry: 14, reason: 'tested 3 of 5 epochs' }, { entry: 15, reason: 'no test epoch' }]);
    assert.deepEqual(doc.mismatches, []);
    assert.deepEqual(fs.readdirSync(path.join(out, 'trials')).sort(), ['cifar.anynet', 'cifar.regnet', 'cifar.resnet']);
    const other = path.join(tmp, 'other');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'notes.txt'), 'mine\n');
    const refused = dslab('import', 'pycls', PYCLS, '--out', other);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /holds something other than an imported sweep; choose another --out or delete it/);
    assert.deepEqual(fs.readdirSync(other), ['notes.txt']);
  });

  test('--error ema: each trial\'s error is its EMA model\'s lowest test error', () => {
    const dir = path.join(tmp, 'ema');
    assert.equal(dslab('import', 'pycls', PYCLS, '--out', dir, '--error', 'ema').status, 0);
    const job = JSON.parse(fs.readFileSync(path.join(ROOT, PYCLS), 'utf8').replace(/\bNaN\b/g, 'null'))[0];
    const record = JSON.parse(fs.readFileSync(path.join(dir, 'trials', 'cifar_regnet.regnet', '0000.json'), 'utf8'));
    assert.equal(record.error, Math.min(...job.test_ema_epoch.top1_err));
    assert.equal(record.bestError, Math.min(...job.test_epoch.top1_err));
  });

  test('the default folder is named after the sweep\'s folder, as pycls names a sweep', () => {
    const cwd = fs.mkdtempSync(path.join(tmp, 'cwd-'));
    const r = spawnSync(process.execPath, [DSLAB, 'import', 'pycls', path.join(ROOT, PYCLS)], { encoding: 'utf8', cwd });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(fs.existsSync(path.join(cwd, '.dslab', 'cifar_regnet', 'sweep.json')));
  });

  test('a RegNet space exported to pycls, trained there and imported gives the same models back', () => {
    const exported = path.join(tmp, 'roundtrip-export');
    assert.equal(dslab('export', 'pycls', 'test/fixtures/interop/regnet-sweep.yaml', '--out', exported, '--space', 'RegNetY').status, 0);
    const sampled = JSON.parse(dslab('sample', 'test/fixtures/interop/regnet-sweep.yaml', '--space', 'RegNetY', '--json').stdout).models;
    // What sweep_collect would write for these configs after two epochs each.
    const jobs = sampled.map((m: { index: number; flops: number; params: number; acts: number }) => ({
      cfg: parse(fs.readFileSync(path.join(exported, 'cfgs', 'RegNetY', `${String(m.index).padStart(4, '0')}.yaml`), 'utf8')),
      complexity: { flops: m.flops, params: m.params, acts: m.acts },
      test_epoch: { epoch: ['1/2', '2/2'], epoch_ind: [1, 2], epoch_max: [2, 2], top1_err: [40, 30 - m.index], min_top1_err: [40, 30 - m.index] },
      train_epoch: { epoch: ['1/2', '2/2'], epoch_ind: [1, 2], epoch_max: [2, 2], loss: [2, 1], lr: [0.05, 0.025], time_epoch: [10, 10] },
    }));
    const sweepFile = path.join(tmp, 'RegNetY', 'sweep.json');
    fs.mkdirSync(path.dirname(sweepFile));
    fs.writeFileSync(sweepFile, JSON.stringify(jobs));
    const imported = path.join(tmp, 'roundtrip-import');
    const r = dslab('import', 'pycls', sweepFile, '--out', imported, '--json');
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.spaces, [{ name: 'RegNetY', type: 'regnet', models: 4, recorded: 4 }]);
    assert.deepEqual(doc.mismatches, []);
    const manifest = JSON.parse(fs.readFileSync(path.join(imported, 'sweep.json'), 'utf8'));
    assert.equal(manifest.models.length, sampled.length);
    manifest.models.forEach((m: { model: object; flops: number; training: { lr: number; weightDecay: number } }, i: number) => {
      assert.equal(canonicalJson(m.model), canonicalJson(normalizeModelSpec(sampled[i].model)), `model ${i}`);
      assert.equal(m.flops, sampled[i].flops);
      assert.deepEqual(m.training, sampled[i].training);
    });
  });
});

describe('dslab import nds', () => {
  test('an NDS population: nets rebuilt, the unfinished job reported; analyze reads it', () => {
    const out = path.join(tmp, 'resnet');
    const r = dslab('import', 'nds', 'test/fixtures/interop/nds/ResNet.json', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        `Imported 10 of 11 nds jobs of test/fixtures/interop/nds/ResNet.json into ${out}:`,
        '  space   type    models  recorded',
        '  ResNet  anynet      11        10',
        'Unfinished, without a record (the analysis counts them as missing): 1 job',
        '  entry 10 (job 1010): no min_test_top1',
        `Analyze it: dslab analyze ${out}`,
        '',
      ].join('\n'),
    );
    const a = JSON.parse(dslab('analyze', out, '--json').stdout);
    assert.equal(a.spaces[0].n, 10);
    assert.ok('w1' in a.spaces[0].bestRanges && 'efit' in a.spaces[0].bestRanges);
    assert.equal(a.spaces[0].trials[0].line.source, 'fit');
  });

  test('cell-based nets: kept with their complexity and error, their space typed by them', () => {
    const out = path.join(tmp, 'darts');
    const r = dslab('import', 'nds', 'test/fixtures/interop/nds/DARTS.json', '--out', out, '--dataset', 'cifar10', '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).spaces, [{ name: 'DARTS', type: 'cell', models: 3, recorded: 3 }]);
    const a = JSON.parse(dslab('analyze', out, '--json').stdout);
    assert.deepEqual([a.spaces[0].type, a.spaces[0].n, a.spaces[0].min], ['cell', 3, 6.5]);
  });
});

describe('dslab import errors', () => {
  const file = (name: string, text: string): string => {
    const p = path.join(tmp, name);
    fs.writeFileSync(p, text);
    return p;
  };

  test('bad usage exits 2 and points to --help', () => {
    for (const [args, message] of [
      [[], /missing the format \(pycls, nds\)/],
      [['onnx', 'f.json'], /unknown format 'onnx'; dslab imports pycls, nds/],
      [['pycls'], /missing the file to import \(a collected sweep's sweep\.json\)/],
      [['pycls', 'a.json', 'b.json'], /expected one file, got 2/],
      [['pycls', PYCLS, '--dataset', 'cifar10'], /--dataset applies to nds imports only/],
      [['nds', 'x.json', '--dataset', 'mnist'], /--dataset must be cifar10 or imagenet, got 'mnist'/],
      [['pycls', PYCLS, '--space', 'a/b'], /--space 'a\/b' is not a space name/],
      [['pycls', PYCLS, '--error', 'last'], /--error must be final, best, ema, got 'last'/],
      [['nds', 'x.json', '--error', 'ema'], /--error applies to pycls imports only/],
      [['pycls', PYCLS, '--out', ''], /--out expects a folder/],
    ] as const) {
      const r = dslab('import', ...args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, message);
      assert.match(r.stderr, /Run 'dslab import --help' for usage/);
    }
  });

  test('a file that cannot be read, is not JSON, or is not of the format exits 1 and says what and where', () => {
    const cases: [string[], RegExp][] = [
      [['pycls', 'no/such/sweep.json'], /^dslab import: error: cannot read no\/such\/sweep\.json: no such file or directory$/m],
      [['pycls', file('broken.json', '[{"cfg": ')], /broken\.json is not JSON: /],
      [['pycls', file('object.json', '{"jobs": []}')], /object\.json is not a collected pycls sweep: expected a list of jobs/],
      [['pycls', file('empty.json', '[]')], /empty\.json holds no jobs \(an empty list\)/],
      [['pycls', file('nocfg.json', '[{"complexity": {"flops": 1, "params": 1, "acts": 1}}]')], /nocfg\.json: entry 0 has no cfg \(the job's config\)$/m],
      [['nds', file('nonet.json', '[{"net": {}, "flops": 1, "params": 1}, {"flops": 2, "params": 2}]')], /nonet\.json: entry 1 has no net/],
    ];
    for (const [args, message] of cases) {
      const r = dslab('import', ...args, '--out', path.join(tmp, 'never'));
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.stderr, message);
      assert.equal(fs.existsSync(path.join(tmp, 'never')), false);
    }
    const json = dslab('import', 'pycls', path.join(tmp, 'nocfg.json'), '--json');
    assert.equal(json.status, 1);
    assert.match(JSON.parse(json.stdout).error.message, /entry 0 has no cfg/);
  });
});
