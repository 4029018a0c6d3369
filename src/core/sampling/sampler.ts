/**
 * Constrained sampling of design spaces: pycls's sweep loop (reference §4.4) as rejection
 * sampling. Draw a candidate, apply the space's structural rules, count its complexity, reject
 * it outside the constraints, drop networks already sampled, until the requested number of
 * models is reached or the attempt budget is spent.
 */
import { complexity } from '../complexity';
import type { ModelSpec } from '../model';
import { deriveSpaceSeed } from '../space/seed';
import type { DrawnTraining } from '../space/drawnSettings';
import type { ComplexityMetric, Constraints, DesignSpace, ResolvedSpaceFile } from '../space/types';
import { groupThousands } from '../presentation/counts';
import { Rng } from './rng';
import { candidateDrawer, modelKey, type StructuralRejection } from './spaceSampler';

const METRICS: readonly ComplexityMetric[] = ['flops', 'params', 'acts'];

/** Why an attempt produced no model: structural, a constraint bound (`flops<` = below its lower bound), or a repeat. */
export type RejectionReason = StructuralRejection | 'duplicate' | `${ComplexityMetric}${'<' | '>'}`;

/** One accepted model of a space, numbered from 0 in the order it was drawn. */
export interface SampledModel {
  space: string;
  index: number;
  /** Fully explicit: `dslab cx` gives the same flops / params / acts for it. */
  model: ModelSpec;
  /** The training values the space draws for this model (the file's recipe otherwise). */
  training?: DrawnTraining;
  flops: number;
  params: number;
  acts: number;
}

/** The outcome of sampling one space. */
export interface SpaceSample {
  space: string;
  /** The seed the space's stream started from. */
  seed: number;
  requested: number;
  models: SampledModel[];
  attempts: number;
  /** Accepted models per attempt. */
  acceptanceRate: number;
  /** Attempts rejected, by reason (only reasons that occurred). */
  rejections: Partial<Record<RejectionReason, number>>;
  /** False when the attempt budget ran out before `requested` models were found. */
  complete: boolean;
}

export interface SamplingProgress {
  space: string;
  attempts: number;
  maxAttempts: number;
  accepted: number;
  requested: number;
}

export interface SampleOptions {
  /** Models wanted (default: the space's `samples`). */
  samples?: number;
  /** Seed of the stream (default: the space's `seed`). */
  seed?: number;
  /** Attempt budget (default: the space's `maxAttempts`). */
  maxAttempts?: number;
  /** Called every few thousand attempts, on every accepted model and once at the end. */
  onProgress?: (progress: SamplingProgress) => void;
}

/** No model at all within the attempt budget; the message says which space, the constraints and why. */
export class SamplingError extends Error {
  constructor(
    message: string,
    readonly space: string,
  ) {
    super(message);
    this.name = 'SamplingError';
  }
}

const PROGRESS_EVERY = 4096;

/** A bound as people write it: 2000000 → "2e6", 2500000 → "2.5e6", 300 → "300". */
export function formatBound(x: number): string {
  if (x !== 0 && (Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3)) return x.toExponential().replace('e+', 'e');
  return String(x);
}

/** "flops in [2e6, 6e6] and params in [0, 1e6]", or undefined without constraints. */
export function describeConstraints(constraints: Constraints): string | undefined {
  const parts = METRICS.filter((m) => constraints[m] !== undefined).map((m) => {
    const [lo, hi] = constraints[m]!;
    return `${m} in [${formatBound(lo)}, ${formatBound(hi)}]`;
  });
  return parts.length === 0 ? undefined : parts.join(' and ');
}

/** What a rejection reason means, for messages. */
export function describeRejection(reason: RejectionReason, space?: DesignSpace): string {
  switch (reason) {
    case 'duplicate':
      return 'duplicate';
    case 'increasingWidths':
      return 'widths not increasing';
    case 'increasingDepths':
      return 'depths not increasing';
    case 'emptyStage':
      return 'empty stage';
    case 'stageCount':
      return space ? `not ${space.model.stages} stages` : 'wrong stage count';
    default: {
      const metric = reason.slice(0, -1);
      return `${metric} too ${reason.endsWith('<') ? 'low' : 'high'}`;
    }
  }
}

