// One trial of an existing sweep trained on its own (what a Slurm array task runs), with worker
// processes that run the fake trial (test/fixtures/sweep/fakeTrial.ts): real locks and files.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { readLockOwner } from '../../src/core/results/lock';
import { hostName } from '../../src/core/results/process';
import type { TrialRecord } from '../../src/core/results/records';
import { SweepDirectoryError } from '../../src/core/results/store';
import { readSpaceFile } from '../../src/core/space';
import type { SweepEvent } from '../../src/core/analysis/sweepEvents';
import { runSweep, SweepError } from '../../src/sweep/runner';
import { runSingleTrial, type SingleTrialOptions } from '../../src/sweep/singleTrial';
import { fakeError, type FakePlan } from '../fixtures/sweep/fakeTrial';

const ROOT = path.join(__dirname, '..', '..', '..');
const FAKE = path.join(__dirname, '..', 'fixtures', 'sweep', 'fakeTrial.js');
const TINY = path.join(ROOT, 'test', 'fixtures', 'sweep', 'tiny.yaml');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-trial-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;

/** A sweep of tiny.yaml with 2 models per space, trained by the fake except the trials in `leave` (their records removed). */
async function sweepDir(leave: string[] = ['A/1'], plan: FakePlan = {}): Promise<string> {
  const dir = path.join(tmp, `sweep-${dirs++}`);
  const resolved = readSpaceFile(TINY).resolved!;
  process.env.DSLAB_FAKE_TRIAL = JSON.stringify(plan);
  try {
    await runSweep({ file: TINY, resolved, out: dir, samples: 2, workers: 1, trialModule: FAKE, killGraceMs: 500 });
  } finally {
    delete process.env.DSLAB_FAKE_TRIAL;
  }
  for (const t of leave) fs.rmSync(path.join(dir, 'trials', `${t.split('/')[0]}`, `000${t.split('/')[1]}.json`));
  return dir;
}

const recordPath = (dir: string, space: string, index: number): string => path.join(dir, 'trials', space, `${String(index).padStart(4, '0')}.json`);
const lockPath = (dir: string, space: string, index: number): string => path.join(dir, 'trials', space, `${String(index).padStart(4, '0')}.lock`);

async function trial(options: Omit<SingleTrialOptions, 'trialModule'>, plan: FakePlan = {}): Promise<{ result: Awaited<ReturnType<typeof runSingleTrial>>; events: SweepEvent[]; trained: string[] }> {
  const log = path.join(tmp, `log-${dirs++}`);
  process.env.DSLAB_FAKE_TRIAL = JSON.stringify({ ...plan, log });
  const events: SweepEvent[] = [];
  try {
    const result = await runSingleTrial({ killGraceMs: 500, ...options, trialModule: FAKE, jobState: options.jobState ?? (() => undefined), onEvent: (e) => events.push(e) });
    const trained = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' ')[0]) : [];
    return { result, events, trained };
  } finally {
    delete process.env.DSLAB_FAKE_TRIAL;
  }
}

