// The guard the editor's sweep task reads `dslab sweep --events` lines with: a line is an event
// only when its kind is known and each of that kind's fields has its type (the runner's own
// events pass it: see results-runner.test.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isSweepEvent, parseSweepEvent } from '../../src/core/analysis/sweepEvents';

const BACKEND = { name: 'wasm', detail: 'wasm (SIMD, 1 thread)', fellThrough: [] };
const SEQUENTIAL = { status: 'running', round: 1, rounds: 4, target: 8, pairs: [{ a: 'A', b: 'B', p: 0.2, alpha: 0.01, round: 1, basis: 'plain', better: null }] };
const SUMMARY = {
  dir: '.dslab/space.regnet',
  file: 'space.regnet.yaml',
  fingerprint: 'f',
  backend: null,
  workers: 0,
  total: 4,
  done: 4,
  trained: 0,
  remaining: 0,
  elsewhere: 0,
  interrupted: false,
  wallSeconds: 0.1,
  spaces: [{ name: 'A', n: 4, done: 4, ok: 4, failed: 0, diverged: 0, bestError: 10, medianError: 12 }],
  environmentFailures: 0,
};

const GOOD: Record<string, unknown>[] = [
  { type: 'started', dir: 'd', created: false, total: 4, done: 1, todo: 3, spaces: [{ name: 'A', n: 4, done: 1 }] },
  { type: 'warning', message: 'm' },
  { type: 'unusable', file: 'trials/A/0001.json', reason: 'not JSON' },
  { type: 'backend', backend: BACKEND, workers: 2 },
  { type: 'round', sequential: SEQUENTIAL, total: 16, done: 0 },
  { type: 'step', space: 'A', index: 0, step: 3, steps: 80, loss: null },
  { type: 'epoch', space: 'A', index: 0, epoch: { epoch: 1, trainLoss: 0.6, testError: 21.5, lr: 0.1, seconds: 2 } },
  { type: 'trialSkipped', space: 'A', index: 2, holder: 'process 12 on h' },
  { type: 'finished', summary: SUMMARY },
  { type: 'mismatch', dir: 'd', differences: ['A: 1 model there, 2 now'], keptAs: 'd.2026-12-05T08-51-14' },
];

describe('sweep events from the CLI', () => {
  test('each kind with its fields is an event', () => {
    for (const e of GOOD) assert.equal(isSweepEvent(e), true, JSON.stringify(e));
    assert.deepEqual(parseSweepEvent('{"type":"warning","message":"m"}'), { type: 'warning', message: 'm' });
  });

  test('unknown kinds, missing or mistyped fields, and lines that are not JSON objects are not', () => {
    const bad: unknown[] = [
      { type: 'progress', done: 1 },
      { type: 'toString' },
      { message: 'no type' },
      { type: 'warning' },
      { type: 'warning', message: 3 },
      { type: 'started', dir: 'd', created: 'yes', total: 4, done: 1, todo: 3, spaces: [] },
      { type: 'started', dir: 'd', created: true, total: -1, done: 1, todo: 3, spaces: [] },
      { type: 'backend', backend: { ...BACKEND, name: 'tpu' }, workers: 2 },
      { type: 'backend', backend: { name: 'wasm', detail: 'w' }, workers: 2 },
      { type: 'round', sequential: { ...SEQUENTIAL, status: 'maybe' }, total: 16, done: 0 },
      { type: 'trialStarted', space: 'A', index: 0, worker: 1, model: {} },
      { type: 'step', space: 'A', index: 1.5, step: 3, steps: 80, loss: 2 },
      { type: 'epoch', space: 'A', index: 0, epoch: { epoch: 1 } },
      { type: 'trialFinished', record: { space: 'A', index: 0 } },
      { type: 'mismatch', dir: 'd', differences: 'A', keptAs: 'd.x' },
      { type: 'mismatch', dir: 'd', differences: [] },
      { type: 'finished', summary: { ...SUMMARY, spaces: [{ name: 'A' }] } },
      { type: 'finished', summary: { ...SUMMARY, interrupted: undefined } },
      null,
      [GOOD[1]],
    ];
    for (const e of bad) assert.equal(isSweepEvent(e), false, JSON.stringify(e));
    for (const line of ['{"a":1}', 'Sweep of 4 trials', '[1]', '{"type":"warning"']) assert.equal(parseSweepEvent(line), undefined, line);
  });
});
