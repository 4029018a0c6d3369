/** `dslab analyze DIR`: the comparison of a sweep's design spaces, as a table and findings, JSON, or an HTML report. */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSweep } from '../core/analysis/loadSweep';
import { renderReportHtml } from '../core/analysis/reportHtml';
import { analyzeSweep, type SweepAnalysis } from '../core/analysis/sweepAnalysis';
import { compactCount, formatP, metricText } from '../core/analysis/format';
import { SUMMARY_COLUMNS, summaryCells } from '../core/analysis/summaryTable';
import { MAX_DISTINCT, splitAnalysis, type SplitAnalysis } from '../core/analysis/split';
import { TREND_BINS, trendAnalysis, type Trend } from '../core/analysis/trend';
import { SweepDirectoryError } from '../core/results/store';
import { intFlag, parseCommandArgs, printJson, UsageError, UserError, type Command, type Io } from './command';
import { tableLines } from '../core/presentation/table';
import { count, groupThousands } from '../core/presentation/counts';

const HELP = `Usage: dslab analyze DIR [--by KEY[,KEY2]] [--trend] [--html FILE] [--json]

Compares the design spaces of a sweep directory (what \`dslab sweep\` writes) as the RegNet
paper does: per space the ok trials n, failed and diverged trials (left out), min, mean and
median error, the EDF area up to ε (the largest ok error of the sweep); the KS test between
every two spaces on the plain error EDFs (exact p-value, ties included) and on the
complexity-normalized ones (permutation p-value within complexity bins); each EDF's DKW
confidence band at 1 − analysis.alpha; bootstrap best ranges of every model property; a
sequential sweep's rounds and decisions; and the findings in words, each quoting the test
behind it. Works while the sweep is still running.

Options:
  --by KEY     also split the ok trials of every space by a model property and compare the
               groups: one EDF per value (per quantile bin when a property has more than
               ${MAX_DISTINCT} values), the KS tests between groups at α / pairs, and findings.
               KEY is a metric of the bootstrap ranges (depth, w0, wa, wm, b, g, d1, w1, …,
               flops, params, acts, efit), block, activation or space; two keys split by
               both (e.g. --by space,b compares b within each space)
  --trend      trends across complexity: each space's ok trials cut into ${TREND_BINS} complexity
               bins of equal counts (--trend-bins N for another number), and in each bin the
               bootstrap best range of every model property; with --by, also each group's
               median error per bin (an interaction such as activation × g across flops)
  --html FILE  also write a self-contained HTML report (no network needed): EDFs, error vs
               each property with its best range, block widths with the quantized linear
               fit, training curves and a sortable table of the trials
  --json       print one JSON document with every computed number

Exit status: 0 success, 1 DIR is not a sweep directory or FILE cannot be written, 2 bad usage.

Example:
  dslab analyze .dslab/space.regnet --html report.html
  dslab analyze .dslab/findings.bottleneck --by b
`;

const indent = (lines: string[]): string[] => lines.map((l) => `  ${l}`);

/** The human-readable summary: settings, the table, KS tests, best ranges, findings. */
export function formatAnalysis(a: SweepAnalysis): string {
  const { settings, progress } = a;
  const lines: string[] = [`Sweep ${a.name} (${a.dir}): ${groupThousands(progress.recorded)} of ${count(progress.planned, 'trial')} recorded`, ''];
  lines.push(
    ...indent(tableLines([
      SUMMARY_COLUMNS,
      ...a.spaces.map(summaryCells),
    ], 2)),
  );
  const eps = settings.epsilon === null ? 'no ε (no ok trial)' : `ε = ${settings.epsilon.toFixed(2)}% (the largest ok error)`;
  const range =
    settings.range === null
      ? `no ${settings.complexity} range to normalize over`
      : `${settings.complexity} in (${compactCount(settings.range[0])}, ${compactCount(settings.range[1])}) (${settings.rangeSource === 'constraint' ? 'the sweep constraint' : 'min to max over the trials'}), ${settings.bins} bins`;
  lines.push('', `  errors in %; area: EDF area up to ${eps}; * ${settings.complexity}-normalized: ${range}`);

  if (a.comparisons.length > 0) {
    lines.push('', 'KS tests (plain: exact p | normalized: permutation p within complexity bins):');
    const ks = (r: { d: number; p: number } | null): string => (r === null ? '–' : `D = ${r.d.toFixed(2)} (${formatP(r.p)})`);
    lines.push(...indent(tableLines(a.comparisons.map((c) => [`${c.a} vs ${c.b}`, ks(c.ks), ks(c.ksNormalized)]), 3)));
  }
  const banded = a.spaces.filter((s) => s.band !== null);
  if (banded.length > 0) {
    const level = Math.round((1 - settings.significance) * 100);
    lines.push('', `EDF bands (${level}% simultaneous, DKW: the true EDF lies within ± of the curve at every error):`);
    const band = (b: { epsilon: number; n: number } | null | undefined, effective: boolean): string =>
      b ? `±${b.epsilon.toFixed(2)} (n${effective ? '_eff' : ''} = ${effective ? b.n.toFixed(1) : b.n})` : '–';
    lines.push(...indent(tableLines(banded.map((s) => [s.name, band(s.band, false), band(s.normalized?.band, true)]), 3)));
  }

  const withRanges = a.spaces.filter((s) => Object.keys(s.bestRanges).length > 0);
  if (withRanges.length > 0) {
    const { resamples, fraction } = settings.bootstrap;
    lines.push('', `Best ranges (median [2.5%, 97.5%] of the best of ${resamples} resamples of ${Math.round(fraction * 100)}%):`);
    for (const s of withRanges) {
      const parts = Object.entries(s.bestRanges).map(([k, r]) => `${k} ${metricText(k, r.median)} [${metricText(k, r.lo)}, ${metricText(k, r.hi)}]`);
      lines.push(`  ${s.name}:`);
      for (let i = 0; i < parts.length; i += 4) lines.push('    ' + parts.slice(i, i + 4).join(', '));
    }
  }
  lines.push('', 'Findings:', ...a.findings.map((f) => `  - ${f}`));
  return lines.join('\n') + '\n';
}

