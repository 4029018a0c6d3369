// The batch script of a sweep's job array, and the Slurm settings it is made from.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { arraySpec, batchScript, sbatchOptions, type BatchScriptInput } from '../../src/core/slurm/batchScript';
import { shellQuote } from '../../src/core/slurm/shellWords';
import { mergeSettings, settingsFlags, settingsProblem } from '../../src/core/slurm/settings';
import { nodeLocalReason } from '../../src/core/slurm/sharedPath';
import { parseSpaceText } from '../../src/core/space';

const input = (over: Partial<BatchScriptInput> = {}): BatchScriptInput => ({
  dir: '/shared/sweeps/tiny',
  workDir: '/home/ann/project',
  jobName: 'dslab-tiny',
  trials: [
    { space: 'A', index: 0 },
    { space: 'A', index: 3 },
    { space: 'RegNetX', index: 12 },
  ],
  settings: { partition: 'gpu', time: '30', gpusPerTask: 1, cpusPerTask: 4, mem: '8G', parallel: 2, sbatchArgs: ['--account=proj'] },
  dslab: ['/opt/node/bin/node', '/opt/dslab/bin/dslab'],
  trialArgs: ['--backend', 'auto'],
  logPattern: '/shared/sweeps/tiny/slurm/logs/%A_%a.out',
  ...over,
});

