// A Slurm sweep followed from outside: each look at its status becomes the events a local run
// emits, each record and each failure once, the queue only when it changes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { followLook, followMemory } from '../../src/core/slurm/followEvents';
import type { TrialRecord } from '../../src/core/results/records';
import type { SweepStatus, TrialStatus } from '../../src/core/results/sweepStatus';
import { SweepProgress } from '../../src/core/presentation/sweepText';
import { isSweepEvent } from '../../src/core/analysis/sweepEvents';

const record = (space: string, index: number, finishedAt = '2026-12-05T10:00:00Z', over: Partial<TrialRecord> = {}): TrialRecord =>
  ({ space, index, status: 'ok', error: 20 + index, finishedAt, ...over }) as TrialRecord;

const status = (trials: TrialStatus[]): SweepStatus => ({ trials }) as SweepStatus;
const trial = (space: string, index: number, state: TrialStatus['state'], over: Partial<TrialStatus> = {}): TrialStatus => ({ space, index, state, ...over });

describe('following a Slurm sweep', () => {
  test('records already there are not news; a new record is told once, and a retried trial again', () => {
    const memory = followMemory([record('A', 0)]);
    const first = followLook(memory, status([trial('A', 0, 'done'), trial('A', 1, 'done')]), [record('A', 0), record('A', 1)]);
    assert.deepEqual(
      first.events.filter((e) => e.type === 'trialFinished').map((e) => e.type === 'trialFinished' && `${e.record.space}#${e.record.index}`),
      ['A#1'],
    );
    const again = followLook(memory, status([trial('A', 0, 'done'), trial('A', 1, 'done')]), [record('A', 0), record('A', 1)]);
    assert.deepEqual(again.events, [], 'nothing changed: no event, not even the queue');
    const retried = followLook(memory, status([trial('A', 0, 'done'), trial('A', 1, 'done')]), [record('A', 0), record('A', 1, '2026-12-05T11:00:00Z')]);
    assert.equal(retried.events.length, 1);
    assert.equal(retried.events[0].type, 'trialFinished');
  });

  test('the queue is told when its counts change, and live counts what runs or waits', () => {
    const memory = followMemory([]);
    const look = followLook(memory, status([trial('A', 0, 'running'), trial('A', 1, 'pending'), trial('A', 2, 'pending'), trial('A', 3, 'todo')]), []);
    assert.deepEqual(look.events, [{ type: 'queue', running: 1, pending: 2 }]);
    assert.equal(look.live, 3);
    assert.deepEqual(followLook(memory, status([trial('A', 0, 'running'), trial('A', 1, 'pending'), trial('A', 2, 'pending')]), []).events, []);
    const ended = followLook(memory, status([trial('A', 0, 'done'), trial('A', 1, 'done'), trial('A', 2, 'done')]), []);
    assert.deepEqual(ended.events, [{ type: 'queue', running: 0, pending: 0 }]);
    assert.equal(ended.live, 0);
  });

  test("a task that ended without a record is told once per task, with the scheduler's reason; a record's own failure is not", () => {
    const memory = followMemory([]);
    const timeout = trial('A', 0, 'failed', { task: '7_0', failure: { kind: 'TIMEOUT', message: 'ran out of its time limit of 1 min' } });
    const modelFailed = trial('A', 1, 'failed', { failure: { kind: 'MODEL', message: 'out of memory' } });
    const events = followLook(memory, status([timeout, modelFailed]), []).events.filter((e) => e.type !== 'queue');
    assert.deepEqual(events, [{ type: 'trialFailed', space: 'A', index: 0, kind: 'TIMEOUT', message: 'ran out of its time limit of 1 min' }]);
    assert.ok(events.every(isSweepEvent));
    assert.deepEqual(followLook(memory, status([timeout]), []).events, []);
    const resubmitted = { ...timeout, task: '8_0' };
    assert.equal(followLook(memory, status([resubmitted]), []).events.length, 1, 'the same trial failing in a new submission is news');
  });

  test('only the followed spaces count', () => {
    const look = followLook(followMemory([]), status([trial('A', 0, 'running'), trial('B', 0, 'running')]), [record('B', 1)], new Set(['A']));
    assert.deepEqual(look.events, [{ type: 'queue', running: 1, pending: 0 }]);
    assert.equal(look.live, 1);
  });

  test('the terminal lines of the Slurm events', () => {
    const p = new SweepProgress('run the same command again');
    assert.deepEqual(p.apply({ type: 'submitted', job: '12', script: '/s/slurm/array-1.sh', array: '0-7%4', submitted: 8, queued: 0, elsewhere: 0 }), [
      'Submitted Slurm job 12: 8 trials as array 0-7%4 (script /s/slurm/array-1.sh)',
    ]);
    assert.deepEqual(p.apply({ type: 'submitted', job: null, script: null, array: null, submitted: 0, queued: 3, elsewhere: 1 }), [
      'Nothing new to submit to Slurm',
      '3 trials are queued or running in an earlier submission.',
      '1 trial is being trained by another process.',
    ]);
    assert.deepEqual(p.apply({ type: 'queue', running: 2, pending: 6 }), ['Slurm: 2 running, 6 pending']);
    assert.deepEqual(p.apply({ type: 'trialFailed', space: 'A', index: 3, kind: 'TIMEOUT', message: 'ran out of its time limit of 1 min' }), ['A #3: TIMEOUT: ran out of its time limit of 1 min']);
    assert.equal(p.taskFailures, 1);
  });
});
