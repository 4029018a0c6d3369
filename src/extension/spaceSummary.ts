/**
 * What the editor says about one design space: its resolved definition in short, its size as in
 * the paper's Table 1, the acceptance rate of its constraints from a quick sample, and the
 * sampled models themselves for the Sample lens.
 */
import { expandModel } from '../core/modelSpec';
import {
  describeConstraints,
  describeRejection,
  formatBound,
  groupThousands,
  SamplingError,
  sampleSpace,
  sortedRejections,
  type SampledModel,
  type SpaceSample,
} from '../core/sampling/sampler';
import type { DesignSpace, Distribution } from '../core/space/types';
import { designSpaceSize, formatSpaceSize } from '../core/spaceSize';

/** "log-uniform [8, 128] step 8" or "{1, 2, 4}". */
export function formatDistribution(d: Distribution): string {
  if (d.kind === 'values') return `{${d.values.join(', ')}}`;
  return `${d.kind} [${formatBound(d.range[0])}, ${formatBound(d.range[1])}] step ${d.quantum}`;
}

/** "1.8e18" for a count, exact below 10^6 ("3,840"). */
export const formatSize = formatSpaceSize;

/** The definition lines of a space: its parameters with their distributions, restrictions and model. */
export function definitionLines(space: DesignSpace): string[] {
  const params: [string, Distribution][] =
    space.type === 'anynet'
      ? [['depth d_i', space.depth], ['width w_i', space.width], ['bottleneck b_i', space.bottleneck], ['groupWidth g_i', space.groupWidth]]
      : [['depth d', space.depth], ['w0', space.w0], ['wa', space.wa], ['wm', space.wm], ['bottleneck b', space.bottleneck], ['groupWidth g', space.groupWidth]];
  const lines = params.map(([name, d]) => `${name}: ${formatDistribution(d)}`);
  if (space.type === 'anynet' && space.restrictions.length > 0) lines.push(`restrictions: ${space.restrictions.join(', ')}`);
  const m = space.model;
  lines.push(`model: ${m.stages} stages, strides ${m.strides.join(',')}, block ${m.block}${m.se > 0 ? ` (SE ${m.se})` : ''}, stem ${m.stem.type} ${m.stem.width}`);
  lines.push(`samples: ${space.samples}, constraints: ${describeConstraints(space.constraints) ?? 'none'}`);
  return lines;
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

/** The quick sample behind the hover: at most this many models… */
export const QUICK_SAMPLES = 200;
/** …or this many attempts. */
export const QUICK_ATTEMPTS = 20000;

function acceptanceOf(space: DesignSpace, sample: SpaceSample): Acceptance {
  const reasons = sortedRejections(sample.rejections)
    .slice(0, 3)
    .map(([r, n]) => `${describeRejection(r, space)}: ${groupThousands(n)}`);
  return { attempts: sample.attempts, accepted: sample.models.length, rate: sample.acceptanceRate, reasons };
}

/** Samples a space with a small budget (its own seed) to estimate how often its constraints accept a model. */
export function quickAcceptance(space: DesignSpace, samples = QUICK_SAMPLES, maxAttempts = QUICK_ATTEMPTS): Acceptance {
  const budget = Math.min(maxAttempts, space.maxAttempts);
  try {
    return acceptanceOf(space, sampleSpace(space, { samples, maxAttempts: budget }));
  } catch (err) {
    if (err instanceof SamplingError) return { attempts: budget, accepted: 0, rate: 0, reasons: [], problem: err.message };
    return { attempts: 0, accepted: 0, rate: 0, reasons: [], problem: (err as Error).message };
  }
}

/** "23.5% of 851 attempts accepted (flops too high: 512, …)". */
export function formatAcceptance(a: Acceptance): string {
  if (a.problem !== undefined && a.accepted === 0 && a.attempts === 0) return `cannot be sampled: ${a.problem}`;
  const rate = `${(100 * a.rate).toFixed(1)}% of ${groupThousands(a.attempts)} attempts accepted`;
  return a.reasons.length > 0 ? `${rate} (${a.reasons.join(', ')})` : rate;
}

/** The hover of a space name: definition, Table 1 size and acceptance, as Markdown. */
export function spaceHoverMarkdown(space: DesignSpace, acceptance: Acceptance): string {
  const size = designSpaceSize(space);
  const origin = space.extends ? ` extends ${space.extends}` : '';
  return [
    `**${space.name}** (${space.type}${origin})`,
    '',
    ...definitionLines(space).map((l) => `- ${l}`),
    '',
    `Size: ${formatSize(size)} models = ${size.formula}, ${size.dof} degrees of freedom`,
    '',
    `Constraints: ${formatAcceptance(acceptance)}`,
  ].join('\n');
}

const megaFlops = (n: number): string => (n / 1e6).toFixed(2);
const kilo = (n: number): string => (n / 1e3).toFixed(1);

/**
 * One Markdown table row per model: a RegNet's own parameters (d, w0, wa, wm) as `dslab sample`
 * prints them, then stage depths and widths, b, g, flops (M), params (k), acts (k).
 */
export function modelTable(models: readonly SampledModel[]): string {
  const regnet = models.length > 0 && models.every((m) => m.model.regnet !== undefined);
  const own = regnet ? ' d | w0 | wa | wm |' : '';
  const rows = [`| # |${own} depths | widths | b | g | flops (M) | params (k) | acts (k) |`, `|---:|${regnet ? '---:|---:|---:|---:|' : ''}---|---|---|---|---:|---:|---:|`];
  for (const m of models) {
    const stages = expandModel(m.model).stages;
    const list = (f: (s: (typeof stages)[number]) => number): string => stages.map(f).join(', ');
    const r = m.model.regnet;
    const params = regnet && r ? ` ${r.depth} | ${r.w0} | ${r.wa} | ${r.wm} |` : '';
    rows.push(
      `| ${m.index} |${params} ${list((s) => s.depth)} | ${list((s) => s.width)} | ${list((s) => s.bottleneck)} | ${list((s) => s.groupWidth)} | ${megaFlops(m.flops)} | ${kilo(m.params)} | ${kilo(m.acts)} |`,
    );
  }
  return rows.join('\n');
}

/** The Sample view of one space: a heading, the models and how many attempts they took. */
export function sampleMarkdown(space: DesignSpace, sample: SpaceSample): string {
  const complete = sample.complete ? '' : ` (only ${sample.models.length} of ${sample.requested} within the attempt budget)`;
  return [
    `## ${space.name} (${space.type}, seed ${sample.seed})`,
    '',
    modelTable(sample.models),
    '',
    `${sample.models.length} models; ${formatAcceptance(acceptanceOf(space, sample))}${complete}`,
  ].join('\n');
}
