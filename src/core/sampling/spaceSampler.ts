/**
 * One candidate model from a design space: the space's parameters drawn in a fixed order, the
 * space's structural rules applied (AnyNetX restrictions, pycls's RegNet stage checks), and
 * the result as a fully explicit ModelSpec plus its expanded form.
 */
import { DEFAULT_SE_RATIO, type Activation, type BlockType, type ExpandedModel, type ModelSpec } from '../model';
import { expandModel } from '../modelSpec';
import { generateRegnet } from '../regnet';
import type { AnyNetSpace, DesignSpace, Distribution, RegNetSpace, ResolvedModelSettings } from '../space/types';
import { DRAWN_TRAINING_KEYS, drawsSettings, drawsTraining, type DrawnTraining } from '../space/drawnSettings';
import { compileDistribution } from './distributions';
import type { Rng } from './rng';

/**
 * Why a drawn candidate is not a model of the space, before its complexity is known.
 * increasingWidths / increasingDepths: AnyNetX_D/E's w_{i+1} ≥ w_i, d_{i+1} ≥ d_i failed.
 * emptyStage: a stage without blocks (AnyNet depth 0; RegNet numStages ≠ totalStages, a
 * skipped or merged stage index, which pycls's sweep sampler rejects).
 * stageCount: a RegNet whose stage count differs from the space's `model.stages`.
 */
export type StructuralRejection = 'increasingWidths' | 'increasingDepths' | 'emptyStage' | 'stageCount';

/** A drawn model: the spec `dslab cx` accepts, the network it builds, and the training values the space draws (if any). */
export interface Candidate {
  spec: ModelSpec;
  model: ExpandedModel;
  training?: DrawnTraining;
}

export type Draw = Candidate | { rejected: StructuralRejection };

/** Draws one candidate from the stream; compiled once per space. */
export type CandidateDrawer = (rng: Rng) => Draw;

/** A drawn spec that expandModel refuses: the space's ranges allow a model that cannot be built. */
export class InvalidCandidateError extends Error {
  constructor(
    readonly space: string,
    readonly spec: ModelSpec,
    cause: Error,
  ) {
    super(`space ${space} produced a model that cannot be built (${cause.message}): ${JSON.stringify(spec)}`);
    this.name = 'InvalidCandidateError';
  }
}

type Skeleton = Omit<ModelSpec, 'regnet' | 'anynet'>;

/** The skeleton of a model, as ModelSpec fields (a fresh object each time). */
function skeleton(m: ResolvedModelSettings, activation: Activation, block: BlockType, se: number, stemWidth: number, resolution: number): Skeleton {
  return {
    stem: { type: m.stem.type, width: stemWidth },
    block,
    se,
    // Only when not the default, as normalizeModelSpec writes it (existing sweeps keep their fingerprint).
    ...(activation === 'relu' ? {} : { activation }),
    resolution,
    classes: m.classes,
    channels: m.channels,
    headWidth: m.headWidth,
  };
}

/**
 * Draws the skeleton of each model: the space's fixed settings, with those it draws per model
 * (SAMPLED_SETTING_ORDER) drawn after the design parameters. A space that draws none takes
 * nothing from the stream, so its models are what they were before settings could be drawn.
 */
function skeletonDrawer(m: ResolvedModelSettings): (rng: Rng) => Skeleton {
  const s = m.sampled;
  if (s === undefined || !drawsSettings(s)) return () => skeleton(m, m.activation, m.block, m.se, m.stem.width, m.resolution);
  const pick = <T>(values: readonly T[] | undefined, fixed: T): ((rng: Rng) => T) =>
    values === undefined ? () => fixed : (rng) => values[rng.int(0, values.length - 1)];
  const activation = pick(s.activation, m.activation);
  const block = pick(s.block, m.block);
  const se = s.se === undefined ? undefined : compileDistribution(s.se);
  const stemWidth = s.stemWidth === undefined ? undefined : compileDistribution(s.stemWidth);
  const resolution = s.resolution === undefined ? undefined : compileDistribution(s.resolution);
  return (rng) => {
    const a = activation(rng);
    const b = block(rng);
    const r = se !== undefined ? se(rng) : s.seByBlock ? (b === 'Y' ? DEFAULT_SE_RATIO : 0) : m.se;
    const w = stemWidth !== undefined ? stemWidth(rng) : m.stem.width;
    const h = resolution !== undefined ? resolution(rng) : m.resolution;
    return skeleton(m, a, b, r, w, h);
  };
}

function expand(space: DesignSpace, spec: ModelSpec): ExpandedModel {
  try {
    return expandModel(spec);
  } catch (err) {
    throw new InvalidCandidateError(space.name, spec, err as Error);
  }
}

/**
 * AnyNet: d_i for every stage, then w_i, then b (one when sharedBottleneck, else one per
 * stage), then g likewise. Restrictions are checked on the drawn values (as the paper states
 * them); the emitted widths and group widths are the adjusted ones, so the spec rebuilds the
 * same network.
 */
