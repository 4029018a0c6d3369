/**
 * Exact flops / params / acts of an expanded model, counted over its one description
 * (`network.ts`) layer by layer as pycls's `*_cx` functions do (reference §3): flops are multiply-adds, acts are the output elements of conv,
 * linear and max-pool layers, BN adds 2c params, ReLU/sigmoid/add/SE-multiply count nothing.
 *
 * The sampler calls this hundreds of thousands of times, so it is plain arithmetic on a
 * single running counter; the d−1 identical blocks after a stage's first block are counted
 * once and multiplied. Results are exact integers while they stay below 2^53.
 */
import type { ExpandedModel } from './model';
import { describeBlock, describeHead, describeStem, headInputWidth, stageInputWidths, type Block, type ConvUnit, type Unit } from './network';

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

function conv(c: Counter, u: ConvUnit): void {
  c.conv(u.cIn, u.cOut, u.k, u.stride, u.groups, false);
  c.bn(u.cOut);
}

function unit(c: Counter, u: Unit): void {
  if (u.kind === 'conv') conv(c, u);
  else c.se(u.width, u.hidden);
}

/** A block; its projection shortcut is counted at the block's input size without moving h. */
function block(c: Counter, b: Block): void {
  const projection = b.residual?.projection;
  if (projection !== undefined) {
    const h = c.h;
    conv(c, projection);
    c.h = h;
  }
  for (const u of b.body) unit(c, u);
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

  const stem = describeStem(model.stem.type, model.channels, model.stem.width, model.activation);
  conv(c, stem.conv);
  if (stem.pool !== undefined) c.pool(stem.conv.cOut, stem.pool.stride);
  close('stem');
  const inputs = stageInputWidths(model);
  for (let i = 0; i < model.stages.length; i++) {
    const stage = model.stages[i];
    if (stage.depth > 0) {
      block(c, describeBlock(model, i, 0, inputs[i]));
      if (stage.depth > 1) {
        // Blocks 2..d are identical (input w, stride 1, same h): count one, add the rest.
        const f1 = c.flops;
        const p1 = c.params;
        const a1 = c.acts;
        block(c, describeBlock(model, i, 1, inputs[i]));
        const more = stage.depth - 2;
        c.flops += (c.flops - f1) * more;
        c.params += (c.params - p1) * more;
        c.acts += (c.acts - a1) * more;
      }
    }
    close(`s${i + 1}`);
  }
  const head = describeHead(headInputWidth(model), model.headWidth, model.classes, model.activation);
  if (head.conv !== undefined) conv(c, head.conv);
  c.h = 1; // global average pool
  c.linear(head.fc.cIn, head.fc.cOut);
  close('head');
  return { flops: c.flops, params: c.params, acts: c.acts, parts };
}
