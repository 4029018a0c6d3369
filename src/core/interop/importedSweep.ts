/**
 * Results trained elsewhere (a collected pycls sweep, an NDS population) as a sweep directory of
 * ours: the manifest lists every job's model, each finished job gets a trial record, so that
 * `dslab analyze`, its report and the Results panel read it as any other sweep.
 *
 * Jobs are grouped into spaces by what their models are: one space when they are all RegNets,
 * all AnyNets or all of one other type (named as asked), else one space per kind (`NAME.regnet`,
 * `NAME.anynet`, `NAME.resnet`…), so that every space's trials share their properties. A space's
 * parameters are the values its models take (a space of other models has none: its trials have
 * a complexity and an error only). Jobs without a finished test epoch are listed as models
 * without a record: the analysis counts them as missing, and the import reports them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Cx } from '../complexity';
import type { NormalizedModelSpec } from '../modelSpec';
import { fingerprintInput, sweepFingerprint } from '../results/fingerprint';
import { manifestPath, trialPath, TRIALS_DIR } from '../results/layout';
import { SWEEP_FORMAT_VERSION, type ImportedFrom, type ImportFormat, type SweepManifest, type SweepModel, type TrialEpoch, type TrialRecord } from '../results/records';
import { SweepDirectoryError } from '../results/store';
import { DEFAULTS } from '../space/defaults';
import { DRAWN_TRAINING_KEYS, type DrawnTraining, type DrawnTrainingKey } from '../space/drawnSettings';
import type { DatasetName, DesignSpace, Distribution, ResolvedModelSettings, ResolvedSpaceFile, ResolvedTraining, SampledModelSettings } from '../space/types';
import { SPACE_NAME_PATTERN } from '../space/types';
import { expandModel } from '../modelSpec';
import { makeDirectory } from '../results/makeDirectory';

/** One job of the source, read. */
export interface ImportedJob {
  /** Its index in the source file. */
  entry: number;
  /** The model rebuilt from the source; absent when the source's model is not one of ours. */
  model?: NormalizedModelSpec;
  /** The source's model type (pycls MODEL.TYPE, an NDS net kind). */
  type: string;
  /** Why `model` is absent. */
  unsupported?: string;
  /** flops, params and acts as the source states them. */
  stated: Cx;
  /** The training values its own recipe gives it (lr, weight decay, epochs, batch size, label smoothing), those the source states. */
  training: DrawnTraining;
  seed: number;
  epochs: TrialEpoch[];
  /** Final top-1 test error (%), or null when the job has no finished test epoch. */
  error: number | null;
  /** Lowest test error over its epochs (%). */
  bestError: number | null;
  /** Why it is unfinished, when it is. */
  unfinished?: string;
  description?: string;
}

/** What the source says of the recipe and data, besides each job's own values. */
export interface ImportedRecipe {
  dataset: string;
  training: ResolvedTraining;
}

export interface ImportOptions {
  format: ImportFormat;
  /** The source file as the user named it. */
  source: string;
  /** The sweep's name and the space name its jobs get (one kind of model), or the prefix of the spaces' names. */
  name: string;
  tool: SweepManifest['tool'];
  /** The time the results were collected (the manifest's createdAt, the records' times). */
  collectedAt: string;
  recipe: ImportedRecipe;
}

/** An import ready to write, and what to tell the user about it. */
export interface ImportedSweep {
  manifest: SweepManifest;
  records: TrialRecord[];
  /** Per space: its models, how many were rebuilt, of which kind. */
  spaces: { name: string; type: string; models: number; recorded: number }[];
  /** Rebuilt models whose complexity differs from what the source states (ours is kept). */
  mismatches: { entry: number; ours: Cx; stated: Cx }[];
}

/** A space name from any text: characters a folder name cannot take become '_'. */
export function spaceNameOf(text: string): string {
  let name = text.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '').slice(0, 64);
  if (!/^[A-Za-z_]/.test(name)) name = `_${name}`.slice(0, 64);
  return SPACE_NAME_PATTERN.test(name) ? name : 'imported';
}

const kindOf = (job: ImportedJob): string => (job.model?.regnet ? 'regnet' : job.model?.anynet ? 'anynet' : job.type || 'unknown');

/** The distinct values, ascending: the distribution of an imported parameter. */
function valuesOf(values: Iterable<number>): Distribution {
  return { kind: 'values', values: [...new Set(values)].sort((a, b) => a - b) };
}