function anynetDrawer(space: AnyNetSpace): CandidateDrawer {
  const n = space.model.stages;
  const depth = compileDistribution(space.depth);
  const width = compileDistribution(space.width);
  const bottleneck = compileDistribution(space.bottleneck);
  const groupWidth = compileDistribution(space.groupWidth);
  const sharedB = space.restrictions.includes('sharedBottleneck');
  const sharedG = space.restrictions.includes('sharedGroupWidth');
  const increasingW = space.restrictions.includes('increasingWidths');
  const increasingD = space.restrictions.includes('increasingDepths');
  const strides = space.model.strides;
  const drawSkeleton = skeletonDrawer(space.model);

  const drawList = (draw: (rng: Rng) => number, shared: boolean, rng: Rng): number[] => {
    const out = new Array<number>(n);
    if (shared) out.fill(draw(rng));
    else for (let i = 0; i < n; i++) out[i] = draw(rng);
    return out;
  };

  return (rng) => {
    const depths = drawList(depth, false, rng);
    const widths = drawList(width, false, rng);
    const bottlenecks = drawList(bottleneck, sharedB, rng);
    const groupWidths = drawList(groupWidth, sharedG, rng);
    const rest = drawSkeleton(rng);
    for (let i = 0; i < n; i++) {
      if (depths[i] <= 0) return { rejected: 'emptyStage' };
    }
    for (let i = 1; i < n; i++) {
      if (increasingW && widths[i] < widths[i - 1]) return { rejected: 'increasingWidths' };
    }
    for (let i = 1; i < n; i++) {
      if (increasingD && depths[i] < depths[i - 1]) return { rejected: 'increasingDepths' };
    }
    const drawn: ModelSpec = {
      anynet: { depths, widths, strides: strides.slice(), bottlenecks, groupWidths },
      ...rest,
    };
    const model = expand(space, drawn);
    const spec: ModelSpec = {
      anynet: {
        depths,
        widths: model.stages.map((s) => s.width),
        strides: strides.slice(),
        bottlenecks: model.stages.map((s) => s.bottleneck),
        groupWidths: model.stages.map((s) => s.groupWidth),
      },
      ...rest,
    };
    return { spec, model };
  };
}

/**
 * RegNet: d, w0, wa, wm, g, b in pycls's regnet_sampler order. Rejected like pycls's sweep
 * sampler when numStages ≠ totalStages, and when the stage count is not the space's.
 */
function regnetDrawer(space: RegNetSpace): CandidateDrawer {
  const depth = compileDistribution(space.depth);
  const w0 = compileDistribution(space.w0);
  const wa = compileDistribution(space.wa);
  const wm = compileDistribution(space.wm);
  const groupWidth = compileDistribution(space.groupWidth);
  const bottleneck = compileDistribution(space.bottleneck);
  const stages = space.model.stages;
  const drawSkeleton = skeletonDrawer(space.model);

  return (rng) => {
    const p = { depth: depth(rng), w0: w0(rng), wa: wa(rng), wm: wm(rng) };
    const g = groupWidth(rng);
    const b = bottleneck(rng);
    const rest = drawSkeleton(rng);
    const shape = generateRegnet(p);
    if (shape.numStages !== shape.totalStages) return { rejected: 'emptyStage' };
    if (shape.numStages !== stages) return { rejected: 'stageCount' };
    const spec: ModelSpec = {
      regnet: { ...p, groupWidth: g, bottleneck: b, strides: space.model.strides.slice() },
      ...rest,
    };
    return { spec, model: expand(space, spec) };
  };
}

/** Draws a model's training values (DRAWN_TRAINING_KEYS order), after everything else; none when the space draws none. */
function trainingDrawer(space: DesignSpace): ((rng: Rng) => DrawnTraining) | undefined {
  const s = space.training;
  if (!drawsTraining(s)) return undefined;
  const drawers = DRAWN_TRAINING_KEYS.filter((k) => s[k] !== undefined).map((k) => [k, compileDistribution(s[k] as Distribution)] as const);
  return (rng) => {
    const out: DrawnTraining = {};
    for (const [key, draw] of drawers) out[key] = draw(rng);
    return out;
  };
}

/** Compiles a space into a candidate drawer (throws a RangeError for a distribution that cannot be drawn). */
export function candidateDrawer(space: DesignSpace): CandidateDrawer {
  const draw = space.type === 'anynet' ? anynetDrawer(space) : regnetDrawer(space);
  const training = trainingDrawer(space);
  if (training === undefined) return draw;
  return (rng) => {
    const d = draw(rng);
    // Drawn for every attempt, rejected or not, so that each attempt takes the same share of the stream.
    const t = training(rng);
    return 'rejected' in d ? d : { ...d, training: t };
  };
}

/**
 * Identity of the trial a candidate makes: the stages, the settings a space can draw and the
 * drawn training values, so two draws with equal stage lists (e.g. RegNets whose wa differ by
 * 0.1) are one model.
 */
export function modelKey(model: ExpandedModel, training?: DrawnTraining): string {
  let key = `${model.activation}/${model.block}/se${model.se}/stem${model.stem.width}/r${model.resolution}:`;
  for (const s of model.stages) key += `${s.depth}x${s.width}/g${s.groupWidth}/b${s.bottleneck}/s${s.stride};`;
  if (training !== undefined) key += JSON.stringify(training);
  return key;
}
