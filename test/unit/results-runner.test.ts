// The sweep runner with worker processes that run a fake trial (test/fixtures/sweep/fakeTrial.ts):
// real processes, locks and files, but no tfjs, so every run takes a fraction of a second.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { hostName } from '../../src/core/results/process';
import type { TrialRecord } from '../../src/core/results/records';
import { SweepDirectoryError } from '../../src/core/results/store';
import { readSpaceFile } from '../../src/core/space';
import type { ResolvedSpaceFile } from '../../src/core/space/types';
import { isSweepEvent, type SweepEvent, type SweepSummary } from '../../src/core/analysis/sweepEvents';
import { runSweep, SweepError, summarizeSpaces, type SweepOptions } from '../../src/sweep/runner';
import { telling } from '../../src/sweep/workerProcess';
import { fakeError, type FakePlan } from '../fixtures/sweep/fakeTrial';

const ROOT = path.join(__dirname, '..', '..', '..');
const FAKE = path.join(__dirname, '..', 'fixtures', 'sweep', 'fakeTrial.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-runner-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
/** The kinds of event the runs below emitted, each checked by the editor's guard after a JSON round trip. */
const emittedKinds = new Set<string>();

const read = readSpaceFile(path.join(ROOT, 'test', 'fixtures', 'sweep', 'tiny.yaml'));
assert.ok(read.resolved);
const resolved: ResolvedSpaceFile = read.resolved;

interface Run {
  summary: SweepSummary;
  events: SweepEvent[];
  /** "A#1" per trial the fake started, in order, with the worker's pid. */
  trained: { id: string; pid: number }[];
}

/** Runs a sweep of tiny.yaml with the fake trial; `plan` drives the fake, `log` collects what it trained. */
async function sweep(out: string, plan: FakePlan = {}, options: Partial<SweepOptions> = {}): Promise<Run> {
  const log = path.join(tmp, `log-${dirs++}`);
  process.env.DSLAB_FAKE_TRIAL = JSON.stringify({ ...plan, log });
  const events: SweepEvent[] = [];
  try {
    const summary = await runSweep({
      file: 'tiny.yaml',
      resolved,
      out,
      samples: 3,
      workers: 1,
      trialModule: FAKE,
      killGraceMs: 500,
      ...options,
      onEvent: (e) => {
        events.push(e);
        assert.ok(isSweepEvent(JSON.parse(JSON.stringify(e))), `the event guard rejects ${JSON.stringify(e)}`);
        emittedKinds.add(e.type);
        options.onEvent?.(e);
      },
    });
    const lines = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
    return { summary, events, trained: lines.map((l) => ({ id: l.split(' ')[0], pid: Number(l.split(' ')[1]) })) };
  } finally {
    delete process.env.DSLAB_FAKE_TRIAL;
  }
}

const freshDir = (): string => path.join(tmp, `sweep-${dirs++}`);
const recordOf = (dir: string, space: string, index: number): TrialRecord =>
  JSON.parse(fs.readFileSync(path.join(dir, 'trials', space, `${String(index).padStart(4, '0')}.json`), 'utf8')) as TrialRecord;
/** Every file under trials/, relative, sorted. */
const trialFiles = (dir: string): string[] =>
  ['A', 'B'].flatMap((s) => (fs.existsSync(path.join(dir, 'trials', s)) ? fs.readdirSync(path.join(dir, 'trials', s)).map((f) => `${s}/${f}`) : [])).sort();
const ALL = ['A/0000.json', 'A/0001.json', 'A/0002.json', 'B/0000.json', 'B/0001.json', 'B/0002.json'];

describe('runSweep with a fake trainer', () => {
  const dir = freshDir();
  let first: Run;

  test('trains every trial; a crashing worker and a throwing trial become failed records, a divergence is recorded', async () => {
    first = await sweep(dir, { crash: ['A#1'], throw: ['B#0'], diverge: ['B#2'] });
    assert.deepEqual(trialFiles(dir), ALL);
    assert.deepEqual(
      first.trained.map((t) => t.id),
      ['A#0', 'A#1', 'A#2', 'B#0', 'B#1', 'B#2'],
    );
    // The crash took its worker down; a new one trained the rest.
    assert.equal(first.trained[0].pid, first.trained[1].pid);
    assert.notEqual(first.trained[2].pid, first.trained[1].pid);
    assert.ok(first.trained.slice(2).every((t) => t.pid === first.trained[2].pid));

    const a0 = recordOf(dir, 'A', 0);
    assert.equal(a0.status, 'ok');
    assert.equal(a0.error, fakeError('A', 0));
    assert.equal(a0.bestError, 10);
    assert.equal(a0.seed, resolved.training.seed);
    assert.deepEqual(a0.backend, { name: 'cpu', detail: 'fake (test)' });
    assert.deepEqual(a0.epochs, [{ epoch: 1, trainLoss: 1.25, testError: 10, lr: 0.1, seconds: 0.01 }]);
    assert.equal(a0.host, hostName());
    assert.equal(a0.imagesPerSecond, 3200);

    const a1 = recordOf(dir, 'A', 1);
    assert.equal(a1.status, 'failed');
    assert.equal(a1.error, null);
    assert.equal(a1.failure?.message, 'the worker process exited with code 3: FATAL ERROR: fake heap out of memory');
    assert.match(a1.failure?.stack ?? '', /some output/);
    assert.equal(a1.epochs.length, 1, 'the epoch reported before the crash is kept');
    assert.equal(a1.bestError, 11);

    const b0 = recordOf(dir, 'B', 0);
    assert.equal(b0.status, 'failed');
    assert.equal(b0.failure?.message, 'fake failure of B#0');
    assert.match(b0.failure?.stack ?? '', /fakeTrial/);

    const b2 = recordOf(dir, 'B', 2);
    assert.equal(b2.status, 'diverged');
    assert.deepEqual(b2.divergedAt, { epoch: 1, step: 2, loss: null });

    const s = first.summary;
    assert.equal(s.total, 6);
    assert.equal(s.done, 6);
    assert.equal(s.trained, 6);
    assert.equal(s.remaining, 0);
    assert.equal(s.interrupted, false);
    assert.equal(s.backend?.detail, 'fake (test)');
    assert.deepEqual(s.spaces, [
      { name: 'A', n: 3, done: 3, ok: 2, failed: 1, diverged: 0, bestError: 10, medianError: 11 },
      { name: 'B', n: 3, done: 3, ok: 1, failed: 1, diverged: 1, bestError: 31, medianError: 31 },
    ]);
    assert.deepEqual(
      first.events.filter((e) => e.type !== 'step' && e.type !== 'epoch').map((e) => e.type),
      ['started', 'backend', ...Array<string[]>(6).fill(['trialStarted', 'trialFinished']).flat(), 'finished'],
    );
    assert.deepEqual(first.events[0], { type: 'started', dir, created: true, total: 6, done: 0, todo: 6, spaces: [{ name: 'A', n: 3, done: 0 }, { name: 'B', n: 3, done: 0 }] });
  });

  test('a rerun trains nothing and starts no worker', async () => {
    const again = await sweep(dir);
    assert.deepEqual(again.trained, []);
    assert.equal(again.summary.trained, 0);
    assert.equal(again.summary.done, 6);
    assert.equal(again.summary.backend, null);
    assert.deepEqual(again.summary.spaces, first.summary.spaces);
    assert.deepEqual(again.events.map((e) => e.type), ['started', 'finished']);
  });

  test('a damaged record is reported and its trial trained again', async () => {
    const file = path.join(dir, 'trials', 'A', '0002.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').slice(0, 100));
    const again = await sweep(dir);
    assert.deepEqual(again.trained.map((t) => t.id), ['A#2']);
    const unusable = again.events.find((e) => e.type === 'unusable');
    assert.ok(unusable && unusable.type === 'unusable');
    assert.equal(unusable.file, 'trials/A/0002.json');
    assert.match(unusable.reason, /^not JSON: /);
    assert.equal(recordOf(dir, 'A', 2).status, 'ok');
  });

  test('a sweep of other settings into the same directory is refused before anything runs', async () => {
    await assert.rejects(sweep(dir, {}, { samples: 2 }), (err: Error) => err instanceof SweepDirectoryError && /A: 3 models there, 2 now/.test(err.message));
  });
});

