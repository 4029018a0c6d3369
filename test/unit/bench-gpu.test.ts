import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { complexity } from '../../src/core/complexity';
import { expandModel } from '../../src/core/modelSpec';
import { CIFAR_REGNETX_200MF, GPU_MODELS, selectedModels } from '../../bench/gpu';
import { CIFAR_REGNETX, findTorchPython, runTorch, TINY_ANYNET } from '../../bench/training';

describe('GPU benchmark', () => {
  test('the large model is RegNetX-200MF on CIFAR images: 4 stages, 220.9 MFLOPs, 2.32M params, batch 128', () => {
    const spec = expandModel(CIFAR_REGNETX_200MF.spec);
    assert.deepEqual(
      spec.stages.map((s) => [s.width, s.depth, s.stride]),
      [
        [24, 1, 1],
        [56, 1, 1],
        [152, 4, 2],
        [368, 7, 2],
      ],
    );
    const cx = complexity(spec);
    assert.equal(cx.flops, 220860010);
    assert.equal(cx.params, 2319482);
    assert.equal(CIFAR_REGNETX_200MF.batch, 128);
  });

  test('DSLAB_BENCH_GPU_MODELS picks models by key; unset, all of them; an unknown key says which exist', () => {
    assert.deepEqual(selectedModels(undefined), GPU_MODELS);
    assert.deepEqual(selectedModels(''), GPU_MODELS);
    assert.deepEqual(selectedModels('cifar-regnetx-200mf, tiny-anynet'), [CIFAR_REGNETX_200MF, TINY_ANYNET]);
    assert.deepEqual(selectedModels('cifar-regnetx'), [CIFAR_REGNETX]);
    assert.throws(() => selectedModels('resnet50'), /unknown model 'resnet50'; one of tiny-anynet, cifar-regnetx, cifar-regnetx-200mf/);
  });

  const peer = findTorchPython();
  test('the PyTorch peer builds the large model with the same parameter count', { skip: 'missing' in peer && peer.missing }, async () => {
    if ('missing' in peer) return;
    const t = await runTorch(peer.python, expandModel(CIFAR_REGNETX_200MF.spec), { batch: 2, warmup: 0, steps: 1 }, 1, true);
    assert.equal(t.params, 2319482);
  });
});
