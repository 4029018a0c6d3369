/**
 * The `import` suite: a collected pycls sweep of 25,000 models (bench/pyclsSweepGenerator.ts;
 * DSLAB_BENCH_IMPORT_MODELS for another size), imported with `dslab import pycls` and analyzed
 * with `dslab analyze`, each as the user runs it (a fresh process, wall time), then the analysis
 * in this process part by part: where the time goes.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { loadSweep } from '../src/core/analysis/loadSweep';
import { analyzeSweep, summarizeTrial } from '../src/core/analysis/sweepAnalysis';
import { bestRangesOf } from '../src/core/analysis/bootstrap';
import { randomSearchEfficiency } from '../src/core/analysis/randomSearch';
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

export const importSuite: Suite = {
  name: 'import',
  summary: 'dslab import pycls and dslab analyze on a generated 25,000-model pycls sweep',
  run(): Figure[] {
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
      const html = timedDslab(['analyze', dir, '--html', path.join(tmp, 'report.html')]);

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
      return [
        { name: 'sweep.json size', value: text.length / 1e6, unit: 'MB', note: `generated in ${(generated.ms / 1000).toFixed(1)} s` },
        { name: 'dslab import pycls', value: imported, unit: 's', note },
        { name: 'dslab analyze', value: analyze.median, unit: 's', note: `${note}; median of 3 runs (${analyze.results.map((s) => s.toFixed(2)).join(', ')}); goal < 5 s` },
        { name: 'dslab analyze --html', value: html, unit: 's' },
        { name: 'load the sweep directory', value: load.ms / 1000, unit: 's', note: 'in process: manifest and every record read and checked' },
        { name: 'analyze, all of it', value: full.ms / 1000, unit: 's', note: 'in process' },
        { name: 'load and analyze, CPU time', value: (used.user + used.system) / 1e6, unit: 's', note: 'in process: user + system, what other load on the machine does not inflate' },
        { name: '  trial summaries (width lines)', value: summaries.ms / 1000, unit: 's' },
        { name: '  bootstrap best ranges', value: bootstrap.ms / 1000, unit: 's', note: `${Object.keys(properties).length} properties, ${snapshot.manifest.resolved.analysis.bootstrap.resamples} resamples` },
        { name: '  random-search efficiency', value: search.ms / 1000, unit: 's' },
        { name: 'analysis as JSON (what the panel receives)', value: payload / 1e6, unit: 'MB' },
        { name: 'structured clone of the analysis', value: clone.ms / 1000, unit: 's', note: "postMessage's copy to the panel, before it draws" },
      ];
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  },
};
