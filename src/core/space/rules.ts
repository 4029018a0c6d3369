/**
 * The checks a schema cannot express: relations between values (lo ≤ hi, strides per stage,
 * resolution vs total stride), pycls's sampler preconditions, `extends` chains, and settings
 * that must agree with the dataset. Each check reads only values of the right shape (the
 * schema reports the rest), so every problem of a file is found in one pass.
 */
import { STEM_TYPES, type StemType } from '../model';
import { DATASETS, SYNTHETIC_SHAPE_KEYS, datasetOf } from './datasets';
import { DEFAULTS } from './defaults';
import { FILE_LEVEL, isDict, mostSpecific, SpaceFileView, type Located } from './effective';
import { error, warning, withFix, type Finding } from './finding';
import {
  PARAMETERS,
  parameterDefaults,
  readDistribution,
  spaceKeys,
  TYPE_ONLY_KEYS,
  type ParameterName,
  type SpaceType,
  type WrittenDistribution,
} from './parameters';
import { DRAWN_TRAINING_KEYS, numberBounds, readBlock, readNumber, readTrainingSetting, TRAINING_PATHS } from './drawnSettings';
import { compileDistribution } from '../sampling/distributions';
import type { Distribution } from './types';
import { defaultStrides, STEM_STRIDE } from './skeleton';
import { closest } from './suggest';
import { dotted, literal, oneOf } from './wording';
import type { Segment } from './yamlPositions';
import { count } from '../presentation/counts';

/** Schema maximum of a depth; anynet depths (blocks per stage) are capped lower, here. */
const DEPTH_MAX = 128;
const ANYNET_DEPTH_MAX = 64;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown, lo: number, hi: number): v is number => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;
const valueOf = <T>(loc: Located | undefined, ok: (v: unknown) => v is T): T | undefined => (loc && ok(loc.value) ? loc.value : undefined);

/** x is an integer multiple of q, in decimal (4.2 is a multiple of 0.1). */
export function isMultipleOf(x: number, q: number): boolean {
  const k = Math.round(x / q);
  return Math.abs(k * q - x) <= 1e-9 * Math.max(1, Math.abs(x));
}

/** x = 2^k for an integer k (0.25, 1, 32). */
export function isPowerOf2(x: number): boolean {
  return x > 0 && Number.isInteger(Math.log2(x)) && 2 ** Math.log2(x) === x;
}

/** pycls's precondition on BOT_MUL = 1/b: below 1 or an integer. */
export function isUsableBottleneck(b: number): boolean {
  const m = 1 / b;
  return m < 1 || Math.abs(m - Math.round(m)) < 1e-9;
}

function checkDataset(view: SpaceFileView, out: Finding[]): void {
  const dataset = datasetOf(view.root.dataset);
  if (!dataset) return;
  const { name, shape } = dataset;
  const facts = DATASETS[name];
  if (name !== 'synthetic') {
    for (const key of SYNTHETIC_SHAPE_KEYS) {
      const loc = view.file(['dataset', key]);
      if (!loc) continue;
      const what = key === 'channels' ? count(shape.channels, 'channel') : key === 'resolution' ? `${shape.resolution}×${shape.resolution} images` : `${shape.classes} classes`;
      out.push(error('not-applicable', `dataset.${key} applies only to the synthetic dataset; ${name} has ${what}`, loc.path, 'key'));
    }
  }
  for (const [key, total, split] of [
    ['train', facts.trainImages, 'training'],
    ['test', facts.testImages, 'test'],
  ] as const) {
    const loc = view.file(['dataset', key]);
    if (total !== undefined && isNumber(loc?.value) && loc.value > total) {
      out.push(error('too-large', `dataset.${key} is ${loc.value}, but ${name} has ${total} ${split} images`, loc.path));
    }
  }
}