describe('cancelling and resuming', () => {
  test('cancel kills the running trial without a record and leaves no lock; the rerun trains the rest', async () => {
    const dir = freshDir();
    const controller = new AbortController();
    const first = await sweep(dir, { slow: ['A#2'] }, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'step' && e.space === 'A' && e.index === 2) controller.abort();
      },
    });
    const s = first.summary;
    assert.equal(s.interrupted, true);
    assert.equal(s.trained, 2);
    assert.equal(s.done, 2);
    assert.equal(s.remaining, 4);
    // Only complete records: no lock, no temporary file, nothing for the trials that were cut short.
    const files = trialFiles(dir);
    assert.equal(files.length, s.trained);
    assert.ok(files.every((f) => f.endsWith('.json')));
    assert.deepEqual(first.trained.map((t) => t.id), ['A#0', 'A#1', 'A#2'], 'A#2 was running when the sweep was cancelled');

    const second = await sweep(dir);
    assert.deepEqual(second.trained.map((t) => t.id), ['A#2', 'B#0', 'B#1', 'B#2']);
    assert.equal(second.summary.trained, 4);
    assert.equal(second.summary.done, 6);
    assert.equal(second.summary.interrupted, false);
    assert.deepEqual(trialFiles(dir), ALL);
    // Every trial was trained to the end exactly once over both runs.
    const finished = [...first.events, ...second.events].flatMap((e) => (e.type === 'trialFinished' ? [`${e.record.space}#${e.record.index}`] : []));
    assert.deepEqual(finished.sort(), ['A#0', 'A#1', 'A#2', 'B#0', 'B#1', 'B#2']);
  });

  test('an already aborted signal trains nothing', async () => {
    const dir = freshDir();
    const controller = new AbortController();
    controller.abort();
    const run = await sweep(dir, {}, { signal: controller.signal });
    assert.deepEqual(run.trained, []);
    assert.equal(run.summary.interrupted, true);
    assert.equal(run.summary.remaining, 6);
  });
});

