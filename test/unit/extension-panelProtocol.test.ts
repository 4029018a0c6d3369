import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { loadSweep } from '../../src/core/analysis/loadSweep';
import { analysisMessage, isHostToPanelMessage, isPanelMessage, isSweepRunState, type SweepRunState } from '../../src/core/analysis/panelProtocol';
import { panelAnalysisOf, type PanelAnalysis } from '../../src/core/analysis/panelData';
import { idleState, statusBarText, sweepStateText, withAnalysis } from '../../src/core/presentation/runState';
import { blankViewState, defaultMetric, defaultSelection, metricNames, reduceViewState, restoreViewState, trialAtError, type ViewState } from '../../src/core/analysis/panelState';
import { analyzeSweep } from '../../src/core/analysis/sweepAnalysis';
import { SweepProgress } from '../../src/core/presentation/sweepText';
import { count, groupThousands } from '../../src/core/presentation/counts';
import { summaryCells } from '../../src/core/analysis/summaryTable';

const FIXTURE = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'sweeps', 'three-spaces');
const full = analyzeSweep(loadSweep(FIXTURE));
const analysis = panelAnalysisOf(full);

/** The state after the first analysis, before any choice. */
const initialViewState = (a: PanelAnalysis, file?: string): ViewState => reduceViewState(blankViewState(file), { type: 'analysis', analysis: a });

/** The analysis with only some trials of each space, as during a sweep. */
function partial(keep: (space: string, index: number) => boolean): PanelAnalysis {
  return { ...analysis, spaces: analysis.spaces.map((s) => ({ ...s, trials: s.trials.filter((t) => keep(s.name, t.index)) })) };
}

