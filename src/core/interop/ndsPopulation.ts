/**
 * An NDS population file (facebookresearch/nds, "On Network Design Spaces for Visual
 * Recognition"): one file per design space (`ResNet.json`, `DARTS_in.json`…), a list of jobs
 * as its notebooks read them (reruns: {top: [...], mid: [...]}), each with
 * - `net`: the network: per-stage `ds`, `ws`, `ss`, `bot_muls`, `num_gs` and `block_type` for
 *   the AnyNet-like spaces (Vanilla, ResNet, ResNeXt), a cell `genotype` with `width` and
 *   `depth` for the NAS spaces;
 * - `flops`, `params`; `min_test_top1`, the error the notebooks compare (%);
 * - `test_ep_top1`, `train_ep_loss` per epoch; `optim` (`base_lr`, `wd`); `job_id`, `rng_seed`.
 * The files do not say every detail of the nets (the stem, whether `num_gs` counts groups or is
 * a group width): a net is rebuilt when one reading of it gives exactly the flops and params the
 * file states, and kept with its complexity and error only otherwise.
 */
import { complexity } from '../complexity';
import { expandModel, normalizeModelSpec, type NormalizedModelSpec } from '../modelSpec';
import type { BlockType, ModelSpec, StemType } from '../model';
import type { TrialEpoch } from '../results/records';
import { DEFAULTS } from '../space/defaults';
import { bottleneckOf } from './pyclsConfig';
import type { ImportedJob, ImportedRecipe } from './importedSweep';
import { ImportError, isRecord } from './sourceJson';

/** The datasets NDS trained on: CIFAR-10 (`X.json`) and ImageNet (`X_in.json`). */
export type NdsDataset = 'cifar10' | 'imagenet';

const SHAPES: Readonly<Record<NdsDataset, { resolution: number; classes: number; stems: StemType[] }>> = {
  cifar10: { resolution: 32, classes: 10, stems: ['cifar'] },
  imagenet: { resolution: 224, classes: 1000, stems: ['imagenet', 'resnet'] },
};

/** Stem widths tried when a net does not state its own. */
const STEM_WIDTHS = [16, 32, 64, 24, 12, 8];

const BLOCKS: Readonly<Record<string, BlockType>> = { res_bottleneck_block: 'X', res_basic_block: 'R', vanilla_block: 'V', double_plain_block: 'V' };
const STEMS: Readonly<Record<string, StemType>> = { res_stem_cifar: 'cifar', simple_stem_in: 'imagenet', res_stem_in: 'resnet' };

/** The dataset a file's name says: `_in` marks ImageNet. */
export function ndsDatasetOf(file: string): NdsDataset {
  return /_in(\.json)?$/i.test(file.replace(/\.json$/i, '')) ? 'imagenet' : 'cifar10';
}

const ints = (v: unknown): number[] | undefined => (Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && x > 0) ? (v as number[]) : undefined);
const nums = (v: unknown): number[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)) ? (v as number[]) : undefined);

/**
 * The readings of an AnyNet-like net, most likely first: its stem (stated, or each the dataset
 * allows with each usual width) and `num_gs` as a number of groups or as a group width.
 */
function readings(net: Record<string, unknown>, dataset: NdsDataset): ModelSpec[] {
  const depths = ints(net.ds);
  const widths = ints(net.ws);
  const strides = ints(net.ss);
  const block = typeof net.block_type === 'string' ? BLOCKS[net.block_type] : undefined;
  if (!depths || !widths || !strides || block === undefined || widths.length !== depths.length || strides.length !== depths.length) return [];
  const botMuls = nums(net.bot_muls)?.map((b) => (b > 0 ? b : 1)) ?? depths.map(() => 1);
  const numGs = ints(net.num_gs) ?? depths.map(() => 1);
  if (botMuls.length !== depths.length || numGs.length !== depths.length) return [];
  const shape = SHAPES[dataset];
  const stemType = typeof net.stem_type === 'string' ? STEMS[net.stem_type] : undefined;
  const stems = stemType ? [stemType] : shape.stems;
  const stemWidths = Number.isInteger(net.stem_w) ? [net.stem_w as number] : STEM_WIDTHS;
  const bottlenecks = botMuls.map(bottleneckOf);
  const groupCounts = depths.map((_, i) => Math.max(1, Math.round(widths[i] * botMuls[i]) / numGs[i]));
  const groupings = block === 'X' ? [groupCounts, numGs] : [widths];
  const out: ModelSpec[] = [];
  for (const stem of stems) {
    for (const width of stemWidths) {
      for (const groupWidths of groupings) {
        if (!groupWidths.every((g) => Number.isInteger(g) && g > 0)) continue;
        out.push({ anynet: { depths, widths, strides, bottlenecks, groupWidths }, stem: { type: stem, width }, block, resolution: shape.resolution, classes: shape.classes, channels: 3 });
      }
    }
  }
  return out;
}

