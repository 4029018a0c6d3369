import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { SPACE_SCHEMA } from '../../src/core/space';
import {
  completionContextAt,
  keyCompletions,
  keyDocumentation,
  offsetAt,
  otherTypeKeys,
  parentPathAt,
  pathAt,
  schemaAt,
  valueCompletions,
} from '../../src/core/space/schemaPath';

const EXAMPLE = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'space.regnet.yaml'), 'utf8');
const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle));

describe('pathAt: the key path under the cursor', () => {
  test('on a space name key, on a key inside a space, in its value', () => {
    const anynet = lineOf(EXAMPLE, '  AnyNetX_A:');
    assert.deepEqual(pathAt(EXAMPLE, anynet, 4), { path: ['spaces', 'AnyNetX_A'], onKey: true });
    const w0 = lineOf(EXAMPLE, '    w0: [8, 64]');
    assert.deepEqual(pathAt(EXAMPLE, w0, 5), { path: ['spaces', 'RegNetX', 'w0'], onKey: true });
    assert.deepEqual(pathAt(EXAMPLE, w0, 13), { path: ['spaces', 'RegNetX', 'w0', 1], onKey: false });
  });

  test('inside a flow mapping', () => {
    const stem = lineOf(EXAMPLE, '  stem: { type: cifar');
    const character = EXAMPLE.split('\n')[stem].indexOf('width') + 2;
    assert.deepEqual(pathAt(EXAMPLE, stem, character), { path: ['model', 'stem', 'width'], onKey: true });
  });

  test('a top-level key, and nothing for a document that is not a mapping', () => {
    assert.deepEqual(pathAt('version: 1\nspaces: {}\n', 1, 2), { path: ['spaces'], onKey: true });
    assert.equal(pathAt('- a\n- b\n', 0, 2), undefined);
  });

  test('offsetAt counts lines and clamps the character to the line', () => {
    assert.equal(offsetAt('ab\ncd\n', 1, 1), 4);
    assert.equal(offsetAt('ab\ncd\n', 0, 99), 2);
    assert.equal(offsetAt('ab', 5, 0), 2);
  });
});

describe('completion context from indentation', () => {
  const text = ['version: 1', 'spaces:', '  R:', '    type: regnet', '    ', '    block', 'model:', '  block: ', '  stem: {'].join('\n');

  test('a new key inside a space lists the keys of the space not yet present', () => {
    const context = completionContextAt(text, 4, 4);
    assert.ok(context && context.kind === 'key');
    assert.deepEqual(context.path, ['spaces', 'R']);
    // A regnet space: its own keys, not the anynet-only width and restrictions.
    assert.deepEqual([...context.existing].sort(), ['restrictions', 'type', 'width']);
    const keys = keyCompletions(SPACE_SCHEMA, context.path, context.existing).map((k) => k.key);
    assert.deepEqual(keys, ['extends', 'depth', 'w0', 'wa', 'wm', 'bottleneck', 'groupWidth', 'samples', 'constraints', 'maxAttempts', 'seed', 'model', 'training']);
  });

  test('keys of the other space type are left out only where the type is known', () => {
    assert.deepEqual(otherTypeKeys(SPACE_SCHEMA, 'anynet'), ['w0', 'wa', 'wm']);
    assert.deepEqual(otherTypeKeys(SPACE_SCHEMA, 'regnet'), ['width', 'restrictions']);
    assert.deepEqual(otherTypeKeys(SPACE_SCHEMA, undefined), []);
    const extending = completionContextAt(['version: 1', 'spaces:', '  E:', '    extends: R  # a regnet', '    '].join('\n'), 4, 4);
    assert.ok(extending && extending.kind === 'key');
    assert.deepEqual([...extending.existing], ['extends']);
  });

  test('space names complete inside the pairs of a sequential sweep, flow or block, and nowhere else in a list', () => {
    const at = (line: string, lines: string[] = []): ReturnType<typeof completionContextAt> => completionContextAt([...lines, line].join('\n'), lines.length, line.length);
    assert.deepEqual(at('  samples: { min: 8, until: decided, pairs: [['), { kind: 'spaceName', partial: '' });
    assert.deepEqual(at('  samples: { min: 8, until: decided, pairs: [[AnyNetX_A, Reg'), { kind: 'spaceName', partial: 'Reg' });
    assert.deepEqual(at('  samples: { pairs: [[A, B], [A, '), { kind: 'spaceName', partial: '' });
    assert.equal(at('  samples: { pairs: [[A, B], '), undefined, 'between pairs: a pair starts with [');
    assert.equal(at('  samples: { pairs: [[A, B]]'), undefined);
    assert.equal(at('  width: [8, '), undefined, 'other lists are not pairs');
    const block = ['sampling:', '  samples:', '    until: decided', '    pairs:', '      - [A, B]'];
    assert.deepEqual(at('      - [A, R', block), { kind: 'spaceName', partial: 'R' });
    assert.deepEqual(at('    - [', block.slice(0, 4)), { kind: 'spaceName', partial: '' }, 'items at the key\'s own indent');
    assert.equal(at('      - [', ['model:', '  strides:']), undefined);
  });

  test('a half-typed key still completes in its mapping', () => {
    const context = completionContextAt(text, 5, 9);
    assert.ok(context && context.kind === 'key');
    assert.deepEqual(context.path, ['spaces', 'R']);
  });

  test('after "key: " the values of that key', () => {
    const context = completionContextAt(text, 7, 9);
    assert.deepEqual(context, { kind: 'value', path: ['model', 'block'] });
    assert.deepEqual(valueCompletions(SPACE_SCHEMA, ['model', 'block']), ['X', 'Y', 'R', 'V']);
  });

  test('no completion inside a flow collection or deeper than a key with a value', () => {
    assert.equal(completionContextAt(text, 8, 10), undefined);
    assert.equal(parentPathAt(['a: 1', '    '], 1, 4), undefined);
  });
});

