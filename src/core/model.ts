/**
 * Model specifications: the JSON form `dslab cx` accepts and `dslab sample` emits, and the
 * explicit per-stage form every other part of the tool (complexity, training) works from.
 *
 * Notation follows the paper: `bottleneck` is b = w / w_b (pycls's BOT_MUL is 1/b), so
 * ResNet-50 has b = 4, ResNeXt-50 32×4d b = 2, and every RegNet b = 1.
 */

/** cifar = 3×3 s1 (pycls res_stem_cifar); imagenet = 3×3 s2 (simple_stem_in); resnet = 7×7 s2 + 3×3 s2 max-pool (res_stem_in). */
export type StemType = 'cifar' | 'imagenet' | 'resnet';
export const STEM_TYPES: readonly StemType[] = ['cifar', 'imagenet', 'resnet'];

/** X = bottleneck with grouped 3×3; Y = X + squeeze-excitation; R = basic residual; V = vanilla (no shortcut). */
export type BlockType = 'X' | 'Y' | 'R' | 'V';
export const BLOCK_TYPES: readonly BlockType[] = ['X', 'Y', 'R', 'V'];

/** The nonlinearity of every layer (pycls MODEL.ACTIVATION_FUN): relu, or swish = x·σ(x) (pycls `silu`). */
export type Activation = 'relu' | 'swish';
export const ACTIVATIONS: readonly Activation[] = ['relu', 'swish'];

/** SE ratio a Y block gets when no explicit `se` is given (pycls SE_R). */
export const DEFAULT_SE_RATIO = 0.25;

export interface StemSpec {
  type: StemType;
  width: number;
}

/** The quantized linear parameterization (paper §3.3; pycls REGNET.*). */
export interface RegNetParams {
  /** d: total number of blocks. */
  depth: number;
  /** w0 > 0, a multiple of 8. */
  w0: number;
  /** wa ≥ 0, the slope of the continuous widths u_j = w0 + wa·j. */
  wa: number;
  /** wm > 1, the width multiplier between stages. */
  wm: number;
  /** g: group width (clipped per stage to the bottleneck width). */
  groupWidth: number;
  /** b = w / w_b. */
  bottleneck: number;
  /** One stride for every stage (pycls REGNET.STRIDE, default 2), unless `strides` is given. */
  stride?: number;
  /** Per-stage strides; its length must equal the number of generated stages. */
  strides?: number[];
}

/** An explicit AnyNet: one entry per stage in every list. */
export interface AnyNetParams {
  depths: number[];
  widths: number[];
  strides: number[];
  /** b per stage. */
  bottlenecks: number[];
  groupWidths: number[];
}

/**
 * A model as a user or the sampler writes it. Exactly one of `regnet` / `anynet` is present.
 * Everything else has a default (see `normalizeModelSpec` in `modelSpec.ts`): stem imagenet/32,
 * block X, se 0 (0.25 for block Y), resolution 224, classes 1000, channels 3, headWidth 0.
 */
export interface ModelSpec {
  regnet?: RegNetParams;
  anynet?: AnyNetParams;
  stem?: StemSpec;
  block?: BlockType;
  /** Squeeze-excitation ratio of the block input width; > 0 only for bottleneck blocks (X/Y). */
  se?: number;
  /** Every activation of the network, SE's inner one included (default relu). */
  activation?: Activation;
  resolution?: number;
  classes?: number;
  /** Input channels (1 for MNIST-like data, 3 for RGB). */
  channels?: number;
  /** Optional 1×1 conv + BN + ReLU before the pool (pycls ANYNET.HEAD_W); 0 omits it. */
  headWidth?: number;
}

/** One stage of an expanded model, after pycls's width/group compatibility adjustment. */
export interface StageSpec {
  width: number;
  depth: number;
  /** Group width actually used (≤ the bottleneck width). */
  groupWidth: number;
  bottleneck: number;
  stride: number;
}

/** A fully explicit AnyNet: what complexity counting and the trainer build from. */
export interface ExpandedModel {
  stem: StemSpec;
  block: BlockType;
  se: number;
  activation: Activation;
  resolution: number;
  classes: number;
  channels: number;
  headWidth: number;
  stages: StageSpec[];
}
