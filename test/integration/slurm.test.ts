// Sweeps on a real Slurm cluster, through the real sbatch, squeue, scontrol and scancel: the
// one-node cluster of test/slurm/start-cluster.sh (.ci/run starts it before the tests and stops
// it after them). Without a cluster these tests skip, saying how to start one; in CI they must run.
// The sweep is test/fixtures/sweep/slurm.yaml: its spaces train for a fraction of a second
// (Quick), a few seconds (Slow) and far longer than a one-minute time limit (Endless).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { SweepStatus } from '../../src/core/results/sweepStatus';
import type { TrialRecord } from '../../src/core/results/records';
import type { Submission } from '../../src/core/slurm/submissions';
import type { SubmitSummary } from '../../src/sweep/slurm/submit';
import { gatherStatus } from '../../src/sweep/gatherStatus';
import { skipUnless } from '../requirements';

const ROOT = path.join(__dirname, '..', '..', '..');
const DSLAB = path.join(ROOT, 'bin', 'dslab');
const FILE = path.join(ROOT, 'test', 'fixtures', 'sweep', 'slurm.yaml');

/** Why no cluster answers, or undefined when one does. */
function clusterMissing(): string | undefined {
  const r = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', timeout: 20_000 });
  if (r.error) return `no Slurm here (sinfo: ${(r.error as NodeJS.ErrnoException).code})`;
  if (r.status !== 0) return `no Slurm cluster answers (${r.stderr.trim() || `sinfo exited with ${r.status}`})`;
  return /idle|mix|alloc/.test(r.stdout) ? undefined : `the Slurm cluster has no node up (${r.stdout.trim()})`;
}
const skip = skipUnless(clusterMissing(), 'as root: bash test/slurm/start-cluster.sh, and bash test/slurm/stop-cluster.sh afterwards');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-slurm-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The environment of the tasks too (sbatch passes it on): without the test runner's variables. */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NODE_TEST')));

function dslab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [DSLAB, ...args], { cwd: tmp, encoding: 'utf8', env: ENV });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function submit(out: string, ...args: string[]): SubmitSummary {
  const r = dslab('sweep', FILE, '--out', out, '--executor', 'slurm', '--json', ...args);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as SubmitSummary;
}