describe('sharing a sweep', () => {
  /** A lock file as another process would leave it, placed before the sweep starts. */
  const lockAs = (dir: string, space: string, index: number, pid: number, token: string): string => {
    const lock = path.join(dir, 'trials', space, `${String(index).padStart(4, '0')}.lock`);
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, JSON.stringify({ host: hostName(), pid, time: new Date().toISOString(), token }));
    return lock;
  };

  test('a trial locked by a live process is left to it; --space trains only its space but sweep.json lists all', async () => {
    const dir = freshDir();
    const lock = lockAs(dir, 'A', 1, process.ppid, 'other');
    const run = await sweep(dir, {}, { spaces: ['A'] });
    assert.deepEqual(run.trained.map((t) => t.id), ['A#0', 'A#2']);
    assert.deepEqual(run.summary.spaces.map((s) => s.name), ['A']);
    assert.equal(run.summary.total, 3);
    assert.equal(run.summary.elsewhere, 1);
    assert.equal(run.summary.remaining, 1);
    assert.equal(run.summary.interrupted, false);
    const skipped = run.events.find((e) => e.type === 'trialSkipped');
    assert.ok(skipped?.type === 'trialSkipped' && skipped.space === 'A' && skipped.index === 1);
    // The holder, and how fresh its lock is.
    assert.match(skipped.holder, new RegExp(`^process ${process.ppid} on ${hostName().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, its lock refreshed \\d+ s ago$`));
    assert.equal(JSON.parse(fs.readFileSync(lock, 'utf8')).token, 'other', 'the other lock is untouched');
    assert.deepEqual(trialFiles(dir), ['A/0000.json', 'A/0001.lock', 'A/0002.json']);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'sweep.json'), 'utf8'));
    assert.deepEqual(manifest.models.map((m: { space: string; index: number }) => `${m.space}#${m.index}`), ['A#0', 'A#1', 'A#2', 'B#0', 'B#1', 'B#2']);
  });

  test('a lock left by a killed process of this host is taken over with a warning', async () => {
    const dir = freshDir();
    const gone = 2 ** 22 + 7; // above Linux's largest pid
    const lock = lockAs(dir, 'B', 0, gone, 'dead');
    const run = await sweep(dir, {}, { spaces: ['B'] });
    assert.deepEqual(run.trained.map((t) => t.id), ['B#0', 'B#1', 'B#2']);
    const warning = run.events.find((e) => e.type === 'warning');
    assert.deepEqual(warning, { type: 'warning', message: `trials/B/0000.lock: taken over (its owner, process ${gone} on this host, is gone)` });
    assert.equal(fs.existsSync(lock), false);
  });
});