/** The reading whose flops and params are the stated ones, if one is. */
function rebuild(net: Record<string, unknown>, dataset: NdsDataset, flops: number, params: number): NormalizedModelSpec | undefined {
  for (const spec of readings(net, dataset)) {
    try {
      const n = normalizeModelSpec(spec);
      const c = complexity(expandModel(n));
      if (c.flops === flops && c.params === params) return n;
    } catch {
      // A reading the rules refuse (widths and groups that cannot be made compatible) is not this net.
    }
  }
  return undefined;
}

function list(o: Record<string, unknown>, key: string, at: string): (number | null)[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => x === null || (typeof x === 'number' && Number.isFinite(x)))) throw new ImportError(`${at}: ${key} is not a list of numbers`);
  return v as (number | null)[];
}

function readJob(value: unknown, entry: number, dataset: NdsDataset, kind: string): ImportedJob {
  const at = `entry ${entry}`;
  if (!isRecord(value)) throw new ImportError(`${at} is not an object (a job of the population)`);
  if (!isRecord(value.net)) throw new ImportError(`${at} has ${value.net === undefined ? 'no net' : 'a net that is not a map'} (the network's description)`);
  for (const key of ['flops', 'params'] as const) {
    const v = value[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ImportError(`${at}: ${key} is ${v === undefined ? 'missing' : 'not a count'}`);
  }
  const flops = value.flops as number;
  const params = value.params as number;
  const optim = isRecord(value.optim) ? value.optim : {};
  const lr = typeof optim.base_lr === 'number' ? optim.base_lr : undefined;
  const wd = typeof optim.wd === 'number' ? optim.wd : undefined;
  const testErrors = list(value, 'test_ep_top1', at);
  const losses = list(value, 'train_ep_loss', at);
  const n = Math.max(testErrors?.length ?? 0, losses?.length ?? 0);
  const policyCos = optim.lr_policy === 'cos';
  const maxEpoch = typeof optim.max_ep === 'number' ? optim.max_ep : n;
  const epochs: TrialEpoch[] = Array.from({ length: n }, (_, i) => ({
    epoch: i + 1,
    trainLoss: losses?.[i] ?? null,
    testError: testErrors?.[i] ?? null,
    // NDS states no per-epoch lr: pycls's cosine when optim says cos, else the base lr.
    lr: (lr ?? 0) * (policyCos ? 0.5 * (1 + Math.cos((Math.PI * i) / maxEpoch)) : 1),
    seconds: 0,
  }));
  const model = rebuild(value.net, dataset, flops, params);
  const error = value.min_test_top1;
  if (error !== undefined && error !== null && (typeof error !== 'number' || !Number.isFinite(error))) throw new ImportError(`${at}: min_test_top1 is not a number`);
  const description = value.job_id !== undefined ? `job ${String(value.job_id)}` : undefined;
  const job: ImportedJob = {
    entry,
    type: 'genotype' in value.net ? 'cell' : kind,
    stated: { flops, params, acts: 0 },
    training: { ...(lr !== undefined ? { lr } : {}), ...(wd !== undefined ? { weightDecay: wd } : {}), ...(n > 0 ? { epochs: n } : {}) },
    seed: Number.isInteger(value.rng_seed) && (value.rng_seed as number) >= 0 ? (value.rng_seed as number) : 0,
    epochs,
    error: typeof error === 'number' ? error : null,
    bestError: typeof error === 'number' ? error : null,
    ...(model ? { model } : { unsupported: 'genotype' in value.net ? 'a cell-based net (genotype) is not an AnyNet' : 'no reading of its net gives its flops and params' }),
    ...(typeof error === 'number' ? {} : { unfinished: 'no min_test_top1' }),
    ...(description ? { description } : {}),
  };
  // A rebuilt net's activations are counted; the file states none for the others.
  if (model) job.stated.acts = complexity(expandModel(model)).acts;
  return job;
}

/**
 * The jobs of an NDS population (parsed JSON) and the recipe they share. `kind` names models
 * that cannot be rebuilt (the file's design space, e.g. ResNet). Throws an ImportError for a
 * file of another shape, naming the first bad entry.
 */
export function readNdsPopulation(value: unknown, file: string, dataset: NdsDataset, kind: string): { jobs: ImportedJob[]; recipe: ImportedRecipe } {
  let entries: unknown[];
  if (Array.isArray(value)) entries = value;
  else if (isRecord(value) && Array.isArray(value.top) && Array.isArray(value.mid)) entries = [...value.top, ...value.mid];
  else throw new ImportError(`${file} is not an NDS population: expected a list of jobs (or {top, mid}), got ${isRecord(value) ? 'an object' : JSON.stringify(value)}`);
  if (entries.length === 0) throw new ImportError(`${file} holds no jobs (an empty list)`);
  const jobs = entries.map((v, i) => readJob(v, i, dataset, kind));
  const first = jobs[0];
  return {
    jobs,
    recipe: {
      dataset: dataset,
      training: {
        ...DEFAULTS.training,
        epochs: first.training.epochs ?? 0,
        optimizer: { ...DEFAULTS.training.optimizer, lr: first.training.lr ?? DEFAULTS.training.optimizer.lr, weightDecay: first.training.weightDecay ?? DEFAULTS.training.optimizer.weightDecay },
        schedule: { ...DEFAULTS.training.schedule, unit: 'epoch' },
      },
    },
  };
}
