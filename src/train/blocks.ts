/**
 * AnyNet's layers and blocks in tfjs: each builder takes a piece of the network description
 * (`src/core/network.ts`, the one `complexity.ts` counts), creates its variables (pycls init,
 * seeded) and returns the forward function. NHWC throughout.
 */
import { blockName, type Block, type ConvUnit, type Head, type SeUnit, type Stem, type Unit } from '../core/network';
import type { Rng } from '../core/sampling/rng';
import { tf } from './backend';
import { convBiasBound, convStd, LINEAR_STD, normal, uniform } from './init';
import type { Activation } from '../core/model';
import { activate, addActivate, batchNormInfer, batchNormTrain, BN_MOMENTUM, conv2dPycls, groupedConv2d, updateRunningStats } from './ops';

type Tensor4D = tf.Tensor4D;
type Tensor2D = tf.Tensor2D;

/** BatchNorm ε of pycls (BN.EPS); the momentum is PyTorch's 0.1 (BN_MOMENTUM). */
export const BN_EPS = 1e-5;

/** A trainable variable of the model. `decay` is false for BN γ/β and biases (they get `bnWeightDecay`). */
export interface ModelVariable {
  name: string;
  variable: tf.Variable;
  decay: boolean;
}

/** A layer's forward pass; `training` selects batch statistics (and updates the running ones) in BN. */
export type Layer = (x: Tensor4D, training: boolean) => Tensor4D;

/**
 * Creates the model's variables in construction order, which fixes what each draw from the seed
 * initialises. Trainable variables and BN running statistics are kept apart: only the former
 * get gradients and count as parameters.
 */
export class VariableStore {
  readonly trainable: ModelVariable[] = [];
  readonly state: tf.Variable[] = [];
  /** Momentum of every BN's running statistics; precise BN sets it to 1 while it collects batch statistics. */
  bnMomentum = BN_MOMENTUM;

  constructor(private readonly rng: Rng) {}

  private make<R extends tf.Rank>(values: Float32Array, shape: number[], trainable: boolean): tf.Variable<R> {
    const initial = tf.tensor(values, shape, 'float32');
    // tf.variable takes over the tensor's data; no name, so several models can live in one process.
    const v = tf.variable(initial, trainable) as tf.Variable<R>;
    initial.dispose();
    return v;
  }

  param<R extends tf.Rank>(name: string, values: Float32Array, shape: number[], decay: boolean): tf.Variable<R> {
    const variable = this.make<R>(values, shape, true);
    this.trainable.push({ name, variable, decay });
    return variable;
  }

  stateVariable<R extends tf.Rank>(values: Float32Array, shape: number[]): tf.Variable<R> {
    const v = this.make<R>(values, shape, false);
    this.state.push(v);
    return v;
  }

  /** k×k conv filter [k, k, c_in/G, c_out], N(0, √(2/(k·k·c_out))). */
  convFilter(name: string, k: number, cIn: number, cOut: number, groups: number): tf.Variable<tf.Rank.R4> {
    const n = k * k * (cIn / groups) * cOut;
    return this.param<tf.Rank.R4>(name, normal(this.rng, n, convStd(k, cOut)), [k, k, cIn / groups, cOut], true);
  }

  /** 1×1 conv with bias as a [c_in, c_out] matrix and a [c_out] bias (SE, at 1×1 spatial size). */
  denseConv(name: string, cIn: number, cOut: number): { w: tf.Variable<tf.Rank.R2>; b: tf.Variable<tf.Rank.R1> } {
    const w = this.param<tf.Rank.R2>(`${name}.weight`, normal(this.rng, cIn * cOut, convStd(1, cOut)), [cIn, cOut], true);
    const b = this.param<tf.Rank.R1>(`${name}.bias`, uniform(this.rng, cOut, convBiasBound(1, cIn, 1)), [cOut], false);
    return { w, b };
  }

  /** Fully connected layer: weights N(0, 0.01²), bias 0. */
  linear(name: string, cIn: number, cOut: number): { w: tf.Variable<tf.Rank.R2>; b: tf.Variable<tf.Rank.R1> } {
    const w = this.param<tf.Rank.R2>(`${name}.weight`, normal(this.rng, cIn * cOut, LINEAR_STD), [cIn, cOut], true);
    const b = this.param<tf.Rank.R1>(`${name}.bias`, new Float32Array(cOut), [cOut], false);
    return { w, b };
  }
}


// ------------------------------------------------------------------ layers

/** k×k conv without bias, padding (k−1)/2, stride s, G groups. */
export function conv(store: VariableStore, name: string, cIn: number, cOut: number, k: number, stride: number, groups = 1): Layer {
  if (cIn % groups !== 0 || cOut % groups !== 0) {
    throw new RangeError(`${name}: ${groups} groups do not divide ${cIn} → ${cOut} channels`);
  }
  const filter = store.convFilter(`${name}.weight`, k, cIn, cOut, groups);
  if (groups === 1) return (x) => conv2dPycls(x, filter, stride);
  return (x) => groupedConv2d(x, filter, stride, groups);
}

