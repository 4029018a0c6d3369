/**
 * The network of an expanded model, layer by layer, as pycls builds it (`pycls/models/anynet.py`,
 * `blocks.py`, reference §1): the stem, each block's units (conv → BN → activation, SE) and
 * shortcut, and the head. This is the one description of the network: `complexity.ts` counts it
 * and `src/train/model.ts` builds it in tfjs, so a new option is added here once and both follow.
 *
 * Names are pycls's module paths (`s2.b1` + `f.b`), which the trainer gives its variables; a
 * unit's name is relative to its block, so that describing a block (which the sampler does for
 * every candidate it counts) builds no strings. The order of units is construction order, which
 * fixes what each draw of the initialisation seed fills.
 */
import type { Activation, ExpandedModel, StageSpec, StemType } from './model';
import { bottleneckWidth, seWidth } from './anynet';

export type { Activation } from './model';

/** k×k conv without bias (padding (k−1)/2, stride s, G groups) → BN → optional activation. */
export interface ConvUnit {
  kind: 'conv';
  name: string;
  cIn: number;
  cOut: number;
  k: number;
  stride: number;
  groups: number;
  /** None after the last conv of a residual body or a projection: the sum is activated instead. */
  act: Activation | undefined;
}

/**
 * Squeeze-excitation on w channels (pycls SE): global average pool → 1×1 conv w→w_se with bias →
 * activation → 1×1 conv w_se→w with bias → sigmoid, multiplied channel-wise.
 */
export interface SeUnit {
  kind: 'se';
  name: string;
  width: number;
  hidden: number;
  act: Activation;
}

export type Unit = ConvUnit | SeUnit;

/**
 * One block. With `residual`, the output is act(shortcut(x) + body(x)), the shortcut being the
 * identity or, when the shape changes, a 1×1 conv + BN projection (built before the body);
 * without, it is body(x).
 */
export interface Block extends BlockAt {
  body: Unit[];
  residual: { projection: ConvUnit | undefined; act: Activation } | undefined;
}

/** k×k max-pool with stride s and padding (k−1)/2. */
export interface PoolUnit {
  k: number;
  stride: number;
}

export interface Stem {
  conv: ConvUnit;
  pool: PoolUnit | undefined;
}

/** Optional 1×1 conv unit, global average pool, then a linear layer with bias. */
export interface Head {
  conv: ConvUnit | undefined;
  fc: { name: string; cIn: number; cOut: number };
}

function convUnit(name: string, cIn: number, cOut: number, k: number, stride: number, groups: number, act: Activation | undefined): ConvUnit {
  return { kind: 'conv', name, cIn, cOut, k, stride, groups, act };
}

/** Stems: cifar = 3×3 s1, imagenet = 3×3 s2, resnet = 7×7 s2 + 3×3 s2 max-pool; each conv + BN + activation. */
export function describeStem(type: StemType, channels: number, width: number, act: Activation): Stem {
  if (type === 'resnet') return { conv: convUnit('stem.conv', channels, width, 7, 2, 1, act), pool: { k: 3, stride: 2 } };
  return { conv: convUnit('stem.conv', channels, width, 3, type === 'cifar' ? 1 : 2, 1, act), pool: undefined };
}

/** Where a block stands: 0-based stage and block index. */
export interface BlockAt {
  stage: number;
  index: number;
}

/** pycls's module path of a block, `s2.b1`, and of a unit in it, `s2.b1.f.b`. */
export function blockName(block: BlockAt, unit?: { name: string }): string {
  const name = `s${block.stage + 1}.b${block.index + 1}`;
  return unit === undefined ? name : `${name}.${unit.name}`;
}

/** A 1×1 projection iff the block changes the width or the resolution. */
function shortcut(wIn: number, w: number, stride: number, act: Activation): Block['residual'] {
  if (wIn === w && stride === 1) return { projection: undefined, act };
  return { projection: convUnit('proj', wIn, w, 1, stride, 1, undefined), act };
}

/**
 * X block (Y with SE; pycls res_bottleneck_block): 1×1 → grouped 3×3 with the stride → [SE] → 1×1
 * without activation, plus the shortcut. SE's hidden width comes from the block's input width.
 */
