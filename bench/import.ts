/**
 * The `import` suite: a collected pycls sweep of 25,000 models (bench/pyclsSweepGenerator.ts;
 * DSLAB_BENCH_IMPORT_MODELS for another size), imported with `dslab import pycls` and analyzed
 * with `dslab analyze`, each as the user runs it (a fresh process, wall time), then the analysis
 * in this process part by part: where the time goes. Last, the Results panel's first render of
 * it: the first message built from the analysis (what the panel's worker does), its size, its way
 * to the webview, and its drawing in headless Chromium with the panel's page (test/browser/panelPage.ts).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

import { loadSweep } from '../src/core/analysis/loadSweep';
import { analyzeSweep, summarizeTrial } from '../src/core/analysis/sweepAnalysis';
import { bestRangesOf } from '../src/core/analysis/bootstrap';
import { randomSearchEfficiency } from '../src/core/analysis/randomSearch';
import { fitQuantizedLinear } from '../src/core/analysis/fit';
import { Rng } from '../src/core/sampling/rng';
import { analysisMessage } from '../src/core/analysis/panelProtocol';
import type { HostToPanelMessage } from '../src/core/analysis/panelProtocol';
import { CHROMIUM, launchChromium, openPanelPage } from '../test/browser/panelPage';
import { elapsedMs, medianOf, type Figure, type Suite } from './measure';
import { generatePyclsSweep } from './pyclsSweepGenerator';

const DSLAB = path.join(__dirname, '..', '..', 'bin', 'dslab');

/** Wall seconds of one `dslab` run; throws with its stderr when it fails. */
function timedDslab(args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [DSLAB, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`dslab ${args.join(' ')} failed: ${r.stderr}`);
  return seconds;
}

/** Fresh pages the first render is measured on; the median counts. */
const RENDERS = 3;

/**
 * Milliseconds from the panel's first message arriving as JSON text (as it leaves the extension
 * host) to its charts and table drawn and painted: parsing, the webview's copy of the message,
 * unpacking and drawing, on a fresh page each time.
 */
async function firstRenderMs(json: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RENDERS; i++) {
    const panel = await openPanelPage('file:///w/.dslab/cifar_regnet');
    try {
      await panel.page.evaluate((text) => ((globalThis as unknown as { __json: string }).__json = text), json);
      const ms = await panel.page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const g = globalThis as unknown as { __json: string; postMessage(m: unknown, origin: string): void; addEventListener(t: string, f: () => void): void; requestAnimationFrame(f: () => void): void };
            const t0 = performance.now();
            // After the panel's own listener has drawn: the next frame is painted.
            g.addEventListener('message', () => g.requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0)));
            g.postMessage(JSON.parse(g.__json) as HostToPanelMessage, '*');
          }),
      );
      const drawn = (await panel.page.evaluate(`document.body.classList.contains('drawn') && document.querySelectorAll('#trials tbody tr[data-key]').length > 0`)) as boolean;
      if (!drawn || panel.problems.length > 0) throw new Error(`the panel did not draw: ${panel.problems.join('; ')}`);
      times.push(ms);
    } finally {
      await panel.close();
    }
  }
  return times;
}

/**
 * Milliseconds from navigating a fresh page to the HTML report `file` to its charts and table
 * painted: reading the file, parsing the embedded analysis, drawing.
 */
async function reportOpenMs(file: string): Promise<number[]> {
  const browser = await launchChromium();
  try {
    const times: number[] = [];
    for (let i = 0; i < RENDERS; i++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      const t0 = performance.now();
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 120_000 });
      // The report draws when its script runs; the next frame is painted.
      await page.evaluate(() => new Promise<void>((resolve) => (globalThis as unknown as { requestAnimationFrame(f: () => void): void }).requestAnimationFrame(() => setTimeout(resolve, 0))));
      times.push(performance.now() - t0);
      if (problems.length > 0) throw new Error(`the report did not draw: ${problems.join('; ')}`);
      await page.close();
    }
    return times;
  } finally {
    await browser.close();
  }
}