describe('runSingleTrial', () => {
  test('trains the one trial as a sweep worker does; run again, it trains nothing and leaves the record as it was', async () => {
    const dir = await sweepDir(['A/1']);
    const { result, trained, events } = await trial({ dir, space: 'A', index: 1 });
    assert.equal(result.kind, 'trained');
    assert.deepEqual(trained, ['A#1']);
    const record = JSON.parse(fs.readFileSync(recordPath(dir, 'A', 1), 'utf8')) as TrialRecord;
    assert.equal(record.status, 'ok');
    assert.equal(record.error, fakeError('A', 1));
    assert.equal(record.host, hostName());
    assert.deepEqual(result.kind === 'trained' && result.record, record);
    // The same fields, in the same order, as the records the sweep's workers wrote.
    const sibling = JSON.parse(fs.readFileSync(recordPath(dir, 'A', 0), 'utf8')) as TrialRecord;
    assert.deepEqual(Object.keys(record), Object.keys(sibling));
    assert.deepEqual(events.map((e) => e.type).filter((t) => t !== 'step'), ['backend', 'trialStarted', 'epoch', 'trialFinished']);
    assert.equal(fs.existsSync(lockPath(dir, 'A', 1)), false);

    const bytes = fs.readFileSync(recordPath(dir, 'A', 1), 'utf8');
    const again = await trial({ dir, space: 'A', index: 1 });
    assert.equal(again.result.kind, 'recorded');
    assert.deepEqual(again.trained, []);
    assert.equal(fs.readFileSync(recordPath(dir, 'A', 1), 'utf8'), bytes);
  });

  test("a trial whose model failed is a result: recorded, trained again only with retryFailed", async () => {
    const dir = await sweepDir([], { throw: ['B#0'] });
    const kept = await trial({ dir, space: 'B', index: 0 });
    assert.equal(kept.result.kind, 'recorded');
    assert.deepEqual(kept.trained, []);
    const retried = await trial({ dir, space: 'B', index: 0, retryFailed: true });
    assert.equal(retried.result.kind, 'trained');
    assert.equal(retried.result.kind === 'trained' && retried.result.record.status, 'ok');
  });

  test('a trial claimed by a live process is left to it; a lock of an ended Slurm job is taken over', async () => {
    const dir = await sweepDir(['A/1']);
    fs.writeFileSync(lockPath(dir, 'A', 1), JSON.stringify({ host: hostName(), pid: process.pid === 1 ? 2 : process.ppid, time: new Date().toISOString(), token: 'x' }));
    const held = await trial({ dir, space: 'A', index: 1 });
    assert.equal(held.result.kind, 'held');
    assert.match(held.result.kind === 'held' ? held.result.holder : '', new RegExp(`^process \\d+ on ${hostName()}, its lock refreshed \\d+ s ago$`));
    assert.deepEqual(held.trained, []);
    assert.equal(fs.existsSync(recordPath(dir, 'A', 1)), false);

    // A task killed on another node (SIGKILL after its time limit): its lock is left behind.
    fs.writeFileSync(lockPath(dir, 'A', 1), JSON.stringify({ host: 'node7', pid: 4242, time: new Date().toISOString(), token: 'y', job: { id: '77', restarts: 0 } }));
    const taken = await trial({ dir, space: 'A', index: 1, jobState: (o) => (o.job.id === '77' ? { running: false, state: 'TIMEOUT' } : undefined) });
    assert.equal(taken.result.kind, 'trained');
    assert.ok(taken.events.some((e) => e.type === 'warning' && /taken over \(its owner's Slurm job 77 is no longer running \(TIMEOUT\)\)/.test(e.message)));
    assert.equal(fs.existsSync(lockPath(dir, 'A', 1)), false);
  });

  test('stopped mid-trial: no record, no lock, and the next run trains it', async () => {
    const dir = await sweepDir(['A/1']);
    const controller = new AbortController();
    const running = trial({ dir, space: 'A', index: 1, signal: controller.signal }, { slow: ['A#1'] });
    for (let i = 0; i < 200 && !fs.existsSync(lockPath(dir, 'A', 1)); i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(readLockOwner(lockPath(dir, 'A', 1))?.pid, process.pid);
    controller.abort();
    const { result } = await running;
    assert.equal(result.kind, 'interrupted');
    assert.equal(fs.existsSync(recordPath(dir, 'A', 1)), false);
    assert.equal(fs.existsSync(lockPath(dir, 'A', 1)), false);
    assert.equal((await trial({ dir, space: 'A', index: 1 })).result.kind, 'trained');
  });

  test('a trial the sweep does not have, or a directory that holds no sweep, is an error saying what there is', async () => {
    const dir = await sweepDir([]);
    await assert.rejects(trial({ dir, space: 'A', index: 5 }), (err: Error) => err instanceof SweepError && err.message === `${dir} has no trial A #5; its trials are A (indices 0–1), B (indices 0–1)`);
    await assert.rejects(trial({ dir: path.join(tmp, 'nothing'), space: 'A', index: 0 }), (err: Error) => err instanceof SweepDirectoryError && /does not exist: not a sweep directory/.test(err.message));
  });
});
