/**
 * The Results panel's page in headless Chromium, outside VS Code: the shell the host renders,
 * the bundled script and the theme stylesheet, with a stand-in for the webview API that records
 * what the panel posts and saves. The test plays the host: it posts an analysis of part of the
 * fixture sweep, then of all of it (as trials finish), the sweep's state, a theme change, and a
 * message the protocol does not know. Skips only when no Chromium is installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HostToPanelMessage } from '../../src/core/analysis/panelProtocol';
import { runResultsRequest } from '../../src/extension/resultsRequest';
import { panelHtml } from '../../src/extension/webviewHtml';
import { missingFile, skipUnless } from '../requirements';

const ROOT = path.join(__dirname, '..', '..', '..');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'sweeps', 'three-spaces');
const CHROMIUM = process.env.DSLAB_CHROMIUM ?? '/usr/bin/chromium';
const skip = skipUnless(missingFile(CHROMIUM, 'Chromium'), "apt-get install chromium, or DSLAB_CHROMIUM=PATH");

/** What VS Code provides to a webview: the API object and the theme's variables on the root. */
const WEBVIEW_STAND_IN = `
window.__posted = [];
window.__state = undefined;
window.acquireVsCodeApi = () => ({
  postMessage: (m) => window.__posted.push(m),
  getState: () => window.__state,
  setState: (s) => { window.__state = s; },
});
document.addEventListener('DOMContentLoaded', () => {
  document.body.classList.add('vscode-light');
  const vars = { '--vscode-editor-background': '#ffffff', '--vscode-editor-foreground': '#333333', '--vscode-charts-blue': '#1a85ff',
    '--vscode-charts-red': '#e51400', '--vscode-charts-green': '#388a34', '--vscode-editorWidget-border': '#c8c8c8' };
  for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
});
`;

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

  const page0 = path.join(dir, 'panel.html');
  fs.writeFileSync(
    page0,
    panelHtml({
      nonce: 'TESTNONCE',
      cspSource: 'file:',
      scriptUri: pathToFileURL(path.join(ROOT, 'out', 'webview', 'panel.js')).href,
      styleUri: pathToFileURL(path.join(ROOT, 'media', 'panel.css')).href,
      file: 'file:///w/three.regnet.yaml',
      title: 'Results: three.regnet.yaml',
    }),
  );

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'], headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
    await page.addInitScript(WEBVIEW_STAND_IN);
    await page.goto(pathToFileURL(page0).href);
    const posted = (): Promise<unknown[]> => page.evaluate('window.__posted') as Promise<unknown[]>;
    const send = (m: HostToPanelMessage | Record<string, unknown>): Promise<unknown> => page.evaluate((msg) => (globalThis as unknown as { postMessage(m: unknown, origin: string): void }).postMessage(msg, '*'), m);
    await page.waitForFunction('window.__posted.length > 0');
    assert.deepEqual(await posted(), [{ type: 'ready' }]);

    await send({ type: 'analysis', analysis: early });
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
    await send({ type: 'analysis', analysis });
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
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
