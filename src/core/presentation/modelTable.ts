/**
 * Sampled models and the acceptance of their constraints, in words: the tables of `dslab sample`
 * (plain text) and of the editor's Sample view (Markdown), and the acceptance lines of both.
 */
import { expandModel } from '../modelSpec';
import { describeRejection, groupThousands, sortedRejections, type SampledModel, type SpaceSample } from '../sampling/sampler';
import type { DesignSpace } from '../space/types';
import { count } from './counts';

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

/** `dslab sample`'s table of a space's models: a header row, then one row per model. */
export function modelRows(space: DesignSpace, models: readonly SampledModel[]): string[][] {
  const cx = (m: SampledModel): string[] => [megaFlops(m.flops), formatCount(m.params), formatCount(m.acts)];
  if (space.type === 'anynet') {
    const rows = [['#', 'd', 'w', 'b', 'g', 'flops (MF)', 'params', 'acts']];
    for (const m of models) {
      const a = m.model.anynet!;
      rows.push([String(m.index), list(a.depths), list(a.widths), list(a.bottlenecks), list(a.groupWidths), ...cx(m)]);
    }
    return rows;
  }
  const rows = [['#', 'd', 'w0', 'wa', 'wm', 'g', 'b', 'stage widths', 'stage depths', 'flops (MF)', 'params', 'acts']];
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
      ...cx(m),
    ]);
  }
  return rows;
}

/**
 * The Sample view's Markdown table, one row per model: a RegNet's own parameters (d, w0, wa, wm)
 * as `dslab sample` prints them, then stage depths and widths, b, g, flops (M), params (k), acts (k).
 */
export function modelTable(models: readonly SampledModel[]): string {
  const regnet = models.length > 0 && models.every((m) => m.model.regnet !== undefined);
  const own = regnet ? ' d | w0 | wa | wm |' : '';
  const rows = [`| # |${own} depths | widths | b | g | flops (M) | params (k) | acts (k) |`, `|---:|${regnet ? '---:|---:|---:|---:|' : ''}---|---|---|---|---:|---:|---:|`];
  for (const m of models) {
    const stages = expandModel(m.model).stages;
    const stageList = (f: (s: (typeof stages)[number]) => number): string => stages.map(f).join(', ');
    const r = m.model.regnet;
    const params = regnet && r ? ` ${r.depth} | ${r.w0} | ${r.wa} | ${r.wm} |` : '';
    rows.push(
      `| ${m.index} |${params} ${stageList((s) => s.depth)} | ${stageList((s) => s.width)} | ${stageList((s) => s.bottleneck)} | ${stageList((s) => s.groupWidth)} | ${megaFlops(m.flops)} | ${kilo(m.params)} | ${kilo(m.acts)} |`,
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
