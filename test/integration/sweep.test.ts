// `dslab sweep` end to end with the real trainer: tiny synthetic sweeps (8×8 images, 64
// training images, one epoch, one block per stage) through bin/dslab.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

import type { Io } from '../../src/cli/command';
import { main } from '../../src/cli/main';
import type { TrialRecord } from '../../src/core/results/records';
import { SweepStore } from '../../src/core/results/store';
import { sampleFile } from '../../src/core/sampling/sampler';
import { readSpaceFile } from '../../src/core/space';
import { encodeIdx } from '../../src/train/data/idx';
import type { SweepEvent, SweepSummary } from '../../src/core/analysis/sweepEvents';

const ROOT = path.join(__dirname, '..', '..', '..');
const DSLAB = path.join(ROOT, 'bin', 'dslab');
const TINY = path.join(ROOT, 'test', 'fixtures', 'sweep', 'tiny.yaml');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-sweep-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => path.join(tmp, `sweep-${dirs++}`);

function dslab(args: string[], cwd = tmp): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [DSLAB, ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function inProcess(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: false };
  const status = await main(args, io);
  return { status, stdout, stderr };
}

/** Every file under DIR/trials/<space>/, as "<space>/<name>", sorted. */
const trialFiles = (dir: string): string[] =>
  ['A', 'B'].flatMap((space) => {
    const d = path.join(dir, 'trials', space);
    return fs.existsSync(d) ? fs.readdirSync(d).sort().map((f) => `${space}/${f}`) : [];
  });

const records = (dir: string): TrialRecord[] =>
  trialFiles(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, 'trials', f), 'utf8')) as TrialRecord);

/** Starts `dslab sweep … --events`; `until` sees each event and returns true to send `signal` to the CLI. */
function sweepUntil(args: string[], until: (e: SweepEvent) => boolean, signal: NodeJS.Signals): Promise<{ status: number | null; signal: NodeJS.Signals | null; events: SweepEvent[]; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [DSLAB, 'sweep', ...args, '--events'], { cwd: tmp });
    const events: SweepEvent[] = [];
    let buffered = '';
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const e = JSON.parse(line) as SweepEvent;
        events.push(e);
        if (!sent && until(e)) {
          sent = true;
          child.kill(signal);
        }
      }
    });
    child.on('close', (status, sig) => resolve({ status, signal: sig, events, stderr }));
  });
}

