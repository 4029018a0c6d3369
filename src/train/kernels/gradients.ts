/**
 * Gradients for the kernels a conv net's forward pass runs.
 *
 * tfjs-core's CommonJS build (`tf-core.node.js`) contains the autodiff engine but registers no
 * gradient functions: they ship only as ES modules (`dist/register_all_gradients.js`) that the
 * `@tensorflow/tfjs` union package bundles. We depend on tfjs-core alone, so we register the
 * gradients our model needs here. Each is the textbook derivative of the kernel; the broadcasting
 * binary ops sum the gradient back over broadcast axes. A gradient already registered (e.g. by
 * `@tensorflow/tfjs`, loaded by tfjs-node) is left in place.
 */
import * as tf from '@tensorflow/tfjs-core';

type Attrs = tf.NamedAttrMap;

/** Sums `dy` over the axes along which `shape` was broadcast to dy's shape, then reshapes. */
function reduceTo(dy: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, dy.shape);
  const summed = axes.length > 0 ? tf.sum(dy, axes) : dy;
  return tf.reshape(summed, shape);
}

/** dy of a reduction over `axis` of x, broadcast back over x's shape (divided by the count for a mean). */
function unreduce(dy: tf.Tensor, x: tf.Tensor, axis: unknown, scaleByCount: boolean): tf.Tensor {
  const axes = tf.util.parseAxisParam(axis as number | number[], x.shape);
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  return tf.mul(tf.reshape(dy, keptShape), tf.fill(x.shape, scaleByCount ? 1 / count : 1));
}

function binary(
  kernelName: string,
  da: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor, attrs: Attrs) => tf.Tensor,
  db: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor, attrs: Attrs) => tf.Tensor,
): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved;
      const d = dy as tf.Tensor;
      return { a: () => reduceTo(da(d, a, b, attrs), a.shape), b: () => reduceTo(db(d, a, b, attrs), b.shape) };
    },
  };
}

function unary(kernelName: string, dx: (dy: tf.Tensor, x: tf.Tensor, attrs: Attrs) => tf.Tensor): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => ({ x: () => dx(dy as tf.Tensor, saved[0], attrs) }),
  };
}

/** Unary ops whose derivative is cheapest from their output y. */
function fromOutput(kernelName: string, inputName: string, dx: (dy: tf.Tensor, y: tf.Tensor, attrs: Attrs) => tf.Tensor): tf.GradConfig {
  return {
    kernelName,
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => ({ [inputName]: () => dx(dy as tf.Tensor, saved[0], attrs) }),
  };
}

function isFloat(t: tf.Tensor): tf.Tensor {
  return tf.cast(t, 'float32');
}

/** Explicit transpose then plain matMul: tfjs-wasm's transposed-operand paths are slow. */
function matMulT(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): tf.Tensor {
  if (a.rank === 2 && b.rank === 2) {
    return tf.matMul(transposeA ? tf.transpose(a) : a, transposeB ? tf.transpose(b) : b);
  }
  return tf.matMul(a, b, transposeA, transposeB);
}

function matMulGrad(): tf.GradConfig {
  // y = op(a)·op(b): d op(a) = dy·op(b)ᵀ, d op(b) = op(a)ᵀ·dy, then undo each op.
  return binary(
    tf.BatchMatMul,
    (dy, _a, b, attrs) => {
      const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
      return transposeA ? matMulT(b, dy, transposeB, true) : matMulT(dy, b, false, !transposeB);
    },
    (dy, a, _b, attrs) => {
      const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
      return transposeB ? matMulT(dy, a, true, transposeA) : matMulT(a, dy, !transposeA, false);
    },
  );
}

/**
 * The gradient of a conv kernel: dx and dW each from its own backprop kernel, which takes the
 * forward attributes `common` picks plus the shape it produces.
 */
function convGrad(
  kernelName: string,
  backpropInput: string,
  backpropFilter: string,
  common: (attrs: Attrs) => object,
): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dyIn, [x, filter], attrs) => {
      const dy = dyIn as tf.Tensor;
      const shared = common(attrs);
      return {
        x: () => tf.engine().runKernel(backpropInput, { dy, filter }, { ...shared, inputShape: x.shape } as unknown as Attrs) as tf.Tensor,
        filter: () => tf.engine().runKernel(backpropFilter, { x, dy }, { ...shared, filterShape: filter.shape } as unknown as Attrs) as tf.Tensor,
      };
    },
  };
}

