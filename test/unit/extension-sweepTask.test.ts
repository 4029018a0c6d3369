import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import type { TrialRecord } from '../../src/core/results/records';
import { SweepProgress } from '../../src/core/presentation/sweepText';
import { isMessageForUser, LineBuffer, terminalLines, terminalText } from '../../src/extension/cliOutput';
import * as fs from 'node:fs';
import { effectiveExecutor, importDirectory, parseTaskDefinition, sweepArgs, sweepDirectory, taskName, type SweepSettings } from '../../src/extension/sweepTaskDefinition';
import { SLURM_MEMORY_PATTERN, SLURM_TIME_PATTERN } from '../../src/core/slurm/settings';

const DEFAULTS: SweepSettings = {
  backend: '',
  workers: 0,
  outputDirectory: '',
  executor: 'file',
  slurm: { partition: '', time: '', gpusPerTask: null, cpusPerTask: null, mem: '', parallel: null, sbatchArgs: [] },
};
import type { SweepEvent, SweepSummary } from '../../src/core/analysis/sweepEvents';

function record(space: string, index: number, status: TrialRecord['status'], error: number | null): TrialRecord {
  return {
    version: 1,
    space,
    index,
    status,
    model: {},
    flops: 1,
    params: 1,
    acts: 1,
    seed: 0,
    backend: { name: 'wasm', detail: 'wasm (SIMD, 1 thread)' },
    epochs: [],
    error,
    bestError: error,
    wallSeconds: 2.25,
    imagesPerSecond: 400,
    peakMemoryBytes: null,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:02.250Z',
    host: 'h',
    ...(status === 'failed' ? { failure: { message: 'out of memory' } } : {}),
  } as TrialRecord;
}

const SUMMARY: SweepSummary = {
  dir: '.dslab/space.regnet',
  file: 'space.regnet.yaml',
  fingerprint: 'f',
  environmentFailures: 0,
  backend: { name: 'wasm', detail: 'wasm (SIMD, 1 thread)', fellThrough: [] },
  workers: 2,
  total: 4,
  done: 3,
  trained: 3,
  remaining: 1,
  elsewhere: 0,
  interrupted: true,
  wallSeconds: 7.5,
  spaces: [
    { name: 'A', n: 2, done: 2, ok: 1, failed: 1, diverged: 0, bestError: 21.5, medianError: 21.5 },
    { name: 'RegNetX', n: 2, done: 1, ok: 1, failed: 0, diverged: 0, bestError: 12.25, medianError: 12.25 },
  ],
};

describe('reading the CLI events', () => {
  test('lines are split across chunks; a partial line waits for the rest', () => {
    const buffer = new LineBuffer();
    assert.deepEqual(buffer.push('{"type":"warn'), []);
    assert.deepEqual(buffer.push('ing","message":"m"}\r\n{"a":'), ['{"type":"warning","message":"m"}']);
    assert.deepEqual(buffer.push('1}\n\n'), ['{"a":1}']);
    assert.deepEqual(buffer.push('tail'), []);
    assert.deepEqual(buffer.flush(), ['tail']);
    assert.deepEqual(buffer.flush(), []);
  });

  test('stderr: diagnostics and messages of the CLI are shown, progress lines are not', () => {
    assert.equal(isMessageForUser('space.regnet.yaml:16:10: error: model.block must be one of X, Y, R, V'), true);
    assert.equal(isMessageForUser('dslab sweep: stopping (SIGTERM); running trials will be trained again next time'), true);
    assert.equal(isMessageForUser('dslab: cannot read space file'), true);
    assert.equal(isMessageForUser('A #0: 68.8% error, 0.5 s, 201 img/s'), false);
    assert.equal(isMessageForUser('Training on wasm (SIMD, 1 thread) with 2 workers'), false);
    assert.equal(isMessageForUser('dslab sweep: warning: the sweep directory /tmp/x is not on a filesystem other nodes share'), false, 'the warning event says it');
  });

  test('terminal text uses CRLF everywhere', () => {
    assert.equal(terminalText('a\nb\r\nc'), 'a\r\nb\r\nc\r\n');
  });
});

