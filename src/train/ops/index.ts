/** The differentiable ops the model is built from. */
export { addRelu } from './addRelu';
export { activate, addActivate, addSwish, swish } from './activation';
export { batchNormTrain, batchNormInfer, updateRunningStats, BN_MOMENTUM } from './batchNorm';
export type { BatchNormResult } from './batchNorm';
export { conv2dPycls, groupedConv2d, pyclsPadding } from './conv';
