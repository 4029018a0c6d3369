/**
 * Sampled models and the acceptance of their constraints, in words: the tables of `dslab sample`
 * (plain text) and of the editor's Sample view (Markdown), and the acceptance lines of both.
 */
import { expandModel } from '../modelSpec';
import { describeRejection, sortedRejections, type SampledModel, type SpaceSample } from '../sampling/sampler';
import type { DesignSpace } from '../space/types';
import { count, groupThousands } from './counts';
import { DRAWN_TRAINING_KEYS } from '../space/drawnSettings';

/** 3650874 → "3.65" (M). */
export const megaFlops = (n: number): string => (n / 1e6).toFixed(2);
const kilo = (n: number): string => (n / 1e3).toFixed(1);

/** 3650874 → "3.65 M", 21300 → "21.30 k", 120 → "120". */
export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(2)} k`;
  return String(n);
}

const list = (xs: number[]): string => xs.join(',');

/** A drawn number as a table shows it: 3 significant digits (0.0123, 0.1, 128). */
const drawnNumber = (x: number): string => String(Number(x.toPrecision(3)));

/**
 * The settings a space draws per model besides its architecture parameters, as table columns
 * (header, a model's value): activation, block, SE, stem width, resolution, training values.
 */
export function drawnColumns(space: DesignSpace): [string, (m: SampledModel) => string][] {
  const drawn = space.model.sampled ?? {};
  const columns: [string, (m: SampledModel) => string][] = [];
  if (drawn.activation) columns.push(['activation', (m) => m.model.activation ?? 'relu']);
  if (drawn.block) columns.push(['block', (m) => m.model.block ?? '']);
  if (drawn.se || drawn.seByBlock) columns.push(['se', (m) => drawnNumber(m.model.se ?? 0)]);
  if (drawn.stemWidth) columns.push(['stem', (m) => String(m.model.stem?.width ?? '')]);
  if (drawn.resolution) columns.push(['resolution', (m) => String(m.model.resolution ?? '')]);
  for (const key of DRAWN_TRAINING_KEYS) {
    if (space.training?.[key] === undefined) continue;
    columns.push([key, (m) => (m.training?.[key] === undefined ? '' : drawnNumber(m.training[key]!))]);
  }
  return columns;
}

/** `dslab sample`'s table of a space's models: a header row, then one row per model. */
export function modelRows(space: DesignSpace, models: readonly SampledModel[]): string[][] {
  const cx = (m: SampledModel): string[] => [megaFlops(m.flops), formatCount(m.params), formatCount(m.acts)];
  const drawn = drawnColumns(space);
  const extra = (m: SampledModel): string[] => drawn.map(([, value]) => value(m));
  const extraHead = drawn.map(([name]) => name);
  if (space.type === 'anynet') {
    const rows = [['#', 'd', 'w', 'b', 'g', ...extraHead, 'flops (MF)', 'params', 'acts']];
    for (const m of models) {
      const a = m.model.anynet!;
      rows.push([String(m.index), list(a.depths), list(a.widths), list(a.bottlenecks), list(a.groupWidths), ...extra(m), ...cx(m)]);
    }
    return rows;
  }
  const rows = [['#', 'd', 'w0', 'wa', 'wm', 'g', 'b', 'stage widths', 'stage depths', ...extraHead, 'flops (MF)', 'params', 'acts']];
  for (const m of models) {
    const r = m.model.regnet!;
    const stages = expandModel(m.model).stages;
    rows.push([
      String(m.index),
      String(r.depth),
      String(r.w0),
      String(r.wa),
      String(r.wm),
      String(r.groupWidth),
      String(r.bottleneck),
      list(stages.map((s) => s.width)),
      list(stages.map((s) => s.depth)),
      ...extra(m),
      ...cx(m),
    ]);
  }
  return rows;
}

/**
 * The Sample view's Markdown table, one row per model: a RegNet's own parameters (d, w0, wa, wm)
 * as `dslab sample` prints them, then stage depths and widths, b, g, the settings the space
 * draws, flops (M), params (k), acts (k).
 */
export function modelTable(space: DesignSpace, models: readonly SampledModel[]): string {
  const regnet = models.length > 0 && models.every((m) => m.model.regnet !== undefined);
  const drawn = drawnColumns(space);
  const own = regnet ? ' d | w0 | wa | wm |' : '';
  const drawnHead = drawn.map(([name]) => ` ${name} |`).join('');
  const rows = [
    `| # |${own} depths | widths | b | g |${drawnHead} flops (M) | params (k) | acts (k) |`,
    `|---:|${regnet ? '---:|---:|---:|---:|' : ''}---|---|---|---|${drawn.map(() => '---|').join('')}---:|---:|---:|`,
  ];
  for (const m of models) {
    const stages = expandModel(m.model).stages;
    const stageList = (f: (s: (typeof stages)[number]) => number): string => stages.map(f).join(', ');
    const r = m.model.regnet;
    const params = regnet && r ? ` ${r.depth} | ${r.w0} | ${r.wa} | ${r.wm} |` : '';
    const values = drawn.map(([, value]) => ` ${value(m)} |`).join('');
    rows.push(
      `| ${m.index} |${params} ${stageList((s) => s.depth)} | ${stageList((s) => s.width)} | ${stageList((s) => s.bottleneck)} | ${stageList((s) => s.groupWidth)} |${values} ${megaFlops(m.flops)} | ${kilo(m.params)} | ${kilo(m.acts)} |`,
    );
  }
  return rows.join('\n');
}

/** "AnyNetX_A: 6 models from 22 attempts (27.3% accepted; rejected: flops>: 12, flops<: 3, duplicate: 1)". */
export function sampleSummaryLine(sample: SpaceSample): string {
  const accepted = `${(100 * sample.acceptanceRate).toFixed(1)}% accepted`;
  const rejected = sortedRejections(sample.rejections)
    .map(([reason, n]) => `${reason}: ${groupThousands(n)}`)
    .join(', ');
  return `${sample.space}: ${count(sample.models.length, 'model')} from ${groupThousands(sample.attempts)} attempts (${accepted}${rejected ? `; rejected: ${rejected}` : ''})`;
}

/** Acceptance of a quick sample: accepted models per attempt, and the main reasons for rejection. */
export interface Acceptance {
  attempts: number;
  accepted: number;
  rate: number;
  /** Top rejection reasons, worded ("flops too high: 812"). */
  reasons: string[];
  /** Set when the space cannot be sampled at all (a range without values, a model that cannot be built). */
  problem?: string;
}

/** The acceptance of a sample of `space`, with its three main reasons for rejection. */
export function acceptanceOf(space: DesignSpace, sample: SpaceSample): Acceptance {
  const reasons = sortedRejections(sample.rejections)
    .slice(0, 3)
    .map(([r, n]) => `${describeRejection(r, space)}: ${groupThousands(n)}`);
  return { attempts: sample.attempts, accepted: sample.models.length, rate: sample.acceptanceRate, reasons };
}

/** "23.5% of 851 attempts accepted (flops too high: 512, …)". */
export function formatAcceptance(a: Acceptance): string {
  if (a.problem !== undefined && a.accepted === 0 && a.attempts === 0) return `cannot be sampled: ${a.problem}`;
  const rate = `${(100 * a.rate).toFixed(1)}% of ${groupThousands(a.attempts)} attempts accepted`;
  return a.reasons.length > 0 ? `${rate} (${a.reasons.join(', ')})` : rate;
}