describe('errors the user must fix', () => {
  test('a backend that is not installed is a SweepError with its message, and nothing is written for trials', async () => {
    const dir = freshDir();
    await assert.rejects(sweep(dir, { backendError: 'BackendUnavailableError' }), new SweepError('backend unavailable (fake): install it'));
    await assert.rejects(sweep(freshDir(), { backendError: 'TypeError' }), new SweepError('the training process could not start: backend unavailable (fake): install it'));
    assert.deepEqual(trialFiles(dir), []);
  });

  test('an unknown space is a SweepError naming the spaces there are', async () => {
    await assert.rejects(sweep(freshDir(), {}, { spaces: ['C'] }), new SweepError("tiny.yaml: no space named 'C'; the file defines A, B"));
  });
});

test('summarizeSpaces: median of an even count is the mean of the middle two; no ok trial gives nulls', () => {
  const r = (space: string, status: TrialRecord['status'], error: number | null) => ({ space, status, error }) as TrialRecord;
  const summary = summarizeSpaces(['A', 'B'], [], [r('A', 'ok', 30), r('A', 'ok', 10), r('A', 'ok', 20), r('A', 'ok', 40), r('B', 'failed', null)]);
  assert.deepEqual(summary, [
    { name: 'A', n: 0, done: 4, ok: 4, failed: 0, diverged: 0, bestError: 10, medianError: 25 },
    { name: 'B', n: 0, done: 1, ok: 0, failed: 1, diverged: 0, bestError: null, medianError: null },
  ]);
});