/** model.classes, wherever written, must equal the dataset's (a resolution may differ: images are resized). */
function checkModelAgainstDataset(view: SpaceFileView, modelPath: Segment[], model: unknown, out: Finding[]): void {
  const dataset = datasetOf(view.root.dataset);
  if (!dataset || !isDict(model)) return;
  const { name, shape } = dataset;
  if (isNumber(model.classes) && model.classes !== shape.classes) {
    out.push(
      error(
        'dataset-mismatch',
        `${dotted([...modelPath, 'classes'])} is ${model.classes}, but ${name} has ${shape.classes} classes; leave it out to use the dataset's`,
        [...modelPath, 'classes'],
      ),
    );
  }
}

function checkConstraints(constraints: unknown, path: Segment[], out: Finding[]): void {
  if (!isDict(constraints)) return;
  for (const [metric, interval] of Object.entries(constraints)) {
    if (!Array.isArray(interval) || interval.length !== 2 || !interval.every(isNumber)) continue;
    const [lo, hi] = interval as number[];
    if (lo >= hi) {
      out.push(error('constraint-order', `${dotted([...path, metric])}: lo ${lo} must be less than hi ${hi}`, [...path, metric]));
    }
  }
}

function checkTraining(view: SpaceFileView, out: Finding[]): void {
  const epochs = view.file(['training', 'epochs'])?.value ?? DEFAULTS.training.epochs;
  const warmup = view.file(['training', 'schedule', 'warmupEpochs']);
  if (isNumber(epochs) && isNumber(warmup?.value) && warmup.value > 0 && warmup.value >= epochs) {
    out.push(
      warning(
        'warmup',
        `training.schedule.warmupEpochs is ${warmup.value} but training lasts ${count(epochs, 'epoch')}; the learning rate never leaves warmup`,
        warmup.path,
      ),
    );
  }
  const unit = view.file(['training', 'schedule', 'unit'])?.value ?? DEFAULTS.training.schedule.unit;
  const steps = view.file(['training', 'schedule', 'warmupSteps']);
  if (unit === 'epoch' && isNumber(warmup?.value) && !Number.isInteger(warmup.value)) {
    out.push(error('warmup-unit', `training.schedule.warmupEpochs is ${warmup.value}: with unit: epoch the warm-up lasts whole epochs`, warmup.path));
  }
  if (steps && unit === 'epoch') {
    out.push(error('warmup-unit', 'training.schedule.warmupSteps needs unit: step (with unit: epoch the lr changes once per epoch)', steps.path));
  } else if (steps && warmup) {
    out.push(error('warmup-unit', 'training.schedule: give warmupSteps or warmupEpochs, not both', steps.path));
  }
  const batch = view.file(['training', 'batchSize']);
  const train = view.file(['dataset', 'train'])?.value ?? DEFAULTS.dataset.train;
  if (isNumber(batch?.value) && isNumber(train) && batch.value > train) {
    out.push(warning('batch-size', `training.batchSize ${batch.value} is larger than dataset.train ${train}; every epoch is one partial batch`, batch.path));
  }
}

const article = (type: SpaceType) => (type === 'anynet' ? 'an' : 'a');

/** Whether the space names a type other than the one it inherits. */
function typeConflict(view: SpaceFileView, name: string): boolean {
  const own = view.ownType(name);
  const parent = view.chain(name).names[1];
  const parentType = parent === undefined ? undefined : view.type(parent);
  return own !== undefined && parentType !== undefined && own !== parentType;
}

function checkExtends(view: SpaceFileView, name: string, out: Finding[]): void {
  const chain = view.chain(name);
  const at = ['spaces', name, 'extends'];
  const problem = chain.problem;
  if (problem && chain.problemAt === name) {
    if (problem.kind === 'self') out.push(error('extends', `spaces.${name} extends itself`, at));
    if (problem.kind === 'unknown-parent') {
      const others = view.names.filter((n) => n !== name);
      const guess = closest(problem.parent, others);
      const hint = guess ? `; did you mean '${guess}'?` : others.length ? ` (spaces: ${others.join(', ')})` : '';
      const found = error('extends', `spaces.${name} extends ${literal(problem.parent)}, which is not a space in this file${hint}`, at);
      out.push(guess ? withFix(found, guess) : found);
    }
  }
  if (problem?.kind === 'cycle' && problem.cycle[0] === name) {
    out.push(error('extends', `extends cycle: ${problem.cycle.join(' → ')}`, at));
  }
  if (typeConflict(view, name)) {
    const own = view.ownType(name)!;
    const parent = chain.names[1];
    const parentType = view.type(parent)!;
    out.push(
      error(
        'extends-type',
        `spaces.${name} is ${own}, but it extends ${parent}, ${article(parentType)} ${parentType} space; a space keeps the type of the space it extends`,
        ['spaces', name, 'type'],
      ),
    );
  }
}

