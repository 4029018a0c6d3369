/**
 * The Results panel's page in headless Chromium, outside VS Code (panelPage.ts). The tests play
 * the host: one posts an analysis of part of the fixture sweep, then of all of it (as trials
 * finish), the sweep's state, a theme change, and a message the protocol does not know; the other
 * a generated sweep of 5,000 trials, as large sweeps reach the panel. Skips only when no
 * Chromium is installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EDF_CHART_POINTS, SCATTER_CHART_POINTS, trialDetailOf, trialKey } from '../../src/core/analysis/panelData';
import { analysisMessage } from '../../src/core/analysis/panelProtocol';
import { runResultsRequest } from '../../src/extension/resultsRequest';
import { generatedAnalysis } from '../generatedSweep';
import { missingFile, skipUnless } from '../requirements';
import { CHROMIUM, openPanelPage } from './panelPage';

const ROOT = path.join(__dirname, '..', '..', '..');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'sweeps', 'three-spaces');
const skip = skipUnless(missingFile(CHROMIUM, 'Chromium'), "apt-get install chromium, or DSLAB_CHROMIUM=PATH");

test('the Results panel draws the analyses the host posts, in place, and tells the host what the user does', { skip, timeout: 90_000 }, async () => {
  const full = runResultsRequest({ dir: FIXTURE });
  assert.ok('analysis' in full, JSON.stringify(full));
  const analysis = full.analysis;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-panel-'));
  // Early in the sweep: the same directory with the records of the first three trials of each space.
  const partial = path.join(dir, 'sweep');
  fs.cpSync(FIXTURE, partial, { recursive: true, filter: (src) => !/[/\\]trials[/\\][^/\\]+[/\\]\d+\.json$/.test(src) || Number(path.basename(src, '.json')) < 3 });
  const response = runResultsRequest({ dir: partial });
  assert.ok('analysis' in response, JSON.stringify(response));
  const early = response.analysis;

  const { page, problems, posted, send, close } = await openPanelPage();
  try {
    assert.deepEqual(await posted(), [{ type: 'ready' }]);

    await send(analysisMessage(early));
    await page.waitForFunction(`document.body.classList.contains('drawn')`);
    const edfPoints = `window.dslabReport.charts.get('edf').data.datasets.map((d) => d.data.length)`;
    assert.deepEqual(await page.evaluate(edfPoints), [3, 4, 4]);
    assert.equal(await page.locator('#trials tbody tr').count(), 9);
    assert.match((await page.textContent('#progress')) ?? '', /: 9 of 24 trials recorded$/);
    // Colours come from the theme: the first space in --vscode-charts-blue.
    assert.equal(await page.evaluate(`window.dslabReport.charts.get('edf').data.datasets[0].borderColor`), '#1a85ff');

    // The user picks a property and a trial; the panel saves both and tells the host about the trial.
    await page.evaluate(`(() => { const s = document.getElementById('metric-select'); s.value = 'params'; s.dispatchEvent(new Event('change')); })()`);
    await page.click('#trials tbody tr[data-key="AnyNetX_E/1"]');
    assert.deepEqual((await posted()).slice(1), [{ type: 'select', space: 'AnyNetX_E', index: 1 }]);
    await page.dblclick('#trials tbody tr[data-key="AnyNetX_E/1"]');
    assert.deepEqual((await posted()).slice(-1), [{ type: 'openTrial', space: 'AnyNetX_E', index: 1 }]);
    const saved = (await page.evaluate('window.__state')) as Record<string, unknown>;
    assert.deepEqual({ file: saved.file, selected: saved.selected, chosen: saved.chosen, metric: saved.metric }, { file: 'file:///w/three.regnet.yaml', selected: 'AnyNetX_E/1', chosen: true, metric: 'params' });

    // More trials finished: the same Chart objects take the new data; the choices stay.
    const ids = `Array.from(window.dslabReport.charts.entries()).map(([k, c]) => k + ':' + c.id).sort()`;
    const before = await page.evaluate(ids);
    await send(analysisMessage(analysis));
    await page.waitForFunction(`document.querySelectorAll('#trials tbody tr').length === 24`);
    assert.deepEqual(await page.evaluate(ids), before);
    assert.deepEqual(await page.evaluate(edfPoints), [7, 9, 8]);
    assert.equal(await page.getAttribute('#trials tbody tr.selected', 'data-key'), 'AnyNetX_E/1');
    assert.equal(await page.evaluate(`window.dslabReport.state.metric`), 'params');
    assert.match(await page.evaluate(`window.dslabReport.charts.get('scatter:RegNetX').options.scales.x.title.text`) as string, /^params$/);

    // The running header: the task's count, the best error over the trials on disk.
    await send({ type: 'sweepState', state: { phase: 'running', done: 24, total: 30, best: { space: 'AnyNetX_A', error: 24 } } });
    assert.equal(await page.textContent('#sweep-state'), 'Running: 24 of 30 trials · best error 18.00% (RegNetX)');
    await send({ type: 'sweepState', state: { phase: 'cancelled', done: 24, total: 30, best: null } });
    assert.equal(await page.getAttribute('#sweep-state', 'data-phase'), 'cancelled');

    // The host selects a trial.
    await send({ type: 'select', key: 'RegNetX/4' });
    assert.equal(await page.getAttribute('#trials tbody tr.selected', 'data-key'), 'RegNetX/4');
    assert.match((await page.textContent('#width-caption')) ?? '', /^RegNetX #4 · error 18\.00%/);

    // A theme change (VS Code swaps the body class and the variables): the charts take the new colours.
    await page.evaluate(`(() => {
      document.documentElement.style.setProperty('--vscode-charts-blue', '#3794ff');
      document.body.classList.replace('vscode-light', 'vscode-dark');
    })()`);
    await page.waitForFunction(`window.dslabReport.charts.get('edf').data.datasets[0].borderColor === '#3794ff'`, undefined, { timeout: 5_000 });

    // What the protocol does not know is refused and reported, not drawn.
    await send({ type: 'analysis', analysis: { name: 'x' } });
    const last = (await posted()).slice(-1)[0] as { type: string; message: string };
    assert.equal(last.type, 'error');
    assert.match(last.message, /^the panel got a message it does not know: \{"type":"analysis"/);
    assert.equal(await page.locator('#trials tbody tr').count(), 24);

    assert.deepEqual(problems, []);
  } finally {
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a sweep of 5,000 trials: slim first message, thinned charts, a table of the rows in view, details on selection', { skip, timeout: 120_000 }, async () => {
  const big = generatedAnalysis(5000);
  const trials = big.spaces[0].trials;
  const ranked = trials.filter((t) => t.error !== null).sort((a, b) => (a.error as number) - (b.error as number));
  const message = analysisMessage(big);
  const { page, problems, posted, send, close } = await openPanelPage('file:///w/.dslab/generated');
  try {
    await send(message);
    await page.waitForFunction(`document.body.classList.contains('drawn')`);
    // Every chart draws at most a few thousand points; the scatter says how many of how many.
    const points = (await page.evaluate(`Object.fromEntries(Array.from(window.dslabReport.charts.entries()).map(([k, c]) => [k, c.data.datasets.reduce((n, d) => n + d.data.length, 0)]))`)) as Record<string, number>;
    assert.ok(points.edf <= EDF_CHART_POINTS + 2 && points['scatter:generated'] <= SCATTER_CHART_POINTS + 1, JSON.stringify(points));
    assert.match(await page.evaluate(`window.dslabReport.charts.get('scatter:generated').options.plugins.subtitle.text`) as string, /^drawn: [\d,]+ of 5,000 trials/);
    // The table holds the rows in view, not 5,000; sorted by error, the best first.
    const drawnRows = await page.locator('#trials tbody tr[data-key]').count();
    assert.ok(drawnRows > 5 && drawnRows < 100, `${drawnRows} rows drawn`);
    assert.equal(await page.getAttribute('#trials', 'aria-rowcount'), '5001');
    assert.equal(await page.getAttribute('#trials tbody tr[data-key]:first-child', 'data-key'), trialKey(ranked[0]));
    // The best trial is selected and drawn from the details the message brought.
    assert.match((await page.textContent('#width-caption')) ?? '', new RegExp(`^generated #${ranked[0].index} · error`));
    assert.ok(((await page.evaluate(`document.querySelectorAll('#model-select vscode-option').length`)) as number) <= 200);

    // By keyboard: End goes to the last row of all (drawn once scrolled to), Home back to the first.
    await page.locator('#trials tbody tr[tabindex="0"]').focus();
    await page.keyboard.press('End');
    assert.equal(await page.evaluate(`document.activeElement.dataset.key`), trialKey(ranked[ranked.length - 1]));
    await page.keyboard.press('PageUp');
    await page.keyboard.press('ArrowUp');
    const up = (await page.evaluate(`document.activeElement.dataset.key`)) as string;
    assert.ok(ranked.findIndex((t) => trialKey(t) === up) < ranked.length - 10, up);
    await page.keyboard.press('Home');
    assert.equal(await page.evaluate(`document.activeElement.dataset.key`), trialKey(ranked[0]));
    // Sorting by # puts trial 0 first.
    await page.locator('#trials th button', { hasText: /^#$/ }).click();
    assert.equal(await page.getAttribute('#trials tbody tr[data-key]:first-child', 'data-key'), 'generated/0');

    // Selecting a trial whose details did not come asks the host for them, and draws them when they come.
    const middle = ranked[2500];
    await page.evaluate(`window.dslabReport.select('${trialKey(middle)}', true)`);
    assert.match((await page.textContent('#width-caption')) ?? '', /reading its widths…$/);
    assert.deepEqual((await posted()).slice(-2), [{ type: 'details', keys: [trialKey(middle)] }, { type: 'select', space: 'generated', index: middle.index }]);
    assert.equal(await page.getAttribute('#trials tbody tr.selected', 'data-key'), trialKey(middle), 'the table scrolled to the selected row');
    await send({ type: 'details', details: [trialDetailOf(middle)] });
    assert.match((await page.textContent('#width-caption')) ?? '', new RegExp(`^generated #${middle.index} · error ${(middle.error as number).toFixed(2)}%`));
    assert.equal(await page.evaluate(`window.dslabReport.charts.get('widths').data.datasets[0].data.length`), middle.blockWidths.length);

    // A chart's arrows step through the trials in error order; the table follows.
    await page.locator('#edf-chart').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getAttribute('#trials tbody tr.selected', 'data-key'), trialKey(ranked[1]));
    assert.ok(await page.evaluate(`window.dslabReport.charts.get('edf').options.plugins.selectedMark !== null`));
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});