function conv2dGrad(): tf.GradConfig {
  return convGrad(tf.Conv2D, tf.Conv2DBackpropInput, tf.Conv2DBackpropFilter, (attrs) => {
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as tf.Conv2DAttrs;
    const [dh, dw] = typeof dilations === 'number' ? [dilations, dilations] : dilations ?? [1, 1];
    if (dh !== 1 || dw !== 1) throw new Error(`the gradient of Conv2D needs dilation 1, got [${dh}, ${dw}]`);
    return { strides, pad, dataFormat, dimRoundingMode };
  });
}

function depthwiseGrad(): tf.GradConfig {
  return convGrad(tf.DepthwiseConv2dNative, tf.DepthwiseConv2dNativeBackpropInput, tf.DepthwiseConv2dNativeBackpropFilter, (attrs) => {
    const { strides, pad, dilations, dimRoundingMode } = attrs as unknown as tf.DepthwiseConv2dNativeAttrs;
    return { strides, pad, dilations: dilations ?? [1, 1], dimRoundingMode };
  });
}

function poolGrads(): tf.GradConfig[] {
  return [
    {
      kernelName: tf.MaxPool,
      inputsToSave: ['x'],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const [x, y] = saved;
        const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolAttrs;
        return {
          x: () =>
            tf.engine().runKernel(tf.MaxPoolGrad, { dy: dy as tf.Tensor, input: x, output: y }, { filterSize, strides, pad, dimRoundingMode } as unknown as Attrs) as tf.Tensor,
        };
      },
    },
    {
      kernelName: tf.AvgPool,
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs) => {
        const [x] = saved;
        const { filterSize, strides, pad } = attrs as unknown as tf.AvgPoolAttrs;
        return { x: () => tf.engine().runKernel(tf.AvgPoolGrad, { dy: dy as tf.Tensor, input: x }, { filterSize, strides, pad } as unknown as Attrs) as tf.Tensor };
      },
    },
  ];
}

function shapeGrads(): tf.GradConfig[] {
  return [
    unary(tf.Reshape, (dy, x) => tf.reshape(dy, x.shape)),
    unary(tf.Identity, (dy) => dy),
    unary(tf.Cast, (dy) => dy),
    {
      kernelName: tf.Transpose,
      gradFunc: (dy, _saved, attrs) => {
        const { perm } = attrs as unknown as tf.TransposeAttrs;
        const inverse = perm.map((_, i) => perm.indexOf(i));
        return { x: () => tf.transpose(dy as tf.Tensor, inverse) };
      },
    },
    unary(tf.PadV2, (dy, x, attrs) => {
      const { paddings } = attrs as unknown as tf.PadV2Attrs;
      return tf.slice(dy, paddings.map(([before]) => before), x.shape);
    }),
    unary(tf.Slice, (dy, x, attrs) => {
      const { begin, size } = attrs as unknown as tf.SliceAttrs;
      const [b, s] = tf.slice_util.parseSliceParams(x, begin, size);
      return tf.pad(dy, b.map((start, i) => [start, x.shape[i] - start - s[i]] as [number, number]));
    }),
    {
      kernelName: tf.SplitV,
      gradFunc: (dy, _saved, attrs) => {
        const { axis } = attrs as unknown as tf.SplitVAttrs;
        const parts = dy as tf.Tensor[];
        return { x: () => tf.concat(parts, tf.util.parseAxisParam(axis, parts[0].shape)[0]) };
      },
    },
    {
      kernelName: tf.Concat,
      saveAllInputs: true,
      gradFunc: (dy, saved, attrs) => {
        const axis = tf.util.parseAxisParam((attrs as unknown as tf.ConcatAttrs).axis, saved[0].shape)[0];
        const sizes = saved.map((t) => t.shape[axis]);
        const parts = tf.split(dy as tf.Tensor, sizes, axis);
        return Object.fromEntries(parts.map((p, i) => [String(i), () => p]));
      },
    },
    {
      kernelName: tf.AddN,
      saveAllInputs: true,
      gradFunc: (dy, saved) => Object.fromEntries(saved.map((_, i) => [String(i), () => tf.clone(dy as tf.Tensor)])),
    },
  ];
}