/** pycls's sampler rules for one written parameter, plus the parameter's own value rules. */
function checkDistribution(type: SpaceType | undefined, param: ParameterName, at: Segment[], written: WrittenDistribution, out: Finding[]): void {
  const where = (rel: Segment[]) => dotted([...at, ...rel]);
  const depthMax = type === 'anynet' ? ANYNET_DEPTH_MAX : DEPTH_MAX;
  const valueProblems = (v: number, rel: Segment[]): void => {
    // The schema already reports depths over DEPTH_MAX; only the anynet-specific cap is new here.
    if (param === 'depth' && v > depthMax && v <= DEPTH_MAX) {
      out.push(error('too-large', `${where(rel)} must be at most ${depthMax} for an anynet space (blocks per stage), got ${v}`, [...at, ...rel]));
    }
    if (param === 'bottleneck' && v > 0 && !isUsableBottleneck(v)) {
      out.push(
        error(
          'bottleneck',
          `${where(rel)} is ${v}: 1/b = ${Number((1 / v).toFixed(3))} must be below 1 or an integer (pycls's BOT_MUL precondition)`,
          [...at, ...rel],
        ),
      );
    }
  };

  if (written.kind === 'values') {
    const seen = new Set<number>();
    written.values.forEach((v, i) => {
      valueProblems(v, written.valuePath(i));
      if (seen.has(v)) {
        out.push(warning('duplicate-value', `${where(written.valuePath(i))}: ${v} is listed twice, so it is drawn twice as often`, [...at, ...written.valuePath(i)]));
      }
      seen.add(v);
    });
    return;
  }

  const { kind, lo, hi, quantum: q, rangePath } = written;
  const loPath = [...at, ...rangePath, 0];
  const hiPath = [...at, ...rangePath, 1];
  const qPath = written.quantumPath ? [...at, ...written.quantumPath] : undefined;
  const qWords = written.quantumPath ? `the quantum ${q}` : `the quantum ${q} (the default for ${param})`;
  if (lo > hi) {
    const found = error('range-order', `${where(rangePath)}: lo ${lo} is greater than hi ${hi}; write the range as [lo, hi] with lo ≤ hi`, [...at, ...rangePath]);
    out.push(withFix(found, `[${hi}, ${lo}]`, `Swap to [${hi}, ${lo}]`));
  }
  if (kind !== 'uniform' && kind !== 'normal' && lo <= 0) {
    out.push(error('range-bound', `${where([...rangePath, 0])}: a ${kind} range needs lo > 0, got ${lo}`, loPath));
  }
  if (kind !== 'power2-or-log-uniform') {
    for (const [v, p] of [[lo, loPath], [hi, hiPath]] as const) {
      // Widths that are not multiples of 8 at all are the schema's to report.
      const schemaReports = (param === 'width' || param === 'w0') && !isMultipleOf(v, 8);
      if (!isMultipleOf(v, q) && !schemaReports) out.push(error('not-multiple', `${dotted(p)} is ${v}, not a multiple of ${qWords}`, p));
    }
  }
  if (kind === 'power2' || kind === 'power2-or-log-uniform') {
    for (const [v, p, what] of [[lo, loPath, 'lo'], [hi, hiPath, 'hi'], [q, qPath, 'quantum']] as const) {
      if (!isPowerOf2(v)) {
        out.push(error('not-power2', `${dotted(p ?? at)}: ${what} ${v} is not a power of 2, as ${kind} needs for lo, hi and quantum`, p ?? at));
      }
    }
  }
  for (const [v, p] of [[lo, loPath], [hi, hiPath]] as const) valueProblems(v, p.slice(at.length));
  if (param === 'bottleneck') {
    if ((kind === 'uniform' || kind === 'log-uniform' || kind === 'normal' || kind === 'log-normal') && lo < 1) {
      out.push(
        error(
          'bottleneck',
          `${dotted(loPath)}: a ${kind} bottleneck range needs lo ≥ 1 (b = 0.75 would give 1/b = 1.33, neither below 1 nor an integer); use power2 or a list of values`,
          loPath,
        ),
      );
    }
    if (kind === 'power2-or-log-uniform' && q < 1 && hi > q) {
      out.push(
        error(
          'bottleneck',
          `${dotted(qPath ?? at)}: with power2-or-log-uniform a bottleneck quantum below 1 draws multiples like ${3 * q} whose 1/b is neither below 1 nor an integer`,
          qPath ?? at,
        ),
      );
    }
  }
}

