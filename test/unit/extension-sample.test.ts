import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { readSpaceFile } from '../../src/core/space';
import { sampleSpace } from '../../src/core/sampling/sampler';
import { runSampleRequest, type SampleResponse } from '../../src/extension/sampleRequest';

const EXAMPLE_PATH = path.join(__dirname, '..', '..', '..', 'examples', 'space.regnet.yaml');
const EXAMPLE = fs.readFileSync(EXAMPLE_PATH, 'utf8');

describe('the Sample lens', () => {
  test('one space: its models, the same ones dslab sample draws', () => {
    const response = runSampleRequest({ text: EXAMPLE, fileName: 'space.regnet.yaml', space: 'RegNetX' });
    assert.ok('markdown' in response);
    const lines = response.markdown.split('\n');
    assert.equal(lines[0], '# Models sampled from space.regnet.yaml: RegNetX');
    const regnet = readSpaceFile(EXAMPLE_PATH).resolved!.spaces.find((s) => s.name === 'RegNetX')!;
    const models = sampleSpace(regnet).models;
    assert.equal(models.length, 32);
    const rows = lines.filter((l) => /^\| \d+ \|/.test(l));
    assert.equal(rows.length, 32);
    rows.forEach((row, i) => assert.ok(row.endsWith(` | ${(models[i].flops / 1e6).toFixed(2)} | ${(models[i].params / 1e3).toFixed(1)} | ${(models[i].acts / 1e3).toFixed(1)} |`), row));
    rows.forEach((row, i) => {
      const r = models[i].model.regnet!;
      assert.ok(row.startsWith(`| ${i} | ${r.depth} | ${r.w0} | ${r.wa} | ${r.wm} | `), row);
    });
  });

  test('every space, in file order', () => {
    const response = runSampleRequest({ text: EXAMPLE, fileName: 'space.regnet.yaml' });
    assert.ok('markdown' in response);
    assert.deepEqual(
      response.markdown.split('\n').filter((l) => l.startsWith('## ')).map((l) => l.split(' ')[1]),
      ['AnyNetX_A', 'AnyNetX_E', 'RegNetX'],
    );
  });

  test('a file with errors or an unknown space is refused with a reason', () => {
    assert.deepEqual(runSampleRequest({ text: 'version: 2\nspaces: {}\n', fileName: 'a.regnet.yaml' }), {
      error: 'a.regnet.yaml has 2 problems; fix them to sample (see the Problems view)',
    });
    assert.deepEqual(runSampleRequest({ text: EXAMPLE, fileName: 'space.regnet.yaml', space: 'Nope' }), { error: "no space named 'Nope' in space.regnet.yaml" });
  });

  test('the worker thread answers what the function computes', async () => {
    const request = { text: EXAMPLE, fileName: 'space.regnet.yaml', space: 'AnyNetX_E' };
    const worker = new Worker(path.join(__dirname, '..', '..', 'src', 'extension', 'sampleWorker.js'), { workerData: request });
    const response = await new Promise<SampleResponse>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    assert.deepEqual(response, runSampleRequest(request));
  });
});
