// What the scheduler says (squeue --json, scontrol show job, a task's log), read from output
// captured on a real one-node cluster (test/fixtures/slurm/README.md), and a sweep's status from it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { parseScontrolJobs, slurmMinutes } from '../../src/core/slurm/scontrolJobs';
import { parseSqueueJson, SchedulerOutputError } from '../../src/core/slurm/squeueJson';
import { arrayTaskIds, stateKind, taskName, waitStatus, type SchedulerTask } from '../../src/core/slurm/tasks';
import { lastLines, logEnd, trialHeader } from '../../src/core/slurm/taskLog';
import { sweepStatus, type StatusInput } from '../../src/core/results/sweepStatus';
import { statusLines } from '../../src/core/presentation/statusReport';
import type { LockView } from '../../src/core/results/lock';
import type { SweepManifest, TrialRecord } from '../../src/core/results/records';
import type { Submission } from '../../src/core/slurm/submissions';

const ROOT = path.join(__dirname, '..', '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'slurm');
const fixture = (name: string): string => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
const ARRAY = new Set(['1']);
/** "1_0 COMPLETED exit 0", per task, in task order. */
const brief = (tasks: SchedulerTask[]): string[] =>
  [...tasks]
    .sort((a, b) => (a.taskId ?? -1) - (b.taskId ?? -1))
    .map((t) => `${taskName(t)} ${t.state}${t.reason ? ` (${t.reason})` : ''}${t.exitCode !== undefined ? ` exit ${t.exitCode}` : ''}${t.signal !== undefined ? ` signal ${t.signal}` : ''}${t.restarts ? ` restarts ${t.restarts}` : ''}`);

describe('squeue --json (Slurm 22.05)', () => {
  test('an array with tasks ended, running and still waiting in the array record', () => {
    const tasks = parseSqueueJson(fixture('squeue-pending.json'), ARRAY);
    assert.deepEqual(brief(tasks), [
      '1_0 COMPLETED exit 0',
      '1_1 FAILED (NonZeroExitCode) exit 5',
      '1_2 RUNNING',
      '1_3 RUNNING',
      '1_4 PENDING (JobArrayTaskLimit)',
      '1_5 PENDING (JobArrayTaskLimit)',
    ]);
    const running = tasks.find((t) => t.taskId === 2)!;
    assert.equal(running.node, 'localhost');
    assert.equal(running.jobId, '4');
    assert.equal(running.timeLimitMinutes, 1);
    assert.ok(running.startTime !== undefined && running.endTime === undefined);
    assert.equal(running.command, '/tmp/dslab-fixtures.RYK5/array.sh');
    const waiting = tasks.find((t) => t.taskId === 5)!;
    assert.equal(waiting.jobId, undefined, 'a task still in the array record has no job id of its own yet');
  });

  test('a requeued task waits again, with its restart count; a task cancelled while waiting is no longer listed', () => {
    assert.deepEqual(brief(parseSqueueJson(fixture('squeue-requeued.json'), ARRAY)), [
      '1_0 COMPLETED exit 0',
      '1_1 FAILED (NonZeroExitCode) exit 5',
      '1_2 RUNNING',
      '1_3 CANCELLED signal 15',
      '1_4 PENDING (BeginTime) restarts 1',
    ]);
  });

  test('every way of ending, and only the jobs asked about', () => {
    assert.deepEqual(brief(parseSqueueJson(fixture('squeue-ended.json'), ARRAY)), [
      '1_0 COMPLETED exit 0',
      '1_1 FAILED (NonZeroExitCode) exit 5',
      '1_2 TIMEOUT (TimeLimit) signal 15 restarts 1',
      '1_3 CANCELLED signal 15',
      '1_4 TIMEOUT (TimeLimit) signal 15 restarts 1',
    ]);
    assert.deepEqual(brief(parseSqueueJson(fixture('squeue-ended.json'), new Set(['6']))), ['6 NODE_FAIL (NodeDown) signal 15']);
    assert.equal(parseSqueueJson(fixture('squeue-ended.json')).length, 6);
  });

  test("later Slurm's forms: wrapped numbers, a list of states, an exit code object", () => {
    const doc = {
      jobs: [
        { job_id: 9, array_job_id: { set: true, infinite: false, number: 8 }, array_task_id: { set: true, infinite: false, number: 1 }, job_state: ['OUT_OF_MEMORY'], state_reason: 'OutOfMemory', exit_code: { status: ['OUT_OF_MEMORY'], return_code: { set: true, number: 0 }, signal: { id: { set: true, number: 9 }, name: 'KILL' } }, restart_cnt: 0, nodes: 'n1', time_limit: { set: true, infinite: false, number: 30 } },
        { job_id: 8, array_job_id: { set: true, number: 8 }, array_task_id: { set: false, infinite: false, number: 0 }, array_task_string: '2-3', job_state: ['PENDING'], state_reason: 'Priority', exit_code: { return_code: { set: true, number: 0 } } },
      ],
    };
    assert.deepEqual(brief(parseSqueueJson(JSON.stringify(doc))), ['8_1 OUT_OF_MEMORY (OutOfMemory) signal 9', '8_2 PENDING (Priority)', '8_3 PENDING (Priority)']);
  });

  test('output that is not what squeue prints is an error saying so', () => {
    assert.throws(() => parseSqueueJson('squeue: error: Invalid user'), SchedulerOutputError);
    assert.throws(() => parseSqueueJson('{"meta": {}}'), /no "jobs" list/);
  });
});

describe('scontrol show job', () => {
  test('the same tasks as squeue --json says, waiting ones expanded from the array record', () => {
    const pending = parseScontrolJobs(fixture('scontrol-pending.txt'));
    assert.deepEqual(brief(pending), brief(parseSqueueJson(fixture('squeue-pending.json'), ARRAY)));
    const ended = parseScontrolJobs(fixture('scontrol-ended.txt'));
    assert.deepEqual(brief(ended), brief(parseSqueueJson(fixture('squeue-ended.json'), ARRAY)));
    const timedOut = ended.find((t) => t.taskId === 2)!;
    assert.equal(timedOut.timeLimitMinutes, 1);
    assert.equal(timedOut.node, 'localhost');
    assert.ok(timedOut.endTime! - timedOut.startTime! >= 60);
    assert.deepEqual(brief(parseScontrolJobs(fixture('scontrol-nodefail.txt'))), ['6 NODE_FAIL (NodeDown) signal 15']);
  });

  test('time limits in minutes', () => {
    assert.equal(slurmMinutes('00:01:00'), 1);
    assert.equal(slurmMinutes('1-02:03:00'), 1563);
    assert.equal(slurmMinutes('UNLIMITED'), undefined);
  });
});

describe('scheduler states and array expressions', () => {
  test('states by kind, array expressions, wait statuses', () => {
    assert.deepEqual(['PENDING', 'REQUEUED', 'RUNNING', 'COMPLETING', 'TIMEOUT', 'NODE_FAIL'].map(stateKind), ['waiting', 'waiting', 'running', 'running', 'ended', 'ended']);
    assert.deepEqual(arrayTaskIds('1-3%1'), [1, 2, 3]);
    assert.deepEqual(arrayTaskIds('4,6-8'), [4, 6, 7, 8]);
    assert.deepEqual(arrayTaskIds('0-10:5%4'), [0, 5, 10]);
    assert.deepEqual(waitStatus(1280), { exitCode: 5 });
    assert.deepEqual(waitStatus(15), { signal: 15 });
    assert.deepEqual(waitStatus(36608), { exitCode: 143 });
  });
});

describe("a task's log", () => {
  test('says how the last run ended: a time limit, a cancel, a node failure; a requeue is not an end', () => {
    assert.deepEqual(logEnd(fixture('log-task2.out')), { state: 'TIMEOUT' });
    assert.deepEqual(logEnd(fixture('log-task3.out')), { state: 'CANCELLED' });
    assert.deepEqual(logEnd(fixture('log-task4.out')), { state: 'TIMEOUT' });
    assert.deepEqual(logEnd(fixture('log-nodefail.out')), { state: 'NODE_FAIL' });
    assert.equal(logEnd(fixture('log-task1.out')), undefined, 'a plain script says nothing of its exit status');
    const requeuedOnly = fixture('log-task4.out').split('\n').slice(0, 2).join('\n');
    assert.equal(logEnd(requeuedOnly), undefined);
  });

  test("dslab's batch script ends the log with the exit status; a new run (its header) starts afresh", () => {
    const run1 = `${trialHeader('A', 3, '/s', 'n1', { name: '5_3', run: 1 })}\nError: boom\ndslab trial exited with status 3\n`;
    assert.deepEqual(logEnd(run1), { exitCode: 3 });
    assert.deepEqual(lastLines(run1, 2), ['Trial A #3 of /s on n1 (Slurm task 5_3, run 1)', 'Error: boom']);
    assert.equal(logEnd(`${run1}${trialHeader('A', 3, '/s', 'n2', { name: '5_3', run: 2 })}\nA #3: epoch 1\n`), undefined);
    const oom = 'Trial A #3 of /s on n1\nslurmstepd: error: Detected 1 oom_kill event in StepId=8.batch. Some of the step tasks have been OOM Killed.\n';
    assert.deepEqual(logEnd(oom), { state: 'OUT_OF_MEMORY' });
  });
});

describe('sweep status', () => {
  const models = ['A', 'B'].flatMap((space) => [0, 1, 2, 3, 4, 5].map((index) => ({ space, index })));
  const manifest = { file: 'tiny.yaml', models } as unknown as SweepManifest;
  const record = (space: string, index: number, over: Partial<TrialRecord> = {}): TrialRecord => ({ space, index, status: 'ok', error: 20 + index, ...over }) as TrialRecord;
  const submission: Submission = { job: '1', script: 'slurm/array-1.sh', submittedAt: '2026-12-05T10:31:00Z', trials: [0, 1, 2, 3, 4, 5].map((index) => ({ space: 'A', index })), sweepArgs: ['tiny.yaml', '--executor', 'slurm', '--time', '1'] };
  const input = (over: Partial<StatusInput>): StatusInput => ({
    dir: '/s',
    manifest,
    records: [],
    unusable: [],
    locks: new Map(),
    submissions: [submission],
    scheduler: [],
    taskLog: (job, task) => {
      const file = path.join(FIXTURES, `log-task${task}.out`);
      if (job !== '1' || !fs.existsSync(file)) return undefined;
      const text = fs.readFileSync(file, 'utf8');
      const end = logEnd(text);
      return { ...(end ? { end } : {}), lastLines: lastLines(text, 6) };
    },
    logName: (job, task) => `slurm/logs/${job}_${task}.out`,
    now: 1796466000,
    ...over,
  });

  test("each trial's state and reason, from records, the scheduler, the logs and the locks", () => {
    const scheduler = parseSqueueJson(fixture('squeue-ended.json'), ARRAY);
    const live: LockView = { owner: { host: 'n2', pid: 7, time: '', token: 't', job: { id: '31', restarts: 0 } }, refreshedMsAgo: 5000 };
    const s = sweepStatus(
      input({
        records: [record('A', 0), record('B', 0, { error: 12.5 }), record('B', 1, { status: 'failed', error: null, failure: { message: 'fake failure\nstack', cause: 'model' } })],
        scheduler,
        locks: new Map([['B/2', live]]),
      }),
    );
    const by = (space: string, index: number) => s.trials.find((t) => t.space === space && t.index === index)!;
    assert.deepEqual(s.counts, { done: 2, running: 1, pending: 0, failed: 6, todo: 3 });
    assert.deepEqual(s.best, { space: 'B', index: 0, error: 12.5 });
    assert.equal(by('A', 1).failure?.kind, 'FAILED');
    assert.match(by('A', 1).failure!.message, /^FAILED: exited with status 5 \(task 1_1 on localhost\)$/);
    assert.deepEqual(by('A', 1).failure?.log, ['task 1, run 1', 'Error: the dataset is not readable']);
    assert.match(by('A', 2).failure!.message, /^TIMEOUT: its time limit of 1 min was reached \(task 1_2 on localhost, after 1m\d\ds\)$/);
    assert.equal(by('A', 3).failure?.kind, 'CANCELLED');
    assert.equal(by('A', 5).failure?.kind, 'LOST', 'cancelled while waiting: the scheduler dropped it, and no log');
    assert.equal(by('B', 1).failure?.message, 'the model failed: fake failure');
    assert.equal(by('B', 2).state, 'running');
    assert.equal(by('B', 2).detail, 'process 7 on n2 (Slurm job 31)');
    assert.equal(by('B', 3).state, 'todo');
    assert.equal(by('A', 0).task, undefined, 'a done trial is done whatever its task says');

    const text = statusLines(s).join('\n');
    assert.match(text, /^Sweep \/s \(tiny\.yaml\): 12 trials: 2 done, 1 running, 0 pending, 6 failed, 3 to train$/m);
    assert.match(text, /^Best error so far: 12\.5% \(B #0\)$/m);
    assert.match(text, /^Slurm job 1 \(slurm\/array-1\.sh, 6 trials\): 0 running, 0 waiting, 5 ended$/m);
    assert.match(text, /^ {2}A #1 {2}FAILED: exited with status 5 .*\n {8}\| task 1, run 1\n {8}\| Error: the dataset is not readable\n {8}log: slurm\/logs\/1_1\.out$/m);
    assert.match(text, /^To submit the 8 trials without a result or a task: dslab sweep tiny\.yaml --executor slurm --time 1 \(with a longer --time for those that ran out of time\)$/m);
    assert.match(text, /^Add --retry-failed to train the 1 trial whose model failed again\.$/m);
  });

  test('running and waiting tasks; a trial whose record failed but whose new task runs is running', () => {
    const scheduler = parseSqueueJson(fixture('squeue-pending.json'), ARRAY);
    const s = sweepStatus(input({ scheduler, records: [record('A', 2, { status: 'failed', error: null, failure: { message: 'x', cause: 'environment' } })] }));
    assert.deepEqual(s.trials.slice(0, 6).map((t) => t.state), ['failed', 'failed', 'running', 'running', 'pending', 'pending']);
    assert.equal(s.trials[4].detail, 'waiting: JobArrayTaskLimit');
    assert.match(s.trials[2].detail ?? '', /^on localhost, for /);
    assert.deepEqual(s.slurm?.jobs, [{ job: '1', script: 'slurm/array-1.sh', trials: 6, waiting: 2, running: 2, ended: 2 }]);
    // Running and waiting trials are not to submit again: the two that ended without a record and B's six are.
    assert.match(statusLines(s).join('\n'), /^To submit the 8 trials without a result or a task: dslab sweep tiny\.yaml --executor slurm --time 1$/m);
  });

  test('once the scheduler has forgotten the tasks, their logs and the recorded cancel tell', () => {
    const s = sweepStatus(input({ scheduler: [], submissions: [{ ...submission, cancelledAt: '2026-12-05T10:40:00Z' }] }));
    const kinds = s.trials.slice(0, 6).map((t) => t.failure?.kind);
    assert.deepEqual(kinds, ['CANCELLED', 'CANCELLED', 'TIMEOUT', 'CANCELLED', 'TIMEOUT', 'CANCELLED']);
    assert.equal(s.trials[2].failure?.message, 'TIMEOUT: its time limit was reached (task 1_2, from its log)');
    assert.equal(s.trials[0].failure?.message, 'CANCELLED: by dslab cancel at 2026-12-05T10:40:00Z (task 1_0)');
    const unreachable = sweepStatus(input({ scheduler: { unavailable: 'no squeue on PATH' } }));
    assert.equal(unreachable.trials[0].state, 'todo', 'the scheduler cannot be asked and the log says nothing: it may still be queued');
    assert.equal(unreachable.trials[2].failure?.kind, 'TIMEOUT');
    assert.match(statusLines(unreachable).join('\n'), /^The scheduler cannot be asked \(no squeue on PATH\): states come from records, locks and logs\.$/m);
  });

  test('a local sweep: records and claims only', () => {
    const s = sweepStatus(input({ submissions: [], records: [record('A', 0)], locks: new Map([['A/1', { owner: { host: 'h', pid: 3, time: '', token: 't' }, refreshedMsAgo: 1 }], ['A/2', { refreshedMsAgo: 1e9, stale: 'gone' }]]) }));
    assert.deepEqual(s.counts, { done: 1, running: 1, pending: 0, failed: 0, todo: 10 });
    assert.equal(s.slurm, undefined);
    const text = statusLines(s).join('\n');
    assert.match(text, /^Running:\n {2}A #1 {2}process 3 on h$/m);
    assert.doesNotMatch(text, /Slurm/);
  });
});