/** Polls the sweep's status until `done` says so; fails after `seconds`. */
async function until(out: string, done: (s: SweepStatus) => boolean, seconds: number, what: string): Promise<SweepStatus> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const s = gatherStatus(out);
    if (done(s)) return s;
    if (Date.now() > deadline) assert.fail(`${what} not after ${seconds} s: ${JSON.stringify(s.trials.map((t) => [t.space, t.index, t.state, t.failure?.message ?? t.detail]))}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

const trialFiles = (out: string, space: string): string[] => {
  const dir = path.join(out, 'trials', space);
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
};
const record = (out: string, space: string, index: number): TrialRecord => JSON.parse(fs.readFileSync(path.join(out, 'trials', space, `000${index}.json`), 'utf8')) as TrialRecord;
const of = (s: SweepStatus, space: string) => s.trials.filter((t) => t.space === space);

describe('sweeps on Slurm', { skip }, () => {
  // Submitted first, checked last: its task runs into a one-minute limit while the others run.
  const endless = path.join(tmp, 'endless');
  before(() => {
    const s = submit(endless, '--space', 'Endless', '--time', '1');
    assert.equal(s.submitted, 1);
  });

  test('a small sweep runs to completion as a job array, with the errors of the same sweep run locally', async () => {
    const out = path.join(tmp, 'quick');
    const s = submit(out, '--space', 'Quick', '--parallel', '2');
    assert.deepEqual([s.submitted, s.array, s.script], [2, '0-1', 'slurm/array-1.sh']);
    const script = fs.readFileSync(path.join(out, 'slurm', 'array-1.sh'), 'utf8');
    assert.match(script, /^#SBATCH --array=0-1$/m);
    assert.match(script, new RegExp(`^#SBATCH --output=${path.join(out, 'slurm', 'logs')}/%A_%a\\.out$`, 'm'));
    const [job] = JSON.parse(fs.readFileSync(path.join(out, 'slurm', 'jobs.json'), 'utf8')).submissions as Submission[];
    assert.equal(job.job, s.job);
    assert.deepEqual(job.trials, [{ space: 'Quick', index: 0 }, { space: 'Quick', index: 1 }]);

    const done = await until(out, (st) => of(st, 'Quick').every((t) => t.state === 'done'), 90, 'both Quick trials done');
    assert.equal(done.slurm?.jobs[0].ended, 2);
    const local = path.join(tmp, 'quick-local');
    const r = dslab('sweep', FILE, '--out', local, '--space', 'Quick', '--workers', '1');
    assert.equal(r.status, 0, r.stderr);
    for (const index of [0, 1]) {
      const [onSlurm, here] = [record(out, 'Quick', index), record(local, 'Quick', index)];
      assert.equal(onSlurm.status, 'ok');
      assert.equal(onSlurm.error, here.error, `Quick #${index}: the same model, seed and backend train to the same error`);
      assert.deepEqual(onSlurm.model, here.model);
    }
    const log = fs.readFileSync(path.join(out, 'slurm', 'logs', `${s.job}_1.out`), 'utf8');
    assert.match(log, new RegExp(`^Trial Quick #1 of ${out} on \\S+ \\(Slurm task ${s.job}_1, run 1\\)$`, 'm'));
    assert.match(log, /^dslab trial exited with status 0$/m);

    const text = dslab('status', out);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^Sweep .*: 5 trials: 2 done, 0 running, 0 pending, 0 failed, 3 to train$/m);
    assert.match(text.stdout, new RegExp(`^Slurm job ${s.job} \\(slurm/array-1\\.sh, 2 trials\\): 0 running, 0 waiting, 2 ended$`, 'm'));
    const analyze = dslab('analyze', out, '--json');
    assert.equal(analyze.status, 0, analyze.stderr);
    // Submitted again: nothing is missing.
    const again = submit(out, '--space', 'Quick');
    assert.deepEqual([again.job, again.submitted, again.done], [null, 0, 2]);
  });

  test('tasks that fail (a backend the node lacks) show their exit status and last log lines; resubmitted, they train', async () => {
    const out = path.join(tmp, 'failing');
    const s = submit(out, '--space', 'Quick', '--backend', 'tfjs-node-gpu');
    const failed = await until(out, (st) => of(st, 'Quick').every((t) => t.state === 'failed'), 90, 'both tasks failed');
    for (const t of of(failed, 'Quick')) {
      assert.equal(t.failure?.kind, 'FAILED');
      assert.match(t.failure!.message, new RegExp(`^FAILED: exited with status 1 \\(task ${s.job}_${t.index} on \\S+`));
      assert.ok(t.failure?.log?.some((l) => /dslab trial: error: backend 'tfjs-node-gpu' is unavailable/.test(l)), JSON.stringify(t.failure?.log));
    }
    const text = dslab('status', out).stdout;
    assert.match(text, /^ {2}Quick #0 {2}FAILED: exited with status 1 .*\n {12}\| Trial Quick #0 of .*\n {12}\| dslab trial: error: backend 'tfjs-node-gpu' is unavailable/m);
    assert.match(text, /^To submit the 2 trials without a result or a task: dslab sweep .* --backend tfjs-node-gpu --executor slurm$/m);
    assert.deepEqual(trialFiles(out, 'Quick'), [], 'no record, no lock');

    const again = submit(out, '--space', 'Quick', '--backend', 'wasm');
    assert.deepEqual([again.submitted, again.script], [2, 'slurm/array-2.sh']);
    const fixed = await until(out, (st) => of(st, 'Quick').every((t) => t.state === 'done'), 90, 'the resubmitted trials done');
    assert.equal(fixed.counts.failed, 0);
  });

  test('followed (--events, as the editor does): records as they land, tasks that ended without one, the summary; exit 1 while tasks failed', () => {
    const out = path.join(tmp, 'followed');
    const follow = (...args: string[]) => {
      const r = spawnSync(process.execPath, [DSLAB, 'sweep', FILE, '--out', out, '--executor', 'slurm', '--space', 'Quick', '--events', ...args], { cwd: tmp, encoding: 'utf8', env: { ...ENV, DSLAB_SLURM_POLL_MS: '500' } });
      return { status: r.status, stderr: r.stderr, events: r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; [k: string]: unknown }) };
    };
    const failing = follow('--backend', 'tfjs-node-gpu');
    assert.equal(failing.status, 1, failing.stderr);
    assert.match(failing.stderr, /^dslab sweep: 2 trials' tasks ended without a record \(FAILED 2\): dslab status .* says why; run the same command again to submit them again$/m);
    const types = failing.events.map((e) => e.type);
    assert.deepEqual([types[0], types.at(-1)], ['started', 'finished']);
    assert.ok(types.indexOf('submitted') < types.indexOf('queue'), types.join());
    assert.deepEqual(failing.events.filter((e) => e.type === 'trialFailed').map((e) => [e.index, e.kind]).sort(), [[0, 'FAILED'], [1, 'FAILED']]);

    const fixed = follow('--backend', 'wasm');
    assert.equal(fixed.status, 0, fixed.stderr);
    const finished = fixed.events.filter((e) => e.type === 'trialFinished').map((e) => (e.record as TrialRecord).index).sort();
    assert.deepEqual(finished, [0, 1]);
    const summary = fixed.events.at(-1)!.summary as { done: number; total: number; remaining: number; slurmJobs: string[] };
    assert.deepEqual([summary.done, summary.total, summary.remaining, summary.slurmJobs.length], [2, 2, 0, 1]);
    assert.equal(fixed.events.find((e) => e.type === 'submitted')!.job, summary.slurmJobs[0]);
  });

  test('cancel of a running sweep keeps its records; the same command then submits only what is missing', async () => {
    const out = path.join(tmp, 'cancelled');
    submit(out, '--space', 'Slow', '--parallel', '1');
    await until(out, (st) => st.counts.running === 1 && fs.existsSync(path.join(out, 'trials', 'Slow', '0000.lock')), 60, 'a Slow trial training');
    const cancel = dslab('cancel', out);
    assert.equal(cancel.status, 0, cancel.stderr);
    assert.match(cancel.stdout, /^Cancelled Slurm job \d+: 1 running task, 1 waiting task\.$/m);
    assert.match(cancel.stdout, /^To go on: dslab sweep .* --space Slow --executor slurm --parallel 1$/m);
    const after = gatherStatus(out);
    assert.deepEqual([after.counts.running, after.counts.pending], [0, 0]);
    assert.ok(of(after, 'Slow').every((t) => t.state === 'done' || t.failure?.kind === 'CANCELLED'), JSON.stringify(of(after, 'Slow')));
    // The cancelled task stopped cleanly: no partial record, no lock left to block the next run.
    const recordsBefore = trialFiles(out, 'Slow');
    assert.ok(recordsBefore.every((f) => f.endsWith('.json')), recordsBefore.join());
    assert.equal(dslab('cancel', out).stdout.split('\n')[0], `Nothing to cancel: no job of ${out} is waiting or running.`);

    const resumed = submit(out, '--space', 'Slow', '--parallel', '1');
    assert.equal(resumed.submitted, 2 - recordsBefore.length);
    await until(out, (st) => of(st, 'Slow').every((t) => t.state === 'done'), 120, 'the resumed sweep done');
    assert.deepEqual(trialFiles(out, 'Slow'), ['0000.json', '0001.json']);
  });

  test('a requeued task trains its trial once: a requeue mid-trial restarts it, one after it ended trains nothing', async () => {
    const out = path.join(tmp, 'requeued');
    const s = submit(out, '--space', 'Slow', '--samples', '1');
    const lock = path.join(out, 'trials', 'Slow', '0000.lock');
    await until(out, () => fs.existsSync(lock), 60, 'the trial claimed');
    const requeue = spawnSync('scontrol', ['requeue', `${s.job}_0`], { encoding: 'utf8' });
    assert.equal(requeue.status, 0, requeue.stderr);
    await until(out, (st) => st.counts.done === 1, 120, 'the requeued trial done');
    const log = path.join(out, 'slurm', 'logs', `${s.job}_0.out`);
    const text = fs.readFileSync(log, 'utf8');
    assert.match(text, /Slow #0: interrupted; no record/);
    assert.match(text, new RegExp(`^Trial Slow #0 of .* \\(Slurm task ${s.job}_0, run 2\\)$`, 'm'));
    assert.deepEqual(trialFiles(out, 'Slow'), ['0000.json']);
    const first = fs.readFileSync(path.join(out, 'trials', 'Slow', '0000.json'), 'utf8');

    // Requeued once it has its record: it runs again, and leaves the record as it was.
    assert.equal(spawnSync('scontrol', ['requeue', `${s.job}_0`]).status, 0);
    const deadline = Date.now() + 90_000;
    while (!/run 3\)[\s\S]*dslab trial exited with status 0\s*$/.test(fs.readFileSync(log, 'utf8')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000));
    assert.match(fs.readFileSync(log, 'utf8'), /Slow #0: already recorded, not trained again/);
    assert.equal(fs.readFileSync(path.join(out, 'trials', 'Slow', '0000.json'), 'utf8'), first);
    assert.deepEqual(trialFiles(out, 'Slow'), ['0000.json']);
  });

  test('a task over its time limit: TIMEOUT in dslab status, no record and no lock left', async () => {
    const s = await until(endless, (st) => of(st, 'Endless')[0].state === 'failed', 180, 'the Endless task timed out');
    const [t] = of(s, 'Endless');
    assert.equal(t.failure?.kind, 'TIMEOUT');
    assert.match(t.failure!.message, /^TIMEOUT: its time limit of 1 min was reached \(task \d+_0 on \S+, after 1m\d\ds\)$/);
    assert.deepEqual(trialFiles(endless, 'Endless'), []);
    const text = dslab('status', endless).stdout;
    assert.match(text, /\(with a longer --time for those that ran out of time\)$/m);
  });
});