/** The split by a property: one row per group, then the comparisons in words. */
export function formatSplit(s: SplitAnalysis): string {
  const lines = [`Split by ${s.keys.join(', ')} (ok trials of every space that has ${s.keys.length > 1 ? 'them' : 'it'}):`, ''];
  const rows = s.groups.map((g) => [g.label, String(g.n), `${g.min.toFixed(1)}%`, `${g.median.toFixed(1)}%`, `±${g.band.epsilon.toFixed(2)}`]);
  lines.push(...indent(tableLines([['group', 'n', 'best', 'median', 'band'], ...rows], 2)));
  lines.push('', 'Split findings:', ...s.findings.map((f) => `  - ${f}`));
  return lines.join('\n') + '\n';
}

/** Each space's trend: one column per complexity bin, a row per property (best range) and per split group (median error). */
export function formatTrends(trends: Trend[]): string {
  const lines: string[] = [];
  for (const t of trends) {
    const split = t.bins.some((b) => b.groups !== undefined);
    lines.push(`Trends across ${t.complexity}, ${t.space} (best ranges: median [2.5%, 97.5%] of the bin's bootstrap${split ? '; groups: median error' : ''}):`, '');
    const header = [t.complexity, ...t.bins.map((b) => `${compactCount(b.range[0])}–${compactCount(b.range[1])} (n = ${b.n})`)];
    const keys = [...new Set(t.bins.flatMap((b) => Object.keys(b.bestRanges)))];
    const rows = keys.map((k) => [k, ...t.bins.map((b) => (b.bestRanges[k] ? `${metricText(k, b.bestRanges[k].median)} [${metricText(k, b.bestRanges[k].lo)}, ${metricText(k, b.bestRanges[k].hi)}]` : '–'))]);
    const labels = [...new Set(t.bins.flatMap((b) => (b.groups ?? []).filter((g) => g.n > 0).map((g) => g.label)))];
    for (const label of labels) {
      rows.push([label, ...t.bins.map((b) => {
        const g = b.groups?.find((x) => x.label === label);
        return g === undefined || g.median === null ? '–' : `${g.median.toFixed(1)}% (n = ${g.n})`;
      })]);
    }
    lines.push(...indent(tableLines([header, ...rows])));
    const notes = [...new Set(t.bins.map((b) => b.bestRangesNote).filter((n): n is string => n !== undefined))];
    for (const note of notes) lines.push(`  (${note})`);
    lines.push('');
  }
  return lines.join('\n');
}

/** The built browser code of the report (`npm run build` makes it). */
function readBundle(): string {
  const file = path.join(__dirname, '..', '..', 'webview', 'report.js');
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`the report's browser code ${file} is missing; run \`npm run build\``);
  }
}

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'compare the design spaces of a sweep: EDFs, KS tests, best ranges, HTML report',
  help: HELP,
  run(argv: string[], io: Io): number {
    const { values, positionals } = parseCommandArgs(argv, { html: { type: 'string' }, by: { type: 'string' }, trend: { type: 'boolean' }, 'trend-bins': { type: 'string' } });
    if (positionals.length === 0) throw new UsageError('missing DIR (a sweep directory, e.g. .dslab/space.regnet)');
    if (positionals.length > 1) throw new UsageError(`expected one DIR, got ${positionals.length}: ${positionals.join(' ')}`);
    if (values.html === '') throw new UsageError('--html expects a file name');
    const by = values.by === undefined ? undefined : values.by.split(',').map((k) => k.trim());
    if (by !== undefined && (by.length > 2 || by.some((k) => k === ''))) throw new UsageError(`--by expects one or two property names separated by a comma, got '${values.by}'`);
    const dir = positionals[0];
    let analysis: SweepAnalysis;
    try {
      analysis = analyzeSweep(loadSweep(dir));
    } catch (err) {
      if (err instanceof SweepDirectoryError) throw new UserError(err.message);
      throw err;
    }
    if (values.html !== undefined) {
      const html = renderReportHtml(analysis, readBundle(), randomBytes(18).toString('base64'));
      try {
        fs.writeFileSync(values.html, html);
      } catch (err) {
        throw new UserError(`cannot write ${values.html}: ${(err as Error).message}`);
      }
    }
    let split: SplitAnalysis | undefined;
    if (by !== undefined) {
      try {
        split = splitAnalysis(analysis, by);
      } catch (err) {
        if (err instanceof RangeError) throw new UsageError(`--by: ${err.message}`);
        throw err;
      }
    }
    const trendBins = intFlag('trend-bins', values['trend-bins'], 1);
    const trends = values.trend || trendBins !== undefined ? trendAnalysis(analysis, { bins: trendBins, split }) : undefined;
    if (values.json) printJson(io, { ...analysis, ...(split === undefined ? {} : { split }), ...(trends === undefined ? {} : { trends }) });
    else io.stdout(formatAnalysis(analysis) + (split === undefined ? '' : '\n' + formatSplit(split)) + (trends === undefined ? '' : '\n' + formatTrends(trends)));
    if (values.html !== undefined) (values.json ? io.stderr : io.stdout)(`HTML report written to ${values.html}\n`);
    return 0;
  },
};