/** The parameters of its type that a space neither has nor inherits ([] for no space, or a space of another type). */
function missingParameters(view: SpaceFileView, name: string | undefined, type: SpaceType): ParameterName[] {
  if (name === undefined || !view.definition(name) || view.type(name) !== type) return [];
  return PARAMETERS[type].filter((p) => !view.inherited(name, [p]));
}

function checkSpace(view: SpaceFileView, name: string, out: Finding[]): void {
  const def = view.definition(name);
  if (!def) return;
  const at: Segment[] = ['spaces', name];
  checkExtends(view, name, out);

  const type = view.type(name);
  const chain = view.chain(name);
  if (!type && def.type === undefined && def.extends === undefined) {
    out.push(error('required', `spaces.${name} needs a 'type' (anynet or regnet) or 'extends'`, at, 'key'));
  }
  // With two types in play, which keys belong is unclear until the conflict is fixed.
  if (type && !typeConflict(view, name)) {
    const allowed = spaceKeys(type);
    const inheritedNote = view.ownType(name) ? '' : ` (inherited from ${chain.names.find((n) => view.ownType(n))})`;
    for (const key of Object.keys(def)) {
      if (allowed.includes(key) || !spaceKeys(type === 'anynet' ? 'regnet' : 'anynet').includes(key)) continue;
      const other = type === 'anynet' ? 'regnet' : 'anynet';
      const takes = [...PARAMETERS[type], ...TYPE_ONLY_KEYS[type]];
      out.push(
        error(
          'not-applicable',
          `'${key}' belongs to ${other} spaces, but spaces.${name} is ${article(type)} ${type} space${inheritedNote}; ${type} spaces take ${oneOf(takes, 'and')}`,
          [...at, key],
          'key',
        ),
      );
    }
    if (!chain.problem) {
      // A key a space's parent lacks too is the parent's problem: reported there once, naming the heirs.
      const missing = missingParameters(view, name, type).filter((p) => !missingParameters(view, chain.names[1], type).includes(p));
      if (missing.length > 0) {
        const heirs = view.names.filter((n) => n !== name && view.chain(n).names.includes(name) && !view.chain(n).problem && view.type(n) === type && missingParameters(view, n, type).some((p) => missing.includes(p)));
        const inherited = heirs.length > 0 ? `; ${oneOf(heirs, 'and')} ${heirs.length === 1 ? 'extends it and lacks' : 'extend it and lack'} it too` : '';
        out.push(error('required', `spaces.${name} (${type}) is missing ${oneOf(missing.map((m) => `'${m}'`), 'and')}${inherited}`, at, 'key'));
      }
    }
  }

  for (const param of ['depth', 'width', 'w0', 'wa', 'wm', 'bottleneck', 'groupWidth'] as ParameterName[]) {
    if (!(param in def)) continue;
    // Without a known type, read the shorthand as the type the parameter belongs to (depth, b, g: either works).
    const readAs = type ?? (param === 'w0' || param === 'wa' || param === 'wm' ? 'regnet' : 'anynet');
    const written = readDistribution(def[param], parameterDefaults(readAs, param));
    if (written) checkDistribution(type, param, [...at, param], written, out);
  }

  if (Array.isArray(def.restrictions)) {
    const seen = new Set<unknown>();
    def.restrictions.forEach((r, i) => {
      if (seen.has(r)) out.push(error('duplicate', `${dotted([...at, 'restrictions', i])}: restriction ${literal(r)} is listed twice`, [...at, 'restrictions', i]));
      seen.add(r);
    });
  }
  checkConstraints(def.constraints, [...at, 'constraints'], out);
  checkModelAgainstDataset(view, [...at, 'model'], def.model, out);
  if (!chain.problem) {
    checkModelInEffect(view, name, out);
    checkDrawnSettings(view, name, out);
  }
}