describe('sequential sweeps with a fake trainer', () => {
  /** tiny.yaml as a sequential sweep: min 8, max 16, step 4, one complexity bin (the normalized test is then a plain permutation test). */
  const sequential = (): ResolvedSpaceFile => {
    const r = structuredClone(resolved);
    r.sampling.sequential = { min: 8, max: 16, step: 4, until: 'decided' };
    r.sampling.samples = 16;
    for (const s of r.spaces) {
      s.samples = 16;
      // 64 distinct models per space (8 widths per stage), so 16 can be drawn.
      if (s.type === 'anynet') s.width = { kind: 'log-uniform', range: [8, 64], quantum: 8 };
    }
    r.analysis.bins = 1;
    return r;
  };

  test('spaces that differ: decided after the first round, the later models never trained', async () => {
    const dir = freshDir();
    const run = await sweep(dir, {}, { resolved: sequential(), samples: undefined, workers: 2 });
    const s = run.summary.sequential;
    assert.ok(s);
    assert.deepEqual([s.status, s.round, s.rounds, s.target], ['decided', 1, 3, 8]);
    assert.equal(s.pairs[0].decidedAt, 1);
    assert.equal(s.pairs[0].better, 'A');
    // 8 of 16 sampled per space were trained; sweep.json lists all 16 so a longer run extends it.
    assert.equal(run.trained.length, 16);
    assert.ok(run.trained.every((t) => Number(t.id.split('#')[1]) < 8));
    assert.deepEqual([run.summary.total, run.summary.done, run.summary.remaining], [16, 16, 0]);
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'sweep.json'), 'utf8')).models.length, 32);
    const rounds = run.events.filter((e) => e.type === 'round');
    assert.deepEqual(rounds.map((e) => e.type === 'round' && [e.sequential.status, e.sequential.round]), [['running', 1], ['decided', 1]]);
    // The workers stay up from round to round: at most the two started at first trained.
    assert.ok(new Set(run.trained.map((t) => t.pid)).size <= 2);
    // A rerun trains nothing more.
    const again = await sweep(dir, {}, { resolved: sequential(), samples: undefined });
    assert.equal(again.trained.length, 0);
    assert.equal(again.summary.sequential?.status, 'decided');
  });

  test('spaces that do not differ: every round is trained, up to max', async () => {
    const dir = freshDir();
    const run = await sweep(dir, { sameErrors: true }, { resolved: sequential(), samples: undefined, workers: 2 });
    const s = run.summary.sequential;
    assert.ok(s);
    assert.deepEqual([s.status, s.round, s.target], ['max', 3, 16]);
    assert.equal(s.pairs[0].decidedAt, undefined);
    assert.equal(run.trained.length, 32);
    // Round by round: no trial of a round starts before every trial of the previous one has a record.
    const ids = run.trained.map((t) => Number(t.id.split('#')[1]));
    const roundOf = (i: number): number => (i < 8 ? 1 : i < 12 ? 2 : 3);
    for (let k = 1; k < ids.length; k++) assert.ok(roundOf(ids[k]) >= roundOf(ids[k - 1]), `${run.trained.map((t) => t.id)}`);
    assert.deepEqual(
      run.events.filter((e) => e.type === 'round').map((e) => e.type === 'round' && e.sequential.round),
      [1, 2, 3, 3],
    );
  });

  test('--samples makes a sequential file a fixed-size sweep', async () => {
    const run = await sweep(freshDir(), { sameErrors: true }, { resolved: sequential(), samples: 3 });
    assert.equal(run.summary.sequential, undefined);
    assert.equal(run.trained.length, 6);
  });

  test('cancelled mid-round: the rerun resumes in the same round', async () => {
    const dir = freshDir();
    const controller = new AbortController();
    let finished = 0;
    await sweep(dir, { sameErrors: true }, {
      resolved: sequential(),
      samples: undefined,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'trialFinished' && ++finished === 18) controller.abort(); // round 1 has 16 trials
      },
    });
    const rerun = await sweep(dir, { sameErrors: true }, { resolved: sequential(), samples: undefined });
    const first = rerun.events.find((e) => e.type === 'round');
    assert.ok(first?.type === 'round');
    assert.equal(first.sequential.round, 2);
    assert.equal(rerun.summary.sequential?.status, 'max');
    assert.equal(rerun.summary.done, 32);
  });
});

