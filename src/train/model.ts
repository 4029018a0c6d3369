/**
 * The trainable AnyNet (pycls `AnyNet`): stem → stages of identical blocks (the stride and any
 * width change in the first block of a stage) → head. Built from the network description that
 * `complexity` counts (`src/core/network.ts`), so the trainable parameters equal
 * `complexity(spec).params` exactly.
 */
import type { ExpandedModel } from '../core/model';
import { Rng } from '../core/sampling/rng';
import { tf } from './backend';
import { describeNetwork } from '../core/network';
import { buildBlock, buildHead, buildStem, VariableStore, type Layer, type ModelVariable } from './blocks';
import { BN_MOMENTUM } from './ops';

export type { ModelVariable } from './blocks';

/** A network with its variables: what the trainer updates, evaluates and finally disposes. */
export interface TrainableModel {
  spec: ExpandedModel;
  /** Trainable variables in construction order. `decay` is false for BN γ/β and biases. */
  variables: ModelVariable[];
  /**
   * Logits [N, classes] for NHWC input [N, resolution, resolution, channels]. With `training`,
   * BN uses batch statistics and updates its running ones; without, it uses the running ones.
   */
  forward(x: tf.Tensor4D, training: boolean): tf.Tensor2D;
  /**
   * pycls's precise BN (`compute_precise_bn_stats`): sets every BN's running mean and variance to
   * the average of its batch statistics over `inputs` (training-mode forward passes, no gradient).
   * Running averages with momentum 0.1 lag behind weights that move fast, which inflates the test
   * error of short, high-learning-rate runs.
   */
  recomputeBnStatistics(inputs: Iterable<tf.Tensor4D>): void;
  /** Number of trainable scalars (equals complexity(spec).params). */
  trainableParamCount(): number;
  /** Frees every variable, trainable or not. */
  dispose(): void;
}

/**
 * Builds the network of `spec` with pycls's initialisation drawn from `Rng(seed)`: the same spec
 * and seed give the same initial weights on every backend. Uses the active tfjs backend.
 */
export function buildModel(spec: ExpandedModel, seed: number): TrainableModel {
  const store = new VariableStore(new Rng(seed));
  const network = describeNetwork(spec);
  const layers: Layer[] = [buildStem(store, network.stem), ...network.blocks.map((b) => buildBlock(store, b))];
  const classifier = buildHead(store, network.head);
  const variables = store.trainable;
  const state = store.state;

  return {
    spec,
    variables,
    forward(x, training) {
      return tf.tidy(() => classifier(layers.reduce((h, layer) => layer(h, training), x), training));
    },
    recomputeBnStatistics(inputs) {
      let sums: tf.Tensor[] = [];
      let count = 0;
      store.bnMomentum = 1; // each forward pass leaves exactly its batch statistics in the running ones
      try {
        for (const x of inputs) {
          tf.tidy(() => {
            classifier(layers.reduce((h, layer) => layer(h, true), x), true);
          });
          const next = tf.tidy(() => state.map((v, i) => (count === 0 ? v.clone() : tf.add(sums[i], v))));
          tf.dispose(sums);
          sums = next;
          count++;
        }
      } finally {
        store.bnMomentum = BN_MOMENTUM;
      }
      if (count === 0) return;
      tf.tidy(() => state.forEach((v, i) => v.assign(tf.div(sums[i], count))));
      tf.dispose(sums);
    },
    trainableParamCount() {
      return variables.reduce((n, v) => n + v.variable.size, 0);
    },
    dispose() {
      for (const v of variables) v.variable.dispose();
      for (const v of state) v.dispose();
    },
  };
}
