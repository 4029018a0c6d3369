import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatDiagnostic, MAX_FILE_BYTES, readSpaceFile, type Diagnostic } from '../../src/core/space';

const BAD = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'spaces', 'bad');

/** `LINE:COL code` of a diagnostic, one-based as the CLI prints it. */
function at(d: Diagnostic): string {
  return `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code}`;
}

/** Each fixture and every diagnostic it must give, in order: [LINE:COL code, message substring]. */
const CASES: Record<string, [string, string][]> = {
  'yaml-syntax.yaml': [['6:5 yaml-syntax', 'flow sequence in block collection must be sufficiently indented and end with a ]']],
  'unknown-key.yaml': [
    ['3:3 required', "spaces.AnyNetX_A (anynet) is missing 'width'"],
    ['6:5 unknown-key', "unknown key 'widht' in spaces.AnyNetX_A; did you mean 'width'?"],
  ],
  'wrong-type.yaml': [
    ['6:9 type', "spaces.RegNetX.w0 must be a range [lo, hi], a single number, { dist, range, quantum } or { values: [...] }, got the string 'wide'"],
  ],
  'range-order.yaml': [['5:12 range-order', 'spaces.AnyNetX_A.depth: lo 6 is greater than hi 1']],
  'width-multiple.yaml': [['6:16 not-multiple', 'spaces.AnyNetX_A.width[1] must be a multiple of 8, got 100']],
  'extends-unknown.yaml': [['10:14 extends', "spaces.AnyNetX_E extends 'AnyNetX_a', which is not a space in this file; did you mean 'AnyNetX_A'?"]],
  'extends-cycle.yaml': [
    ['4:14 extends', 'extends cycle: A → B → A'],
    ['11:14 extends', 'extends cycle: B → A → B'],
  ],
  'unknown-restriction.yaml': [
    ['9:38 unknown-restriction', "unknown restriction 'increasingWidht' in spaces.AnyNetX_D.restrictions; did you mean 'increasingWidths'?"],
  ],
  'constraint-order.yaml': [['4:12 constraint-order', 'sampling.constraints.flops: lo 6000000 must be less than hi 2000000']],
  'alias-bomb.yaml': [['4:9 alias-limit', 'aliases expand beyond a sane size (more than 100 alias expansions)']],
  'empty.yaml': [['1:1 empty', "the file is empty; a space file needs at least 'version: 1' and 'spaces'"]],
  'comments-only.yaml': [['1:1 empty', 'the file is empty']],
  'binary-junk.yaml': [['1:1 encoding', 'not valid UTF-8 (byte 0x89 at offset 0)']],
  'nul-bytes.yaml': [['2:9 binary', 'NUL character (U+0000): this looks like a binary file']],
  'invalid-utf8.yaml': [['2:6 encoding', 'not valid UTF-8 (byte 0xE9 at offset 16)']],
  'huge-number.yaml': [['4:16 non-finite', 'sampling.constraints.flops[1] is 1e400, which is not a finite number']],
  'width-too-large.yaml': [['6:16 too-large', 'spaces.AnyNetX_A.width[1] must be at most 8192, got 16384']],
  'duplicate-key.yaml': [['5:3 duplicate-key', "duplicate key 'block' in model (first defined on line 3)"]],
  'unreachable-resolution.yaml': [
    ['8:12 resolution-stride', 'resolution 16 is smaller than the total stride 32 of the stem and stages (resnet stem 4 × strides 2·2·2)'],
  ],
  'bad-version.yaml': [['1:10 version', 'unsupported version 2; this tool reads version 1']],
  'multi-document.yaml': [['11:1 multi-document', 'a space file holds one YAML document; a second one starts here']],
  'se-block-r.yaml': [['13:18 se-block', 'spaces.RegNetR.model.se is 0.25, but model.block is R; squeeze-excitation needs an X or Y block']],
};

describe('bad space files: each problem with its code, message and exact position', () => {
  for (const [file, expected] of Object.entries(CASES)) {
    test(file, () => {
      const result = readSpaceFile(path.join(BAD, file));
      assert.equal(result.resolved, undefined, 'an invalid file has no resolved form');
      assert.deepEqual(
        result.diagnostics.map(at),
        expected.map(([where]) => where),
        result.diagnostics.map((d) => formatDiagnostic(file, d)).join('\n'),
      );
      result.diagnostics.forEach((d, i) => {
        assert.equal(d.severity, 'error');
        assert.ok(d.message.includes(expected[i][1]), `${d.message}\n  should contain\n${expected[i][1]}`);
      });
    });
  }
});

