import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sampleSpace } from '../../src/core/sampling/sampler';
import { parseSpaceText, type DesignSpace } from '../../src/core/space';
import { designSpaceSize } from '../../src/core/spaceSize';
import { formatAcceptance, modelTable } from '../../src/core/presentation/modelTable';
import { formatDistribution, formatSize, quickAcceptance, sampleMarkdown, spaceHoverMarkdown } from '../../src/extension/spaceSummary';

const FILE = [
  'version: 1',
  'model: { stem: { type: cifar, width: 16 }, block: X, stages: 3, strides: [1, 2, 2] }',
  'sampling: { seed: 0, samples: 4, constraints: { flops: [2.0e6, 6.0e6] } }',
  'spaces:',
  '  RegNetX:',
  '    type: regnet',
  '    depth: [3, 12]',
  '    w0: [8, 64]',
  '    wa: [4, 64]',
  '    wm: [1.5, 3.0]',
  '    bottleneck: [1]',
  '    groupWidth: [1, 2, 4, 8, 16, 32]',
  '  Tiny:',
  '    type: anynet',
  '    depth: 1',
  '    width: [8, 16]',
  '    bottleneck: [1]',
  '    groupWidth: [8]',
  '    constraints: { flops: [1, 2] }',
  '',
].join('\n');

function spaces(): DesignSpace[] {
  const r = parseSpaceText(FILE);
  assert.ok(r.resolved, JSON.stringify(r.diagnostics));
  return r.resolved.spaces;
}

describe('a space in short', () => {
  test('distributions as written in the hover', () => {
    assert.equal(formatDistribution({ kind: 'log-uniform', range: [8, 128], quantum: 8 }), 'log-uniform [8, 128] step 8');
    assert.equal(formatDistribution({ kind: 'uniform', range: [2e6, 6e6], quantum: 1 }), 'uniform [2e6, 6e6] step 1');
    assert.equal(formatDistribution({ kind: 'values', values: [1, 2, 4] }), '{1, 2, 4}');
  });

  test('sizes: exact below a million, mantissa and exponent above', () => {
    assert.equal(formatSize({ count: 822528, log10: Math.log10(822528), dof: 8, formula: '' }), '822,528');
    assert.equal(formatSize({ count: 1.8e18, log10: Math.log10(1.8e18), dof: 16, formula: '' }), '1.8e18');
    assert.equal(formatSize({ count: 0, log10: -Infinity, dof: 0, formula: '' }), '0');
  });

  test('the RegNetX hover: definition, Table 1 size and a reproducible acceptance rate', () => {
    const [regnet] = spaces();
    const acceptance = quickAcceptance(regnet, 50, 5000);
    assert.deepEqual(quickAcceptance(regnet, 50, 5000), acceptance);
    assert.equal(acceptance.accepted, 50);
    assert.ok(acceptance.attempts > 50 && acceptance.attempts <= 5000);
    assert.equal(acceptance.rate, 50 / acceptance.attempts);
    const md = spaceHoverMarkdown(regnet, acceptance);
    const size = designSpaceSize(regnet);
    assert.equal(size.formula, '10·8·601·1501·1·6');
    assert.ok(md.startsWith('**RegNetX** (regnet)\n\n- depth d: uniform [3, 12] step 1\n- w0: log-uniform [8, 64] step 8\n'), md);
    assert.ok(md.includes('\nSize: 4.3e8 models = 10·8·601·1501·1·6, 6 degrees of freedom\n'), md);
    assert.ok(md.includes('- samples: 4, constraints: flops in [2e6, 6e6]'), md);
    assert.ok(md.endsWith(`Constraints (estimated from a draw of up to 200 models): ${formatAcceptance(acceptance)}`));
    assert.match(formatAcceptance(acceptance), /^\d+\.\d% of [\d,]+ attempts accepted \(.+: [\d,]+/);
  });

  test('a space whose constraints accept nothing reports 0% of its budget', () => {
    const tiny = spaces()[1];
    const acceptance = quickAcceptance(tiny, 10, 300);
    assert.equal(acceptance.accepted, 0);
    assert.equal(acceptance.rate, 0);
    assert.equal(acceptance.attempts, 300);
    assert.match(acceptance.problem ?? '', /^no model of Tiny satisfied flops in \[1, 2\]/);
    assert.equal(formatAcceptance(acceptance), '0.0% of 300 attempts accepted');
  });
});

describe('the Sample view', () => {
  test('one row per sampled model with its stages and complexity', () => {
    const [regnet] = spaces();
    const sample = sampleSpace(regnet);
    const table = modelTable(regnet, sample.models).split('\n');
    assert.equal(table.length, 2 + 4);
    const m = sample.models[0];
    assert.ok(table[2].startsWith('| 0 | '));
    assert.ok(table[2].endsWith(` | ${(m.flops / 1e6).toFixed(2)} | ${(m.params / 1e3).toFixed(1)} | ${(m.acts / 1e3).toFixed(1)} |`));
    assert.ok(m.flops >= 2e6 && m.flops <= 6e6);
    const md = sampleMarkdown(regnet, sample);
    // A RegNet's own parameters first, as dslab sample prints them.
    assert.ok(md.startsWith(`## RegNetX (regnet, seed ${regnet.seed})\n\n| # | d | w0 | wa | wm | depths | widths |`), md.slice(0, 200));
    const rate = `${((100 * 4) / sample.attempts).toFixed(1)}% of ${sample.attempts} attempts accepted`;
    assert.ok(md.includes(`\n\n4 models; this draw: ${rate} (`), md);
    assert.ok(md.endsWith("A draw of 4 models measures the rate roughly; the space's hover estimates it from a draw of up to 200."), md);
  });
});