describe('dslab sweep with the real trainer', () => {
  test('a two-trial sweep into the default directory, then a rerun that trains nothing', () => {
    const cwd = freshDir();
    fs.mkdirSync(cwd);
    const r = dslab(['sweep', TINY, '--samples', '1', '--workers', '2', '--json'], cwd);
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout) as SweepSummary;
    assert.equal(s.dir, path.join('.dslab', 'tiny'));
    assert.equal(s.file, TINY);
    assert.deepEqual([s.total, s.done, s.trained, s.remaining, s.interrupted], [2, 2, 2, 0, false]);
    assert.equal(s.backend?.name, 'wasm');
    assert.equal(s.workers, 2);
    assert.deepEqual(s.spaces.map((sp) => [sp.name, sp.n, sp.done, sp.ok]), [['A', 1, 1, 1], ['B', 1, 1, 1]]);

    const dir = path.join(cwd, '.dslab', 'tiny');
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'sweep.json'), 'utf8'));
    assert.equal(manifest.fingerprint, s.fingerprint);
    assert.equal(manifest.models.length, 2);
    const found = records(dir);
    assert.deepEqual(found.map((t) => `${t.space}#${t.index}:${t.status}`), ['A#0:ok', 'B#0:ok']);
    for (const t of found) {
      assert.equal(t.epochs.length, 1);
      assert.ok(t.error !== null && t.error >= 0 && t.error <= 100);
      assert.equal(t.error, t.epochs[0].testError);
      assert.ok((t.imagesPerSecond ?? 0) > 0 && (t.peakMemoryBytes ?? 0) > 0);
      assert.equal(t.backend?.name, 'wasm');
      assert.deepEqual(t.model, manifest.models.find((m: { space: string }) => m.space === t.space).model);
    }
    assert.equal(s.spaces[0].bestError, found[0].error);
    // One line per finished trial on stderr (not a terminal: no progress bar).
    assert.match(r.stderr, /^Sweep of 2 trials in \.dslab\/tiny \(new\): 0 done, 2 to train$/m);
    assert.match(r.stderr, /^Training on wasm \(.+\) with 2 workers$/m);
    assert.match(r.stderr, /^A #0: \d+\.\d% error, \d+\.\d s, \d+ img\/s$/m);
    assert.doesNotMatch(r.stderr, /\r/);

    const again = dslab(['sweep', TINY, '--samples', '1'], cwd);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /^Sweep of 2 trials in \.dslab\/tiny: 2 done, 0 to train$/m);
    assert.match(again.stdout, new RegExp(`^${TINY.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: 2 of 2 trials done, 0 trained in [\\d.]+ s \\(nothing to train\\)$`, 'm'));
    assert.match(again.stdout, /^space +n +done +failed +diverged +best +median$/m);
    assert.match(again.stdout, /^A +1 +1 +0 +0 +\d+\.\d% +\d+\.\d%$/m);
    assert.match(again.stdout, /^Results: \.dslab\/tiny$/m);
    assert.deepEqual(records(dir), found, 'the rerun rewrote nothing');
  });

  test('killed with SIGKILL mid-sweep, the same command resumes: taking over the dead lock, training only what is missing', async () => {
    const out = freshDir();
    const args = [TINY, '--samples', '2', '--workers', '1', '--out', out];
    // Killed once a trial has finished and the next one has started: its lock is then on disk.
    let finished = false;
    const killed = await sweepUntil(args, (e) => (finished ||= e.type === 'trialFinished') && e.type === 'trialStarted', 'SIGKILL');
    assert.equal(killed.signal, 'SIGKILL');
    assert.deepEqual(killed.events.slice(0, 2).map((e) => e.type), ['started', 'backend']);
    const before = records(out);
    assert.ok(before.length >= 1 && before.length < 4, `${before.length} records after the kill`);
    const locks = trialFiles(out).filter((f) => f.endsWith('.lock'));
    assert.equal(locks.length, 1);

    const r = dslab(['sweep', ...args, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout) as SweepSummary;
    assert.deepEqual([s.total, s.done, s.trained, s.remaining], [4, 4, 4 - before.length, 0]);
    for (const lock of locks) assert.match(r.stderr, new RegExp(`trials/${lock}: taken over \\(its owner, process \\d+ on this host, is gone\\)`));
    const after = records(out);
    assert.equal(after.length, 4);
    // What the killed run finished is kept as it was.
    for (const b of before) assert.deepEqual(after.find((a) => a.space === b.space && a.index === b.index), b);
    assert.deepEqual(trialFiles(out).filter((f) => !f.endsWith('.json')), []);
  });

  test('Ctrl-C: exit 130 with the summary of what remains; --events ends with the finished event', async () => {
    const out = freshDir();
    const r = await sweepUntil([TINY, '--samples', '2', '--workers', '1', '--out', out], (e) => e.type === 'trialFinished', 'SIGINT');
    assert.equal(r.status, 130, r.stderr);
    const last = r.events.at(-1);
    assert.ok(last?.type === 'finished');
    assert.equal(last.summary.interrupted, true);
    assert.equal(last.summary.done, records(out).length);
    assert.equal(last.summary.remaining, 4 - last.summary.done);
    assert.match(r.stderr, /stopping \(SIGINT\); running trials will be trained again next time/);
    assert.deepEqual(trialFiles(out).filter((f) => !f.endsWith('.json')), []);
  });
});