describe('failures of the environment and of the model', () => {
  test('a missing dataset: recorded as the environment\'s, the sweep stops at once, the rerun trains it and the rest', async () => {
    const dir = freshDir();
    const broken = await sweep(dir, { datasetError: ['A#1'] });
    const failed = recordOf(dir, 'A', 1);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.failure?.cause, 'environment');
    assert.deepEqual(broken.trained.map((t) => t.id), ['A#0', 'A#1'], 'nothing after the dataset failed');
    assert.equal(broken.summary.environmentFailures, 1);
    assert.match(broken.summary.environmentFailure ?? '', /^dataset\.path \/nowhere: no such folder/);
    assert.ok(broken.events.some((e) => e.type === 'warning' && e.message.startsWith('stopping: dataset.path /nowhere')));

    const fixed = await sweep(dir);
    assert.deepEqual(fixed.trained.map((t) => t.id).sort(), ['A#1', 'A#2', 'B#0', 'B#1', 'B#2']);
    assert.ok(fixed.events.some((e) => e.type === 'warning' && e.message === 'training 1 failed trial again (they failed because of the environment)'));
    assert.equal(recordOf(dir, 'A', 1).status, 'ok');
    assert.equal(fixed.summary.environmentFailures, 0);
  });

  test('a worker killed by a signal: the environment\'s; the sweep goes on, the rerun trains that trial again', async () => {
    const dir = freshDir();
    const first = await sweep(dir, { killed: ['A#1'] });
    const killed = recordOf(dir, 'A', 1);
    assert.equal(killed.failure?.cause, 'environment');
    assert.match(killed.failure?.message ?? '', /killed by SIGKILL/);
    assert.equal(first.summary.done, 6);
    assert.equal(first.summary.environmentFailures, 1);
    const again = await sweep(dir);
    assert.deepEqual(again.trained.map((t) => t.id), ['A#1']);
  });

  test("a model's own failure stays a result; --retry-failed trains it again", async () => {
    const dir = freshDir();
    await sweep(dir, { throw: ['B#2'] });
    assert.equal(recordOf(dir, 'B', 2).failure?.cause, 'model');
    const rerun = await sweep(dir, { throw: ['B#2'] });
    assert.deepEqual(rerun.trained, []);
    assert.equal(rerun.summary.environmentFailures, 0);
    const retried = await sweep(dir, {}, { retryFailed: true });
    assert.deepEqual(retried.trained.map((t) => t.id), ['B#2']);
    assert.equal(recordOf(dir, 'B', 2).status, 'ok');
  });
});

test("a dead worker's reason quotes a line that reports a failure, never a library's warning", () => {
  assert.equal(telling('loading\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n'), 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory');
  assert.equal(telling('Warning: Dawn: adapter error ignored (Vulkan)\n'), undefined);
  assert.equal(telling('epoch 1\nstep 3\n'), undefined);
});

test('two processes sweeping one directory at once train every trial exactly once', async () => {
  const dir = freshDir();
  const logs = [path.join(tmp, 'race-a'), path.join(tmp, 'race-b')];
  // Each process runs the runner (compiled, beside this test) on the same directory with the fake trainer.
  const script = (log: string): string => `
    const { readSpaceFile } = require(${JSON.stringify(path.join(ROOT, 'out', 'src', 'core', 'space'))});
    const { runSweep } = require(${JSON.stringify(path.join(ROOT, 'out', 'src', 'sweep', 'runner'))});
    process.env.DSLAB_FAKE_TRIAL = ${JSON.stringify(JSON.stringify({ delayMs: 40, log }))};
    const resolved = readSpaceFile(${JSON.stringify(path.join(ROOT, 'test', 'fixtures', 'sweep', 'tiny.yaml'))}).resolved;
    runSweep({ file: 'tiny.yaml', resolved, out: ${JSON.stringify(dir)}, samples: 3, workers: 2, trialModule: ${JSON.stringify(FAKE)}, killGraceMs: 500 })
      .then((s) => process.stdout.write(JSON.stringify(s)), (e) => { console.error(e); process.exit(1); });`;
  const { spawn } = await import('node:child_process');
  const runs = logs.map(
    (log) =>
      new Promise<SweepSummary>((resolve, reject) => {
        const child = spawn(process.execPath, ['-e', script(log)], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as SweepSummary) : reject(new Error(`exit ${code}`))));
      }),
  );
  const summaries = await Promise.all(runs);
  const trained = logs.flatMap((log) => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter((l) => l !== '').map((l) => l.split(' ')[0]) : []));
  assert.deepEqual([...trained].sort(), ['A#0', 'A#1', 'A#2', 'B#0', 'B#1', 'B#2'], 'each trial once, by one process or the other');
  assert.equal(summaries[0].trained + summaries[1].trained, 6);
  assert.deepEqual(trialFiles(dir), ALL);
});

test('every kind of event, as the runs above emitted it, passes the guard the editor reads the CLI\'s events with', () => {
  const kinds = ['started', 'warning', 'unusable', 'backend', 'round', 'trialStarted', 'epoch', 'step', 'trialFinished', 'trialSkipped', 'finished'];
  assert.deepEqual([...emittedKinds].sort(), kinds.sort());
});