/**
 * Every setting the space draws per model (model settings with a range, training values) must be
 * drawable: a range in order, positive for the logarithmic kinds, holding a multiple of its quantum.
 */
function checkDrawnSettings(view: SpaceFileView, name: string, out: Finding[]): void {
  const sites: { loc: Located | undefined; read: (raw: unknown) => { fixed: number } | { dist: Distribution } | undefined }[] = [
    ...(['se', 'resolution'] as const).map((key) => ({ loc: view.model(name, [key]), read: (raw: unknown) => readNumber(raw, key) })),
    { loc: view.model(name, ['stem', 'width']), read: (raw: unknown) => readNumber(raw, 'stemWidth') },
    ...DRAWN_TRAINING_KEYS.map((key) => ({ loc: view.training(name, TRAINING_PATHS[key]), read: (raw: unknown) => readTrainingSetting(raw, key) })),
  ];
  for (const { loc, read } of sites) {
    if (loc === undefined) continue;
    const r = read(loc.value);
    if (r === undefined || !('dist' in r)) continue;
    try {
      compileDistribution(r.dist);
    } catch (err) {
      // Reported once, where it is written: with the space that writes it, or the file's with the first space.
      if (loc.level === FILE_LEVEL ? name !== view.names[0] : loc.level !== 0) continue;
      out.push(error('distribution', `${dotted(loc.path)}: ${(err as Error).message}`, loc.path));
    }
  }
}

/** Rules on the model skeleton in effect for a space (its own model over its parents' over the file's). */
function checkModelInEffect(view: SpaceFileView, name: string, out: Finding[]): void {
  const stagesLoc = view.model(name, ['stages']);
  const stridesLoc = view.model(name, ['strides']);
  const stemLoc = view.model(name, ['stem', 'type']);
  const blockLoc = view.model(name, ['block']);
  const seLoc = view.model(name, ['se']);
  const resolutionLoc = view.model(name, ['resolution']);

  // Each is undefined when written but invalid (the schema reports it), and rules needing it are skipped.
  const stages = stagesLoc ? valueOf(stagesLoc, (v): v is number => isInt(v, 1, 16)) : DEFAULTS.model.stages;
  const stem = stemLoc ? valueOf(stemLoc, (v): v is StemType => STEM_TYPES.includes(v as StemType)) : DEFAULTS.model.stem.type;
  const blockRead = blockLoc ? readBlock(blockLoc.value) : { fixed: DEFAULTS.model.block };
  const blocks = blockRead === undefined ? undefined : 'fixed' in blockRead ? [blockRead.fixed] : blockRead.values;
  const seRead = seLoc ? readNumber(seLoc.value, 'se') : undefined;
  // The largest SE ratio the space can give a model.
  const se = seRead === undefined ? undefined : numberBounds(seRead)[1];
  let strides = stridesLoc
    ? valueOf(stridesLoc, (v): v is number[] => Array.isArray(v) && v.length > 0 && v.every((s) => isInt(s, 1, 4)))
    : undefined;

  if (strides && stages !== undefined && strides.length !== stages) {
    const stagesWords = stagesLoc ? `${dotted(stagesLoc.path)} is ${stages}` : `there are ${stages} stages (the default)`;
    const site = mostSpecific(stridesLoc, stagesLoc)!;
    out.push(error('strides-length', `${dotted(stridesLoc!.path)} has ${strides.length} entries but ${stagesWords}; give one stride per stage`, site.path));
    strides = undefined;
  } else if (!stridesLoc && stages !== undefined && stem !== undefined) {
    strides = defaultStrides(stages, stem);
  }

  const noSe = blocks?.find((b) => b !== 'X' && b !== 'Y');
  if (se !== undefined && se > 0 && noSe !== undefined) {
    const site = mostSpecific(seLoc, blockLoc)!;
    const drawnBlock = blocks !== undefined && blocks.length > 1;
    const blockWords = blockLoc ? `${dotted(blockLoc.path)} ${drawnBlock ? 'draws' : 'is'} ${noSe}` : `the block is ${noSe}`;
    const seWords = seRead !== undefined && 'fixed' in seRead ? `is ${se}` : `draws up to ${se}`;
    out.push(error('se-block', `${dotted(seLoc!.path)} ${seWords}, but ${blockWords}; squeeze-excitation needs an X or Y block`, site.path));
  }

  // The model runs at its own resolution when one is written (the smallest it draws), else at the dataset's.
  const resolutionRead = resolutionLoc ? readNumber(resolutionLoc.value, 'resolution') : undefined;
  const resolution = resolutionRead !== undefined ? numberBounds(resolutionRead)[0] : resolutionLoc ? undefined : datasetOf(view.root.dataset)?.shape.resolution;
  if (resolution !== undefined && stem !== undefined && strides) {
    const total = STEM_STRIDE[stem] * strides.reduce((a, b) => a * b, 1);
    if (resolution < total) {
      const resolutionSource =
        resolutionLoc ?? view.file(['dataset', 'resolution']) ?? view.file(['dataset', 'name']) ?? { value: undefined, path: ['spaces', name], level: FILE_LEVEL };
      const site = mostSpecific(stridesLoc, stemLoc, stagesLoc, resolutionSource)!;
      out.push(
        error(
          'resolution-stride',
          `resolution ${resolution} is smaller than the total stride ${total} of the stem and stages (${stem} stem ${STEM_STRIDE[stem]} × strides ${strides.join('·')})`,
          site.path,
        ),
      );
    }
  }
}