describe('a sequential dslab sweep with the real trainer', () => {
  const SEQUENTIAL = path.join(ROOT, 'test', 'fixtures', 'sweep', 'tiny-sequential.yaml');

  test('killed with SIGKILL in the middle of round 2, the same command resumes in round 2 and trains the rounds to max', async () => {
    const out = freshDir();
    const args = [SEQUENTIAL, '--workers', '1', '--out', out];
    let inRound2 = false;
    const killed = await sweepUntil(args, (e) => (inRound2 ||= e.type === 'round' && e.sequential.round === 2) && e.type === 'trialStarted', 'SIGKILL');
    assert.equal(killed.signal, 'SIGKILL');
    const rounds = killed.events.filter((e) => e.type === 'round');
    assert.deepEqual(rounds.map((e) => e.type === 'round' && [e.sequential.round, e.sequential.target, e.total, e.done]), [[1, 2, 4, 0], [2, 3, 6, 4]]);
    const before = records(out);
    assert.equal(before.length, 4, 'round 1 was recorded whole, round 2 not yet');

    const r = dslab(['sweep', ...args]);
    assert.equal(r.status, 0, r.stderr);
    // The rerun starts where the killed run was: round 2, its missing trials only.
    assert.match(r.stderr, /^Sweep of 6 trials in .+: 4 done, 2 to train$/m);
    assert.match(r.stderr, /^Sequential sweep, round 2 of 3, 3 models per space: 0 of 1 pair decided$/m);
    assert.match(r.stderr, /^ {2}A vs B: undecided after round 1 \(p = [\d.]+ > α₁ = 0\.025(, normalized)?\)$/m);
    assert.match(r.stdout, /^Max reached after round 3 of 3, 4 models per space: 0 of 1 pair decided; stopping$/m);
    const after = records(out);
    assert.deepEqual(after.map((t) => `${t.space}#${t.index}`).sort(), ['A#0', 'A#1', 'A#2', 'A#3', 'B#0', 'B#1', 'B#2', 'B#3']);
    for (const b of before) assert.deepEqual(after.find((a) => a.space === b.space && a.index === b.index), b);
    assert.deepEqual(trialFiles(out).filter((f) => !f.endsWith('.json')), []);
    // The lr curve of a per-step cosine: from the base lr down, recorded with the trial.
    const curve = after[0].lrCurve ?? [];
    assert.equal(curve[0].step, 1);
    assert.equal(curve[0].lr, 0.1);
    assert.equal(curve.at(-1)?.step, 2);

    const analyze = dslab(['analyze', out]);
    assert.equal(analyze.status, 0, analyze.stderr);
    assert.match(analyze.stdout, /Sequential sweep, stopped: max reached, round 3 of 3 \(4 models per space\); 0 of 1 pair decided\./);
  });
});

/** `space.yaml` in `project`: one-stage models on the Fashion-MNIST-shaped set in `project/images`. */
function writeIdxSpaceFile(project: string, samples: number, widths: string): void {
  fs.mkdirSync(project, { recursive: true });
  fs.writeFileSync(
    path.join(project, 'space.yaml'),
    [
      'version: 1',
      'dataset: { name: fashion-mnist, path: images, train: 40, test: 20 }',
      'model: { stem: { type: cifar, width: 8 }, stages: 1, strides: [4] }',
      'training: { epochs: 1, batchSize: 20, preciseBn: 20, backend: wasm }',
      `sampling: { samples: ${samples} }`,
      'spaces:',
      `  A: { type: anynet, depth: [1, 1], width: ${widths}, bottleneck: [1], groupWidth: [8] }`,
      '',
    ].join('\n'),
  );
}

describe('dslab sweep on real IDX files', () => {
  test('a relative dataset.path is read relative to the space file, not the working directory', () => {
    // A tiny Fashion-MNIST-shaped set (IDX, gzipped like the originals) beside a space file.
    const project = path.join(tmp, 'project');
    const data = path.join(project, 'images');
    fs.mkdirSync(data, { recursive: true });
    const write = (name: string, dims: number[], bytes: Uint8Array) =>
      fs.writeFileSync(path.join(data, `${name}.gz`), zlib.gzipSync(encodeIdx(dims, bytes)));
    const pixels = (n: number) => Uint8Array.from({ length: n * 28 * 28 }, (_, i) => (i * 7 + Math.floor(i / 784) * 31) % 256);
    const labels = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 10);
    write('train-images-idx3-ubyte', [40, 28, 28], pixels(40));
    write('train-labels-idx1-ubyte', [40], labels(40));
    write('t10k-images-idx3-ubyte', [20, 28, 28], pixels(20));
    write('t10k-labels-idx1-ubyte', [20], labels(20));
    writeIdxSpaceFile(project, 1, '[8, 8]');
    // Started from the repository root: 'images' is not there, only beside the space file.
    const out = path.join(tmp, 'relative-path-sweep');
    const r = dslab(['sweep', path.relative(ROOT, path.join(project, 'space.yaml')), '--out', out, '--json'], ROOT);
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as SweepSummary;
    assert.equal(summary.spaces[0].ok, 1, r.stderr);
    const record = JSON.parse(fs.readFileSync(path.join(out, 'trials', 'A', '0000.json'), 'utf8')) as TrialRecord;
    assert.equal(record.status, 'ok');
    assert.equal(record.epochs.length, 1);
  });

  test('a dataset.path that is not there: exit 3 saying what to fix; once the data is there, the rerun trains what failed', () => {
    const project = path.join(tmp, 'missing-data');
    writeIdxSpaceFile(project, 2, '[8, 16]');
    const out = path.join(project, 'sweep');
    const args = ['sweep', path.join(project, 'space.yaml'), '--out', out, '--workers', '1'];
    const broken = dslab(args);
    assert.equal(broken.status, 3, broken.stderr);
    assert.match(broken.stderr, /^dslab sweep: 1 trial failed because of the environment, not the model: dataset\.path .*images: no such folder\. Fix it and run the same command again: it is trained again\.$/m);
    assert.deepEqual(records(out).map((r) => `${r.space}#${r.index}:${r.status}:${r.failure?.cause}`), ['A#0:failed:environment']);

    // The data arrives: the rerun trains the failed trial and the one never started.
    fs.cpSync(path.join(tmp, 'project', 'images'), path.join(project, 'images'), { recursive: true });
    const fixed = dslab([...args, '--json']);
    assert.equal(fixed.status, 0, fixed.stderr);
    const summary = JSON.parse(fixed.stdout) as SweepSummary;
    assert.deepEqual([summary.trained, summary.done, summary.environmentFailures], [2, 2, 0]);
    assert.deepEqual(records(out).map((r) => `${r.space}#${r.index}:${r.status}`), ['A#0:ok', 'A#1:ok']);
  });
});

