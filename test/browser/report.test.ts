/**
 * The HTML report in a real browser: headless Chromium opens the report of the fixture sweep
 * from a file, with the network cut off, and every chart must have drawn its data without a
 * console error. Saves a screenshot to out/report.png (docs/report.png with DSLAB_UPDATE_DOCS=1). Skips only when no Chromium is
 * installed (CI installs Debian's `chromium`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { missingFile, skipUnless } from '../requirements';

const ROOT = path.join(__dirname, '..', '..', '..');
const DSLAB = path.join(ROOT, 'bin', 'dslab');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'sweeps', 'three-spaces');
const CHROMIUM = process.env.DSLAB_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface ChartState {
  id: string;
  type: string;
  points: number[];
  /** Canvas pixels that are not transparent. */
  painted: number;
}

// Runs in the page: every chart of the report with its dataset sizes and painted pixels.
const CHART_STATES = `Array.from(window.dslabReport.charts.entries()).map(([id, c]) => {
  const ctx = c.canvas.getContext('2d');
  const img = ctx.getImageData(0, 0, c.canvas.width, c.canvas.height).data;
  let painted = 0;
  for (let i = 3; i < img.length; i += 4) if (img[i] !== 0) painted++;
  return { id, type: c.config.type, points: c.data.datasets.map((d) => d.data.length), painted };
})`;

const skip = skipUnless(missingFile(CHROMIUM, 'Chromium'), "apt-get install chromium, or DSLAB_CHROMIUM=PATH");