describe('batch script', () => {
  test('asks for one array task per trial, at most `parallel` at once, with every setting as an #SBATCH line', () => {
    assert.equal(arraySpec(1), '0');
    assert.equal(arraySpec(12, 4), '0-11%4');
    assert.equal(arraySpec(3, 8), '0-2');
    const text = batchScript(input());
    const sbatch = text.split('\n').filter((l) => l.startsWith('#SBATCH ')).map((l) => l.slice(8));
    assert.deepEqual(sbatch, [
      '--job-name=dslab-tiny',
      '--array=0-2%2',
      '--output=/shared/sweeps/tiny/slurm/logs/%A_%a.out',
      '--open-mode=append',
      '--chdir=/home/ann/project',
      '--partition=gpu',
      '--time=30',
      '--cpus-per-task=4',
      '--gpus-per-task=1',
      '--mem=8G',
      '--account=proj',
    ]);
    assert.deepEqual(sbatchOptions({ ...input(), settings: { sbatchArgs: [] } }).slice(5), [], 'no setting, no line: the cluster decides');
    // sbatch reads a double-quoted value whole.
    const spaced = sbatchOptions({ ...input(), workDir: '/home/ann/my project', logPattern: '/shared/my sweeps/slurm/logs/%A_%a.out' });
    assert.deepEqual(spaced.slice(2, 5), ['--output="/shared/my sweeps/slurm/logs/%A_%a.out"', '--open-mode=append', '--chdir="/home/ann/my project"']);
    assert.ok(text.startsWith('#!/bin/bash\n'));
    // sbatch reads #SBATCH lines only before the first command.
    const lines = text.split('\n');
    const firstCommand = lines.findIndex((l) => l.trim() !== '' && !l.startsWith('#'));
    assert.ok(lines.slice(firstCommand).every((l) => !l.startsWith('#SBATCH')));
  });

  test('each task runs dslab trial on its own trial, and the log ends with its exit status (run by bash)', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-batch-'));
    try {
      const script = path.join(tmp, 'array.sh');
      // A stand-in for node + dslab that prints its arguments and exits 3 for trial RegNetX 12.
      const fake = path.join(tmp, 'fake dslab');
      fs.writeFileSync(fake, '#!/bin/bash\necho "args: $*"\n[ "$3" = RegNetX ] && exit 3\nexit 0\n', { mode: 0o755 });
      fs.writeFileSync(script, batchScript(input({ dir: "/shared/it's here", dslab: [fake] })));
      const run = (task: number) => spawnSync('bash', [script], { env: { ...process.env, SLURM_ARRAY_TASK_ID: String(task) }, encoding: 'utf8' });
      const a3 = run(1);
      assert.equal(a3.status, 0);
      assert.equal(a3.stdout, "args: trial /shared/it's here A 3 --backend auto\ndslab trial exited with status 0\n");
      const r12 = run(2);
      assert.equal(r12.status, 3);
      assert.equal(r12.stdout, "args: trial /shared/it's here RegNetX 12 --backend auto\ndslab trial exited with status 3\n");
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('shell quoting leaves plain words alone and quotes the rest so that bash reads them back', () => {
    assert.equal(shellQuote('/opt/dslab/bin/dslab'), '/opt/dslab/bin/dslab');
    for (const word of ["it's", 'a b', '$HOME', '`x`', '"q"', '']) {
      const back = spawnSync('bash', ['-c', `printf %s ${shellQuote(word)}`], { encoding: 'utf8' }).stdout;
      assert.equal(back, word);
    }
  });
});

describe('Slurm settings', () => {
  test('flags replace the file\'s settings; sbatch arguments add up', () => {
    const file = { partition: 'cpu', time: '10', sbatchArgs: ['--account=a'] };
    assert.deepEqual(mergeSettings(file, { time: '20', sbatchArgs: ['--qos=high'] }), { partition: 'cpu', time: '20', sbatchArgs: ['--account=a', '--qos=high'] });
    assert.deepEqual(settingsFlags({ partition: 'gpu', parallel: 4, sbatchArgs: ['--qos=high'] }), ['--partition', 'gpu', '--parallel', '4', '--sbatch-arg=--qos=high']);
  });

  test('a value that cannot go into a batch script is named', () => {
    assert.equal(settingsProblem({ time: '1:30:00', mem: '16G', sbatchArgs: [] }), undefined);
    assert.match(settingsProblem({ time: 'soon', sbatchArgs: [] }) ?? '', /^time 'soon' is not a Slurm time limit/);
    assert.match(settingsProblem({ mem: '4X', sbatchArgs: [] }) ?? '', /^mem '4X'/);
    assert.match(settingsProblem({ sbatchArgs: ['account=x'] }) ?? '', /^sbatch argument 'account=x' is not an option/);
    assert.match(settingsProblem({ sbatchArgs: ['--comment=a\n#SBATCH --x'] }) ?? '', /must start with '-' and be one line/);
  });

  test('the executor section of a space file is validated at its line and column, and resolved as sbatch takes it', () => {
    const head = 'version: 1\nspaces:\n  A: { type: anynet, depth: 1, width: 8, bottleneck: 1, groupWidth: 1 }\n';
    const ok = parseSpaceText(`${head}executor:\n  type: slurm\n  time: 90\n  mem: 4000\n  gpusPerTask: 1\n  sbatchArgs: [--account=proj]\n`);
    assert.deepEqual(ok.resolved?.executor, { type: 'slurm', sbatchArgs: ['--account=proj'], time: '90', gpusPerTask: 1, mem: '4000' });
    assert.equal(parseSpaceText(head).resolved?.executor, undefined);
    const bad = parseSpaceText(`${head}executor:\n  type: pbs\n  time: 1:2:3:4\n  partiton: gpu\n`);
    const errors = bad.diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`);
    assert.deepEqual(errors, [
      "5:9 executor.type must be one of local, slurm, got the string 'pbs'",
      "6:9 executor.time must be a Slurm time limit: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS, got the string '1:2:3:4'",
      "7:3 unknown key 'partiton' in executor; did you mean 'partition'?",
    ]);
  });

  test('a sweep directory plainly local to this machine is told apart', () => {
    assert.equal(nodeLocalReason('/tmp/sweeps/x'), 'it is under /tmp');
    assert.equal(nodeLocalReason('/dev/shm/x'), 'it is under /dev/shm');
    assert.equal(nodeLocalReason('/tmpdata/x'), undefined);
    assert.equal(nodeLocalReason('/scratch/x', 0x01021994), "it is on tmpfs, in this machine's memory");
    assert.equal(nodeLocalReason('/home/ann/x', 0x6969), undefined);
  });
});
