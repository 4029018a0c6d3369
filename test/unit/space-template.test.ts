import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { parseSpaceText } from '../../src/core/space';
import { experimentName, spaceFileTemplate } from '../../src/core/space/template';

const EXAMPLE = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'space.regnet.yaml'), 'utf8');

describe('New Space File', () => {
  test('the name is the new file\'s, the header speaks of the new file, and it is valid as it is', () => {
    const text = spaceFileTemplate(EXAMPLE, 'resnets.regnet.yaml');
    assert.match(text, /^name: resnets$/m);
    assert.doesNotMatch(text, /fashion-mnist-small|examples\/space\.regnet\.yaml/);
    assert.match(text, /^# .*`dslab validate resnets\.regnet\.yaml`/m);
    const parsed = parseSpaceText(text);
    assert.deepEqual(parsed.diagnostics, []);
    assert.equal(parsed.resolved?.name, 'resnets');
    // The example's settings and spaces come along.
    assert.deepEqual(parsed.resolved?.spaces.map((s) => s.name), ['AnyNetX_A', 'AnyNetX_E', 'RegNetX']);
  });

  test('untitled: a placeholder name', () => {
    assert.match(spaceFileTemplate(EXAMPLE, undefined), /^name: my-experiment$/m);
  });

  test('names from file names', () => {
    assert.equal(experimentName('space.regnet.yaml'), 'space');
    assert.equal(experimentName('/a/b/cifar.regnet.yml'), 'cifar');
    assert.equal(experimentName('plain.yaml'), 'plain');
  });
});
