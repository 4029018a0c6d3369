// Sweeps on filesystems that fail them: a full disk and a read-only one, on real tmpfs mounts
// (root only; skipped with the reason otherwise). The runner tests use the fake trainer of
// results-runner.test.ts; the read-only case also goes through bin/dslab for its exit status.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { SweepFilesystemError } from '../../src/core/results/fsErrors';
import { readSpaceFile } from '../../src/core/space';
import type { ResolvedSpaceFile } from '../../src/core/space/types';
import { runSweep, type SweepOptions } from '../../src/sweep/runner';

const ROOT = path.join(__dirname, '..', '..', '..');
const DSLAB = path.join(ROOT, 'bin', 'dslab');
const TINY = path.join(ROOT, 'test', 'fixtures', 'sweep', 'tiny.yaml');
const FAKE = path.join(__dirname, '..', 'fixtures', 'sweep', 'fakeTrial.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-fs-'));
const mounts: string[] = [];
after(() => {
  for (const m of mounts) spawnSync('umount', [m]);
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A fresh tmpfs of `kb` KiB, or undefined when this process cannot mount one. */
function tmpfs(name: string, kb: number): string | undefined {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', dir]);
  if (r.status !== 0) return undefined;
  mounts.push(dir);
  return dir;
}
const probe = process.getuid?.() === 0 ? tmpfs('probe', 64) : undefined;
const skip = probe ? false : 'cannot mount a tmpfs here: it needs root with the right to mount (as in CI)';

const resolved: ResolvedSpaceFile = readSpaceFile(TINY).resolved!;

async function sweep(out: string, options: Partial<SweepOptions> = {}): Promise<{ trained: string[]; error?: Error }> {
  const log = path.join(tmp, `log-${Math.random().toString(36).slice(2)}`);
  process.env.DSLAB_FAKE_TRIAL = JSON.stringify({ log });
  try {
    await runSweep({ file: 'tiny.yaml', resolved, out, samples: 3, workers: 1, trialModule: FAKE, killGraceMs: 500, ...options });
    return { trained: trainedIn(log) };
  } catch (err) {
    return { trained: trainedIn(log), error: err as Error };
  } finally {
    delete process.env.DSLAB_FAKE_TRIAL;
  }
}
const trainedIn = (log: string): string[] => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' ')[0]) : []);
const filesIn = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);

/** Fills the filesystem of `dir`, then frees `pages` pages of 4 KiB: room for that many small files. */
function fill(dir: string, pages: number): string {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    fs.closeSync(fd);
  }
  // Leave exactly `pages` free blocks (a partial last write may have left a little).
  const { bavail, bsize } = fs.statfsSync(dir);
  fs.truncateSync(filler, Math.max(0, fs.statSync(filler).size - (pages * 4096 - bavail * bsize)));
  return filler;
}

/** A sweep of space A on a fresh tmpfs, then the disk filled up to `pages` free pages: B is left to train. */
async function sweptThenFull(name: string, pages: number): Promise<{ out: string; filler: string }> {
  const disk = tmpfs(name, 512)!;
  const out = path.join(disk, 'sweep');
  assert.equal((await sweep(out, { spaces: ['A'] })).error, undefined);
  return { out, filler: fill(disk, pages) };
}