describe('the schema at a path', () => {
  test('follows additionalProperties and $ref to the space definition', () => {
    const space = schemaAt(SPACE_SCHEMA, ['spaces', 'AnyNetX_A']);
    assert.ok(space);
    assert.equal(space.type, 'object');
    assert.ok(Object.keys(space.properties as object).includes('restrictions'));
  });

  test('hover text: markdownDescription first, the referring description over the referred one', () => {
    const depth = keyDocumentation(SPACE_SCHEMA, ['spaces', 'AnyNetX_A', 'depth']);
    assert.ok(depth?.startsWith('**depth**\n\nNumber of blocks.'));
    const model = keyDocumentation(SPACE_SCHEMA, ['spaces', 'R', 'model']);
    assert.equal(model, '**model**\n\nSettings of the file-level model that differ for this space (merged key by key), e.g. { block: Y }.');
    assert.equal(keyDocumentation(SPACE_SCHEMA, ['nonsense']), undefined);
  });

  test('keys of an alternative (anyOf) and of the top level', () => {
    assert.deepEqual(
      keyCompletions(SPACE_SCHEMA, ['spaces', 'R', 'depth']).map((k) => k.key),
      ['dist', 'range', 'quantum', 'values'],
    );
    const top = keyCompletions(SPACE_SCHEMA, [], new Set(['version']));
    assert.deepEqual(
      top.map((k) => `${k.key}${k.isObject ? '/' : ''}`),
      ['name', 'dataset/', 'model/', 'training/', 'sampling/', 'spaces/', 'analysis/', 'executor/'],
    );
  });

  test('enum values: plain enums, list items, const and booleans', () => {
    assert.deepEqual(valueCompletions(SPACE_SCHEMA, ['dataset', 'name']), ['fashion-mnist', 'mnist', 'cifar10', 'synthetic']);
    assert.deepEqual(valueCompletions(SPACE_SCHEMA, ['spaces', 'E', 'restrictions']), ['sharedBottleneck', 'sharedGroupWidth', 'increasingWidths', 'increasingDepths']);
    assert.deepEqual(valueCompletions(SPACE_SCHEMA, ['spaces', 'E', 'type']), ['anynet', 'regnet']);
    assert.deepEqual(valueCompletions(SPACE_SCHEMA, ['version']), ['1']);
    assert.deepEqual(valueCompletions(SPACE_SCHEMA, ['dataset', 'augment', 'flip']), ['true', 'false']);
    assert.deepEqual(valueCompletions(SPACE_SCHEMA, ['name']), []);
  });
});