describe('dslab sweep: what the user must fix', () => {
  test('an invalid file prints its diagnostics and exits 1', async () => {
    const bad = path.join(ROOT, 'test', 'fixtures', 'spaces', 'bad', 'range-order.yaml');
    const r = await inProcess('sweep', bad, '--out', freshDir());
    assert.equal(r.status, 1);
    assert.match(r.stderr, /range-order\.yaml:5:12: error: spaces\.AnyNetX_A\.depth: lo 6 is greater than hi 1/);
    assert.equal(r.stdout, '');
  });

  test('a missing file, an unknown space, a backend that is not installed: exit 1 with the reason', async () => {
    const missing = await inProcess('sweep', 'nope.yaml');
    assert.deepEqual([missing.status, missing.stderr], [1, 'dslab sweep: error: cannot read nope.yaml: no such file or directory\n']);
    const space = await inProcess('sweep', TINY, '--space', 'C', '--out', freshDir());
    assert.deepEqual([space.status, space.stderr], [1, `dslab sweep: error: ${TINY}: no space named 'C'; the file defines A, B\n`]);
    const backend = await inProcess('sweep', TINY, '--backend', 'tfjs-node', '--out', freshDir());
    assert.equal(backend.status, 1);
    assert.match(backend.stderr, /\ndslab sweep: error: .*tfjs-node.*\n$/);
    assert.match(backend.stderr, /npm install/);
  });

  test('a directory holding another sweep is refused with what differs', async () => {
    const out = freshDir();
    const resolved = readSpaceFile(TINY).resolved!;
    const models = sampleFile(resolved, { samples: 1 }).flatMap((x) => x.models);
    SweepStore.open({ dir: out, tool: { name: 'design-space-lab', version: '0' }, file: TINY, resolved, models });
    const r = await inProcess('sweep', TINY, '--out', out);
    assert.equal(r.status, 1);
    assert.equal(
      r.stderr,
      `dslab sweep: error: ${out} holds a sweep of a different space file or settings (A: 1 model there, 2 now; B: 1 model there, 2 now); start a fresh one with --fresh (it keeps that sweep), choose another --out or delete it\n`,
    );
    // --events says so in an event the editor acts on, before the error.
    const events = await inProcess('sweep', TINY, '--out', out, '--events');
    assert.equal(events.status, 1);
    const mismatch = JSON.parse(events.stdout.trim()) as { type: string; dir: string; differences: string[]; keptAs: string };
    assert.equal(mismatch.type, 'mismatch');
    assert.deepEqual(mismatch.differences, ['A: 1 model there, 2 now', 'B: 1 model there, 2 now']);
    assert.ok(mismatch.keptAs.startsWith(out), mismatch.keptAs);
    assert.match(mismatch.keptAs.slice(out.length), /^\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d$/);
  });

  test('bad usage exits 2', async () => {
    for (const args of [['sweep'], ['sweep', TINY, '--backend', 'gpu'], ['sweep', TINY, '--workers', '0'], ['sweep', TINY, '--json', '--events'], ['sweep', TINY, '--color']]) {
      const r = await inProcess(...args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, /Run 'dslab sweep --help' for usage\./);
    }
  });

  test('--help describes every option', async () => {
    const r = await inProcess('sweep', '--help');
    assert.equal(r.status, 0);
    for (const option of ['--space S', '--out DIR', '--workers N', '--backend B', '--samples N', '--json', '--events']) assert.ok(r.stdout.includes(option), option);
  });
});
