import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { ImportError, parsePythonJson } from '../../src/core/interop/sourceJson';
import { readPyclsSweep } from '../../src/core/interop/pyclsSweep';
import { ndsDatasetOf, readNdsPopulation } from '../../src/core/interop/ndsPopulation';
import { buildImportedSweep, spaceNameOf } from '../../src/core/interop/importedSweep';
import { complexityOf } from '../../src/core/interop/pyclsConfig';
import { checkTrialRecord } from '../../src/core/results/records';
import { HEAD_MAX, importFormatOf, importFormatOfFile, importFormatOfHead, importNameOf } from '../../src/core/interop/importFile';
import * as os from 'node:os';

const ROOT = path.join(__dirname, '..', '..', '..');
const PYCLS = path.join(ROOT, 'test/fixtures/interop/cifar_regnet/sweep.json');
const pyclsSweep = (): Record<string, unknown>[] => parsePythonJson(fs.readFileSync(PYCLS, 'utf8'), 'sweep.json') as Record<string, unknown>[];

describe('JSON as Python writes it', () => {
  test('bare NaN and infinities outside strings read as null; strings keep them', () => {
    assert.deepEqual(parsePythonJson('[NaN, -Infinity, Infinity, "NaN and Infinity", {"a": NaN}]', 'f'), [null, null, null, 'NaN and Infinity', { a: null }]);
    assert.deepEqual(parsePythonJson('{"s": "say \\"NaN\\"", "x": 1}', 'f'), { s: 'say "NaN"', x: 1 });
  });

  test('a file that is not JSON is an ImportError naming it', () => {
    assert.throws(() => parsePythonJson('{"a": ', 'runs/sweep.json'), (e: unknown) => e instanceof ImportError && /^runs\/sweep\.json is not JSON: /.test(e.message));
    assert.throws(() => parsePythonJson('[NaN, oops]', 'x.json'), (e: unknown) => e instanceof ImportError && /^x\.json is not JSON/.test(e.message));
  });
});