describe('a sweep as the task shows it', () => {
  test('backends that are not installed are named in one line that points to the install command', () => {
    const fellThrough = [
      'tfjs-node-gpu: not installed (npm install @tensorflow/tfjs-node-gpu@4.22.0; needs CUDA 11.2 + cuDNN 8.1)',
      'webgpu: only a software adapter (llvmpipe); name --backend webgpu to use it',
      'tfjs-node: not installed (npm install @tensorflow/tfjs-node@4.22.0)',
    ];
    const event: SweepEvent = { type: 'backend', backend: { name: 'wasm', detail: 'wasm (SIMD, 1 thread)', fellThrough }, workers: 2 };
    assert.deepEqual(new SweepProgress('run the task again', 'Install Native Training Backend…').apply(event), [
      '  skipped webgpu: only a software adapter (llvmpipe); name --backend webgpu to use it',
      '  not installed: tfjs-node-gpu, tfjs-node (Install Native Training Backend…)',
      'Training on wasm (SIMD, 1 thread) with 2 workers',
    ]);
    // The CLI keeps each npm line: that is how its user installs one.
    assert.match(new SweepProgress('run the same command again').apply(event)[0], /npm install @tensorflow\/tfjs-node-gpu/);
  });

  test('events become lines; done/total and the best error follow the trials', () => {
    const progress = new SweepProgress('run the task again');
    const events: SweepEvent[] = [
      { type: 'started', dir: '.dslab/space.regnet', created: true, total: 4, done: 0, todo: 4, spaces: [] },
      { type: 'backend', backend: { name: 'wasm', detail: 'wasm (SIMD, 1 thread)', fellThrough: ['tfjs-node: not installed'] }, workers: 2 },
      { type: 'trialStarted', space: 'A', index: 0, worker: 1, model: {} as never },
      { type: 'step', space: 'A', index: 0, step: 3, steps: 80, loss: 2.1 },
      { type: 'epoch', space: 'A', index: 0, epoch: { epoch: 1, trainLoss: 0.61234, testError: 21.5, lr: 0.1, seconds: 2 } },
      { type: 'trialFinished', record: record('A', 0, 'ok', 21.5) },
      { type: 'trialFinished', record: record('A', 1, 'failed', null) },
      { type: 'trialFinished', record: record('RegNetX', 0, 'ok', 12.25) },
    ];
    const lines = events.flatMap((e) => terminalLines(progress, e));
    assert.deepEqual(lines, [
      'Sweep of 4 trials in .dslab/space.regnet (new): 0 done, 4 to train',
      '  skipped tfjs-node: not installed',
      'Training on wasm (SIMD, 1 thread) with 2 workers',
      'A #0: started on worker 1',
      'A #0: epoch 1, loss 0.612, error 21.5%',
      'A #0: 21.5% error, 2.3 s, 400 img/s  [1/4]',
      'A #1: failed (out of memory)  [2/4]',
      'RegNetX #0: 12.3% error, 2.3 s, 400 img/s  [3/4]',
    ]);
    assert.equal(progress.statusText(), 'dslab 3/4 · best 12.3%');
    assert.deepEqual(progress.best, { space: 'RegNetX', error: 12.25 });
    assert.equal(progress.fraction(), 0.75);
  });

  test('the final summary: a table per space and how to resume', () => {
    const progress = new SweepProgress('run the task again');
    assert.equal(progress.statusText(), 'dslab 0/0');
    assert.equal(progress.fraction(), 0);
    assert.deepEqual(progress.apply({ type: 'finished', summary: SUMMARY }), [
      'space.regnet.yaml: 3 of 4 trials done, 3 trained in 7.5 s (on wasm (SIMD, 1 thread), 2 workers)',
      'space    n  done  failed  diverged  best   median',
      'A        2  2     1       0         21.5%  21.5%',
      'RegNetX  2  1     0       0         12.3%  12.3%',
      'Interrupted: 1 trial remains; run the task again to resume.',
      'Results: .dslab/space.regnet',
    ]);
    assert.equal(progress.summary, SUMMARY);
    assert.equal(progress.statusText(), 'dslab 3/4');
  });
});