/**
 * BatchNorm over c channels, followed by the activation `act` if any (BN + activation is one fused
 * kernel where the backend has it): γ = 1, β = 0; running mean 0 and variance 1. In training mode it
 * normalizes with the batch statistics and moves the running ones towards them (the variance
 * unbiased, n/(n−1), as PyTorch does); in inference mode it uses the running ones.
 */
export function batchNorm(store: VariableStore, name: string, c: number, act?: Activation): Layer {
  const gamma = store.param<tf.Rank.R1>(`${name}.gamma`, new Float32Array(c).fill(1), [c], false);
  const beta = store.param<tf.Rank.R1>(`${name}.beta`, new Float32Array(c), [c], false);
  const runningMean = store.stateVariable<tf.Rank.R1>(new Float32Array(c), [c]);
  const runningVar = store.stateVariable<tf.Rank.R1>(new Float32Array(c).fill(1), [c]);
  return (x, training) => {
    if (!training) {
      const y = batchNormInfer(x, gamma, beta, runningMean, runningVar, BN_EPS);
      return act === undefined ? y : activate(y, act);
    }
    const { y, mean, variance } = batchNormTrain(x, gamma, beta, BN_EPS, act);
    updateRunningStats(runningMean, runningVar, { mean, variance }, x.shape[0] * x.shape[1] * x.shape[2], store.bnMomentum);
    return y;
  };
}

export const relu: Layer = (x) => tf.relu(x);

/** Layers applied one after the other. */
export function sequence(...layers: Layer[]): Layer {
  return (x, training) => layers.reduce((h, layer) => layer(h, training), x);
}

/** A conv unit: conv → BN (→ its activation), the unit every pycls block is made of. */
function convUnit(store: VariableStore, u: ConvUnit, name = u.name): Layer {
  return sequence(conv(store, name, u.cIn, u.cOut, u.k, u.stride, u.groups), batchNorm(store, `${name}_bn`, u.cOut, u.act));
}

/** k×k max-pool with stride s and padding (k−1)/2 (padding never wins the max). */
export function maxPool(k: number, stride: number): Layer {
  const p = (k - 1) / 2;
  return (x) => tf.maxPool(x, k, stride, p);
}

/** Global average pool to [N, c]. */
export function globalAvgPool(x: Tensor4D): Tensor2D {
  return tf.mean(x, [1, 2]) as Tensor2D;
}

/**
 * Squeeze-excitation (pycls SE). At 1×1 spatial size a 1×1 conv is a matrix product, so its two
 * convs are dense layers here (same parameters, same result).
 */
export function squeezeExcitation(store: VariableStore, u: SeUnit, name = u.name): Layer {
  const squeeze = store.denseConv(`${name}.f_ex.0`, u.width, u.hidden);
  const excite = store.denseConv(`${name}.f_ex.2`, u.hidden, u.width);
  return (x) => {
    const s = globalAvgPool(x);
    const hidden = activate(tf.add(tf.matMul(s, squeeze.w), squeeze.b), u.act);
    const gate = tf.sigmoid(tf.add(tf.matMul(hidden, excite.w), excite.b));
    return tf.mul(x, tf.reshape(gate, [x.shape[0], 1, 1, u.width])) as Tensor4D;
  };
}

// ------------------------------------------------------------------ stem, blocks, head

export function buildStem(store: VariableStore, stem: Stem): Layer {
  const conv1 = convUnit(store, stem.conv);
  return stem.pool === undefined ? conv1 : sequence(conv1, maxPool(stem.pool.k, stem.pool.stride));
}

function buildUnit(store: VariableStore, block: Block, u: Unit): Layer {
  const name = blockName(block, u);
  return u.kind === 'conv' ? convUnit(store, u, name) : squeezeExcitation(store, u, name);
}

/** A block of the network description: act(shortcut(x) + body(x)) when residual, else body(x). */
export function buildBlock(store: VariableStore, block: Block): Layer {
  const residual = block.residual;
  if (residual === undefined) return sequence(...block.body.map((u) => buildUnit(store, block, u)));
  // The projection is built first: pycls constructs it before the body, which fixes the draws.
  const proj = residual.projection === undefined ? undefined : buildUnit(store, block, residual.projection);
  const body = sequence(...block.body.map((u) => buildUnit(store, block, u)));
  return (x, training) => addActivate(proj === undefined ? x : proj(x, training), body(x, training), residual.act);
}

/** Head: optional conv unit, global average pool, linear with bias. */
export function buildHead(store: VariableStore, head: Head): (x: Tensor4D, training: boolean) => Tensor2D {
  const conv1 = head.conv === undefined ? undefined : convUnit(store, head.conv);
  const fc = store.linear(head.fc.name, head.fc.cIn, head.fc.cOut);
  return (x, training) => {
    const h = conv1 === undefined ? x : conv1(x, training);
    return tf.add(tf.matMul(globalAvgPool(h), fc.w), fc.b) as Tensor2D;
  };
}
