/**
 * What the editor says about one design space: its resolved definition in short, its size as in
 * the paper's Table 1, the acceptance rate of its constraints from a quick sample, and the
 * sampled models themselves for the Sample lens.
 */
import { acceptanceOf, formatAcceptance, modelTable, type Acceptance } from '../core/presentation/modelTable';
import { describeConstraints, formatBound, SamplingError, sampleSpace, type SpaceSample } from '../core/sampling/sampler';
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

/** The quick sample behind the hover: at most this many models… */
export const QUICK_SAMPLES = 200;
/** …or this many attempts. */
export const QUICK_ATTEMPTS = 20000;

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
    `Constraints (estimated from a draw of up to ${QUICK_SAMPLES} models): ${formatAcceptance(acceptance)}`,
  ].join('\n');
}

/** The Sample view of one space: a heading, the models and how many attempts they took. */
export function sampleMarkdown(space: DesignSpace, sample: SpaceSample): string {
  const complete = sample.complete ? '' : ` (only ${sample.models.length} of ${sample.requested} within the attempt budget)`;
  return [
    `## ${space.name} (${space.type}, seed ${sample.seed})`,
    '',
    modelTable(space, sample.models),
    '',
    `${sample.models.length} models; this draw: ${formatAcceptance(acceptanceOf(space, sample))}${complete}.${sample.models.length < QUICK_SAMPLES ? ` A draw of ${sample.models.length} models measures the rate roughly; the space's hover estimates it from a draw of up to ${QUICK_SAMPLES}.` : ''}`,
  ].join('\n');
}