describe('a sequential sweep as the task shows it', () => {
  test('each round prints where the sweep stands and each pair; the status bar shows the round', () => {
    const progress = new SweepProgress('run the task again');
    progress.apply({ type: 'started', dir: '.dslab/space.regnet', created: true, total: 32, done: 0, todo: 32, spaces: [] });
    const lines = progress.apply({
      type: 'round',
      total: 48,
      done: 32,
      sequential: {
        status: 'running',
        round: 2,
        rounds: 4,
        target: 24,
        pairs: [
          { a: 'AnyNetX_A', b: 'RegNetX', decidedAt: 1, p: 0.0084, alpha: 0.02, round: 1, basis: 'normalized', better: 'RegNetX' },
          { a: 'AnyNetX_A', b: 'AnyNetX_E', p: 0.27, alpha: 0.02, round: 1, basis: 'normalized', better: 'AnyNetX_E' },
        ],
      },
    });
    assert.deepEqual(lines, [
      'Sequential sweep, round 2 of 4, 24 models per space: 1 of 2 pairs decided',
      '  AnyNetX_A vs RegNetX: RegNetX better, decided in round 1 (p = 0.00840 ≤ α₁ = 0.02, normalized)',
      '  AnyNetX_A vs AnyNetX_E: undecided after round 1 (p = 0.27 > α₁ = 0.02, normalized)',
    ]);
    assert.equal(progress.statusText(), 'dslab 32/48 · round 2/4');
    assert.equal(progress.fraction(), 32 / 48);
  });
});