/** A sequential `sampling.samples`: min ≤ max, pairs of two different existing spaces, no space with a count of its own. */
function checkSequential(view: SpaceFileView, out: Finding[]): void {
  const samples = view.file(['sampling', 'samples']);
  if (!samples || !isDict(samples.value)) return;
  const { min, max, pairs } = samples.value;
  if (isNumber(min) && isNumber(max) && min > max) {
    out.push(error('sequential-range', `sampling.samples: min ${min} must not exceed max ${max}`, [...samples.path, 'min']));
  }
  if (Array.isArray(pairs)) {
    pairs.forEach((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) return;
      pair.forEach((name, j) => {
        if (typeof name !== 'string' || view.names.includes(name)) return;
        const hint = closest(name, view.names);
        const found = error('unknown-space', `sampling.samples.pairs: no space named ${literal(name)}${hint ? `; did you mean ${literal(hint)}?` : ''}`, [...samples.path, 'pairs', i, j]);
        out.push(hint ? withFix(found, hint) : found);
      });
      if (pair[0] === pair[1] && typeof pair[0] === 'string') {
        out.push(error('sequential-pair', `sampling.samples.pairs: ${literal(pair[0])} is compared with itself`, [...samples.path, 'pairs', i]));
      }
    });
  }
  for (const name of view.names) {
    const own = view.own(name, ['samples']);
    if (own) {
      out.push(
        error('sequential-samples', `spaces.${name}.samples: a sequential sweep (sampling.samples with until) trains as many models in every space; remove it`, own.path, 'key'),
      );
    }
  }
}

/** Every semantic problem of a parsed space file (any shape; see the module comment). */
export function ruleFindings(value: unknown): Finding[] {
  const view = new SpaceFileView(value);
  const out: Finding[] = [];
  if (!isDict(value)) return out;
  checkDataset(view, out);
  checkModelAgainstDataset(view, ['model'], view.root.model, out);
  checkConstraints(view.file(['sampling', 'constraints'])?.value, ['sampling', 'constraints'], out);
  checkTraining(view, out);
  checkSequential(view, out);
  for (const name of view.names) checkSpace(view, name, out);
  return out;
}