describe('the Results panel message protocol', () => {
  const state: SweepRunState = { phase: 'running', done: 3, total: 8, best: { space: 'A', error: 11.2 } };

  test('host → panel messages pass their guard; malformed ones do not', () => {
    const message = JSON.parse(JSON.stringify(analysisMessage(full)));
    assert.equal(isHostToPanelMessage(message), true);
    assert.equal(isHostToPanelMessage({ type: 'details', details: message.details.slice(0, 2) }), true);
    assert.equal(isHostToPanelMessage({ type: 'sweepState', state }), true);
    assert.equal(isHostToPanelMessage({ type: 'sweepState', state: { ...state, best: null, phase: 'cancelled' } }), true);
    assert.equal(isHostToPanelMessage({ type: 'select', key: 'AnyNetX_A/3' }), true);
    assert.equal(isHostToPanelMessage({ type: 'error', message: 'no sweep.json' }), true);
    for (const bad of [
      null,
      'analysis',
      { type: 'analysis' },
      { type: 'analysis', analysis: { ...message.analysis, spaces: 'none' }, details: [] },
      { type: 'analysis', analysis: { ...message.analysis, progress: { recorded: -1, planned: 2 } }, details: [] },
      { type: 'analysis', analysis: message.analysis },
      // The trials as objects (the full analysis), not as columns.
      { type: 'analysis', analysis: JSON.parse(JSON.stringify(full)), details: [] },
      // A column shorter than the others.
      { type: 'analysis', analysis: { ...message.analysis, spaces: [{ ...message.analysis.spaces[0], trials: { ...message.analysis.spaces[0].trials, error: [1] } }] }, details: [] },
      { type: 'details', details: [{ space: 'A', index: 1 }] },
      { type: 'select', key: '../x/1' },
      { type: 'sweepState', state: { ...state, phase: 'paused' } },
      { type: 'sweepState', state: { ...state, done: 1.5 } },
      { type: 'sweepState', state: { ...state, best: { space: 'A', error: Number.NaN } } },
      { type: 'select', key: 'AnyNetX_A' },
      { type: 'error' },
      { type: 'ready' },
    ]) {
      assert.equal(isHostToPanelMessage(bad), false, JSON.stringify(bad));
    }
  });

  test('panel → host messages pass their guard; malformed ones do not', () => {
    assert.equal(isPanelMessage({ type: 'ready' }), true);
    assert.equal(isPanelMessage({ type: 'select', space: 'RegNetX', index: 4 }), true);
    assert.equal(isPanelMessage({ type: 'openTrial', space: 'RegNetX', index: 0 }), true);
    assert.equal(isPanelMessage({ type: 'error', message: 'x' }), true);
    assert.equal(isPanelMessage({ type: 'details', keys: ['RegNetX/4', 'AnyNetX_A/0'] }), true);
    for (const bad of [undefined, [], { type: 'details', keys: ['../etc/1'] }, { type: 'details', keys: 'RegNetX/4' }, { type: 'details', keys: Array.from({ length: 65 }, (_, i) => `A/${i}`) }, { type: 'select', space: 'RegNetX' }, { type: 'select', space: '', index: 1 }, { type: 'openTrial', space: 'R', index: -1 }, { type: 'analysis', analysis }, { type: 'openTrial', space: '../../etc', index: 0 }, { type: 'openTrial', space: 'a/b', index: 0 }, { type: 'openTrial', space: '.hidden', index: 0 }]) {
      assert.equal(isPanelMessage(bad), false, JSON.stringify(bad));
    }
  });

  test('the running header says where the sweep stands', () => {
    assert.equal(sweepStateText(state), 'Running: 3 of 8 trials · best error 11.20% (A)');
    assert.equal(sweepStateText({ ...state, phase: 'cancelled', best: null }), 'Cancelled: 3 of 8 trials; run it again to resume');
    assert.equal(sweepStateText({ ...state, phase: 'done', done: 8 }), 'Done: 8 of 8 trials · best error 11.20% (A)');
    assert.equal(isSweepRunState({ ...state, phase: 'stopping' }), true);
  });

  test('counts of a large sweep are grouped by thousands, as in every message', () => {
    assert.equal(sweepStateText({ phase: 'idle', done: 24743, total: 25000, best: null, imported: true }), '24,743 of 25,000 trials recorded; the others did not finish where they were trained');
    assert.equal(sweepStateText({ phase: 'done', done: 1500, total: 1500, best: null, space: 'A', file: { done: 1500, total: 4500 } }), 'Done: 1,500 of 1,500 trials of A (1,500 of 4,500 in the file); the file has trials left to train');
    assert.equal(count(1, 'trial'), '1 trial');
    assert.equal(count(1000000, 'job'), '1,000,000 jobs');
    assert.equal(groupThousands(999), '999');
    const { trials: _trials, ...space } = analysis.spaces[0];
    assert.deepEqual(summaryCells({ ...space, n: 24743, missing: 1257 }).slice(2, 6), ['24,743', String(space.failed), String(space.diverged), '1,257']);
  });

  test('the header’s best error and counts cover the trials on disk, not only those of this run', () => {
    assert.deepEqual(withAnalysis({ ...state, best: { space: 'AnyNetX_A', error: 30 } }, analysis).best, { space: 'RegNetX', error: 18 });
    assert.deepEqual(withAnalysis({ ...state, best: { space: 'X', error: 5 } }, analysis).best, { space: 'X', error: 5 });
    assert.equal(withAnalysis(state, undefined), state);
    const { recorded, planned } = analysis.progress;
    assert.deepEqual(withAnalysis(state, analysis).file, { done: recorded, total: planned });
  });

  test('a run of one space says so, and what the file still lacks', () => {
    const one: SweepRunState = { phase: 'done', done: 6, total: 6, best: null, space: 'RegNetX', file: { done: 6, total: 18 } };
    assert.equal(sweepStateText(one), 'Done: 6 of 6 trials of RegNetX (6 of 18 in the file); the file has trials left to train');
    assert.equal(sweepStateText({ ...one, file: { done: 18, total: 18 } }), 'Done: 6 of 6 trials of RegNetX (18 of 18 in the file)');
    assert.equal(isSweepRunState(one), true);
    assert.equal(isSweepRunState({ ...one, file: { done: -1, total: 18 } }), false);
    assert.equal(isSweepRunState({ ...one, space: '../x' }), false);
  });

  test('a failed sweep says why; a sweep no task runs says what is on disk', () => {
    assert.equal(sweepStateText({ ...state, phase: 'failed', best: null, reason: 'no space named B' }), 'Stopped with an error: 3 of 8 trials: no space named B');
    const idle = idleState(analysis);
    assert.equal(idle.phase, 'idle');
    assert.equal(idle.done, analysis.progress.recorded);
    assert.match(sweepStateText(idle), new RegExp(`^${analysis.progress.recorded} of ${analysis.progress.planned} trials recorded · best error `));
    // Trials missing from a sweep of this machine are trained by Sample & Train; an import's did not finish where they were trained.
    const missing = { ...idle, done: 20, total: 24 };
    assert.match(sweepStateText(missing), /; Sample & Train trains the rest$/);
    const imported = idleState({ ...analysis, progress: { ...analysis.progress, recorded: 15, planned: 17 }, imported: { format: 'pycls', source: 's.json', entries: 17, unfinished: [] } });
    assert.equal(sweepStateText(imported), '15 of 17 trials recorded · best error 18.00% (RegNetX); the others did not finish where they were trained');
    assert.equal(isSweepRunState(imported), true);
  });

  test('the status bar names an ended run’s phase', () => {
    assert.equal(statusBarText(state), 'dslab 3/8 · best 11.2%');
    assert.equal(statusBarText({ ...state, phase: 'cancelled' }), 'dslab cancelled 3/8 · best 11.2%');
    assert.equal(statusBarText({ ...state, phase: 'done', done: 8, best: null }), 'dslab done 8/8');
    assert.equal(statusBarText({ ...state, round: { round: 2, rounds: 4 }, best: null }), 'dslab 3/8 · round 2/4');
  });

  test('the task’s progress becomes the panel’s state; a stopped sweep ends cancelled', () => {
    const p = new SweepProgress('run the task again');
    p.apply({ type: 'started', total: 4, done: 1, todo: 3, dir: '/d', created: false } as never);
    assert.deepEqual(p.runState('running'), { phase: 'running', done: 1, total: 4, best: null });
    assert.equal(p.endPhase(130, true), 'cancelled');
    assert.equal(p.endPhase(1, false), 'failed');
    p.apply({ type: 'finished', summary: { done: 4, total: 4, remaining: 0, interrupted: false, spaces: [], dir: '/d', wallSeconds: 1, trained: 3 } } as never);
    assert.equal(p.endPhase(0, false), 'done');
  });
});