describe('a collected pycls sweep', () => {
  const { jobs, recipe } = readPyclsSweep(pyclsSweep(), 'sweep.json');

  test('every job is read; its recipe is the first job\'s', () => {
    assert.equal(jobs.length, 17);
    assert.equal(recipe.dataset, 'cifar10');
    assert.equal(recipe.training.epochs, 5);
    assert.equal(recipe.training.optimizer.lr, 1.0);
    assert.equal(recipe.training.schedule.type, 'cosine');
    assert.equal(recipe.training.labelSmoothing, 0.1);
  });

  test('a RegNet stored as an anynet comes back as the RegNet, with pycls\'s complexity', () => {
    const j = jobs[0];
    const raw = pyclsSweep()[0] as { cfg: { REGNET: Record<string, number> }; complexity: Record<string, number>; test_epoch: { top1_err: number[] }; train_epoch: { lr: number[]; loss: number[] } };
    assert.deepEqual(j.model?.regnet, { depth: raw.cfg.REGNET.DEPTH, w0: raw.cfg.REGNET.W0, wa: raw.cfg.REGNET.WA, wm: raw.cfg.REGNET.WM, groupWidth: raw.cfg.REGNET.GROUP_W, bottleneck: 1, strides: [2, 2] });
    assert.equal(j.model?.block, 'Y');
    assert.deepEqual(complexityOf(j.model!), raw.complexity);
    assert.equal(j.error, raw.test_epoch.top1_err[4]);
    assert.equal(j.bestError, Math.min(...raw.test_epoch.top1_err));
    assert.deepEqual(j.epochs.map((e) => e.epoch), [1, 2, 3, 4, 5]);
    assert.deepEqual(j.epochs.map((e) => e.lr), raw.train_epoch.lr);
    assert.deepEqual(j.epochs.map((e) => e.trainLoss), raw.train_epoch.loss);
  });

  test('pycls\'s CIFAR ResNet-56 as an anynet is rebuilt to its published complexity; MODEL.TYPE resnet is kept as it is', () => {
    assert.equal(jobs[12].model?.block, 'R');
    assert.deepEqual(complexityOf(jobs[12].model!), { flops: 125747850, params: 855770, acts: 544778 });
    assert.equal(jobs[13].model, undefined);
    assert.equal(jobs[13].type, 'resnet');
    assert.equal(jobs[13].unsupported, 'MODEL.TYPE "resnet" is not an AnyNet or a RegNet');
    assert.equal(typeof jobs[13].error, 'number');
  });

  test('jobs without a finished test epoch are unfinished, with why; a NaN loss reads as null', () => {
    assert.deepEqual([jobs[14].error, jobs[14].unfinished, jobs[14].epochs.length], [null, 'tested 3 of 5 epochs', 3]);
    assert.deepEqual([jobs[15].error, jobs[15].unfinished], [null, 'no test epoch']);
    assert.equal(jobs[16].epochs[1].trainLoss, null);
    assert.equal(typeof jobs[16].error, 'number');
  });

  test('--error best takes the lowest test error, --error ema the EMA model\'s lowest (pycls\'s sweep_analyze)', () => {
    const raw = pyclsSweep()[0] as { test_epoch: { top1_err: number[] }; test_ema_epoch: { top1_err: number[] } };
    const [best] = readPyclsSweep([raw], 's.json', 'best').jobs;
    const [ema] = readPyclsSweep([raw], 's.json', 'ema').jobs;
    assert.equal(best.error, Math.min(...raw.test_epoch.top1_err));
    assert.equal(ema.error, Math.min(...raw.test_ema_epoch.top1_err));
    assert.deepEqual(ema.epochs, jobs[0].epochs);
    const { test_ema_epoch: _, ...noEma } = raw;
    const [missing] = readPyclsSweep([noEma], 's.json', 'ema').jobs;
    assert.deepEqual([missing.error, missing.unfinished], [null, 'no test_ema_epoch (the EMA model was not tested)']);
  });

  test('older collections with only "k/N" epoch strings are read the same', () => {
    const entry = structuredClone(pyclsSweep()[0]) as Record<string, Record<string, unknown>>;
    for (const log of [entry.test_epoch, entry.train_epoch, entry.test_ema_epoch]) {
      delete log.epoch_ind;
      delete log.epoch_max;
    }
    const [old] = readPyclsSweep([entry], 'old.json').jobs;
    assert.deepEqual(old, jobs[0]);
  });

  test('the wrong shape or a missing field is an ImportError naming the entry', () => {
    const good = pyclsSweep()[0];
    const cases: [unknown, RegExp][] = [
      [{ jobs: [] }, /^s\.json is not a collected pycls sweep: expected a list of jobs \(what tools\/sweep_collect\.py writes\), got an object$/],
      [[], /^s\.json holds no jobs \(an empty list\)$/],
      [[good, 'x'], /^entry 1 is not an object/],
      [[good, { ...good, cfg: undefined }], /^entry 1 has no cfg \(the job's config\)$/],
      [[{ ...good, complexity: undefined }], /^entry 0 has no complexity/],
      [[good, good, { ...good, complexity: { flops: 'many', params: 1, acts: 1 } }], /^entry 2: complexity\.flops is not a number$/],
      [[{ ...good, test_epoch: { ...(good.test_epoch as object), top1_err: 'low' } }], /^entry 0: test_epoch\.top1_err is not a list of numbers$/],
      [[{ ...good, test_epoch: { ...(good.test_epoch as object), top1_err: [1, 2] } }], /^entry 0: test_epoch\.top1_err has 2 values for 5 epochs$/],
      [[{ ...good, test_epoch: { top1_err: [1] } }], /^entry 0: test_epoch has no epoch_ind and epoch_max/],
      [[{ ...good, cfg: { ...(good.cfg as object), ANYNET: { ...((good.cfg as Record<string, object>).ANYNET), WIDTHS: 'wide' } } }], /^entry 0: cfg\.ANYNET\.WIDTHS: ANYNET\.WIDTHS must be a list of numbers, got "wide"$/],
      [[{ ...good, cfg: { ...(good.cfg as object), ANYNET: { ...((good.cfg as Record<string, object>).ANYNET), WIDTHS: [0, 8] } } }], /^entry 0: cfg ANYNET: anynet\.widths\[0\] must be between 1 and 65536, got 0$/],
    ];
    for (const [value, message] of cases) {
      assert.throws(() => readPyclsSweep(value, 's.json'), (e: unknown) => e instanceof ImportError && message.test(e.message), String(message));
    }
  });
});

describe('an imported sweep', () => {
  const { jobs, recipe } = readPyclsSweep(pyclsSweep(), 'sweep.json');
  const sweep = buildImportedSweep(jobs, complexityOf, { format: 'pycls', source: 'sweep.json', name: 'cifar_regnet', tool: { name: 'dslab', version: '0' }, collectedAt: '2026-01-02T03:04:05.000Z', recipe });

  test('one space per kind of model; unfinished jobs are models without a record', () => {
    assert.deepEqual(sweep.spaces, [
      { name: 'cifar_regnet.regnet', type: 'regnet', models: 15, recorded: 13 },
      { name: 'cifar_regnet.anynet', type: 'anynet', models: 1, recorded: 1 },
      { name: 'cifar_regnet.resnet', type: 'resnet', models: 1, recorded: 1 },
    ]);
    assert.equal(sweep.manifest.models.length, 17);
    assert.deepEqual(sweep.manifest.imported?.unfinished, [{ entry: 14, reason: 'tested 3 of 5 epochs' }, { entry: 15, reason: 'no test epoch' }]);
    assert.deepEqual(sweep.mismatches, []);
    const resnet = sweep.manifest.resolved.spaces.find((s) => s.name === 'cifar_regnet.resnet');
    assert.equal(resnet?.modelType, 'resnet');
  });

  test('every record is one the analysis accepts for its model, with its source', () => {
    for (const r of sweep.records) {
      const model = sweep.manifest.models.find((m) => m.space === r.space && m.index === r.index)!;
      assert.equal(checkTrialRecord(JSON.parse(JSON.stringify(r)), model), undefined, `${r.space} #${r.index}`);
      assert.equal(r.source?.format, 'pycls');
    }
    const resnet = sweep.records.find((r) => r.space === 'cifar_regnet.resnet')!;
    assert.deepEqual(resnet.model, {});
    assert.deepEqual([resnet.flops, resnet.params, resnet.acts], [125747850, 855770, 544778]);
  });

  test('space names: anything a folder cannot be named is replaced', () => {
    assert.deepEqual(['cifar regnet', '2024/run', '.hidden', 'ok.name-1'].map(spaceNameOf), ['cifar_regnet', '_2024_run', 'hidden', 'ok.name-1']);
  });
});

describe('an NDS population', () => {
  const read = (file: string) => readNdsPopulation(JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/interop/nds', file), 'utf8')), file, ndsDatasetOf(file), file.replace('.json', ''));

  test('nets are rebuilt where a reading gives the stated flops and params: basic blocks with a 16-wide stem, groups counted by num_gs', () => {
    const { jobs } = read('ResNet.json');
    assert.equal(jobs.length, 11);
    for (const j of jobs) {
      assert.ok(j.model, `entry ${j.entry}`);
      const c = complexityOf(j.model!);
      assert.deepEqual([c.flops, c.params], [j.stated.flops, j.stated.params]);
    }
    assert.equal(jobs[0].model?.block, 'R');
    assert.deepEqual(jobs[9].model?.anynet?.groupWidths, [16, 32, 64]);
    assert.equal(jobs[0].error, jobs[0].bestError);
    assert.deepEqual(jobs[0].training, { lr: 0.1, weightDecay: 5e-4, epochs: 5 });
    assert.equal(jobs[0].epochs[0].lr, 0.1);
    assert.deepEqual([jobs[10].error, jobs[10].unfinished], [null, 'no min_test_top1']);
  });

  test('cell-based nets keep their complexity and error; a stated flops no reading matches keeps the net unbuilt', () => {
    const { jobs } = read('DARTS.json');
    assert.deepEqual(jobs.map((j) => [j.type, j.model, j.error]), [['cell', undefined, 8.5], ['cell', undefined, 7.5], ['cell', undefined, 6.5]]);
    const resnet = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/interop/nds/ResNet.json'), 'utf8'));
    resnet[0].flops += 1;
    const [off] = readNdsPopulation(resnet, 'ResNet.json', 'cifar10', 'ResNet').jobs;
    assert.equal(off.model, undefined);
    assert.equal(off.unsupported, 'no reading of its net gives its flops and params');
  });

  test('reruns ({top, mid}) are read as one list; ImageNet files end in _in', () => {
    const resnet = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/interop/nds/ResNet.json'), 'utf8'));
    assert.equal(readNdsPopulation({ top: resnet.slice(0, 2), mid: resnet.slice(2, 5) }, 'r.json', 'cifar10', 'ResNet').jobs.length, 5);
    assert.deepEqual(['ResNet.json', 'ResNeXt-A_in.json', 'DARTS_in'].map(ndsDatasetOf), ['cifar10', 'imagenet', 'imagenet']);
  });

  test('the wrong shape or a missing field is an ImportError naming the entry', () => {
    const cases: [unknown, RegExp][] = [
      [{ jobs: [] }, /^n\.json is not an NDS population: expected a list of jobs \(or \{top, mid\}\), got an object$/],
      [[], /^n\.json holds no jobs/],
      [[{ flops: 1, params: 1 }], /^entry 0 has no net \(the network's description\)$/],
      [[{ net: {}, flops: 1, params: 1 }, { net: {}, params: 1 }], /^entry 1: flops is missing$/],
      [[{ net: {}, flops: 1.5, params: 1 }], /^entry 0: flops is not a count$/],
      [[{ net: {}, flops: 1, params: 1, test_ep_top1: 'x' }], /^entry 0: test_ep_top1 is not a list of numbers$/],
    ];
    for (const [value, message] of cases) {
      assert.throws(() => readNdsPopulation(value, 'n.json', 'cifar10', 'X'), (e: unknown) => e instanceof ImportError && message.test(e.message), String(message));
    }
  });
});

describe('recognizing an import', () => {
  test('a pycls sweep by its first job\'s cfg and complexity, an NDS population by its net and flops', () => {
    assert.equal(importFormatOf(pyclsSweep()), 'pycls');
    const nds = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/interop/nds/ResNet.json'), 'utf8'));
    assert.equal(importFormatOf(nds), 'nds');
    assert.equal(importFormatOf({ top: nds, mid: [] }), 'nds');
    for (const other of [[], {}, [1], [{ cfg: {} }], 'x', null]) assert.equal(importFormatOf(other), undefined);
  });

  test('from its first job alone: a file is recognized before the rest of it is read, whatever follows', () => {
    const text = fs.readFileSync(PYCLS, 'utf8');
    const first = JSON.stringify(pyclsSweep()[0]);
    // Cut anywhere after the first job (even inside the second), the text is still a pycls sweep.
    assert.equal(importFormatOfHead(text.slice(0, text.indexOf('"cfg"', text.indexOf('"cfg"') + 1))), 'pycls');
    assert.equal(importFormatOfHead(`\ufeff [ ${first}, {"cfg": {"MODEL`), 'pycls');
    // Braces and quotes inside strings do not end the job; Python's NaN is read as JSON's null.
    assert.equal(importFormatOfHead('[{"cfg": {"DESC": "a}\\"]"}, "complexity": {"flops": 1}, "loss": NaN}'), 'pycls');
    // NDS reruns: the list under "top", after any other key.
    assert.equal(importFormatOfHead('{"mid": [{"net": {}, "flops": 1}, [2, {"x": "]"}]], "top": [{"net": {"ds": [1]}, "flops": 3.5}, {"net"'), 'nds');
    for (const other of ['[{"cfg": {}', '{"version": 1, "resolved": {}, "models": []}', '[1, 2]', '', 'not json', '[{"cfg": {}, "complexity": 1}]']) {
      assert.equal(importFormatOfHead(other), undefined, other);
    }
  });

  test('a file is read only as far as its first job: a large one in a few milliseconds, an unreadable one is no import', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-head-'));
    try {
      const first = JSON.stringify(pyclsSweep()[0]);
      // 20 MB of jobs after the first: its head tells what it is.
      const big = path.join(dir, 'sweep.json');
      fs.writeFileSync(big, `[${first}${`, ${first}`.repeat(Math.ceil(20e6 / first.length))}]`);
      const t = process.hrtime.bigint();
      assert.equal(importFormatOfFile(big), 'pycls');
      assert.ok(Number(process.hrtime.bigint() - t) / 1e6 < 500);
      assert.equal(importFormatOfFile(path.join(ROOT, 'test/fixtures/interop/nds/DARTS.json')), 'nds');
      // A first job longer than the head a check reads is not recognized (dslab import still reads it).
      const long = path.join(dir, 'long.json');
      fs.writeFileSync(long, `[{"cfg": {"DESC": "${'x'.repeat(HEAD_MAX)}"}, "complexity": {}}]`);
      assert.equal(importFormatOfFile(long), undefined);
      for (const other of [path.join(ROOT, 'package.json'), path.join(dir, 'missing.json'), dir]) assert.equal(importFormatOfFile(other), undefined, other);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a pycls sweep.json is named after its folder, anything else after itself', () => {
    assert.deepEqual(['runs/cifar_regnet/sweep.json', 'data/ResNet.json', 'sweep.json'].map((f) => importNameOf(path.join('/x', f))), ['cifar_regnet', 'ResNet', 'x']);
  });
});
