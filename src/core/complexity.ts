/**
 * Exact flops / params / acts of an expanded model, counted layer by layer as pycls's `*_cx`
 * functions do (reference §3): flops are multiply-adds, acts are the output elements of conv,
 * linear and max-pool layers, BN adds 2c params, ReLU/sigmoid/add/SE-multiply count nothing.
 *
 * The sampler calls this hundreds of thousands of times, so it is plain arithmetic on a
 * single running counter; the d−1 identical blocks after a stage's first block are counted
 * once and multiplied. Results are exact integers while they stay below 2^53.
 */
import type { ExpandedModel, StageSpec } from './model';
import { bottleneckWidth, seWidth } from './anynet';

export interface Cx {
  flops: number;
  params: number;
  acts: number;
}

/** One part of the network: 'stem', 's1'..'sN' (the stages), 'head'. */
export interface ComplexityPart extends Cx {
  name: string;
}

export interface Complexity extends Cx {
  parts: ComplexityPart[];
}

/** Output size of a conv or pool with stride s and padding (k−1)/2: ⌊(h−1)/s⌋ + 1. */
export function outSize(h: number, stride: number): number {
  return Math.floor((h - 1) / stride) + 1;
}

/** The running (h, flops, params, acts) state pycls threads through its `*_cx` functions (inputs are square). */
class Counter {
  h = 0;
  flops = 0;
  params = 0;
  acts = 0;

  /** k×k conv c_in→c_out, stride s, G groups, optional bias. */
  conv(cIn: number, cOut: number, k: number, stride: number, groups: number, bias: boolean): void {
    const h = outSize(this.h, stride);
    const hw = h * h;
    // When G divides c_in (always, after the compatibility rule) the quotient is taken first so
    // every intermediate is as small as the result; otherwise pycls's floor division.
    const weights = cIn % groups === 0 ? k * k * (cIn / groups) * cOut : Math.floor((k * k * cIn * cOut) / groups);
    const macs = cIn % groups === 0 ? weights * hw : Math.floor((k * k * cIn * cOut * hw) / groups);
    this.flops += macs + (bias ? cOut * hw : 0);
    this.params += weights + (bias ? cOut : 0);
    this.acts += cOut * hw;
    this.h = h;
  }

  bn(c: number): void {
    this.params += 2 * c;
  }

  /** k×k max-pool with stride s (its output is counted in acts). */
  pool(c: number, stride: number): void {
    this.h = outSize(this.h, stride);
    this.acts += c * this.h * this.h;
  }

  linear(cIn: number, cOut: number): void {
    this.flops += cIn * cOut + cOut;
    this.params += cIn * cOut + cOut;
    this.acts += cOut;
  }

  /** Squeeze-excitation on w_b channels with hidden width w_se: two biased 1×1 convs at 1×1. */
  se(wB: number, wSe: number): void {
    const n = wB * wSe + wSe + wSe * wB + wB;
    this.flops += n;
    this.params += n;
    this.acts += wSe + wB;
  }
}

function stem(c: Counter, model: ExpandedModel): void {
  const { type, width } = model.stem;
  if (type === 'resnet') {
    c.conv(model.channels, width, 7, 2, 1, false);
    c.bn(width);
    c.pool(width, 2);
  } else {
    c.conv(model.channels, width, 3, type === 'cifar' ? 1 : 2, 1, false);
    c.bn(width);
  }
}

/** Projection shortcut (1×1 conv with stride s + BN) iff the shape changes; evaluated without moving h. */
function shortcut(c: Counter, wIn: number, w: number, stride: number): void {
  if (wIn === w && stride === 1) return;
  const h = c.h;
  c.conv(wIn, w, 1, stride, 1, false);
  c.bn(w);
  c.h = h;
}

/** X/Y block (res_bottleneck_block): 1×1, 3×3 grouped with the stride, [SE], 1×1, + shortcut. */
function bottleneckBlock(c: Counter, wIn: number, stage: StageSpec, stride: number, seRatio: number): void {
  const w = stage.width;
  const wB = bottleneckWidth(stage);
  const groups = Math.floor(wB / stage.groupWidth);
  shortcut(c, wIn, w, stride);
  c.conv(wIn, wB, 1, 1, 1, false);
  c.bn(wB);
  c.conv(wB, wB, 3, stride, groups, false);
  c.bn(wB);
  const wSe = seWidth(seRatio, wIn);
  if (wSe > 0) c.se(wB, wSe);
  c.conv(wB, w, 1, 1, 1, false);
  c.bn(w);
}

/** R block (res_basic_block): 3×3 with the stride, 3×3, + shortcut. V block: the same without shortcut. */
function basicBlock(c: Counter, wIn: number, w: number, stride: number, residual: boolean): void {
  if (residual) shortcut(c, wIn, w, stride);
  c.conv(wIn, w, 3, stride, 1, false);
  c.bn(w);
  c.conv(w, w, 3, 1, 1, false);
  c.bn(w);
}

function block(c: Counter, model: ExpandedModel, wIn: number, stage: StageSpec, stride: number): void {
  switch (model.block) {
    case 'X':
    case 'Y':
      bottleneckBlock(c, wIn, stage, stride, model.se);
      break;
    case 'R':
      basicBlock(c, wIn, stage.width, stride, true);
      break;
    case 'V':
      basicBlock(c, wIn, stage.width, stride, false);
      break;
  }
}

function head(c: Counter, model: ExpandedModel, wIn: number): void {
  let w = wIn;
  if (model.headWidth > 0) {
    c.conv(w, model.headWidth, 1, 1, 1, false);
    c.bn(model.headWidth);
    w = model.headWidth;
  }
  c.h = 1; // global average pool
  c.linear(w, model.classes);
}

/** flops / params / acts of the model at its resolution, total and per part (stem, s1..sN, head). */
export function complexity(model: ExpandedModel): Complexity {
  const c = new Counter();
  c.h = model.resolution;
  const parts: ComplexityPart[] = [];
  let f = 0;
  let p = 0;
  let a = 0;
  const close = (name: string): void => {
    parts.push({ name, flops: c.flops - f, params: c.params - p, acts: c.acts - a });
    f = c.flops;
    p = c.params;
    a = c.acts;
  };

  stem(c, model);
  close('stem');
  let wIn = model.stem.width;
  for (let i = 0; i < model.stages.length; i++) {
    const stage = model.stages[i];
    if (stage.depth > 0) {
      block(c, model, wIn, stage, stage.stride);
      if (stage.depth > 1) {
        // Blocks 2..d are identical (input w, stride 1, same h): count one, add the rest.
        const f1 = c.flops;
        const p1 = c.params;
        const a1 = c.acts;
        block(c, model, stage.width, stage, 1);
        const more = stage.depth - 2;
        c.flops += (c.flops - f1) * more;
        c.params += (c.params - p1) * more;
        c.acts += (c.acts - a1) * more;
      }
    }
    wIn = stage.width; // pycls passes the stage width on even from an empty stage
    close(`s${i + 1}`);
  }
  head(c, model, wIn);
  close('head');
  return { flops: c.flops, params: c.params, acts: c.acts, parts };
}
