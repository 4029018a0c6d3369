import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSpaceText, type Diagnostic } from '../../src/core/space';
import { DIAGNOSTIC_SOURCE, errorCount, toEditorDiagnostic } from '../../src/extension/diagnosticData';
import { COMMAND, lensesFor } from '../../src/extension/lenses';
import { hasSpaceFileName, isSpaceFile } from '../../src/extension/spaceFileKind';

const REGNET = ['    type: regnet', '    depth: [3, 12]', '    w0: [8, 64]', '    wa: [4, 64]', '    wm: [1.5, 3.0]', '    bottleneck: [1]', '    groupWidth: [1, 2]'];
const VALID = ['version: 1', 'spaces:', '  R:', ...REGNET, '  E:', '    extends: R', '    model: { block: Y }', ''].join('\n');
const BROKEN = ['version: 1', 'spaces:', '  R:', ...REGNET, '    block: Y', '  A:', '    type: anynet', '    depth: 0', ''].join('\n');
const URI = 'file:///w/space.regnet.yaml';
const at = (line: number, from: number, to: number) => ({ start: { line, character: from }, end: { line, character: to } });

describe('space file detection', () => {
  test('by name, or by top-level version and spaces keys', () => {
    assert.equal(hasSpaceFileName('/w/cifar.regnet.yaml'), true);
    assert.equal(hasSpaceFileName('/w/cifar.REGNET.yml'), true);
    assert.equal(isSpaceFile('/w/exp.yaml', 'version: 1\nspaces:\n  A: {}\n'), true);
    assert.equal(isSpaceFile('/w/exp.yaml', '"version": 1\n"spaces": {}\n'), true);
    assert.equal(isSpaceFile('/w/ci.yaml', 'version: 2\njobs:\n  spaces: 1\n'), false);
    assert.equal(isSpaceFile('/w/compose.yaml', 'services:\n  version: 1\n  spaces: 2\n'), false);
    assert.equal(isSpaceFile('/w/empty.regnet.yaml', ''), true);
  });
});

describe('diagnostics as the editor shows them', () => {
  test('every problem of the core keeps its exact range and code', () => {
    const { diagnostics } = parseSpaceText(BROKEN);
    const shown = diagnostics.map(toEditorDiagnostic);
    assert.deepEqual(
      shown.map((d) => [d.code, d.range, d.severity, d.source]),
      [
        ['unknown-key', at(10, 4, 9), 0, DIAGNOSTIC_SOURCE],
        ['required', at(11, 2, 3), 0, DIAGNOSTIC_SOURCE],
        ['too-small', at(13, 11, 12), 0, DIAGNOSTIC_SOURCE],
      ],
    );
    assert.equal(shown[2].message, 'spaces.A.depth must be at least 1, got 0');
    assert.equal(errorCount(diagnostics), 3);
  });

  test('warnings map to severity 1 and do not count as errors', () => {
    const warning: Diagnostic = { severity: 'warning', code: 'few-samples', message: 'm', range: at(3, 1, 2), path: '/x' };
    assert.equal(toEditorDiagnostic(warning).severity, 1);
    assert.equal(errorCount([warning]), 0);
  });
});

describe('CodeLens placement', () => {
  test('a valid file: train and sample above spaces: and above each space', () => {
    const lenses = lensesFor(parseSpaceText(VALID), URI, true);
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line, l.range.start.character, l.title, l.command, l.args]),
      [
        [1, 0, '▶ Sample & Train all', COMMAND.sampleAndTrain, [URI]],
        [1, 0, 'Sample all', COMMAND.sample, [URI]],
        [2, 2, '▶ Sample & Train', COMMAND.sampleAndTrain, [URI, 'R']],
        [2, 2, 'Sample', COMMAND.sample, [URI, 'R']],
        [10, 2, '▶ Sample & Train', COMMAND.sampleAndTrain, [URI, 'E']],
        [10, 2, 'Sample', COMMAND.sample, [URI, 'E']],
      ],
    );
  });

  test('Restricted Mode: sampling only', () => {
    const lenses = lensesFor(parseSpaceText(VALID), URI, false);
    assert.deepEqual(
      lenses.map((l) => l.title),
      ['Sample all', 'Sample', 'Sample'],
    );
  });

  test('a file with errors says why it cannot be trained instead', () => {
    const lenses = lensesFor(parseSpaceText(BROKEN), URI, true);
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line, l.title, l.command]),
      [
        [1, '⚠ fix 3 problems to train', COMMAND.showProblems],
        [2, '⚠ fix 3 problems to train', COMMAND.showProblems],
        [11, '⚠ fix 3 problems to train', COMMAND.showProblems],
      ],
    );
    assert.deepEqual(lensesFor(parseSpaceText(BROKEN), URI, false), []);
  });

  test('no lens without spaces', () => {
    assert.deepEqual(lensesFor(parseSpaceText('version: 1\nspaces: {}\n'), URI, true).filter((l) => l.command !== COMMAND.showProblems), []);
  });
});