/**
 * Per-block widths of `count` seeded networks of `stages` stages, 1–8 blocks each: `resnet` widths
 * start at 16–64 and grow 1–3× a stage (an NDS ResNet population); otherwise each stage takes any
 * multiple of 8 up to 512 (an AnyNet space's).
 */
function fitNetworks(count: number, stages: number, resnet: boolean): number[][] {
  const rng = new Rng(7);
  return Array.from({ length: count }, () => {
    const widths: number[] = [];
    let w = resnet ? 16 * rng.int(1, 4) : 8 * rng.int(1, 64);
    for (let s = 0; s < stages; s++) {
      for (let j = rng.int(1, 8); j > 0; j--) widths.push(w);
      w = resnet ? Math.min(512, w * rng.int(1, 3)) : 8 * rng.int(1, 64);
    }
    return widths;
  });
}

/** Milliseconds per quantized linear fit over `networks` (each fitted once: no cache between them). */
function fitMs(networks: readonly number[][]): number {
  fitQuantizedLinear(networks[0]);
  const { ms } = elapsedMs(() => networks.forEach((w) => fitQuantizedLinear(w)));
  return ms / networks.length;
}

export const importSuite: Suite = {
  name: 'import',
  summary: 'dslab import pycls and dslab analyze on a generated 25,000-model pycls sweep, and the Results panel\'s first render of it',
  async run(): Promise<Figure[]> {
    const n = Number(process.env.DSLAB_BENCH_IMPORT_MODELS ?? 25000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-bench-import-'));
    try {
      const file = path.join(tmp, 'cifar_regnet', 'sweep.json');
      fs.mkdirSync(path.dirname(file));
      const generated = elapsedMs(() => generatePyclsSweep({ jobs: n, epochs: 10, seed: 1, unfinished: 0.01 }));
      const text = JSON.stringify(generated.result);
      fs.writeFileSync(file, text);
      const dir = path.join(tmp, 'imported');
      const imported = timedDslab(['import', 'pycls', file, '--out', dir]);
      const analyze = medianOf(() => timedDslab(['analyze', dir]), (s) => s, 3, 0);
      const report = path.join(tmp, 'report.html');
      const html = timedDslab(['analyze', dir, '--html', report]);
      const reportBytes = fs.statSync(report).size;
      const opened = fs.existsSync(CHROMIUM) ? await reportOpenMs(report) : undefined;

      // In this process, part by part.
      const cpu = process.cpuUsage();
      const load = elapsedMs(() => loadSweep(dir));
      const snapshot = load.result;
      const full = elapsedMs(() => analyzeSweep(snapshot));
      const used = process.cpuUsage(cpu);
      const space = snapshot.manifest.resolved.spaces[0];
      const summaries = elapsedMs(() => snapshot.records.map((r) => summarizeTrial(space, r)));
      const ok = summaries.result.filter((t) => t.error !== null);
      const errors = ok.map((t) => t.error as number);
      const properties: Record<string, number[]> = {};
      for (const key of Object.keys(ok[0].metrics)) properties[key] = ok.map((t) => t.metrics[key]);
      const bootstrap = elapsedMs(() => bestRangesOf(errors, properties, snapshot.manifest.resolved.analysis.bootstrap));
      const search = elapsedMs(() => randomSearchEfficiency(errors));
      const payload = JSON.stringify(full.result).length;
      // What posting the analysis to the Results panel costs before it draws anything (postMessage clones it).
      const clone = elapsedMs(() => structuredClone(full.result));
      const note = `${n.toLocaleString('en-US')} models, ${snapshot.records.length.toLocaleString('en-US')} finished`;

      // The Results panel's first render: built in the panel's worker, cloned to the host, sent to the webview as JSON, drawn.
      const built = medianOf(() => elapsedMs(() => analysisMessage(full.result)), (r) => r.ms, 3, 1);
      const message = built.results[0].result;
      const toHost = elapsedMs(() => structuredClone(message));
      const json = elapsedMs(() => JSON.stringify(message));
      const rendered = fs.existsSync(CHROMIUM) ? await firstRenderMs(json.result) : undefined;
      const render = rendered ? medianOf((i) => rendered[i], (ms) => ms, rendered.length, 0).median : NaN;
      const panel: Figure[] = [
        { name: 'panel: first message, built', value: built.median / 1000, unit: 's', note: `from the analysis; median of 3 (${built.results.map((r) => (r.ms / 1000).toFixed(3)).join(', ')})` },
        { name: 'panel: first message, size', value: json.result.length / 1e6, unit: 'MB', note: `${json.result.length.toLocaleString('en-US')} bytes of JSON, ${message.details.length} trials' details` },
        { name: 'panel: first message to the host', value: toHost.ms / 1000, unit: 's', note: "the worker's postMessage copy (structured clone)" },
        { name: 'panel: first message as JSON', value: json.ms / 1000, unit: 's', note: 'what the host sends the webview' },
        rendered
          ? { name: 'panel: first render in Chromium', value: render / 1000, unit: 's', note: `from the JSON arriving to the charts and table painted; median of ${RENDERS} fresh pages (${rendered.map((ms) => (ms / 1000).toFixed(3)).join(', ')})` }
          : { name: 'panel: first render in Chromium: not measured', value: NaN, unit: 's', note: `no Chromium at ${CHROMIUM} (apt-get install chromium, or DSLAB_CHROMIUM=PATH)` },
        { name: 'panel: first render, all told', value: (built.median + toHost.ms + json.ms + render) / 1000, unit: 's', note: 'built + to the host + as JSON + drawn; goal < 1 s (after the analysis, which the panel\'s worker keeps)' },
      ];
      return [
        { name: 'sweep.json size', value: text.length / 1e6, unit: 'MB', note: `generated in ${(generated.ms / 1000).toFixed(1)} s` },
        { name: 'dslab import pycls', value: imported, unit: 's', note },
        { name: 'dslab analyze', value: analyze.median, unit: 's', note: `${note}; median of 3 runs (${analyze.results.map((s) => s.toFixed(2)).join(', ')}); goal < 5 s` },
        { name: 'dslab analyze --html', value: html, unit: 's', note: `a report of ${(reportBytes / 1e6).toFixed(1)} MB` },
        opened
          ? { name: 'the report opened in Chromium', value: medianOf((i) => opened[i], (ms) => ms, opened.length, 0).median / 1000, unit: 's', note: `from navigating to the file to the charts and table painted; median of ${RENDERS} fresh pages (${opened.map((ms) => (ms / 1000).toFixed(2)).join(', ')})` }
          : { name: 'the report opened in Chromium: not measured', value: NaN, unit: 's', note: `no Chromium at ${CHROMIUM}` },
        { name: 'load the sweep directory', value: load.ms / 1000, unit: 's', note: 'in process: manifest and every record read and checked' },
        { name: 'analyze, all of it', value: full.ms / 1000, unit: 's', note: 'in process' },
        { name: 'load and analyze, CPU time', value: (used.user + used.system) / 1e6, unit: 's', note: 'in process: user + system, what other load on the machine does not inflate' },
        { name: '  trial summaries (width lines)', value: summaries.ms / 1000, unit: 's' },
        { name: '  bootstrap best ranges', value: bootstrap.ms / 1000, unit: 's', note: `${Object.keys(properties).length} properties, ${snapshot.manifest.resolved.analysis.bootstrap.resamples} resamples` },
        { name: '  random-search efficiency', value: search.ms / 1000, unit: 's' },
        { name: 'analysis as JSON', value: payload / 1e6, unit: 'MB', note: 'all of it, as dslab analyze --json prints it' },
        { name: 'structured clone of the analysis', value: clone.ms / 1000, unit: 's', note: 'what posting all of it would cost before drawing anything' },
        ...panel,
        { name: 'width fit of a 3-stage ResNet', value: fitMs(fitNetworks(2000, 3, true)), unit: 'ms', note: 'per distinct network (an NDS ResNet population): 2,000 seeded ones, 1–8 blocks a stage, widths growing 1–3× a stage' },
        { name: 'width fit of a 4-stage AnyNet', value: fitMs(fitNetworks(500, 4, false)), unit: 'ms', note: 'per distinct network: 500 seeded ones, 1–8 blocks a stage, any multiple of 8 up to 512 each stage' },
      ];
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  },
};