describe('a file with many problems', () => {
  const result = readSpaceFile(path.join(BAD, 'many-problems.yaml'));

  test('reports every one of them, in source order', () => {
    assert.deepEqual(result.diagnostics.map(at), [
      '5:10 too-large', // dataset.train beyond fashion-mnist's 60000
      '6:3 not-applicable', // dataset.channels on a fixed-shape dataset
      '10:7 se-block',
      '11:12 strides-length',
      '12:12 dataset-mismatch', // model.classes
      '15:20 too-small', // lr
      '15:36 type', // nesterov: yes
      '16:43 warmup',
      '18:12 too-small', // samples: 0
      '19:25 constraint-order',
      '19:41 unknown-key', // parms
      '23:12 range-order',
      '24:5 unknown-key', // widht
      '25:16 not-multiple', // width 130
      '26:21 bottleneck', // 0.75
      '28:5 not-applicable', // w0 in an anynet space
      '30:14 extends', // unknown parent
      '31:38 unknown-restriction',
      '31:55 duplicate',
      '35:9 type', // w0: wide
      '36:38 range-bound', // log-uniform from 0
      '37:15 not-multiple', // wm 3.0005
      '39:44 not-power2', // hi 48
      '41:14 extends', // cycle
      '43:14 extends', // cycle
      '44:3 required', // no type, no extends
      '47:15 enum', // complexity: flop
      '48:26 too-large', // fraction 1.5
    ]);
  });

  test('counts 27 errors and 1 warning', () => {
    assert.equal(result.diagnostics.filter((d) => d.severity === 'error').length, 27);
    assert.deepEqual(
      result.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.message),
      ['training.schedule.warmupEpochs is 2 but training lasts 1 epoch; the learning rate never leaves warmup'],
    );
  });

  test('names what is wrong and what would be right', () => {
    const messages = result.diagnostics.map((d) => d.message);
    for (const expected of [
      'dataset.train is 70000, but fashion-mnist has 60000 training images',
      'dataset.channels applies only to the synthetic dataset; fashion-mnist has 1 channel',
      'model.strides has 2 entries but there are 3 stages (the default); give one stride per stage',
      "model.classes is 100, but fashion-mnist has 10 classes; leave it out to use the dataset's",
      "training.optimizer.nesterov must be true or false, got the string 'yes'",
      "unknown key 'parms' in sampling.constraints; did you mean 'params'?",
      'spaces.AnyNetX_A.bottleneck[1] is 0.75: 1/b = 1.333 must be below 1 or an integer',
      "'w0' belongs to regnet spaces, but spaces.AnyNetX_A is an anynet space; anynet spaces take depth, width, bottleneck, groupWidth and restrictions",
      "spaces.AnyNetX_E.restrictions[2]: restriction 'sharedBottleneck' is listed twice",
      'spaces.RegNetX.wa.range[0]: a log-uniform range needs lo > 0, got 0',
      'spaces.RegNetX.wm[1] is 3.0005, not a multiple of the quantum 0.001 (the default for wm)',
      'spaces.RegNetX.groupWidth.range[1]: hi 48 is not a power of 2, as power2 needs for lo, hi and quantum',
      'extends cycle: Loop1 → Loop2 → Loop1',
      "spaces.Lonely needs a 'type' (anynet or regnet) or 'extends'",
      "analysis.complexity must be one of flops, params, acts, got the string 'flop'; did you mean 'flops'?",
    ]) {
      assert.ok(messages.some((m) => m.includes(expected)), `missing: ${expected}\n${messages.join('\n')}`);
    }
  });

  test('paths point at the offending node', () => {
    const byCode = (code: string) => result.diagnostics.filter((d) => d.code === code).map((d) => d.path);
    assert.deepEqual(byCode('unknown-key'), ['/sampling/constraints/parms', '/spaces/AnyNetX_A/widht']);
    assert.deepEqual(byCode('not-power2'), ['/spaces/RegNetX/groupWidth/range/1']);
    assert.deepEqual(byCode('extends'), ['/spaces/AnyNetX_E/extends', '/spaces/Loop1/extends', '/spaces/Loop2/extends']);
  });
});

describe('files a space file cannot be', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-space-bad-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('larger than 1 MiB: refused without parsing', () => {
    const file = path.join(tmp, 'big.yaml');
    fs.writeFileSync(file, 'version: 1\n' + '#'.repeat(MAX_FILE_BYTES));
    const result = readSpaceFile(file);
    assert.deepEqual(result.diagnostics.map((d) => [at(d), d.message]), [
      ['1:1 file-too-large', `the file is ${MAX_FILE_BYTES + 11} bytes; a space file may be at most 1048576 bytes (1 MiB)`],
    ]);
  });

  test('exactly 1 MiB is still read', () => {
    const file = path.join(tmp, 'limit.yaml');
    const head = fs.readFileSync(path.join(BAD, '..', '..', '..', '..', 'examples', 'space.regnet.yaml'), 'utf8');
    fs.writeFileSync(file, head + '#'.repeat(MAX_FILE_BYTES - Buffer.byteLength(head)));
    assert.equal(fs.statSync(file).size, MAX_FILE_BYTES);
    assert.deepEqual(readSpaceFile(file).diagnostics, []);
  });

  test('a device without end is read only up to the limit', { skip: !fs.existsSync('/dev/zero') }, () => {
    assert.deepEqual(readSpaceFile('/dev/zero').diagnostics.map(at), ['1:1 file-too-large']);
  });

  test('unreadable paths throw the I/O error', () => {
    assert.throws(() => readSpaceFile(path.join(tmp, 'missing.yaml')), { code: 'ENOENT' });
    assert.throws(() => readSpaceFile(tmp), { code: 'EISDIR' });
  });
});