describe('the views’ state', () => {
  test('by default the lowest-error trial is selected and the complexity metric shown', () => {
    assert.equal(defaultSelection(analysis), 'RegNetX/4');
    assert.equal(defaultMetric(analysis), 'flops');
    assert.ok(metricNames(analysis).includes('efit'));
    assert.deepEqual(initialViewState(analysis, 'file:///w/a.regnet.yaml'), { file: 'file:///w/a.regnet.yaml', selected: 'RegNetX/4', chosen: false, metric: 'flops', normalized: false, scroll: 0 });
  });

  test('a click on an EDF step names the trial with that error; the start point none', () => {
    const e = analysis.spaces.find((s) => s.name === 'AnyNetX_E')!;
    assert.equal(trialAtError(e, 27)?.index, 3);
    assert.equal(trialAtError(e, 27.5), undefined);
  });

  test('choices survive a new analysis while it can still show them', () => {
    let s: ViewState = initialViewState(partial((_, i) => i < 2));
    s = reduceViewState(s, { type: 'select', key: 'AnyNetX_E/1', analysis: partial((_, i) => i < 2) });
    s = reduceViewState(s, { type: 'metric', metric: 'params', analysis });
    s = reduceViewState(s, { type: 'normalized', value: true, analysis });
    s = reduceViewState(s, { type: 'scroll', y: 640 });
    assert.deepEqual(s, { selected: 'AnyNetX_E/1', chosen: true, metric: 'params', normalized: true, scroll: 640 });
    // More trials arrive: every choice stays.
    assert.deepEqual(reduceViewState(s, { type: 'analysis', analysis }), s);
    // The selected trial is gone (its record was retrained): back to the best one.
    const without = partial((space, i) => !(space === 'AnyNetX_E' && i === 1));
    assert.deepEqual(reduceViewState(s, { type: 'analysis', analysis: without }), { ...s, selected: 'RegNetX/4', chosen: false });
  });

  test('before the user chooses, the selection follows the best trial as trials finish', () => {
    const early = partial((space, i) => space === 'AnyNetX_A' && i < 2);
    const s = initialViewState(early);
    assert.equal(s.selected, defaultSelection(early));
    assert.notEqual(s.selected, 'RegNetX/4');
    assert.equal(reduceViewState(s, { type: 'analysis', analysis }).selected, 'RegNetX/4');
  });

  test('choices the analysis cannot show are ignored', () => {
    const s = initialViewState(analysis);
    assert.equal(reduceViewState(s, { type: 'select', key: 'Nope/1', analysis }), s);
    assert.equal(reduceViewState(s, { type: 'metric', metric: 'color', analysis }), s);
    assert.equal(reduceViewState(s, { type: 'scroll', y: -5 }), s);
    const noNormalized = { ...analysis, spaces: analysis.spaces.map((x) => ({ ...x, normalized: null })) };
    assert.equal(reduceViewState(s, { type: 'normalized', value: true, analysis: noNormalized }).normalized, false);
    const empty = partial(() => false);
    assert.deepEqual(reduceViewState(s, { type: 'analysis', analysis: empty }), { ...s, selected: null, chosen: false, metric: null });
  });

  test('a saved state reads back; what does not check out falls back', () => {
    assert.deepEqual(restoreViewState({ file: 'file:///a', selected: 'A/1', metric: 'flops', normalized: true, band: true, scroll: 12 }), {
      file: 'file:///a',
      selected: 'A/1',
      chosen: false,
      metric: 'flops',
      normalized: true,
      band: true,
      scroll: 12,
    });
    assert.deepEqual(restoreViewState({ selected: 3, chosen: 1, normalized: 'yes', band: 1, scroll: -1 }), { selected: null, chosen: false, metric: null, normalized: false, band: false, scroll: 0 });
    assert.equal(restoreViewState(undefined), undefined);
  });
});
