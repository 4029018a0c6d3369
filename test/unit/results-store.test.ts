import { after, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import fsModule from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { isTempFile, removeLeftoverTempFiles, TEMP_MAX_AGE_MS, writeFileAtomic } from '../../src/core/results/atomic';
import { canonicalJson, describeDifferences, fingerprintInput, jsonEqual, sweepFingerprint } from '../../src/core/results/fingerprint';
import { inspectLock, LOCK_STALE_MS, LOCK_WRITE_GRACE_MS, refreshLock, releaseLock } from '../../src/core/results/lock';
import { hostName, hostTag } from '../../src/core/results/process';
import { makeDirectory } from '../../src/core/results/makeDirectory';
import { trialFileName } from '../../src/core/results/layout';
import { checkTrialRecord, type SweepModel, type TrialRecord } from '../../src/core/results/records';
import { SweepDirectoryError, SweepStore } from '../../src/core/results/store';
import { sampleFile } from '../../src/core/sampling/sampler';
import { readSpaceFile } from '../../src/core/space';
import type { ResolvedSpaceFile } from '../../src/core/space/types';

const ROOT = path.join(__dirname, '..', '..', '..');
const TINY = path.join(ROOT, 'test', 'fixtures', 'sweep', 'tiny.yaml');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-results-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => path.join(tmp, `sweep-${dirs++}`);

function resolvedTiny(edit: (text: string) => string = (t) => t): ResolvedSpaceFile {
  const file = path.join(tmp, `tiny-${dirs++}.yaml`);
  fs.writeFileSync(file, edit(fs.readFileSync(TINY, 'utf8')));
  const read = readSpaceFile(file);
  assert.ok(read.resolved, JSON.stringify(read.diagnostics));
  return read.resolved;
}

function modelsOf(resolved: ResolvedSpaceFile, samples?: number): SweepModel[] {
  return sampleFile(resolved, { samples }).flatMap((s) => s.models);
}

function open(dir: string, resolved: ResolvedSpaceFile, models = modelsOf(resolved)): SweepStore {
  return SweepStore.open({ dir, tool: { name: 'design-space-lab', version: '0.0.0-test' }, file: 'tiny.yaml', resolved, models });
}

function record(model: SweepModel, overrides: Partial<TrialRecord> = {}): TrialRecord {
  return {
    version: 1,
    space: model.space,
    index: model.index,
    status: 'ok',
    model: model.model,
    flops: model.flops,
    params: model.params,
    acts: model.acts,
    seed: 0,
    backend: { name: 'wasm', detail: 'wasm (SIMD, 1 thread)' },
    epochs: [{ epoch: 1, trainLoss: 1.2, testError: 40, lr: 0.1, seconds: 0.5 }],
    error: 40,
    bestError: 40,
    wallSeconds: 0.6,
    imagesPerSecond: 300,
    peakMemoryBytes: 5e8,
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:00:01.000Z',
    host: 'h',
    ...overrides,
  };
}

/** A pid that was just used and is now gone. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('atomic writes', () => {
  test('a write that fails before the rename leaves the old file whole and no temporary file', (t) => {
    const dir = freshDir();
    fs.mkdirSync(dir);
    const file = path.join(dir, '0000.json');
    writeFileAtomic(file, '{"v":1}\n');
    t.mock.method(fsModule, 'renameSync', () => {
      throw Object.assign(new Error('disk on fire'), { code: 'EIO' });
    });
    assert.throws(() => writeFileAtomic(file, '{"v":2}\n'), /disk on fire/);
    mock.restoreAll();
    assert.equal(fs.readFileSync(file, 'utf8'), '{"v":1}\n');
    assert.deepEqual(fs.readdirSync(dir), ['0000.json']);
  });

  test('a reader in another process never sees a partial file while it is rewritten', async () => {
    const dir = freshDir();
    fs.mkdirSync(dir);
    const file = path.join(dir, 'big.json');
    const payload = (n: number): string => JSON.stringify({ n, filler: 'x'.repeat(200_000) });
    writeFileAtomic(file, payload(0));
    // The reader parses the file in a tight loop until stdin closes, then reports what it saw.
    const reader = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs'); let reads = 0, bad = 0, done = false;
         process.stdin.on('end', () => { done = true; }); process.stdin.resume();
         process.stdout.write('ready\\n');
         (function loop() {
           for (let i = 0; i < 20; i++) { reads++; try { JSON.parse(fs.readFileSync(${JSON.stringify(file)}, 'utf8')); } catch { bad++; } }
           if (done) process.stdout.write(JSON.stringify({ reads, bad })); else setImmediate(loop);
         })();`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let out = '';
    reader.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve) => reader.stdout.once('data', () => resolve()));
    const until = Date.now() + 300;
    for (let n = 1; Date.now() < until; n++) writeFileAtomic(file, payload(n));
    reader.stdin.end();
    await new Promise((resolve) => reader.on('close', resolve));
    const seen = JSON.parse(out.replace(/^ready\n/, '')) as { reads: number; bad: number };
    assert.ok(seen.reads > 10, `the reader read ${seen.reads} times`);
    assert.equal(seen.bad, 0);
    assert.deepEqual(fs.readdirSync(dir), ['big.json']);
  });

  test('leftover temporary files of dead writers and old ones are removed, a live fresh one is kept', () => {
    const dir = freshDir();
    fs.mkdirSync(dir);
    const here = hostTag(hostName());
    const dead = `.0001.json.${deadPid()}.${here}.0a0b0c0d.tmp`;
    const liveFresh = `.0002.json.${process.ppid}.${here}.0a0b0c0d.tmp`;
    const liveOld = `.0003.json.${process.ppid}.${here}.0a0b0c0e.tmp`;
    const otherHostFresh = `.0004.json.1.ffffffff.0a0b0c0d.tmp`;
    for (const name of [dead, liveFresh, liveOld, otherHostFresh, '0005.json']) fs.writeFileSync(path.join(dir, name), '{');
    const old = new Date(Date.now() - TEMP_MAX_AGE_MS - 5000);
    fs.utimesSync(path.join(dir, liveOld), old, old);
    assert.ok([dead, liveFresh, liveOld, otherHostFresh].every(isTempFile));
    assert.equal(isTempFile('0005.json'), false);
    assert.deepEqual(removeLeftoverTempFiles(dir).sort(), [dead, liveOld].sort());
    assert.deepEqual(fs.readdirSync(dir).sort(), [liveFresh, otherHostFresh, '0005.json'].sort());
  });
});

describe('fingerprint', () => {
  const resolved = resolvedTiny();
  const models = modelsOf(resolved);

  test('canonical JSON sorts keys at every level and keeps array order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  test('jsonEqual says what comparing canonical JSON says', () => {
    const pairs: [unknown, unknown][] = [
      [{ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 }],
      [{ a: 1, u: undefined }, { a: 1 }],
      [{ a: 1 }, { a: 1, b: 2 }],
      [[1, 2], [2, 1]],
      [{ a: [1] }, { a: { 0: 1 } }],
      [{ a: null }, { a: 0 }],
      [{ regnet: { wa: 36.44 } }, { regnet: { wa: 36.440000000000005 } }],
    ];
    for (const [a, b] of pairs) assert.equal(jsonEqual(a, b), canonicalJson(a) === canonicalJson(b), `${canonicalJson(a)} vs ${canonicalJson(b)}`);
  });

  test('ignores comments, analysis settings, the backend and key order; sees dataset, training and models', () => {
    const base = sweepFingerprint(fingerprintInput(resolved, models));
    assert.match(base, /^[0-9a-f]{64}$/);
    const same = (edit: (t: string) => string): string => {
      const r = resolvedTiny(edit);
      return sweepFingerprint(fingerprintInput(r, modelsOf(r)));
    };
    assert.equal(same((t) => `# a comment\n${t}`), base);
    assert.equal(same((t) => `${t}\nanalysis: { complexity: params, bins: 4 }\n`), base);
    assert.equal(same((t) => t.replace('backend: wasm', 'backend: cpu')), base);
    assert.equal(same((t) => t.replace('  train: 64\n  test: 32\n', '  test: 32\n  train: 64\n')), base);
    assert.notEqual(same((t) => t.replace('epochs: 1', 'epochs: 2')), base);
    assert.notEqual(same((t) => t.replace('train: 64', 'train: 96')), base);
    assert.notEqual(same((t) => t.replace('sampling:\n  seed: 0', 'sampling:\n  seed: 7')), base);
  });

  test('differences name the setting, the space or the models that differ', () => {
    const there = fingerprintInput(resolved, models);
    const r2 = resolvedTiny((t) => t.replace('epochs: 1', 'epochs: 3').replace('train: 64', 'train: 96'));
    assert.deepEqual(describeDifferences(there, fingerprintInput(r2, modelsOf(r2))), ['dataset.train: 64 there, 96 now', 'training.epochs: 1 there, 3 now']);
    assert.deepEqual(describeDifferences(there, fingerprintInput(resolved, modelsOf(resolved, 3))), ['A: 2 models there, 3 now', 'B: 2 models there, 3 now']);
    const onlyA = models.filter((m) => m.space === 'A');
    assert.deepEqual(describeDifferences(there, fingerprintInput(resolved, onlyA)), ['space B only there']);
    const swapped = models.map((m) => (m.space === 'B' && m.index === 1 ? { ...m, model: models[0].model } : m));
    assert.deepEqual(describeDifferences(there, fingerprintInput(resolved, swapped)), ['B: different models (the first at #1)']);
  });
});

describe('trial records', () => {
  const resolved = resolvedTiny();
  const [a0, a1, b0, b1] = modelsOf(resolved);

  test('a complete record of the model is usable; file names are zero-padded', () => {
    assert.equal(checkTrialRecord(record(a0), a0), undefined);
    assert.equal(checkTrialRecord(JSON.parse(JSON.stringify(record(a0, { status: 'diverged', error: null, bestError: null }))), a0), undefined);
    assert.equal(trialFileName(3), '0003.json');
    assert.equal(trialFileName(12345), '12345.json');
  });

  test('each kind of damage has its reason', () => {
    const { error: _e, host: _h, ...partial } = record(a0);
    assert.equal(checkTrialRecord(partial, a0), 'missing error, host');
    assert.equal(checkTrialRecord([], a0), 'not a JSON object');
    assert.equal(checkTrialRecord({ ...record(a0), version: 2 }, a0), 'version 2, expected 1');
    assert.equal(checkTrialRecord({ ...record(a0), status: 'great' }, a0), 'status is not one of ok, diverged, failed');
    assert.equal(checkTrialRecord({ ...record(a0), wallSeconds: '3' }, a0), 'wallSeconds is not a number');
    assert.equal(checkTrialRecord({ ...record(a0), epochs: [{ epoch: 1 }] }, a0), 'epochs[0].trainLoss is missing or not a number');
    assert.equal(checkTrialRecord(record(a0, { error: null }), a0), "status 'ok' without an error");
    assert.equal(checkTrialRecord(record(a0, { status: 'failed' }), a0), "status 'failed' without failure.message");
    assert.equal(checkTrialRecord(record(a1), a0), 'it is the record of A #1');
    assert.equal(checkTrialRecord(record(b0, { model: b1.model }), b0), 'its model differs from the one sweep.json lists');
  });

  test('a well-formed record that cannot be true is not a result', () => {
    assert.equal(checkTrialRecord(record(a0, { error: -50 }), a0), 'error -50% is not in [0, 100]');
    assert.equal(checkTrialRecord(record(a0, { error: 250 }), a0), 'error 250% is not in [0, 100]');
    assert.equal(checkTrialRecord(record(a0, { error: 1e308 }), a0), 'error 1e+308% is not in [0, 100]');
    assert.equal(checkTrialRecord(record(a0, { bestError: 101 }), a0), 'bestError 101% is not in [0, 100]');
    assert.equal(checkTrialRecord(record(a0, { wallSeconds: -1 }), a0), 'wallSeconds -1 is negative');
    assert.equal(checkTrialRecord(record(a0, { imagesPerSecond: -5 }), a0), 'imagesPerSecond -5 is negative');
    assert.equal(checkTrialRecord(record(a0, { peakMemoryBytes: -1 }), a0), 'peakMemoryBytes -1 is negative');
    assert.equal(checkTrialRecord(record(a0, { flops: a0.flops + 1 }), a0), `flops ${a0.flops + 1} differs from its model's ${a0.flops}`);
    assert.equal(checkTrialRecord(record(a0, { params: 7 }), a0), `params 7 differs from its model's ${a0.params}`);
    const epochs = [{ epoch: 1, trainLoss: 1, testError: 120, lr: 0.1, seconds: 2 }];
    assert.equal(checkTrialRecord(record(a0, { epochs }), a0), 'epochs[0].testError 120% is not in [0, 100]');
    assert.equal(checkTrialRecord(record(a0, { epochs: [{ ...epochs[0], testError: 20, seconds: -2 }] }), a0), 'epochs[0].seconds is negative');
    // The bounds themselves are possible.
    assert.equal(checkTrialRecord(record(a0, { error: 0, bestError: 0 }), a0), undefined);
    assert.equal(checkTrialRecord(record(a0, { error: 100, bestError: 100 }), a0), undefined);
  });
});

describe('the sweep directory', () => {
  const resolved = resolvedTiny();
  const models = modelsOf(resolved);

  test('is created with sweep.json and trials/, and reopened with the same fingerprint', () => {
    const dir = freshDir();
    const store = open(dir, resolved);
    assert.equal(store.created, true);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['sweep.json', 'trials']);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'sweep.json'), 'utf8'));
    assert.equal(manifest.version, 1);
    assert.deepEqual(manifest.tool, { name: 'design-space-lab', version: '0.0.0-test' });
    assert.equal(manifest.file, 'tiny.yaml');
    assert.equal(manifest.fingerprint, sweepFingerprint(fingerprintInput(resolved, models)));
    assert.deepEqual(manifest.models, models);
    assert.deepEqual(manifest.resolved, resolved);
    const again = open(dir, resolved);
    assert.equal(again.created, false);
    assert.equal(again.manifest.createdAt, manifest.createdAt);
  });

  test('refuses a directory of another sweep, saying what differs', () => {
    const dir = freshDir();
    open(dir, resolved);
    const other = resolvedTiny((t) => t.replace('epochs: 1', 'epochs: 2'));
    assert.throws(
      () => open(dir, other),
      (err: Error) =>
        err instanceof SweepDirectoryError &&
        err.message === `${dir} holds a sweep of a different space file or settings (training.epochs: 1 there, 2 now); start a fresh one with --fresh (it keeps that sweep), choose another --out or delete it`,
    );
    assert.throws(() => open(dir, resolved, modelsOf(resolved, 3)), /\(A: 2 models there, 3 now; B: 2 models there, 3 now\)/);
    // Different models are explained by what made them differ: the seed, a space's definition.
    const reseeded = resolvedTiny((t) => t.replace(/seed: \d+/, 'seed: 99'));
    assert.throws(() => open(dir, reseeded), /\(sampling\.seed: \d+ there, 99 now; A: different models/);
  });

  test('fresh: a sweep of other settings is kept beside, under its creation time, and a new one starts', () => {
    const dir = freshDir();
    const first = open(dir, resolved);
    first.writeTrial(record(first.manifest.models[0]));
    const other = resolvedTiny((t) => t.replace('epochs: 1', 'epochs: 2'));
    const options = { dir, tool: { name: 'design-space-lab', version: '0' }, file: 'tiny.yaml', resolved: other, models: modelsOf(other), fresh: true };
    const fresh = SweepStore.open(options);
    const kept = `${dir}.${first.manifest.createdAt.slice(0, 19).replace(/:/g, '-')}`;
    assert.equal(fresh.keptAs, kept);
    assert.equal(fresh.created, true);
    assert.equal(fresh.scan().records.length, 0);
    // The old sweep is whole where it was kept: its manifest and its record.
    assert.equal(JSON.parse(fs.readFileSync(path.join(kept, 'sweep.json'), 'utf8')).fingerprint, first.manifest.fingerprint);
    assert.ok(fs.existsSync(path.join(kept, 'trials', first.manifest.models[0].space, '0000.json')));
    // With matching settings, fresh changes nothing.
    assert.equal(SweepStore.open(options).keptAs, undefined);
    // Going back to the first settings keeps the second sweep too, under a name of its own.
    const back = SweepStore.open({ ...options, resolved, models: modelsOf(resolved) });
    assert.ok(back.keptAs !== undefined && back.keptAs !== kept && fs.existsSync(back.keptAs));
  });

  test('fresh: a sweep of other settings that a live process trains is not moved', () => {
    const dir = freshDir();
    const first = open(dir, resolved);
    const claim = first.claim(first.manifest.models[0]);
    assert.ok(claim.claimed);
    const other = resolvedTiny((t) => t.replace('epochs: 1', 'epochs: 2'));
    assert.throws(
      () => SweepStore.open({ dir, tool: { name: 'design-space-lab', version: '0' }, file: 'tiny.yaml', resolved: other, models: modelsOf(other), fresh: true }),
      new RegExp(`holds a sweep of other settings that process ${process.pid} on .* is training; stop it before starting a fresh sweep there`),
    );
    assert.ok(fs.existsSync(path.join(dir, 'sweep.json')));
  });

  test('updates sweep.json when only what does not count changed (analysis settings), keeping createdAt', () => {
    const dir = freshDir();
    const first = open(dir, resolved);
    const changed = resolvedTiny((t) => `${t}\nanalysis: { bins: 5 }\n`);
    const second = open(dir, changed);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'sweep.json'), 'utf8'));
    assert.equal(manifest.resolved.analysis.bins, 5);
    assert.equal(manifest.createdAt, first.manifest.createdAt);
    assert.equal(second.manifest.fingerprint, first.manifest.fingerprint);
  });

  test('refuses a directory that is not a sweep, or whose sweep.json is damaged', () => {
    const dir = freshDir();
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    assert.throws(() => open(dir, resolved), new SweepDirectoryError(`${dir} is not empty and holds no sweep (no sweep.json); choose another --out`));
    const dir2 = freshDir();
    open(dir2, resolved);
    fs.writeFileSync(path.join(dir2, 'sweep.json'), '{"version": 1, "finger');
    assert.throws(() => open(dir2, resolved), (err: Error) => err instanceof SweepDirectoryError && err.message.startsWith(`${path.join(dir2, 'sweep.json')} is not a sweep manifest (`));
  });

  test('scan: usable records count as done; truncated, empty, incomplete and mismatched ones are reported and redone', () => {
    const dir = freshDir();
    const store = open(dir, resolved);
    const [a0, a1, b0, b1] = models;
    store.writeTrial(record(a0));
    fs.mkdirSync(store.spaceDir('B'));
    const full = JSON.stringify(record(a1), null, 2);
    fs.writeFileSync(store.recordPath('A', 1), full.slice(0, full.length / 2));
    fs.writeFileSync(store.recordPath('B', 0), '');
    store.writeTrial(record(b1, { model: a0.model }));
    const scan = store.scan();
    assert.deepEqual(scan.records, [record(a0)]);
    assert.deepEqual(scan.todo, [a1, b0, b1]);
    assert.equal(scan.unusable.length, 3);
    assert.equal(scan.unusable[0].file, 'trials/A/0001.json');
    assert.match(scan.unusable[0].reason, /^not JSON: /);
    assert.deepEqual(scan.unusable.slice(1), [
      { file: 'trials/B/0000.json', reason: 'empty' },
      { file: 'trials/B/0001.json', reason: 'its model differs from the one sweep.json lists' },
    ]);
    // A record that was replaced is used.
    store.writeTrial(record(a1, { status: 'failed', error: null, failure: { message: 'boom' } }));
    assert.deepEqual(store.scan().todo, [b0, b1]);
  });

  test('scan removes temporary files left in a space directory by a writer that died', () => {
    const dir = freshDir();
    const store = open(dir, resolved);
    fs.mkdirSync(store.spaceDir('A'), { recursive: true });
    const leftover = `.0000.json.${deadPid()}.${hostTag(hostName())}.01020304.tmp`;
    fs.writeFileSync(path.join(store.spaceDir('A'), leftover), '{"version":1,');
    store.scan();
    assert.deepEqual(fs.readdirSync(store.spaceDir('A')), []);
  });
});

describe('trial locks', () => {
  const resolved = resolvedTiny();
  const [a0] = modelsOf(resolved);
  const writeOwner = (file: string, owner: object, ageMs = 0): void => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(owner));
    const t = new Date(Date.now() - ageMs);
    fs.utimesSync(file, t, t);
  };

  test('a claim is exclusive until released, and names its owner', () => {
    const store = open(freshDir(), resolved);
    const first = store.claim(a0);
    assert.ok(first.claimed);
    const owner = JSON.parse(fs.readFileSync(store.lockPath('A', 0), 'utf8'));
    assert.equal(owner.host, os.hostname());
    assert.equal(owner.pid, process.pid);
    assert.ok(!Number.isNaN(Date.parse(owner.time)));
    const second = store.claim(a0);
    assert.equal(second.claimed, false);
    assert.equal(!second.claimed && second.owner?.token, first.lock.owner.token);
    assert.ok(!second.claimed && second.refreshedMsAgo !== undefined && second.refreshedMsAgo < 5_000);
    releaseLock(first.lock);
    assert.equal(fs.existsSync(store.lockPath('A', 0)), false);
    const third = store.claim(a0);
    assert.ok(third.claimed && third.tookOver === undefined);
    releaseLock(third.lock);
  });

  test('a lock of a process of this host that is gone is taken over', () => {
    const store = open(freshDir(), resolved);
    const pid = deadPid();
    writeOwner(store.lockPath('A', 0), { host: hostName(), pid, time: new Date().toISOString(), token: 'x' });
    const claim = store.claim(a0);
    assert.ok(claim.claimed);
    assert.equal(claim.tookOver, `its owner, process ${pid} on this host, is gone`);
    assert.equal(JSON.parse(fs.readFileSync(store.lockPath('A', 0), 'utf8')).pid, process.pid);
    releaseLock(claim.lock);
  });

  test('a lock of a live process, or of another host, is respected until it is not refreshed for LOCK_STALE_MS', () => {
    const store = open(freshDir(), resolved);
    const file = store.lockPath('A', 0);
    writeOwner(file, { host: hostName(), pid: process.ppid, time: new Date().toISOString(), token: 'x' }, LOCK_STALE_MS - 60_000);
    assert.equal(store.claim(a0).claimed, false);
    writeOwner(file, { host: 'elsewhere.example', pid: 1, time: new Date().toISOString(), token: 'y' }, LOCK_STALE_MS - 60_000);
    const respected = store.claim(a0);
    assert.ok(!respected.claimed && respected.owner?.host === 'elsewhere.example');
    writeOwner(file, { host: 'elsewhere.example', pid: 1, time: new Date().toISOString(), token: 'y' }, LOCK_STALE_MS + 5 * 60_000);
    const taken = store.claim(a0);
    assert.ok(taken.claimed);
    assert.equal(taken.tookOver, 'not refreshed for 20 min');
    releaseLock(taken.lock);
  });

  test('a lock that names no owner (empty or garbage) is respected for a few seconds (its writer is mid-write), then taken over', () => {
    for (const content of ['', 'garbage\n', '{"host": 3}']) {
      const store = open(freshDir(), resolved);
      const file = store.lockPath('A', 0);
      fs.mkdirSync(store.spaceDir('A'), { recursive: true });
      fs.writeFileSync(file, content);
      const fresh = store.claim(a0);
      assert.equal(fresh.claimed, false);
      assert.equal(!fresh.claimed && fresh.owner, undefined);
      const old = new Date(Date.now() - LOCK_WRITE_GRACE_MS - 2_000);
      fs.utimesSync(file, old, old);
      const taken = store.claim(a0);
      assert.ok(taken.claimed, JSON.stringify(content));
      assert.match(taken.tookOver ?? '', /^it names no owner \(empty or damaged\) and is 1\d s old$/);
      assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).pid, process.pid);
      releaseLock(taken.lock);
    }
  });

  test('a lock written in a Slurm job names the job; one of an ended job is taken over at once, on any host', () => {
    const store = open(freshDir(), resolved);
    const file = store.lockPath('A', 0);
    const saved = { id: process.env.SLURM_JOB_ID, restarts: process.env.SLURM_RESTART_COUNT };
    try {
      process.env.SLURM_JOB_ID = '812';
      delete process.env.SLURM_RESTART_COUNT;
      const mine = store.claim(a0);
      assert.ok(mine.claimed);
      assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')).job, { id: '812', restarts: 0 });
      // The same job, requeued and started again (on another node, say): the earlier run is over.
      const other = { host: 'node7', pid: 1, time: new Date().toISOString(), token: 'run1', job: { id: '812', restarts: 0 } };
      writeOwner(file, other);
      process.env.SLURM_RESTART_COUNT = '1';
      const again = store.claim(a0);
      assert.ok(again.claimed);
      assert.equal(again.tookOver, 'its owner was run 1 of Slurm job 812, which has been requeued since');
      releaseLock(again.lock);
    } finally {
      for (const [k, v] of [['SLURM_JOB_ID', saved.id], ['SLURM_RESTART_COUNT', saved.restarts]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    // Another job's lock on another host: the scheduler decides; without one, the lock waits to age.
    const theirs = { host: 'node7', pid: 1, time: new Date().toISOString(), token: 't', job: { id: '900', restarts: 0 } };
    writeOwner(file, theirs);
    assert.equal(store.claim(a0, { jobState: () => ({ running: true }) }).claimed, false);
    assert.equal(store.claim(a0, { jobState: () => undefined }).claimed, false);
    const asked: string[] = [];
    const taken = store.claim(a0, { jobState: (o) => (asked.push(o.job.id), { running: false, state: 'TIMEOUT' }) });
    assert.deepEqual(asked, ['900']);
    assert.ok(taken.claimed);
    assert.equal(taken.tookOver, "its owner's Slurm job 900 is no longer running (TIMEOUT)");
    releaseLock(taken.lock);
  });

  test('inspectLock tells a live claim from a stale one without touching either', () => {
    const store = open(freshDir(), resolved);
    const file = store.lockPath('A', 0);
    assert.equal(inspectLock(file), undefined);
    writeOwner(file, { host: 'node7', pid: 1, time: new Date().toISOString(), token: 't' }, 30_000);
    const live = inspectLock(file);
    assert.equal(live?.owner?.host, 'node7');
    assert.equal(live?.stale, undefined);
    assert.ok(live !== undefined && live.refreshedMsAgo >= 29_000 && live.refreshedMsAgo < 40_000);
    writeOwner(file, { host: hostName(), pid: deadPid(), time: new Date().toISOString(), token: 't' });
    assert.match(inspectLock(file)?.stale ?? '', /on this host, is gone$/);
    assert.ok(fs.existsSync(file));
  });

  test('refreshing keeps a lock live; releasing leaves a lock that another process took over', () => {
    const store = open(freshDir(), resolved);
    const file = store.lockPath('A', 0);
    const claim = store.claim(a0);
    assert.ok(claim.claimed);
    const old = new Date(Date.now() - LOCK_STALE_MS - 60_000);
    fs.utimesSync(file, old, old);
    refreshLock(claim.lock);
    assert.ok(Date.now() - fs.statSync(file).mtimeMs < 60_000);
    // Someone judged us stale and took over: our release must not remove their lock.
    writeOwner(file, { host: 'elsewhere.example', pid: 1, time: new Date().toISOString(), token: 'theirs' });
    releaseLock(claim.lock);
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).token, 'theirs');
  });
});

describe('makeDirectory', () => {
  test('makes every missing level, accepts what exists, and fails at once where a folder cannot be made', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-mkdir-'));
    try {
      const deep = path.join(root, 'a', 'b', 'c');
      makeDirectory(deep);
      assert.ok(fs.statSync(deep).isDirectory());
      makeDirectory(deep);
      fs.writeFileSync(path.join(root, 'file'), '');
      assert.throws(() => makeDirectory(path.join(root, 'file')), (e: NodeJS.ErrnoException) => e.code === 'ENOTDIR');
      assert.throws(() => makeDirectory(path.join(root, 'file', 'x')), (e: NodeJS.ErrnoException) => e.code === 'ENOTDIR');
      // Node 20's recursive mkdir never returns here.
      if (fs.existsSync('/proc/self')) assert.throws(() => makeDirectory('/proc/dslab-nothing/sweep'), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
