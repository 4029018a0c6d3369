/**
 * `npm run bench [-- SUITE...] [--json]`: runs the benchmark suites (all, or those named) and
 * prints a table of their figures, or with --json exactly one JSON document on stdout.
 */
import * as os from 'node:os';
import { parseArgs } from 'node:util';

import type { Figure, Suite } from './measure';
import { gpuSuite } from './gpu';
import { importSuite } from './import';
import { kernelsSuite } from './kernels';
import { samplingSuite } from './sampling';
import { trainingSuite } from './training';

const SUITES: Suite[] = [samplingSuite, trainingSuite, kernelsSuite, importSuite, gpuSuite];

/** 1234567.8 → "1,234,568"; 12.345 → "12.3"; 0.0123 → "0.0123". */
function formatValue(x: number): string {
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString('en-US');
  return Number(x.toPrecision(3)).toString();
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 2 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd()).join('\n');
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    return 2;
  }
  const names = SUITES.map((s) => s.name);
  if (args.values.help) {
    process.stdout.write(`Usage: npm run bench -- [SUITE...] [--json]\n\nSuites:\n${SUITES.map((s) => `  ${s.name}  ${s.summary}`).join('\n')}\n`);
    return 0;
  }
  const unknown = args.positionals.filter((p) => !names.includes(p));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown suite ${unknown.map((u) => `'${u}'`).join(', ')}; available: ${names.join(', ')}\n`);
    return 2;
  }
  const selected = args.positionals.length === 0 ? SUITES : SUITES.filter((s) => args.positionals.includes(s.name));
  const results: { name: string; figures: Figure[] }[] = [];
  for (const suite of selected) {
    if (!args.values.json) process.stderr.write(`running ${suite.name}…\n`);
    results.push({ name: suite.name, figures: await suite.run() });
  }
  const machine = { node: process.version, platform: `${os.platform()} ${os.arch()}`, cpu: os.cpus()[0]?.model ?? 'unknown', cpus: os.cpus().length };
  if (args.values.json) {
    process.stdout.write(JSON.stringify({ machine, suites: results }, null, 2) + '\n');
    return 0;
  }
  const rows = [['suite', 'figure', 'value', 'unit', 'note']];
  for (const r of results) for (const f of r.figures) rows.push([r.name, f.name, formatValue(f.value), f.unit, f.note ?? '']);
  process.stdout.write(`node ${machine.node}, ${machine.platform}, ${machine.cpu} (${machine.cpus} CPUs)\n\n${table(rows)}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  },
);
