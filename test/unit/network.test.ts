import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { complexity } from '../../src/core/complexity';
import type { ModelSpec } from '../../src/core/model';
import { expandModel } from '../../src/core/modelSpec';
import { blockName, describeNetwork, type Unit } from '../../src/core/network';

/** Trainable scalars of a unit, counted from the description alone (conv weights + BN γ/β; SE's two biased convs). */
function unitParams(u: Unit): number {
  if (u.kind === 'se') return 2 * u.width * u.hidden + u.width + u.hidden;
  return u.k * u.k * (u.cIn / u.groups) * u.cOut + 2 * u.cOut;
}

describe('network description', () => {
  test('a Y block with a projection: pycls module names in construction order', () => {
    const model = expandModel({ anynet: { depths: [2], widths: [16], groupWidths: [4], bottlenecks: [1], strides: [2] }, block: 'Y', stem: { type: 'cifar', width: 8 } });
    const net = describeNetwork(model);
    assert.equal(net.blocks.length, 2);
    const [first, second] = net.blocks;
    const names = (b: typeof first): string[] => [
      ...(b.residual?.projection ? [blockName(b, b.residual.projection)] : []),
      ...b.body.map((u) => blockName(b, u)),
    ];
    assert.deepEqual(names(first), ['s1.b1.proj', 's1.b1.f.a', 's1.b1.f.b', 's1.b1.f.se', 's1.b1.f.c']);
    // The second block keeps width and resolution: identity shortcut, SE from its own input width.
    assert.deepEqual(names(second), ['s1.b2.f.a', 's1.b2.f.b', 's1.b2.f.se', 's1.b2.f.c']);
    assert.equal(first.body[1].kind === 'conv' && first.body[1].stride, 2);
    assert.equal(first.body[2].kind === 'se' && first.body[2].hidden, 2); // round(0.25 · 8)
    assert.equal(second.body[2].kind === 'se' && second.body[2].hidden, 4); // round(0.25 · 16)
    assert.equal(net.head.fc.cIn, 16);
  });

  // complexity() counts a stage's first two blocks and multiplies; summing every described block
  // independently must give the same parameter count.
  const models: [string, ModelSpec][] = [
    ['RegNetX-200MF', { regnet: { depth: 13, w0: 24, wa: 36.44, wm: 2.49, groupWidth: 8, bottleneck: 1 } }],
    ['RegNetY-400MF', { regnet: { depth: 16, w0: 48, wa: 27.89, wm: 2.09, groupWidth: 8, bottleneck: 1 }, block: 'Y' }],
    ['R blocks, resnet stem, head', { anynet: { depths: [2, 3], widths: [16, 32], groupWidths: [1, 1], bottlenecks: [1, 1], strides: [1, 2] }, block: 'R', stem: { type: 'resnet', width: 16 }, headWidth: 64 }],
    ['V blocks', { anynet: { depths: [1, 2], widths: [8, 24], groupWidths: [1, 1], bottlenecks: [1, 1], strides: [2, 2] }, block: 'V' }],
  ];
  for (const [label, spec] of models) {
    test(`${label}: the described layers hold exactly complexity().params`, () => {
      const model = expandModel(spec);
      const net = describeNetwork(model);
      let params = unitParams(net.stem.conv) + (net.head.conv ? unitParams(net.head.conv) : 0) + net.head.fc.cIn * net.head.fc.cOut + net.head.fc.cOut;
      for (const b of net.blocks) {
        if (b.residual?.projection) params += unitParams(b.residual.projection);
        for (const u of b.body) params += unitParams(u);
      }
      assert.equal(params, complexity(model).params);
      assert.equal(net.blocks.length, model.stages.reduce((n, s) => n + s.depth, 0));
    });
  }
});