export function bottleneckBlock(at: BlockAt, wIn: number, stage: StageSpec, stride: number, seRatio: number, act: Activation): Block {
  const w = stage.width;
  const wB = bottleneckWidth(stage);
  const groups = Math.floor(wB / stage.groupWidth);
  const wSe = seWidth(seRatio, wIn);
  const body: Unit[] = [convUnit('f.a', wIn, wB, 1, 1, 1, act), convUnit('f.b', wB, wB, 3, stride, groups, act)];
  if (wSe > 0) body.push({ kind: 'se', name: 'f.se', width: wB, hidden: wSe, act });
  body.push(convUnit('f.c', wB, w, 1, 1, 1, undefined));
  return { stage: at.stage, index: at.index, body, residual: shortcut(wIn, w, stride, act) };
}

/** R block (res_basic_block): 3×3 with the stride → 3×3 without activation, plus the shortcut. */
export function basicBlock(at: BlockAt, wIn: number, w: number, stride: number, act: Activation): Block {
  const body = [convUnit('f.a', wIn, w, 3, stride, 1, act), convUnit('f.b', w, w, 3, 1, 1, undefined)];
  return { stage: at.stage, index: at.index, body, residual: shortcut(wIn, w, stride, act) };
}

/** V block (vanilla_block): 3×3 with the stride → 3×3, each with its activation; no shortcut. */
export function vanillaBlock(at: BlockAt, wIn: number, w: number, stride: number, act: Activation): Block {
  return { stage: at.stage, index: at.index, body: [convUnit('a', wIn, w, 3, stride, 1, act), convUnit('b', w, w, 3, 1, 1, act)], residual: undefined };
}

/**
 * Block j (0-based) of stage i (0-based): the first block of a stage takes the previous stage's
 * width and the stride; blocks 2..d are identical (the stage width in and out, stride 1).
 */
export function describeBlock(model: ExpandedModel, stageIndex: number, blockIndex: number, wIn: number): Block {
  const stage = model.stages[stageIndex];
  const at = { stage: stageIndex, index: blockIndex };
  const input = blockIndex === 0 ? wIn : stage.width;
  const stride = blockIndex === 0 ? stage.stride : 1;
  switch (model.block) {
    case 'X':
    case 'Y':
      return bottleneckBlock(at, input, stage, stride, model.se, model.activation);
    case 'R':
      return basicBlock(at, input, stage.width, stride, model.activation);
    case 'V':
      return vanillaBlock(at, input, stage.width, stride, model.activation);
  }
}

/** Head: optional 1×1 conv + BN + activation to `headWidth` (pycls ANYNET.HEAD_W), pool, linear. */
export function describeHead(wIn: number, headWidth: number, classes: number, act: Activation): Head {
  if (headWidth > 0) {
    return { conv: convUnit('head.conv', wIn, headWidth, 1, 1, 1, act), fc: { name: 'head.fc', cIn: headWidth, cOut: classes } };
  }
  return { conv: undefined, fc: { name: 'head.fc', cIn: wIn, cOut: classes } };
}

/** The input width of each stage: the stem's, then the previous stage's (even an empty one's, as pycls passes it on). */
export function stageInputWidths(model: ExpandedModel): number[] {
  const out: number[] = [];
  let w = model.stem.width;
  for (const stage of model.stages) {
    out.push(w);
    w = stage.width;
  }
  return out;
}

/** The width that reaches the head. */
export function headInputWidth(model: ExpandedModel): number {
  return model.stages.length === 0 ? model.stem.width : model.stages[model.stages.length - 1].width;
}

/** The whole network, every block spelled out: what the trainer builds. */
export interface Network {
  stem: Stem;
  blocks: Block[];
  head: Head;
}

export function describeNetwork(model: ExpandedModel): Network {
  const inputs = stageInputWidths(model);
  const blocks: Block[] = [];
  model.stages.forEach((stage, i) => {
    for (let j = 0; j < stage.depth; j++) blocks.push(describeBlock(model, i, j, inputs[i]));
  });
  return {
    stem: describeStem(model.stem.type, model.channels, model.stem.width, model.activation),
    blocks,
    head: describeHead(headInputWidth(model), model.headWidth, model.classes, model.activation),
  };
}