test('the HTML report of the fixture sweep draws every chart, offline, without console errors', { skip, timeout: 90_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-report-'));
  const html = path.join(dir, 'report.html');
  const r = spawnSync(process.execPath, [DSLAB, 'analyze', FIXTURE, '--html', html], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);

  // Loaded lazily so that a machine without the dev dependency can still run the other tests.
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(html).href);
    await page.waitForFunction('window.dslabReport !== undefined', undefined, { timeout: 20_000 });

    const charts = (await page.evaluate(CHART_STATES)) as ChartState[];
    const byId = new Map(charts.map((c) => [c.id, c]));
    assert.deepEqual(
      charts.map((c) => c.id).sort(),
      ['curves', 'edf', 'scatter:AnyNetX_A', 'scatter:AnyNetX_E', 'scatter:RegNetX', 'search', 'widths'],
    );
    for (const c of charts) {
      assert.ok(c.points.length > 0 && c.points.every((n) => n > 0), `${c.id}: datasets ${JSON.stringify(c.points)}`);
      assert.ok(c.painted > 1000, `${c.id}: only ${c.painted} pixels painted`);
    }
    // EDF: one step curve per space, the start point (x0, 0) plus one point per distinct error.
    assert.deepEqual(byId.get('edf')?.points, [7, 9, 8]);
    // Scatter: one dot per ok trial (flops is the sweep's complexity metric).
    assert.deepEqual(byId.get('scatter:AnyNetX_A')?.points, [6]);
    assert.deepEqual(byId.get('scatter:RegNetX')?.points, [8]);

    // The normalized checkbox (a vscode-checkbox) redraws the EDFs with the complexity weights, in place.
    const edfBefore = await page.evaluate(`window.dslabReport.charts.get('edf').id`);
    await page.click('#edf-normalized');
    const legend = (await page.evaluate(`window.dslabReport.charts.get('edf').data.datasets.map((d) => d.label)`)) as string[];
    assert.equal(legend.length, 3);
    assert.match(legend[2], /^RegNetX \| \d+ \| \d+\.\d \| \d+\.\d$/);
    assert.equal(await page.evaluate(`window.dslabReport.charts.get('edf').id`), edfBefore, 'the EDF chart is updated, not re-created');
    assert.equal(await page.evaluate(`window.dslabReport.state.normalized`), true);

    // Confidence bands: each space's normalized EDF gets its two DKW bounds, filled between,
    // and the caption names each band's half-width and effective size.
    await page.click('#edf-band');
    const withBands = (await page.evaluate(`window.dslabReport.charts.get('edf').data.datasets.map((d) => d.label)`)) as string[];
    assert.deepEqual(withBands.length, 9);
    assert.match(withBands[1], /^AnyNetX_A band$/);
    assert.match(await page.textContent('#edf-band-caption') ?? '', /^shaded: 95% simultaneous \(DKW\) bands: AnyNetX_A ±0\.61 \(n_eff = 4\.9\), AnyNetX_E ±0\.49 \(n_eff = 7\.7\), RegNetX ±0\.52 \(n_eff = 6\.9\)$/);
    await page.click('#edf-band');
    assert.equal(((await page.evaluate(`window.dslabReport.charts.get('edf').data.datasets.length`)) as number), 3);

    // Clicking a trial in the table selects it in every view: the model select, the width chart,
    // the enlarged point of its scatter chart, its step of the EDF and its training curve.
    await page.click('#trials tbody tr[data-key="AnyNetX_E/3"]');
    assert.equal(await page.evaluate(`document.getElementById('model-select').value`), 'AnyNetX_E/3');
    const marks = (await page.evaluate(`(() => {
      const c = window.dslabReport.charts;
      const scatter = c.get('scatter:AnyNetX_E').data.datasets[0];
      const big = scatter.pointRadius.map((r, i) => [r, i]).filter(([r]) => r === 7).map(([, i]) => scatter.data[i].y);
      const edf = c.get('edf').data.datasets.map((d) => d.pointRadius.filter((r) => r > 0).length);
      const curves = c.get('curves').data.datasets.filter((d) => d.label.includes('AnyNetX_E #3')).map((d) => d.borderWidth);
      return { big, edf, curves };
    })()`)) as { big: number[]; edf: number[]; curves: number[] };
    assert.deepEqual(marks, { big: [27], edf: [0, 1, 0], curves: [4] });
    const caption = await page.textContent('#width-caption');
    assert.match(caption ?? '', /^AnyNetX_E #3 · error 27\.00% · .* · d = 9 · d_i = \[1, 3, 5\] · w_i = \[8, 80, 96\] · quantized linear fit: w0 = \d+, wa = [\d.]+, wm = [\d.]+, e_fit = \d\.\d{3}$/);
    assert.equal(await page.getAttribute('#trials tbody tr.selected', 'data-key'), 'AnyNetX_E/3');

    // Sorting by error, descending after a second click: the worst ok trial first.
    const errorHeader = page.locator('#trials th', { hasText: /^error$/ });
    await errorHeader.click();
    assert.equal(await page.getAttribute('#trials tbody tr:first-child', 'data-key'), 'AnyNetX_A/6');

    // By keyboard: Enter on a column button sorts; the rows hold one tab stop (the selected row);
    // the arrows move it and Enter selects the focused row everywhere.
    await page.locator('#trials th button', { hasText: /^#$/ }).focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute('#trials th:nth-child(2)', 'aria-sort'), 'ascending');
    assert.deepEqual(await page.$$eval('#trials tbody tr[tabindex="0"]', (rows) => rows.map((r) => r.getAttribute('data-key'))), ['AnyNetX_E/3']);
    await page.locator('#trials tbody tr[tabindex="0"]').focus();
    await page.keyboard.press('Home');
    const first = await page.getAttribute('#trials tbody tr:first-child', 'data-key');
    await page.keyboard.press('ArrowDown');
    const second = await page.getAttribute('#trials tbody tr:nth-child(2)', 'data-key');
    assert.equal(await page.evaluate(`document.activeElement.dataset.key`), second);
    assert.notEqual(first, second);
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute('#trials tbody tr.selected', 'data-key'), second);
    assert.equal(await page.getAttribute('#trials tbody tr.selected', 'aria-selected'), 'true');
    assert.match((await page.textContent('#width-caption')) ?? '', new RegExp(`^${second!.replace('/', ' #')} · `));
    // The small charts say what they rest on.
    assert.match((await page.textContent('#search-caption')) ?? '', /the curves rest on AnyNetX_A: \d+, AnyNetX_E: \d+, RegNetX: \d+ trials/);
    assert.match((await page.textContent('#curve-caption')) ?? '', /^test error per epoch; best and worst of all spaces/);
    assert.equal(await page.getAttribute('#edf-chart', 'role'), 'img');
    // A chart by keyboard: Home selects the best trial, the arrow the next one in error order.
    await page.locator('#edf-chart').focus();
    await page.keyboard.press('Home');
    const best = await page.getAttribute('#trials tbody tr.selected', 'data-key');
    await page.keyboard.press('ArrowRight');
    const next = await page.getAttribute('#trials tbody tr.selected', 'data-key');
    assert.ok(best !== null && next !== null && best !== next, `${best} then ${next}`);
    const errorOf = async (key: string): Promise<number> => Number(await page.textContent(`#trials tbody tr[data-key="${key}"] td:nth-child(4)`));
    assert.ok((await errorOf(best!)) <= (await errorOf(next!)));
    assert.ok(((await page.getAttribute('#edf-chart', 'aria-label')) ?? '').length > 20);

    // Split by a property: one EDF per value pooled over the spaces that have it, and the
    // findings of the split under it; with no split, neither.
    assert.equal(await page.evaluate(`document.getElementById('split-box').hidden`), true);
    await page.evaluate(`(() => { const s = document.getElementById('split-select'); s.value = 'g'; s.dispatchEvent(new Event('change')); })()`);
    const split = (await page.evaluate(`window.dslabReport.charts.get('split').data.datasets.map((d) => [d.label, d.data.length])`)) as [string, number][];
    assert.deepEqual(split.map(([label]) => label.split(' | ')[0]), ['g = 1', 'g = 2', 'g = 4', 'g = 8']);
    assert.equal(await page.evaluate(`window.dslabReport.state.split`), 'g');
    const splitFindings = (await page.$$eval('#split-findings li', (items) => items.map((i) => i.textContent))) as string[];
    assert.ok(splitFindings.some((f) => /^Left out: 14 ok trials without g\.$/.test(f ?? '')), JSON.stringify(splitFindings));
    // Trends across complexity: of the property chosen above (not of the complexity itself); the
    // fixture's bins are too small for a bootstrap, and the caption says so. The groups' medians per bin are tabled.
    assert.match((await page.textContent('#trend-caption')) ?? '', /^the flops bins are the axis here/);
    await page.evaluate(`(() => { const s = document.getElementById('metric-select'); s.value = 'wm'; s.dispatchEvent(new Event('change')); })()`);
    assert.match((await page.textContent('#trend-caption')) ?? '', /^no best wm per flops bin yet/);
    assert.match((await page.textContent('#trend-groups')) ?? '', /RegNetXg = 1/);

    assert.deepEqual(problems, []);
    assert.deepEqual(requests, []);

    // A click on a point of a scatter chart selects that trial in the table.
    const point = (await page.evaluate(`(() => {
      const chart = window.dslabReport.charts.get('scatter:RegNetX');
      const el = chart.getDatasetMeta(0).data[0];
      chart.canvas.scrollIntoView();
      const r2 = chart.canvas.getBoundingClientRect();
      return { x: r2.left + el.x, y: r2.top + el.y };
    })()`)) as { x: number; y: number };
    // As a user does: hover until the point is active (Chart.js handles events once per frame), then click.
    await page.mouse.move(point.x, point.y);
    await page.waitForFunction(`window.dslabReport.charts.get('scatter:RegNetX').getActiveElements().length > 0`, undefined, { timeout: 5_000 });
    await page.mouse.down();
    await page.mouse.up();
    // Chart.js handles the click on its next frame: wait for the selection to move there.
    await page
      .waitForFunction(`document.querySelector('#trials tbody tr.selected')?.getAttribute('data-key')?.startsWith('RegNetX/') === true`, undefined, { timeout: 5_000 })
      .catch(() => undefined);
    const picked = await page.getAttribute('#trials tbody tr.selected', 'data-key');
    assert.match(picked ?? '', /^RegNetX\/\d+$/);
    assert.equal(await page.evaluate(`window.dslabReport.state.selected`), picked);

    await page.click('#edf-normalized');
    await page.click('#trials tbody tr[data-key="RegNetX/4"]');
    await page.evaluate('window.scrollTo(0, 0)');
    // The README's picture is refreshed on request only, so a test run leaves the checkout clean.
    const shot = process.env.DSLAB_UPDATE_DOCS ? path.join(ROOT, 'docs', 'report.png') : path.join(ROOT, 'out', 'report.png');
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