/** The settings the models of a space share, and those they vary in. */
function modelSettings(models: NormalizedModelSpec[], stages: number): ResolvedModelSettings {
  const first = models[0];
  const e = expandModel(first);
  const sampled: SampledModelSettings = {};
  const distinct = <T>(f: (m: NormalizedModelSpec) => T): T[] => [...new Set(models.map(f))];
  const activations = distinct((m) => m.activation ?? 'relu');
  const blocks = distinct((m) => m.block);
  if (activations.length > 1) sampled.activation = activations;
  if (blocks.length > 1) sampled.block = blocks;
  if (distinct((m) => m.se).length > 1) sampled.se = valuesOf(models.map((m) => m.se));
  if (distinct((m) => m.stem.width).length > 1) sampled.stemWidth = valuesOf(models.map((m) => m.stem.width));
  if (distinct((m) => m.resolution).length > 1) sampled.resolution = valuesOf(models.map((m) => m.resolution));
  return {
    stem: { ...first.stem },
    block: first.block,
    se: first.se,
    activation: first.activation ?? 'relu',
    stages,
    strides: e.stages.map((s) => s.stride),
    classes: first.classes,
    channels: first.channels,
    resolution: first.resolution,
    headWidth: first.headWidth,
    ...(Object.keys(sampled).length > 0 ? { sampled } : {}),
  };
}

/** The space of one kind of jobs: the values its models' parameters take. */
function spaceOf(name: string, kind: string, jobs: ImportedJob[], varying: DrawnTrainingKey[]): DesignSpace {
  const training = varying.length > 0 ? Object.fromEntries(varying.map((k) => [k, valuesOf(jobs.map((j) => j.training[k] as number))])) : undefined;
  const common = { name, samples: jobs.length, constraints: {}, maxAttempts: DEFAULTS.sampling.maxAttempts, seed: 0, ...(training ? { training } : {}) };
  const models = jobs.map((j) => j.model).filter((m): m is NormalizedModelSpec => m !== undefined);
  if (kind === 'regnet') {
    const r = models.map((m) => m.regnet!);
    return {
      ...common,
      type: 'regnet',
      model: modelSettings(models, Math.max(...models.map((m) => expandModel(m).stages.length))),
      depth: valuesOf(r.map((p) => p.depth)),
      w0: valuesOf(r.map((p) => p.w0)),
      wa: valuesOf(r.map((p) => p.wa)),
      wm: valuesOf(r.map((p) => p.wm)),
      bottleneck: valuesOf(r.map((p) => p.bottleneck)),
      groupWidth: valuesOf(r.map((p) => p.groupWidth)),
    };
  }
  const a = models.map((m) => m.anynet!).filter((p) => p !== undefined);
  const none: Distribution = { kind: 'values', values: [] };
  return {
    ...common,
    type: 'anynet',
    ...(kind === 'anynet' ? {} : { modelType: kind }),
    model: models.length > 0 ? modelSettings(models, Math.max(...a.map((p) => p.depths.length))) : { ...DEFAULTS.model, stem: { ...DEFAULTS.model.stem }, se: 0, strides: [], classes: 0, channels: 0, resolution: 0 },
    depth: kind === 'anynet' ? valuesOf(a.flatMap((p) => p.depths)) : none,
    width: kind === 'anynet' ? valuesOf(a.flatMap((p) => p.widths)) : none,
    bottleneck: kind === 'anynet' ? valuesOf(a.flatMap((p) => p.bottlenecks)) : none,
    groupWidth: kind === 'anynet' ? valuesOf(a.flatMap((p) => p.groupWidths)) : none,
    restrictions: [],
  };
}