function reductionGrads(): tf.GradConfig[] {
  return [
    unary(tf.Sum, (dy, x, attrs) => unreduce(dy, x, (attrs as unknown as tf.SumAttrs).axis, false)),
    unary(tf.Mean, (dy, x, attrs) => unreduce(dy, x, (attrs as unknown as tf.MeanAttrs).axis, true)),
  ];
}

function elementwiseGrads(): tf.GradConfig[] {
  return [
    binary(tf.Add, (dy) => dy, (dy) => dy),
    binary(tf.Sub, (dy) => dy, (dy) => tf.neg(dy)),
    binary(tf.Multiply, (dy, _a, b) => tf.mul(dy, b), (dy, a) => tf.mul(dy, a)),
    binary(
      tf.RealDiv,
      (dy, _a, b) => tf.div(dy, b),
      (dy, a, b) => tf.neg(tf.div(tf.mul(dy, a), tf.square(b))),
    ),
    binary(tf.Maximum, (dy, a, b) => tf.mul(dy, isFloat(tf.greaterEqual(a, b))), (dy, a, b) => tf.mul(dy, isFloat(tf.less(a, b)))),
    binary(tf.Minimum, (dy, a, b) => tf.mul(dy, isFloat(tf.lessEqual(a, b))), (dy, a, b) => tf.mul(dy, isFloat(tf.greater(a, b)))),
    binary(
      tf.SquaredDifference,
      (dy, a, b) => tf.mul(dy, tf.mul(tf.sub(a, b), 2)),
      (dy, a, b) => tf.mul(dy, tf.mul(tf.sub(b, a), 2)),
    ),
    unary(tf.Neg, (dy) => tf.neg(dy)),
    unary(tf.Square, (dy, x) => tf.mul(dy, tf.mul(x, 2))),
    unary(tf.Abs, (dy, x) => tf.mul(dy, tf.sign(x))),
    unary(tf.Log, (dy, x) => tf.div(dy, x)),
    fromOutput(tf.Exp, 'x', (dy, y) => tf.mul(dy, y)),
    fromOutput(tf.Sqrt, 'x', (dy, y) => tf.div(dy, tf.mul(y, 2))),
    // d x^{-1/2} = −½·x^{-3/2} = −½·y³.
    fromOutput(tf.Rsqrt, 'x', (dy, y) => tf.mul(dy, tf.mul(tf.pow(y, 3), -0.5))),
    // PyTorch's convention: the derivative at 0 is 0 (tf.step(0) = 0).
    unary(tf.Relu, (dy, x) => tf.mul(dy, tf.step(x))),
    unary(tf.Relu6, (dy, x) => tf.mul(dy, isFloat(tf.logicalAnd(tf.greater(x, 0), tf.less(x, 6))))),
    fromOutput(tf.Sigmoid, 'x', (dy, y) => tf.mul(dy, tf.mul(y, tf.sub(1, y)))),
    fromOutput(tf.Tanh, 'x', (dy, y) => tf.mul(dy, tf.sub(1, tf.square(y)))),
    fromOutput(tf.Softmax, 'logits', (dy, y, attrs) => {
      const dim = (attrs as unknown as tf.SoftmaxAttrs).dim;
      const yDy = tf.mul(y, dy);
      return tf.sub(yDy, tf.mul(y, tf.sum(yDy, dim, true)));
    }),
  ];
}

/** Every gradient this module provides. */
export function gradientConfigs(): tf.GradConfig[] {
  return [...elementwiseGrads(), ...reductionGrads(), ...shapeGrads(), matMulGrad(), conv2dGrad(), depthwiseGrad(), ...poolGrads()];
}

/** Registers each gradient not registered yet (idempotent). */
export function registerGradients(): void {
  for (const config of gradientConfigs()) {
    if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config);
  }
}
