import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import type { ImportProgress } from '../../src/core/interop/importFile';
import { loadSweep } from '../../src/core/analysis/loadSweep';
import { runImportRequest, type ImportRequest, type ImportResponse } from '../../src/extension/importRequest';
import { runWorker } from '../../src/extension/workerThread';

const ROOT = path.join(__dirname, '..', '..', '..');
const PYCLS = path.join(ROOT, 'test', 'fixtures', 'interop', 'cifar_regnet', 'sweep.json');
const WORKER = path.join(__dirname, '..', '..', 'src', 'extension', 'importWorker.js');

function request(out: string, file = PYCLS): ImportRequest {
  return { file, format: 'pycls', name: 'cifar_regnet', out, tool: { name: 'test', version: '0' }, cancel: new SharedArrayBuffer(4) };
}

describe('importing a file in the editor', () => {
  test('the import reports its steps and writes the sweep directory the panel opens', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-import-'));
    try {
      const out = path.join(dir, '.dslab', 'cifar_regnet');
      const steps: ImportProgress[] = [];
      const response = runImportRequest(request(out), (p) => steps.push(p));
      assert.deepEqual(response, { imported: { out, entries: 17, recorded: 15, unfinished: 2, foreign: 1 } });
      assert.deepEqual(steps, [{ step: 'read' }, { step: 'rebuild' }, { step: 'write', done: 0, total: 15 }, { step: 'write', done: 15, total: 15 }]);
      assert.equal(loadSweep(out).records.length, 15);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('cancelled while writing: no half-written folder, the earlier import as it was', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-import-'));
    try {
      const out = path.join(dir, 'cifar_regnet');
      assert.ok('imported' in runImportRequest(request(out), () => undefined));
      const before = fs.readFileSync(path.join(out, 'sweep.json'), 'utf8');
      const again = request(out);
      const response = runImportRequest(again, (p) => {
        if (p.step === 'write') Atomics.store(new Int32Array(again.cancel), 0, 1);
      });
      assert.deepEqual(response, { cancelled: true });
      assert.deepEqual(fs.readdirSync(dir), ['cifar_regnet']);
      assert.equal(fs.readFileSync(path.join(out, 'sweep.json'), 'utf8'), before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a file with a bad entry is an error naming the file and the entry; nothing is written', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-import-'));
    try {
      const jobs = JSON.parse(fs.readFileSync(PYCLS, 'utf8').replace(/\bNaN\b/g, 'null')) as { cfg: { ANYNET: { WIDTHS: unknown } } }[];
      jobs[3].cfg.ANYNET.WIDTHS = 'wide';
      const bad = path.join(dir, 'sweep.json');
      fs.writeFileSync(bad, JSON.stringify(jobs));
      const response = runImportRequest(request(path.join(dir, 'out'), bad), () => undefined);
      assert.ok('error' in response);
      assert.match(response.error, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: entry 3: cfg\\.ANYNET\\.WIDTHS: `));
      assert.ok(!fs.existsSync(path.join(dir, 'out')));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('in a worker thread: its progress comes to the host before its answer', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-import-'));
    try {
      const steps: string[] = [];
      const response = await runWorker<ImportRequest, ImportResponse, ImportProgress>(WORKER, request(path.join(dir, 'cifar_regnet')), undefined, (p) => steps.push(p.step));
      assert.ok(response && 'imported' in response, JSON.stringify(response));
      assert.deepEqual(steps, ['read', 'rebuild', 'write', 'write']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
