import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { loadSweep } from '../../src/core/analysis/loadSweep';
import { trialDetailOf } from '../../src/core/analysis/panelData';
import { analyzeSweep } from '../../src/core/analysis/sweepAnalysis';
import { PanelSource, type PanelSourceRequest, type PanelSourceResponse } from '../../src/extension/panelSource';
import { WorkerSession } from '../../src/extension/workerThread';

const FIXTURE = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'sweeps', 'three-spaces');
const WORKER = path.join(__dirname, '..', '..', 'src', 'extension', 'panelWorker.js');

describe('the Results panel’s data in its worker', () => {
  const full = analyzeSweep(loadSweep(FIXTURE));
  const detailOf = (space: string, index: number) => trialDetailOf(full.spaces.find((s) => s.name === space)!.trials.find((t) => t.index === index)!);

  test('it answers with the analysis message, then with the details of the trials asked for', () => {
    const source = new PanelSource();
    assert.deepEqual(source.details(['RegNetX/4']), [], 'no analysis yet');
    const answer = source.answer({ type: 'analyze', dir: FIXTURE });
    assert.equal(answer.type, 'analysis');
    assert.deepEqual(source.answer({ type: 'details', keys: ['RegNetX/4', 'Nope/1', 'AnyNetX_A/99'] }), { type: 'details', details: [detailOf('RegNetX', 4)] });
  });

  test('a directory it cannot analyze is an error message, naming why', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-source-'));
    try {
      const answer = new PanelSource().answer({ type: 'analyze', dir });
      assert.equal(answer.type, 'error');
      assert.match((answer as { message: string }).message, /holds no sweep\.json/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the worker keeps its analysis between requests and answers them in order', async () => {
    const session = new WorkerSession<PanelSourceRequest, PanelSourceResponse>(WORKER);
    try {
      const [analysis, details] = await Promise.all([session.request({ type: 'analyze', dir: FIXTURE, selected: 'AnyNetX_E/3' }), session.request({ type: 'details', keys: ['AnyNetX_E/3'] })]);
      assert.equal('type' in analysis && analysis.type, 'analysis');
      assert.deepEqual(details, { type: 'details', details: [detailOf('AnyNetX_E', 3)] });
    } finally {
      session.dispose();
    }
    // Closed: what is still asked is answered with why, and a new request starts a new worker.
    const pending = session.request({ type: 'details', keys: ['AnyNetX_E/3'] });
    session.dispose();
    assert.deepEqual(await pending, { error: 'the panel was closed' });
  });
});