describe('a sweep on a full disk', { skip }, () => {
  test('no room for a lock: a one-line error naming the lock and the cause; no empty lock is left', async () => {
    const { out, filler } = await sweptThenFull('full-lock', 0);
    const r = await sweep(out);
    assert.ok(r.error instanceof SweepFilesystemError, String(r.error));
    assert.match(r.error.message, /^cannot claim a trial: .*trials\/B\/0000\.lock: no space left on the device \(ENOSPC\)$/);
    assert.deepEqual(r.trained, []);
    assert.deepEqual(filesIn(path.join(out, 'trials', 'B')), []);
    // Space back: the rerun trains B.
    fs.rmSync(filler);
    const again = await sweep(out);
    assert.equal(again.error, undefined);
    assert.deepEqual(again.trained, ['B#0', 'B#1', 'B#2']);
  });

  test('room for the lock but not the record: training stops at once, the record is written once the lock frees its room, and the user is told', async () => {
    const { out, filler } = await sweptThenFull('full-record', 1);
    const r = await sweep(out);
    assert.ok(r.error instanceof SweepFilesystemError, String(r.error));
    assert.match(r.error.message, /^cannot write .*trials\/B\/0000\.json: no space left on the device \(ENOSPC\); training stopped; every finished trial was recorded once space was freed$/);
    assert.deepEqual(r.trained, ['B#0'], 'nothing started after the record that could not be written');
    assert.deepEqual(filesIn(path.join(out, 'trials', 'B')), ['0000.json'], 'the record, and no temp file or lock');
    fs.rmSync(filler);
    const again = await sweep(out);
    assert.deepEqual(again.trained, ['B#1', 'B#2']);
  });

  test('no room at all for a record: the finished trial is named as lost, nothing is left behind', async () => {
    const { out, filler } = await sweptThenFull('full-lost', 1);
    // Room for the lock only while another file holds the page the lock frees.
    const keep = path.join(path.dirname(out), 'keep');
    const r = await sweep(out, {
      onEvent: (e) => {
        // Once the record failed, take the room the lock is about to free.
        if (e.type === 'warning' && e.message.startsWith('stopping: cannot write')) setImmediate(() => fs.writeFileSync(keep, 'x'.repeat(4096)));
      },
    });
    assert.ok(r.error instanceof SweepFilesystemError, String(r.error));
    // The page the lock freed was taken before the last try (the worker's stop takes longer).
    assert.match(r.error.message, /^cannot write .*trials\/B\/0000\.json: no space left on the device \(ENOSPC\); training stopped; not recorded, so trained again on the next run: B #0 \(30\.0% error\)$/);
    assert.deepEqual(filesIn(path.join(out, 'trials', 'B')), [], 'no record, no temp file, no lock');
    fs.rmSync(filler);
    fs.rmSync(keep, { force: true });
    const again = await sweep(out);
    assert.equal(again.error, undefined);
    assert.deepEqual(again.trained, ['B#0', 'B#1', 'B#2']);
  });
});

describe('a sweep on a read-only filesystem', { skip }, () => {
  test('dslab sweep exits 4 naming the path and the cause; what is recorded stays readable', () => {
    const disk = tmpfs('read-only', 2048)!;
    const out = path.join(disk, 'sweep');
    const first = spawnSync(process.execPath, [DSLAB, 'sweep', TINY, '--samples', '1', '--space', 'A', '--out', out], { encoding: 'utf8' });
    assert.equal(first.status, 0, first.stderr);
    assert.equal(spawnSync('mount', ['-o', 'remount,ro', disk]).status, 0);
    const r = spawnSync(process.execPath, [DSLAB, 'sweep', TINY, '--samples', '1', '--out', out], { encoding: 'utf8' });
    assert.equal(r.status, 4, r.stderr);
    assert.match(r.stderr, /^dslab sweep: error: cannot claim a trial: .*trials\/B(\/0000\.lock)?: the file system is read-only \(EROFS\)$/m);
    assert.doesNotMatch(r.stderr, /internal error|at .*\.js:\d+/);
    // A new sweep there: the real cause, not Node's ENOENT of a recursive mkdir.
    const fresh = spawnSync(process.execPath, [DSLAB, 'sweep', TINY, '--samples', '1', '--out', path.join(disk, 'new', 'sweep')], { encoding: 'utf8' });
    assert.equal(fresh.status, 4, fresh.stderr);
    assert.match(fresh.stderr, /^dslab sweep: error: cannot create the sweep directory: .*\/new: the file system is read-only \(EROFS\)$/m);
    const analyze = spawnSync(process.execPath, [DSLAB, 'analyze', out], { encoding: 'utf8' });
    assert.equal(analyze.status, 0, analyze.stderr);
    assert.match(analyze.stdout, /1 of 2 trials recorded/);
  });
});

describe('a sweep directory with things in the way', () => {
  test('trials/<space> is a file: one line naming it and the cause, nothing of the other space lost', async () => {
    const out = path.join(tmp, 'file-in-the-way');
    assert.equal((await sweep(out, { spaces: ['A'] })).error, undefined);
    fs.writeFileSync(path.join(out, 'trials', 'B'), 'not a folder');
    const r = await sweep(out);
    assert.ok(r.error instanceof SweepFilesystemError, String(r.error));
    assert.match(r.error.message, /^cannot use the sweep directory .*: .*trials\/B: a part of the path is a file, not a folder \(ENOTDIR\)$/);
    assert.deepEqual(filesIn(path.join(out, 'trials', 'A')), ['0000.json', '0001.json', '0002.json']);
  });

  test('a record path that is a folder: the trial trains, its result is named as not recorded, the folder is left alone', async () => {
    const out = path.join(tmp, 'folder-record');
    assert.equal((await sweep(out, { spaces: ['A'] })).error, undefined);
    fs.mkdirSync(path.join(out, 'trials', 'B', '0000.json'), { recursive: true });
    const r = await sweep(out);
    assert.ok(r.error instanceof SweepFilesystemError, String(r.error));
    assert.match(r.error.message, /^cannot write .*trials\/B\/0000\.json: it is a folder, not a file \(EISDIR\); training stopped; not recorded, so trained again on the next run: B #0 \(30\.0% error\)$/);
    assert.deepEqual(r.trained, ['B#0']);
    assert.deepEqual(filesIn(path.join(out, 'trials', 'B')), ['0000.json']);
    assert.ok(fs.statSync(path.join(out, 'trials', 'B', '0000.json')).isDirectory());
  });
});
