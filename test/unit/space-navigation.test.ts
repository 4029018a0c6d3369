import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { parseSpaceText } from '../../src/core/space';
import { spaceNameAt, spaceNameOccurrences } from '../../src/core/space/spaceNames';

const EXAMPLE = path.join(__dirname, '..', '..', '..', 'examples', 'space.regnet.yaml');

/** The text with each diagnostic's fix applied (one line each), as a quick fix would edit it. */
function applyFixes(text: string): { code: string; title: string; line: string }[] {
  const lines = text.split('\n');
  return parseSpaceText(text)
    .diagnostics.filter((d) => d.fix)
    .map((d) => {
      const line = lines[d.range.start.line];
      const fixed = line.slice(0, d.range.start.character) + d.fix!.text + line.slice(d.range.end.character);
      return { code: d.code, title: d.fix!.title, line: fixed };
    });
}

describe('quick fixes', () => {
  test('did you mean, nearest multiple, swapped range: each replaces exactly its range', () => {
    const text = [
      'version: 1',
      'model: { activation: swsh }',
      'spaces:',
      '  RegNetX:',
      '    type: regnet',
      '    depth: [12, 3]',
      '    w0: [8, 60]',
      '    wa: [4, 64]',
      '    wm: [1.5, 3]',
      '    bottleneck: [1]',
      '    groupWidht: [8]',
      '  AnyNetX_A:',
      '    type: anynet',
      '    depth: [1, 4]',
      '    width: [8, 64]',
      '    bottleneck: [1]',
      '    groupWidth: [8]',
      '    restrictions: [sharedBotleneck]',
      '  E:',
      '    extends: AnyNetX_B',
      '',
    ].join('\n');
    assert.deepEqual(applyFixes(text), [
      { code: 'enum', title: "Change to 'swish'", line: 'model: { activation: swish }' },
      { code: 'range-order', title: 'Swap to [3, 12]', line: '    depth: [3, 12]' },
      { code: 'not-multiple', title: 'Change to 64, the nearest multiple of 8', line: '    w0: [8, 64]' },
      { code: 'unknown-key', title: "Change to 'groupWidth'", line: '    groupWidth: [8]' },
      { code: 'unknown-restriction', title: "Change to 'sharedBottleneck'", line: '    restrictions: [sharedBottleneck]' },
      { code: 'extends', title: "Change to 'AnyNetX_A'", line: '    extends: AnyNetX_A' },
    ]);
  });

  test('a fixed file has no problem left', () => {
    const text = 'version: 1\nspaces:\n  R:\n    type: regnet\n    depth: [12, 3]\n    w0: [8, 64]\n    wa: [4, 64]\n    wm: [1.5, 3]\n    bottleneck: [1]\n    groupWidth: [8]\n';
    const [d] = parseSpaceText(text).diagnostics;
    const lines = text.split('\n');
    lines[d.range.start.line] = lines[d.range.start.line].slice(0, d.range.start.character) + d.fix!.text + lines[d.range.start.line].slice(d.range.end.character);
    assert.deepEqual(parseSpaceText(lines.join('\n')).diagnostics, []);
  });
});

describe('space names: definitions and references', () => {
  const text = fs.readFileSync(EXAMPLE, 'utf8');
  const occurrences = spaceNameOccurrences(text);

  test('every space key, every extends value and every sequential pair entry, in document order', () => {
    assert.deepEqual(
      occurrences.map((o) => [o.name, o.kind]),
      [
        ['AnyNetX_A', 'pair'],
        ['AnyNetX_E', 'pair'],
        ['AnyNetX_A', 'pair'],
        ['RegNetX', 'pair'],
        ['AnyNetX_A', 'definition'],
        ['AnyNetX_E', 'definition'],
        ['AnyNetX_A', 'extends'],
        ['RegNetX', 'definition'],
      ],
    );
    const lines = text.split('\n');
    for (const o of occurrences) assert.equal(lines[o.range.start.line].slice(o.range.start.character, o.range.end.character), o.name);
  });

  test('the name under a position: on its first and last character, not beside it', () => {
    const ext = occurrences.find((o) => o.kind === 'extends')!;
    const { line, character } = ext.range.start;
    assert.equal(spaceNameAt(occurrences, line, character)?.name, 'AnyNetX_A');
    assert.equal(spaceNameAt(occurrences, line, ext.range.end.character)?.name, 'AnyNetX_A');
    assert.equal(spaceNameAt(occurrences, line, character - 2), undefined);
  });

  test('text that is not YAML enough: none', () => {
    assert.deepEqual(spaceNameOccurrences('spaces: [unclosed'), []);
    assert.deepEqual(spaceNameOccurrences(''), []);
  });
});