/** Rejection reasons, most frequent first. */
export function sortedRejections(rejections: SpaceSample['rejections']): [RejectionReason, number][] {
  return (Object.entries(rejections) as [RejectionReason, number][]).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

function noModelError(space: DesignSpace, attempts: number, rejections: SpaceSample['rejections']): SamplingError {
  const constraints = describeConstraints(space.constraints);
  const what = constraints ? `satisfied ${constraints}` : "passed the space's rules";
  const reasons = sortedRejections(rejections)
    .slice(0, 3)
    .map(([r, c]) => `${describeRejection(r, space)}: ${groupThousands(c)}`)
    .join('; ');
  const because = reasons ? ` (${reasons})` : '';
  return new SamplingError(`no model of ${space.name} ${what} after ${groupThousands(attempts)} attempts${because}`, space.name);
}

/** Bounds of the active constraints as flat arrays (the loop checks them without allocating). */
function compileConstraints(constraints: Constraints): { metric: ComplexityMetric; lo: number; hi: number }[] {
  return METRICS.filter((m) => constraints[m] !== undefined).map((m) => ({ metric: m, lo: constraints[m]![0], hi: constraints[m]![1] }));
}

/**
 * Samples `samples` distinct models of `space` (reference §4.4), reproducibly from `seed`.
 * Returns fewer (with `complete: false`) when the attempt budget runs out; throws a
 * SamplingError when it runs out with none. A space whose ranges cannot be drawn throws a
 * RangeError; one whose ranges allow a model that cannot be built throws InvalidCandidateError.
 */
export function sampleSpace(space: DesignSpace, options: SampleOptions = {}): SpaceSample {
  const requested = options.samples ?? space.samples;
  const seed = options.seed ?? space.seed;
  const maxAttempts = options.maxAttempts ?? space.maxAttempts;
  const onProgress = options.onProgress;
  const draw = candidateDrawer(space);
  const bounds = compileConstraints(space.constraints);
  const rng = new Rng(seed);
  const seen = new Set<string>();
  const models: SampledModel[] = [];
  const rejections: SpaceSample['rejections'] = {};
  const reject = (reason: RejectionReason): void => {
    rejections[reason] = (rejections[reason] ?? 0) + 1;
  };
  const progress = (attempts: number): void =>
    onProgress?.({ space: space.name, attempts, maxAttempts, accepted: models.length, requested });

  let attempts = 0;
  while (models.length < requested && attempts < maxAttempts) {
    attempts++;
    if (onProgress && attempts % PROGRESS_EVERY === 0) progress(attempts);
    const candidate = draw(rng);
    if ('rejected' in candidate) {
      reject(candidate.rejected);
      continue;
    }
    const cx = complexity(candidate.model);
    let violated: RejectionReason | undefined;
    for (const b of bounds) {
      const x = cx[b.metric];
      if (x < b.lo) violated = `${b.metric}<`;
      else if (x > b.hi) violated = `${b.metric}>`;
      if (violated) break;
    }
    if (violated) {
      reject(violated);
      continue;
    }
    const key = modelKey(candidate.model, candidate.training);
    if (seen.has(key)) {
      reject('duplicate');
      continue;
    }
    seen.add(key);
    models.push({
      space: space.name,
      index: models.length,
      model: candidate.spec,
      ...(candidate.training === undefined ? {} : { training: candidate.training }),
      flops: cx.flops,
      params: cx.params,
      acts: cx.acts,
    });
    progress(attempts);
  }
  progress(attempts);
  if (models.length === 0 && requested > 0) throw noModelError(space, attempts, rejections);
  return {
    space: space.name,
    seed,
    requested,
    models,
    attempts,
    acceptanceRate: attempts === 0 ? 0 : models.length / attempts,
    rejections,
    complete: models.length >= requested,
  };
}

export interface SampleFileOptions {
  /** Only this space (a SamplingError naming the available spaces if there is none). */
  space?: string;
  /** Models per space, replacing every space's `samples`. */
  samples?: number;
  /** A file seed replacing `sampling.seed`: every space's seed is re-derived from it and the space's name. */
  seed?: number;
  /** Attempt budget per space, replacing every space's `maxAttempts`. */
  maxAttempts?: number;
  onProgress?: (progress: SamplingProgress) => void;
}

/** The spaces `sampleFile` would sample, in file order (throws a SamplingError for an unknown name). */
export function selectSpaces(file: ResolvedSpaceFile, name?: string): DesignSpace[] {
  if (name === undefined) return file.spaces;
  const space = file.spaces.find((s) => s.name === name);
  if (!space) {
    const available = file.spaces.map((s) => s.name).join(', ');
    throw new SamplingError(`no space named '${name}'; the file defines ${available || 'no spaces'}`, name);
  }
  return [space];
}

/** Samples every space of a resolved file (or one), in file order, each from its own stream. */
export function sampleFile(file: ResolvedSpaceFile, options: SampleFileOptions = {}): SpaceSample[] {
  return selectSpaces(file, options.space).map((space) =>
    sampleSpace(space, {
      samples: options.samples,
      seed: options.seed === undefined ? undefined : deriveSpaceSeed(options.seed, space.name),
      maxAttempts: options.maxAttempts,
      onProgress: options.onProgress,
    }),
  );
}
