import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseSpaceText, readSpaceFile, type SpaceFileResult } from '../../src/core/space';

const EXAMPLE = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'space.regnet.yaml'), 'utf8');

/** mulberry32: a small seeded generator, so every run edits the example the same way. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Characters that matter to YAML and to our checks, plus some that do not belong in text. */
const ALPHABET = [...' \n\t:-[]{},&*!#|>\'"0123456789.e+_xXYR%@`?~', '\u0000', '\u00e9', '\ud83d\ude00'];

function mutate(text: string, random: () => number): string {
  let t = text;
  const edits = 1 + Math.floor(random() * 6);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (t.length + 1));
    const c = ALPHABET[Math.floor(random() * ALPHABET.length)];
    const op = random();
    if (op < 0.3) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(random() * 8));
    else if (op < 0.6) t = t.slice(0, at) + c + t.slice(at);
    else if (op < 0.9) t = t.slice(0, at) + c + t.slice(at + 1);
    else {
      const from = Math.floor(random() * t.length);
      t = t.slice(0, at) + t.slice(from, from + 20) + t.slice(at); // a copied fragment: duplicate keys, stray structure
    }
  }
  return t;
}

/** What must hold for any input: only diagnostics, with sane ranges, and a resolved file iff no error. */
function assertWellFormed(result: SpaceFileResult, lines: number, input: string): void {
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(result.resolved !== undefined, errors.length === 0, `resolved iff no error:\n${input}`);
  for (const d of result.diagnostics) {
    const { start, end } = d.range;
    for (const p of [start, end]) {
      assert.ok(Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.character >= 0, JSON.stringify(d));
      assert.ok(p.line < lines + 1, `${JSON.stringify(d)} beyond the text`);
    }
    assert.ok(start.line < end.line || (start.line === end.line && start.character <= end.character), JSON.stringify(d));
    assert.ok(d.message.length > 0 && !d.message.includes('undefined') && !d.message.includes('[object'), d.message);
  }
}

describe('robustness', () => {
  test('300 seeded random edits of the example: diagnostics, never an exception', () => {
    const random = generator(20240601);
    let invalid = 0;
    for (let i = 0; i < 300; i++) {
      const text = mutate(EXAMPLE, random);
      let result: SpaceFileResult;
      try {
        result = parseSpaceText(text);
      } catch (err) {
        assert.fail(`threw ${(err as Error).stack}\non input ${JSON.stringify(text)}`);
      }
      assertWellFormed(result, text.split('\n').length, text);
      if (!result.resolved) invalid++;
    }
    // The edits really exercise the error paths (and some leave the file valid).
    assert.ok(invalid > 150 && invalid < 300, `${invalid} of 300 invalid`);
  });

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-space-fuzz-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('random bytes and corrupted UTF-8 through readSpaceFile: diagnostics, never an exception', () => {
    const random = generator(7);
    const bytes = Buffer.from(EXAMPLE, 'utf8');
    for (let i = 0; i < 60; i++) {
      let buffer: Buffer;
      if (i % 2 === 0) {
        buffer = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 400) }, () => Math.floor(random() * 256)));
      } else {
        buffer = Buffer.from(bytes);
        for (let k = 0; k < 3; k++) buffer[Math.floor(random() * buffer.length)] = Math.floor(random() * 256);
      }
      const file = path.join(tmp, `junk-${i}.yaml`);
      fs.writeFileSync(file, buffer);
      const result = readSpaceFile(file);
      assertWellFormed(result, buffer.toString('utf8').split('\n').length, buffer.toString('hex'));
      if (i % 2 === 0) assert.notEqual(result.diagnostics.length, 0);
    }
  });
});
