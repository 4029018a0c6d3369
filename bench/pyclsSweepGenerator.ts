/**
 * A collected pycls sweep of any size, as `tools/sweep_collect.py` writes it: RegNets drawn as
 * pycls's CIFAR RegNet sweeps draw them (configs/sweeps/cifar/cifar_regnet.yaml's setup), each
 * stored as pycls's sweep stores it — the whole config (all of pycls/core/config.py's keys),
 * converted to an explicit AnyNet by the scaler with its REGNET.* kept, DESC the sample's key —
 * with its complexity and the sorted log data of its epochs (`pycls/core/meters.py`: epoch,
 * epoch_ind, epoch_max, top1_err, min_top1_err, loss, lr, time_avg, time_epoch, mem, eta), the
 * EMA model's test epochs included (test_ema_epoch).
 * Errors are synthetic, seeded, falling with log flops plus noise, so that the analysis has
 * something to find. Used by the `import` benchmark suite and to make the small test fixture.
 */
import { complexity } from '../src/core/complexity';
import { expandModel } from '../src/core/modelSpec';
import { sampleSpace } from '../src/core/sampling/sampler';
import { Rng } from '../src/core/sampling/rng';
import { parseSpaceText } from '../src/core/space';
import type { ModelSpec } from '../src/core/model';

/** Every key of pycls/core/config.py with its default (pycls HEAD): what a job's logged cfg holds. */
export function pyclsDefaultCfg(): Record<string, unknown> {
  return {
    MODEL: { TYPE: '', DEPTH: 0, NUM_CLASSES: 10, LOSS_FUN: 'cross_entropy', ACTIVATION_FUN: 'relu', ACTIVATION_INPLACE: true, SCALING_TYPE: '', SCALING_FACTOR: 1.0 },
    RESNET: { TRANS_FUN: 'basic_transform', NUM_GROUPS: 1, WIDTH_PER_GROUP: 64, STRIDE_1X1: true },
    ANYNET: { STEM_TYPE: 'simple_stem_in', STEM_W: 32, BLOCK_TYPE: 'res_bottleneck_block', DEPTHS: [], WIDTHS: [], STRIDES: [], BOT_MULS: [], GROUP_WS: [], HEAD_W: 0, SE_ON: false, SE_R: 0.25 },
    REGNET: { STEM_TYPE: 'simple_stem_in', STEM_W: 32, BLOCK_TYPE: 'res_bottleneck_block', STRIDE: 2, SE_ON: false, SE_R: 0.25, DEPTH: 10, W0: 32, WA: 5.0, WM: 2.5, GROUP_W: 16, BOT_MUL: 1.0, HEAD_W: 0 },
    EN: { STEM_W: 32, DEPTHS: [], WIDTHS: [], EXP_RATIOS: [], SE_R: 0.25, STRIDES: [], KERNELS: [], HEAD_W: 1280, DC_RATIO: 0.0, DROPOUT_RATIO: 0.0 },
    VIT: { PATCH_SIZE: 16, STEM_TYPE: 'patchify', C_STEM_KERNELS: [], C_STEM_STRIDES: [], C_STEM_DIMS: [], NUM_LAYERS: 12, NUM_HEADS: 12, HIDDEN_DIM: 768, MLP_DIM: 3072, CLASSIFIER_TYPE: 'token' },
    BN: { EPS: 1e-5, MOM: 0.1, USE_PRECISE_STATS: true, NUM_SAMPLES_PRECISE: 8192, ZERO_INIT_FINAL_GAMMA: false, USE_CUSTOM_WEIGHT_DECAY: false, CUSTOM_WEIGHT_DECAY: 0.0 },
    LN: { EPS: 1e-5, USE_CUSTOM_WEIGHT_DECAY: false, CUSTOM_WEIGHT_DECAY: 0.0 },
    OPTIM: {
      OPTIMIZER: 'sgd', BASE_LR: 0.1, MIN_LR: 0.0, LR_POLICY: 'cos', STEPS: [], LR_MULT: 0.1, MAX_EPOCH: 200, MOMENTUM: 0.9, DAMPENING: 0.0, NESTEROV: true,
      BETA1: 0.9, BETA2: 0.999, WEIGHT_DECAY: 5e-4, BIAS_USE_CUSTOM_WEIGHT_DECAY: false, BIAS_CUSTOM_WEIGHT_DECAY: 0.0, WARMUP_FACTOR: 0.1, WARMUP_EPOCHS: 0, EMA_ALPHA: 1e-5, EMA_UPDATE_PERIOD: 32,
    },
    TRAIN: { DATASET: '', SPLIT: 'train', BATCH_SIZE: 128, IM_SIZE: 224, AUTO_RESUME: true, WEIGHTS: '', MIXED_PRECISION: false, LABEL_SMOOTHING: 0.0, MIXUP_ALPHA: 0.0, CUTMIX_ALPHA: 0.0, PCA_STD: 0.1, AUGMENT: '' },
    TEST: { DATASET: '', SPLIT: 'val', BATCH_SIZE: 200, IM_SIZE: 256, WEIGHTS: '' },
    DATA_LOADER: { NUM_WORKERS: 8, PIN_MEMORY: true },
    CUDNN: { BENCHMARK: true },
    PREC_TIME: { WARMUP_ITER: 3, NUM_ITER: 30 },
    DESC: '',
    VERBOSE: true,
    NUM_GPUS: 1,
    OUT_DIR: '/tmp',
    CFG_DEST: 'config.yaml',
    RNG_SEED: 1,
    LOG_DEST: 'stdout',
    LOG_PERIOD: 10,
    DIST_BACKEND: 'nccl',
    HOST: 'localhost',
    PORT_RANGE: [10000, 65000],
    DOWNLOAD_CACHE: '/tmp/pycls-download-cache',
  };
}