/** The manifest and records of imported jobs, grouped into spaces by kind of model. */
export function buildImportedSweep(jobs: readonly ImportedJob[], complexityOf: (m: NormalizedModelSpec) => Cx, options: ImportOptions): ImportedSweep {
  const kinds = new Map<string, ImportedJob[]>();
  for (const job of jobs) {
    const kind = kindOf(job);
    const group = kinds.get(kind);
    if (group) group.push(job);
    else kinds.set(kind, [job]);
  }
  const spaces: DesignSpace[] = [];
  const models: SweepModel[] = [];
  const records: TrialRecord[] = [];
  const summary: ImportedSweep['spaces'] = [];
  const mismatches: ImportedSweep['mismatches'] = [];
  for (const [kind, group] of kinds) {
    const name = kinds.size === 1 ? spaceNameOf(options.name) : spaceNameOf(`${options.name}.${kind}`);
    // Training values that differ between a space's jobs are each trial's own, as drawn values are.
    const varying = DRAWN_TRAINING_KEYS.filter((k) => group.every((j) => j.training[k] !== undefined) && new Set(group.map((j) => j.training[k])).size > 1);
    spaces.push(spaceOf(name, kind, group, varying));
    let recorded = 0;
    group.forEach((job, index) => {
      const cx = job.model ? complexityOf(job.model) : job.stated;
      if (job.model && (cx.flops !== job.stated.flops || cx.params !== job.stated.params || cx.acts !== job.stated.acts)) mismatches.push({ entry: job.entry, ours: cx, stated: job.stated });
      const training = varying.length > 0 ? Object.fromEntries(varying.map((k) => [k, job.training[k]])) : undefined;
      const model: SweepModel = { space: name, index, model: job.model ?? {}, ...(training ? { training } : {}), flops: cx.flops, params: cx.params, acts: cx.acts };
      models.push(model);
      if (job.error === null) return;
      recorded++;
      records.push({
        version: SWEEP_FORMAT_VERSION,
        space: name,
        index,
        status: 'ok',
        model: model.model,
        ...(training ? { training } : {}),
        flops: cx.flops,
        params: cx.params,
        acts: cx.acts,
        seed: job.seed,
        backend: { name: options.format, detail: `imported from ${options.source}` },
        epochs: job.epochs,
        error: job.error,
        bestError: job.bestError,
        wallSeconds: job.epochs.reduce((s, e) => s + e.seconds, 0),
        imagesPerSecond: null,
        peakMemoryBytes: null,
        startedAt: options.collectedAt,
        finishedAt: options.collectedAt,
        host: '',
        source: { format: options.format, entry: job.entry, type: job.type, ...(job.description ? { description: job.description } : {}) },
      });
    });
    summary.push({ name, type: kind, models: group.length, recorded });
  }
  const resolved: ResolvedSpaceFile = {
    version: 1,
    name: options.name,
    // The source's dataset, whatever it is: nothing trains from an imported sweep.
    dataset: { ...DEFAULTS.dataset, augment: { ...DEFAULTS.dataset.augment }, name: options.recipe.dataset as DatasetName, train: 0, test: 0 },
    training: options.recipe.training,
    sampling: { seed: 0, samples: Math.max(0, ...spaces.map((s) => s.samples)), constraints: {}, maxAttempts: DEFAULTS.sampling.maxAttempts },
    analysis: { ...DEFAULTS.analysis, bootstrap: { ...DEFAULTS.analysis.bootstrap } },
    spaces,
  };
  const imported: ImportedFrom = {
    format: options.format,
    source: options.source,
    entries: jobs.length,
    unfinished: jobs.filter((j) => j.error === null).map((j) => ({ entry: j.entry, reason: j.unfinished ?? 'no finished test epoch' })),
  };
  const manifest: SweepManifest = {
    version: SWEEP_FORMAT_VERSION,
    tool: options.tool,
    file: options.source,
    fingerprint: sweepFingerprint(fingerprintInput(resolved, models)),
    createdAt: options.collectedAt,
    resolved,
    models,
    imported,
  };
  return { manifest, records, spaces: summary, mismatches };
}

/** Why an import cannot be written to `dir` (it is a file, or a folder of something else than an earlier import), or undefined when it can. */
export function importFolderProblem(dir: string): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  if (!fs.statSync(dir).isDirectory()) return `${dir} is not a directory`;
  if (fs.readdirSync(dir).length === 0) return undefined;
  try {
    if ((JSON.parse(fs.readFileSync(manifestPath(dir), 'utf8')) as Partial<SweepManifest>).imported !== undefined) return undefined;
  } catch {
    // not a sweep of ours
  }
  return `${dir} holds something other than an imported sweep`;
}

/** Records written between two progress reports and cancellation checks. */
const WRITE_STEP = 500;

export interface WriteOptions {
  /** Told how many records are written, every WRITE_STEP and at the end. */
  onWritten?: (done: number) => void;
  /** Called as often; what it throws stops the writing and removes the half-written folder. */
  checkpoint?: () => void;
}

/**
 * Writes an imported sweep to `dir`: into a new folder beside it, renamed into place once
 * complete. `dir` may be absent, empty, or an earlier import (replaced); anything else is
 * refused with a SweepDirectoryError.
 */
export function writeImportedSweep(dir: string, sweep: ImportedSweep, options: WriteOptions = {}): void {
  const problem = importFolderProblem(dir);
  if (problem !== undefined) throw new SweepDirectoryError(`${problem}; choose another --out or delete it`);
  const parent = path.dirname(path.resolve(dir));
  makeDirectory(parent);
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(dir)}.import-`));
  try {
    fs.writeFileSync(manifestPath(staging), JSON.stringify(sweep.manifest, null, 2) + '\n');
    fs.mkdirSync(path.join(staging, TRIALS_DIR));
    for (const space of new Set(sweep.records.map((r) => r.space))) fs.mkdirSync(path.join(staging, TRIALS_DIR, space));
    // Compact: an import can hold 25,000 records, and the analysis reads them all.
    sweep.records.forEach((r, i) => {
      if (i % WRITE_STEP === 0) {
        options.checkpoint?.();
        options.onWritten?.(i);
      }
      fs.writeFileSync(trialPath(staging, r.space, r.index), JSON.stringify(r) + '\n');
    });
    options.checkpoint?.();
    options.onWritten?.(sweep.records.length);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}
