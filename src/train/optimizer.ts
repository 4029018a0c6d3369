/**
 * SGD with momentum as PyTorch (and so pycls) defines it, dampening 0:
 *   g ← ∇p + wd·p
 *   buf ← m·buf + g                      (buf starts at 0, so the first buf is g)
 *   update ← g + m·buf if Nesterov, else buf
 *   p ← p − lr·update
 * Weight decay is `weightDecay` for variables marked `decay` and `bnWeightDecay` for the others
 * (BN γ/β and biases; pycls's custom BN weight decay). On wasm with our SIMD kernels, and on
 * webgpu, each variable's update is one kernel (DslabSgdMomentum) instead of eight element-wise ones.
 */
import { tf } from './backend';
import type { ModelVariable } from './blocks';
import { SGD_MOMENTUM, type SgdMomentumAttrs } from './kernels/simd/sgd';
import { ourKernelActive } from './kernels/active';

export interface SgdOptions {
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  bnWeightDecay: number;
}

export class Sgd {
  /** Momentum buffers by variable name; created at a variable's first step. */
  private readonly buffers = new Map<string, tf.Variable>();

  constructor(
    private readonly variables: readonly ModelVariable[],
    private readonly options: SgdOptions,
  ) {}

  /**
   * One step with learning rate `lr`. `grads` maps each tfjs variable name (`variable.name`, as
   * `tf.variableGrads` returns them) to its gradient; variables without a gradient stay as they are.
   */
  step(grads: tf.NamedTensorMap, lr: number): void {
    const { momentum: m, nesterov, weightDecay, bnWeightDecay } = this.options;
    const fused = m !== 0 && ourKernelActive(SGD_MOMENTUM, 'dslab_sgd_momentum');
    tf.tidy(() => {
      for (const { variable: p, decay } of this.variables) {
        const grad = grads[p.name];
        if (grad === undefined) continue;
        const wd = decay ? weightDecay : bnWeightDecay;
        if (fused && this.fusedStep(p, grad, lr, wd)) continue;
        const g = wd !== 0 ? tf.add(grad, tf.mul(p, wd)) : grad;
        let update: tf.Tensor = g;
        if (m !== 0) {
          let buf = this.buffers.get(p.name);
          if (buf === undefined) {
            buf = tf.variable(tf.zerosLike(p), false);
            this.buffers.set(p.name, buf);
          }
          buf.assign(tf.add(tf.mul(buf, m), g));
          update = nesterov ? tf.add(g, tf.mul(buf, m)) : buf;
        }
        p.assign(tf.sub(p, tf.mul(update, lr)));
      }
    });
  }

  /**
   * The whole update of `p` as one SIMD kernel (DslabSgdMomentum) whose results are assigned to
   * p and its buffer; false when the kernel cannot take this variable (the caller takes the
   * tensor path).
   */
  private fusedStep(p: tf.Variable, grad: tf.Tensor, lr: number, weightDecay: number): boolean {
    if (grad.dtype !== 'float32' || p.dtype !== 'float32') return false;
    const { momentum, nesterov } = this.options;
    let buf = this.buffers.get(p.name);
    if (buf === undefined) {
      buf = tf.variable(tf.zerosLike(p), false);
      this.buffers.set(p.name, buf);
    }
    const attrs: SgdMomentumAttrs = { lr, momentum, weightDecay, nesterov: nesterov ? 1 : 0 };
    const [pNext, bufNext] = tf.engine().runKernel(SGD_MOMENTUM, { p, grad, buf }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    p.assign(pNext);
    buf.assign(bufNext);
    return true;
  }

  /** Frees the momentum buffers. */
  dispose(): void {
    for (const buf of this.buffers.values()) buf.dispose();
    this.buffers.clear();
  }
}