/** The RegNet space of the generated sweeps, in our terms: pycls's regnet_sampler ranges, a CIFAR stem, 2 stages (cifar_regnet). */
const SPACE = `
version: 1
name: cifar_regnet
dataset: { name: cifar10 }
model: { stem: { type: cifar, width: 16 }, block: Y, stages: 2, strides: [2, 2] }
sampling: { seed: 0, constraints: { flops: [2.0e7, 2.0e8] } }
spaces:
  cifar_regnet:
    type: regnet
    depth: { dist: uniform, range: [6, 16], quantum: 1 }
    w0: [8, 256]
    wa: [8.0, 256.0]
    wm: [2.0, 3.0]
    bottleneck: [1]
    groupWidth: { dist: power2-or-log-uniform, range: [1, 32], quantum: 8 }
`;

export interface GeneratorOptions {
  jobs: number;
  /** Epochs per job (pycls's MAX_EPOCH). */
  epochs: number;
  seed: number;
  /** Share of jobs that stop before their last test epoch (0..1). */
  unfinished?: number;
}

/** pycls's time_string: days,hh:mm:ss. */
function timeString(seconds: number): string {
  const s = Math.floor(seconds);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 86400))},${pad(Math.floor((s % 86400) / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/** 4 decimals, as pycls's dump_log_data writes floats. */
const dec4 = (x: number): number => Number(x.toFixed(4));

/** The job entries of a generated sweep (what JSON.stringify turns into the sweep.json). */
export function generatePyclsSweep(options: GeneratorOptions): Record<string, unknown>[] {
  const { resolved } = parseSpaceText(SPACE);
  if (!resolved) throw new Error('the generator space does not resolve');
  const space = resolved.spaces[0];
  const sample = sampleSpace(space, { samples: options.jobs, seed: options.seed, maxAttempts: 10_000_000 });
  if (sample.models.length < options.jobs) throw new Error(`only ${sample.models.length} of ${options.jobs} models within the constraints`);
  const rng = new Rng(options.seed + 1);
  const noise = (): number => {
    const u = 1 - rng.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.float());
  };
  const E = options.epochs;
  const baseLr = 1.0;
  return sample.models.map((m, i) => {
    const r = m.model.regnet!;
    const spec: ModelSpec = m.model;
    const model = expandModel(spec);
    const cx = complexity(model);
    const cfg = pyclsDefaultCfg();
    const sec = cfg as Record<string, Record<string, unknown>>;
    Object.assign(sec.MODEL, { TYPE: 'anynet', NUM_CLASSES: 10 });
    Object.assign(sec.REGNET, { STEM_TYPE: 'res_stem_cifar', STEM_W: 16, SE_ON: true, DEPTH: r.depth, W0: r.w0, WA: r.wa, WM: r.wm, GROUP_W: r.groupWidth, BOT_MUL: 1.0 });
    Object.assign(sec.ANYNET, {
      STEM_TYPE: 'res_stem_cifar', STEM_W: 16, SE_ON: true,
      DEPTHS: model.stages.map((s) => s.depth), WIDTHS: model.stages.map((s) => s.width), STRIDES: model.stages.map((s) => s.stride),
      BOT_MULS: model.stages.map(() => 1.0), GROUP_WS: model.stages.map((s) => s.groupWidth),
    });
    Object.assign(sec.OPTIM, { BASE_LR: baseLr, MAX_EPOCH: E, WARMUP_EPOCHS: Math.min(5, E - 1), WEIGHT_DECAY: 5e-4, EMA_ALPHA: 2.5e-4 });
    Object.assign(sec.BN, { USE_CUSTOM_WEIGHT_DECAY: true, NUM_SAMPLES_PRECISE: 1024 });
    Object.assign(sec.TRAIN, { DATASET: 'cifar10', SPLIT: 'train', BATCH_SIZE: 1024, IM_SIZE: 32, MIXED_PRECISION: true, LABEL_SMOOTHING: 0.1, MIXUP_ALPHA: 0.5 });
    Object.assign(sec.TEST, { DATASET: 'cifar10', SPLIT: 'test', BATCH_SIZE: 1000, IM_SIZE: 32 });
    cfg.DESC = `REGNET.DEPTH ${r.depth} REGNET.W0 ${r.w0} REGNET.WA ${r.wa} REGNET.WM ${r.wm} REGNET.GROUP_W ${r.groupWidth} REGNET.BOT_MUL 1.0`;
    cfg.OUT_DIR = `/checkpoint/sweeps/cifar_regnet/logs/${String(i).padStart(6, '0')}`;
    // Final error: lower for more flops, best near depth 12, noisy; the curve falls toward it.
    const final = 9 - 2.2 * Math.log10(cx.flops / 2e7) + 0.08 * Math.abs(r.depth - 12) + 0.6 * noise();
    const done = rng.float() < (options.unfinished ?? 0) ? Math.floor(rng.float() * E) : E;
    const series = (n: number, f: (e: number) => number): number[] => Array.from({ length: n }, (_, k) => dec4(f(k + 1)));
    const lr = (e: number): number => {
      const w = Math.min(5, E - 1);
      const warm = e - 1 < w ? 0.1 * (1 - (e - 1) / w) + (e - 1) / w : 1;
      return baseLr * 0.5 * (1 + Math.cos((Math.PI * (e - 1)) / E)) * warm;
    };
    const err = series(done, (e) => final + (60 - final) * Math.exp(-4 * (e / E)) + 0.3 * noise());
    const minErr = err.map((_, k) => Math.min(...err.slice(0, k + 1)));
    const epochStr = series(done, (e) => e).map((e) => `${e}/${E}`);
    const timeEpoch = 2 + cx.flops / 2e7;
    const job: Record<string, unknown> = {
      cfg,
      complexity: { flops: cx.flops, params: cx.params, acts: cx.acts },
      epoch_times: { test_fw_time: dec4(timeEpoch / 100), train_fw_bw_time: dec4(timeEpoch / 20) },
      log_file: `/checkpoint/sweeps/cifar_regnet/logs/${String(i).padStart(6, '0')}/stdout.log`,
      err_file: `/checkpoint/sweeps/cifar_regnet/logs/${String(i).padStart(6, '0')}/stderr.log`,
      err: done < E ? 'slurmstepd: error: *** JOB CANCELLED DUE TO TIME LIMIT ***\n' : '',
    };
    if (done > 0) {
      job.train_epoch = {
        epoch: epochStr, epoch_ind: series(done, (e) => e), epoch_max: series(done, () => E),
        eta: series(done, (e) => (E - e) * timeEpoch).map(timeString), lr: series(done, lr), loss: series(done, (e) => 2.3 * Math.exp(-2.5 * (e / E)) + 0.3),
        mem: series(done, () => Math.round(500 + cx.acts / 1e3)), time_avg: series(done, () => timeEpoch / 49), time_epoch: series(done, () => timeEpoch),
        top1_err: series(done, (e) => final + (70 - final) * Math.exp(-3 * (e / E))), top5_err: series(done, (e) => 1 + 20 * Math.exp(-3 * (e / E))),
      };
      job.test_epoch = {
        epoch: epochStr, epoch_ind: series(done, (e) => e), epoch_max: series(done, () => E),
        mem: series(done, () => Math.round(300 + cx.acts / 2e3)), min_top1_err: minErr, min_top5_err: series(done, () => 0.5),
        time_avg: series(done, () => timeEpoch / 500), time_epoch: series(done, () => timeEpoch / 50), top1_err: err, top5_err: series(done, () => 0.5),
      };
      // The EMA model (OPTIM.EMA_ALPHA > 0) is tested too, a little better late in training.
      const ema = err.map((e, k) => dec4(e - (0.3 * (k + 1)) / E));
      job.test_ema_epoch = {
        ...(job.test_epoch as Record<string, unknown>),
        top1_err: ema,
        min_top1_err: ema.map((_, k) => Math.min(...ema.slice(0, k + 1))),
      };
    }
    return job;
  });
}