describe('the dslab task definition', () => {
  test('file is required; space is optional', () => {
    assert.deepEqual(parseTaskDefinition({ type: 'dslab', file: 'examples/space.regnet.yaml' }), { type: 'dslab', file: 'examples/space.regnet.yaml' });
    assert.deepEqual(parseTaskDefinition({ type: 'dslab', file: 'a.regnet.yaml', space: 'RegNetX' }), { type: 'dslab', file: 'a.regnet.yaml', space: 'RegNetX' });
    assert.equal(parseTaskDefinition({ type: 'dslab' }), "a 'dslab' task needs \"file\": the space file to sweep");
    assert.equal(parseTaskDefinition({ type: 'dslab', file: 'a', space: 3 }), '"space" must be the name of a space');
    assert.equal(parseTaskDefinition({ type: 'shell', file: 'a' }), "task type must be 'dslab'");
    assert.deepEqual(parseTaskDefinition({ type: 'dslab', file: 'a', fresh: true }), { type: 'dslab', file: 'a', fresh: true });
    assert.deepEqual(parseTaskDefinition({ type: 'dslab', file: 'a', fresh: false }), { type: 'dslab', file: 'a' });
    assert.equal(parseTaskDefinition({ type: 'dslab', file: 'a', fresh: 'yes' }), '"fresh" must be true or false');
  });

  test('names, sweep directories and CLI arguments', () => {
    assert.equal(taskName({ type: 'dslab', file: 'examples/space.regnet.yaml' }), 'sweep space.regnet.yaml');
    assert.equal(taskName({ type: 'dslab', file: 'x.regnet.yaml', space: 'R' }), 'sweep x.regnet.yaml: R');
    assert.equal(sweepDirectory('/w', '/w/examples/space.regnet.yaml', ''), path.join('/w', '.dslab', 'space.regnet'));
    assert.equal(sweepDirectory('/w', 'space.regnet.yaml', 'runs'), path.join('/w', 'runs', 'space.regnet'));
    assert.equal(sweepDirectory('/w', 'space.regnet.yaml', '/data/sweeps'), path.join('/data/sweeps', 'space.regnet'));
    // An import goes where dslab import puts it: a sweep.json after its folder, another file after itself.
    assert.equal(importDirectory('/w', '', '/w/runs/cifar_regnet/sweep.json'), path.join('/w', '.dslab', 'cifar_regnet'));
    assert.equal(importDirectory('/w', 'runs', '/data/nds/ResNeXt-A_in.json'), path.join('/w', 'runs', 'ResNeXt-A_in'));
    assert.deepEqual(sweepArgs('s.regnet.yaml', {}, '/w/.dslab/s.regnet', { ...DEFAULTS }, 'local'), [
      'sweep',
      's.regnet.yaml',
      '--events',
      '--out',
      '/w/.dslab/s.regnet',
    ]);
    assert.deepEqual(sweepArgs('s.regnet.yaml', { space: 'R', fresh: true }, 'o', { ...DEFAULTS, backend: 'wasm', workers: 3, nativeModulesPath: '/opt/tf' }, 'local'), [
      'sweep',
      's.regnet.yaml',
      '--events',
      '--out',
      'o',
      '--space',
      'R',
      '--fresh',
      '--backend',
      'wasm',
      '--native-modules',
      '/opt/tf',
      '--workers',
      '3',
    ]);
  });

  test('on Slurm: the executor setting, the Slurm options that are set, and no --workers', () => {
    const slurm = { partition: 'gpu', time: '30', gpusPerTask: 1, cpusPerTask: null, mem: '8G', parallel: 4, sbatchArgs: ['--account=proj', '--qos=low'] };
    assert.deepEqual(sweepArgs('s.regnet.yaml', {}, 'o', { ...DEFAULTS, workers: 3, executor: 'slurm', slurm }, 'slurm').slice(5), [
      '--executor',
      'slurm',
      '--partition',
      'gpu',
      '--time',
      '30',
      '--gpus-per-task',
      '1',
      '--mem',
      '8G',
      '--parallel',
      '4',
      '--sbatch-arg=--account=proj',
      '--sbatch-arg=--qos=low',
    ]);
    // The file says slurm and the setting leaves it to the file: no --executor, the file's settings stand.
    assert.deepEqual(sweepArgs('s.regnet.yaml', {}, 'o', { ...DEFAULTS, workers: 3 }, 'slurm').slice(5), []);
    assert.equal(effectiveExecutor({ executor: 'file' }, 'slurm'), 'slurm');
    assert.equal(effectiveExecutor({ executor: 'file' }, undefined), 'local');
    assert.equal(effectiveExecutor({ executor: 'local' }, 'slurm'), 'local');
    // A local sweep forced over the file's slurm.
    assert.deepEqual(sweepArgs('s.regnet.yaml', {}, 'o', { ...DEFAULTS, executor: 'local' }, 'local').slice(5), ['--executor', 'local']);
  });

  test("the settings' Slurm time pattern is the CLI's, and every Slurm option has a setting", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { pattern?: string }> } } };
    const props = manifest.contributes.configuration.properties;
    assert.equal(props['designSpaceLab.slurm.time'].pattern, `^$|${SLURM_TIME_PATTERN.source}`);
    assert.equal(props['designSpaceLab.slurm.mem'].pattern, `^$|${SLURM_MEMORY_PATTERN.source}`);
    for (const key of Object.keys(DEFAULTS.slurm)) assert.ok(props[`designSpaceLab.slurm.${key}`], key);
    const pattern = new RegExp(props['designSpaceLab.slurm.time'].pattern!);
    for (const ok of ['', '30', '1:30:00', '2-00:00']) assert.ok(pattern.test(ok), ok);
    assert.ok(!pattern.test('30m'));
  });
});
