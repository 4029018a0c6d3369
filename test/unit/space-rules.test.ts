import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_FILE_BYTES, parseSpaceText } from '../../src/core/space';

/** Each problem as `LINE:COL [warning ]code: message`, one-based like the CLI. */
function problems(text: string): string[] {
  return parseSpaceText(text).diagnostics.map(
    (d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity === 'warning' ? 'warning ' : ''}${d.code}: ${d.message}`,
  );
}

/** A valid regnet / anynet space named `name`, with extra lines appended. */
const regnet = (name: string, extra = '') =>
  `  ${name}:\n    type: regnet\n    depth: [3, 12]\n    w0: [8, 64]\n    wa: [4, 64]\n    wm: [1.5, 3.0]\n    bottleneck: [1]\n    groupWidth: [8]\n${extra}`;
const anynet = (name: string, extra = '') =>
  `  ${name}:\n    type: anynet\n    depth: [1, 4]\n    width: [8, 64]\n    bottleneck: [1]\n    groupWidth: [8]\n${extra}`;
const file = (spaces: string, head = '') => `version: 1\n${head}spaces:\n${spaces}`;

describe('extends', () => {
  test('a child naming another type than its parent: at its type', () => {
    assert.deepEqual(problems(file(`${anynet('A')}  B:\n    extends: A\n    type: regnet\n`)), [
      '11:11 extends-type: spaces.B is regnet, but it extends A, an anynet space; a space keeps the type of the space it extends',
    ]);
  });

  test('an inherited type decides which keys belong', () => {
    assert.deepEqual(problems(file(`${anynet('A')}  B:\n    extends: A\n    wm: [2, 3]\n`)), [
      "11:5 not-applicable: 'wm' belongs to regnet spaces, but spaces.B is an anynet space (inherited from A); anynet spaces take depth, width, bottleneck, groupWidth and restrictions",
    ]);
  });

  test('parameters missing after inheritance: once, at the space they are missing from first', () => {
    // C gives w0 itself; what it still lacks, P lacks too: that is P's problem, reported at P only.
    assert.deepEqual(problems(file('  P:\n    type: regnet\n    depth: [3, 12]\n  C:\n    extends: P\n    w0: [8, 64]\n')), [
      "3:3 required: spaces.P (regnet) is missing 'w0', 'wa', 'wm', 'bottleneck' and 'groupWidth'; C extends it and lacks it too",
    ]);
    // Two generations of heirs are named at the source; a heir that adds the key is not.
    const chain = '  A:\n    type: anynet\n    depth: [1, 2]\n    bottleneck: [1]\n    groupWidth: [8]\n  B:\n    extends: A\n  C:\n    extends: B\n  D:\n    extends: A\n    width: [8, 16]\n';
    assert.deepEqual(problems(file(chain)), ["3:3 required: spaces.A (anynet) is missing 'width'; B and C extend it and lack it too"]);
  });

  test('self-extension, and a space downstream of it reports nothing more', () => {
    assert.deepEqual(problems(file('  S:\n    extends: S\n  T:\n    extends: S\n')), ['4:14 extends: spaces.S extends itself']);
  });

  test('a space with neither type nor extends', () => {
    assert.deepEqual(problems(file('  B:\n    depth: [1, 2]\n')), ["3:3 required: spaces.B needs a 'type' (anynet or regnet) or 'extends'"]);
  });

  test('restrictions only in anynet spaces', () => {
    assert.deepEqual(problems(file(regnet('B', '    restrictions: [sharedBottleneck]\n'))), [
      "11:5 not-applicable: 'restrictions' belongs to anynet spaces, but spaces.B is a regnet space; regnet spaces take depth, w0, wa, wm, bottleneck and groupWidth",
    ]);
  });
});

describe('pycls sampler rules', () => {
  test('range ends must be multiples of a written quantum', () => {
    assert.deepEqual(problems(file(anynet('A').replace('width: [8, 64]', 'width: { dist: uniform, range: [8, 24], quantum: 16 }'))), [
      '6:37 not-multiple: spaces.A.width.range[0] is 8, not a multiple of the quantum 16',
      '6:40 not-multiple: spaces.A.width.range[1] is 24, not a multiple of the quantum 16',
    ]);
  });

  test('power2 needs powers of 2', () => {
    assert.deepEqual(problems(file(anynet('A').replace('depth: [1, 4]', 'depth: { dist: power2, range: [3, 8] }'))), [
      '5:36 not-power2: spaces.A.depth.range[0]: lo 3 is not a power of 2, as power2 needs for lo, hi and quantum',
    ]);
  });

  test('log-uniform needs lo > 0; uniform may start at 0', () => {
    const wa = (w: string) => problems(file(regnet('B').replace('wa: [4, 64]', `wa: ${w}`)));
    assert.deepEqual(wa('{ dist: uniform, range: [0, 64] }'), []);
    assert.deepEqual(wa('[0, 64]'), ['7:10 range-bound: spaces.B.wa[0]: a log-uniform range needs lo > 0, got 0']);
    assert.deepEqual(wa('[4.05, 64]'), ['7:10 not-multiple: spaces.B.wa[0] is 4.05, not a multiple of the quantum 0.1 (the default for wa)']);
  });

  test('wm > 1', () => {
    assert.deepEqual(problems(file(regnet('B').replace('wm: [1.5, 3.0]', 'wm: [1, 3]'))), ['8:10 too-small: spaces.B.wm[0] must be greater than 1, got 1']);
  });

  test('bottleneck: 1/b below 1 or an integer, for values and for what a range can draw', () => {
    const b = (v: string) => problems(file(anynet('A').replace('bottleneck: [1]', `bottleneck: ${v}`)));
    assert.deepEqual(b('[0.25, 0.5, 1, 1.5, 3]'), []);
    assert.deepEqual(b('[1, 0.75]'), ["7:21 bottleneck: spaces.A.bottleneck[1] is 0.75: 1/b = 1.333 must be below 1 or an integer (pycls's BOT_MUL precondition)"]);
    assert.deepEqual(b('{ dist: power2, range: [0.25, 4], quantum: 0.25 }'), []);
    assert.deepEqual(b('{ dist: uniform, range: [1, 4] }'), []);
    assert.deepEqual(b('{ dist: uniform, range: [0.5, 2], quantum: 0.5 }'), [
      '7:42 bottleneck: spaces.A.bottleneck.range[0]: a uniform bottleneck range needs lo ≥ 1 (b = 0.75 would give 1/b = 1.33, neither below 1 nor an integer); use power2 or a list of values',
    ]);
    assert.deepEqual(b('{ dist: power2-or-log-uniform, range: [0.25, 4], quantum: 0.25 }'), [
      '7:75 bottleneck: spaces.A.bottleneck.quantum: with power2-or-log-uniform a bottleneck quantum below 1 draws multiples like 0.75 whose 1/b is neither below 1 nor an integer',
    ]);
  });

  test('depth: at most 64 per anynet stage, 128 in total for regnet', () => {
    assert.deepEqual(problems(file(anynet('A').replace('depth: [1, 4]', 'depth: [1, 100]'))), [
      '5:16 too-large: spaces.A.depth[1] must be at most 64 for an anynet space (blocks per stage), got 100',
    ]);
    assert.deepEqual(problems(file(regnet('B').replace('depth: [3, 12]', 'depth: [3, 100]'))), []);
    assert.deepEqual(problems(file(regnet('B').replace('depth: [3, 12]', 'depth: [3, 200]'))), ['5:16 too-large: spaces.B.depth[1] must be at most 128, got 200']);
  });

  test('group widths are positive integers', () => {
    assert.deepEqual(problems(file(regnet('B').replace('groupWidth: [8]', 'groupWidth: [8, 2.5, 0]'))), [
      '10:21 type: spaces.B.groupWidth[1] must be an integer, got 2.5',
      '10:26 too-small: spaces.B.groupWidth[2] must be at least 1, got 0',
    ]);
  });

  test('restrictions listed twice', () => {
    assert.deepEqual(problems(file(anynet('A', '    restrictions: [increasingWidths, increasingWidths]\n'))), [
      "9:38 duplicate: spaces.A.restrictions[1]: restriction 'increasingWidths' is listed twice",
    ]);
  });
});

describe('the model skeleton', () => {
  test('strides must match stages; reported at the more specific of the two', () => {
    assert.deepEqual(problems(file(regnet('B', '    model: { stages: 4 }\n'), 'model: { strides: [1, 2, 2] }\n')), [
      '12:22 strides-length: model.strides has 3 entries but spaces.B.model.stages is 4; give one stride per stage',
    ]);
  });

  test('resolution below the total stride: at what was written', () => {
    const head = 'dataset: { name: mnist }\nmodel:\n  stem: { type: imagenet, width: 32 }\n  stages: 4\n';
    assert.deepEqual(problems(file(regnet('B'), head)), [
      '4:17 resolution-stride: resolution 28 is smaller than the total stride 32 of the stem and stages (imagenet stem 2 × strides 2·2·2·2)',
    ]);
    // The same file with strides that keep the first stage at full resolution is fine.
    assert.deepEqual(problems(file(regnet('B'), head + '  strides: [1, 2, 2, 2]\n')), []);
  });

  test('se with an R block inherited into a space that changes the block: at that block', () => {
    assert.deepEqual(problems(file(`${regnet('B')}  C:\n    extends: B\n    model: { block: R }\n`, 'model: { block: Y, se: 0.25 }\n')), [
      '14:21 se-block: model.se is 0.25, but spaces.C.model.block is R; squeeze-excitation needs an X or Y block',
    ]);
  });

  test('dataset facts: sizes and synthetic-only keys; a model resolution of its own is allowed (images are resized)', () => {
    const head = 'dataset:\n  name: cifar10\n  test: 20000\n  resolution: 32\n';
    assert.deepEqual(problems(file(regnet('B', '    model: { resolution: 28, classes: 10 }\n'), head)), [
      '4:9 too-large: dataset.test is 20000, but cifar10 has 10000 test images',
      '5:3 not-applicable: dataset.resolution applies only to the synthetic dataset; cifar10 has 32×32 images',
    ]);
  });

  test('constraints: 0 ≤ lo < hi', () => {
    assert.deepEqual(problems(file(regnet('B', '    constraints: { acts: [5, 5], params: [-1, 10] }\n'))), [
      '11:26 constraint-order: spaces.B.constraints.acts: lo 5 must be less than hi 5',
      '11:43 too-small: spaces.B.constraints.params[0] must be at least 0, got -1',
    ]);
  });
});

describe('warnings', () => {
  test('a batch larger than the training set', () => {
    assert.deepEqual(problems(file(regnet('B'), 'dataset: { train: 100 }\ntraining: { batchSize: 128 }\n')), [
      '3:24 warning batch-size: training.batchSize 128 is larger than dataset.train 100; every epoch is one partial batch',
    ]);
  });

  test('warmup as long as training', () => {
    assert.deepEqual(problems(file(regnet('B'), 'training: { epochs: 3, schedule: { warmupEpochs: 3 } }\n')), [
      '2:50 warning warmup: training.schedule.warmupEpochs is 3 but training lasts 3 epochs; the learning rate never leaves warmup',
    ]);
  });

  test('an unknown YAML tag', () => {
    const result = parseSpaceText(file(regnet('B'), 'name: !custom x\n'));
    assert.deepEqual(problems(file(regnet('B'), 'name: !custom x\n')), ['2:7 warning yaml-warning: unresolved tag: !custom']);
    assert.equal(result.resolved?.name, 'x');
  });
});

describe('schema messages', () => {
  test('unknown keys: a suggestion when one is close, else the allowed keys', () => {
    assert.deepEqual(problems(file(regnet('B'), 'foo: 1\nsampling: { sampels: 3 }\n')), [
      "2:1 unknown-key: unknown key 'foo' at the top level; allowed keys: version, name, dataset, model, training, sampling, spaces, analysis, executor",
      "3:13 unknown-key: unknown key 'sampels' in sampling; did you mean 'samples'?",
    ]);
  });

  test('enums: the allowed values, and a suggestion for near misses only', () => {
    assert.deepEqual(problems(file(regnet('B'), 'model: { stem: { type: imagenett }, block: Z }\n')), [
      "2:24 enum: model.stem.type must be one of cifar, imagenet, resnet, got the string 'imagenett'; did you mean 'imagenet'?",
      "2:44 enum: model.block must be one of X, Y, R, V, got the string 'Z'",
    ]);
  });

  test('types', () => {
    assert.deepEqual(problems(file(regnet('B'), 'sampling: { samples: 2.5 }\ndataset:\n')), [
      '2:22 type: sampling.samples must be an integer or a map { min, max, step, until: decided }, got 2.5',
      '3:1 type: dataset must be a map, got nothing',
    ]);
    assert.deepEqual(problems(file('  B:\n')), ['3:3 type: spaces.B must be a map, got nothing']);
    assert.deepEqual(problems('- version: 1\n- spaces: {}\n'), ['1:1 type: the top level must be a map of keys (version, spaces, …), got a list of 2']);
    assert.deepEqual(problems('just text\n'), ["1:1 type: the top level must be a map of keys (version, spaces, …), got the string 'just text'"]);
  });

  test('parameter forms: one message per parameter, from the form that was meant', () => {
    const spaces = regnet('B')
      .replace('depth: [3, 12]', 'depth: { dist: uniform }')
      .replace('w0: [8, 64]', 'w0: { values: [] }')
      .replace('wa: [4, 64]', 'wa: [4, 8, 64]')
      .replace('wm: [1.5, 3.0]', 'wm: { dist: gaussian, range: [2, 3] }');
    assert.deepEqual(problems(file(spaces)), [
      "5:5 required: missing required key 'range' in spaces.B.depth",
      '6:19 length: spaces.B.w0.values must have at least 1 entry, got an empty list',
      '7:9 length: spaces.B.wa must be a range [lo, hi], got a list of 3',
      "8:17 enum: spaces.B.wm.dist must be one of uniform, log-uniform, power2, power2-or-log-uniform, normal, log-normal, got the string 'gaussian'",
    ]);
  });

  test('the same parameter wrong in several spaces: each reported at its own place', () => {
    const text = file(
      '  A: { type: anynet, depth: x, width: [8, 12], bottleneck: [1], groupWidth: [1] }\n' +
        '  B: { type: anynet, depth: [1, 2, 3], width: [8, 16], bottleneck: [1], groupWidth: [1] }\n' +
        '  C: { type: anynet, depth: [1, 2], width: [8, 130], bottleneck: [1], groupWidth: [1] }\n',
    );
    assert.deepEqual(problems(text), [
      "3:29 type: spaces.A.depth must be a range [lo, hi], a single number, { dist, range, quantum } or { values: [...] }, got the string 'x'",
      '3:43 not-multiple: spaces.A.width[1] must be a multiple of 8, got 12',
      '4:29 length: spaces.B.depth must be a range [lo, hi], got a list of 3',
      '5:48 not-multiple: spaces.C.width[1] must be a multiple of 8, got 130',
    ]);
  });

  test('required keys and the version', () => {
    assert.deepEqual(problems('name: x\n'), ["1:1 required: missing required key 'spaces' at the top level", "1:1 required: missing required key 'version' at the top level"]);
    assert.deepEqual(problems('version: 1\nspaces: {}\n'), ['2:1 length: spaces must define at least one space']);
    assert.deepEqual(problems(file(regnet('B')).replace('version: 1', 'version: "1"')), ["1:10 version: version must be the number 1, got the string '1'"]);
  });

  test('space names usable as file and folder names', () => {
    assert.deepEqual(problems(file(regnet('"my space"') + regnet('9lives'))), [
      "3:3 space-name: space name 'my space' must start with a letter or '_' and use only letters, digits, '_', '-' and '.' (at most 64 characters)",
      "11:3 space-name: space name '9lives' must start with a letter or '_' and use only letters, digits, '_', '-' and '.' (at most 64 characters)",
    ]);
  });
});

describe('YAML', () => {
  test('anchors and aliases work; a problem under an alias is reported at the alias', () => {
    const shared = `version: 1
spaces:
  A:
    type: anynet
    depth: &d [1, 4]
    width: &w [8, 64]
    bottleneck: &b [1]
    groupWidth: &g [8]
  B:
    type: regnet
    depth: *d
    w0: *w
    wa: [4, 64]
    wm: [2, 3]
    bottleneck: *b
    groupWidth: *g
`;
    const result = parseSpaceText(shared);
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(result.resolved?.spaces[1].depth, { kind: 'uniform', range: [1, 4], quantum: 1 });
    assert.deepEqual(problems(file(anynet('A').replace('depth: [1, 4]', 'depth: *bad'), 'defs: &bad [4, 1]\n')), [
      "2:1 unknown-key: unknown key 'defs' at the top level; allowed keys: version, name, dataset, model, training, sampling, spaces, analysis, executor",
      '6:12 range-order: spaces.A.depth: lo 4 is greater than hi 1; write the range as [lo, hi] with lo ≤ hi',
    ]);
  });

  test('an alias without its anchor', () => {
    assert.deepEqual(problems('version: 1\nspaces:\n  B: *nothing\n'), ['3:6 yaml-syntax: unknown alias *nothing: its anchor &nothing must come before it']);
  });

  test('CRLF line endings give the same positions', () => {
    const text = file(anynet('A').replace('depth: [1, 4]', 'depth: [4, 1]'));
    assert.deepEqual(problems(text.replace(/\n/g, '\r\n')), problems(text));
    assert.deepEqual(problems(text), ['5:12 range-order: spaces.A.depth: lo 4 is greater than hi 1; write the range as [lo, hi] with lo ≤ hi']);
  });

  test('nesting far beyond a space file is refused before parsing, quickly', () => {
    const started = Date.now();
    assert.deepEqual(problems('a: ' + '['.repeat(200000) + ']'.repeat(200000)), [
      '1:68 too-deep: nested too deeply: more than 64 nested brackets; a space file needs only a few levels',
    ]);
    assert.deepEqual(problems('- '.repeat(100000) + 'a'), [
      "1:129 too-deep: nested too deeply: more than 64 nested '- ' entries on one line; a space file needs only a few levels",
    ]);
    assert.ok(Date.now() - started < 1000);
    // Brackets in quotes and comments do not count.
    assert.deepEqual(problems(file(regnet('B'), `name: "${'['.repeat(100)}"\n# ${'{'.repeat(100)}\n`)), []);
  });

  test('text over 1 MiB is refused unparsed', () => {
    const big = file(regnet('B')) + '#'.repeat(MAX_FILE_BYTES);
    assert.deepEqual(problems(big), [`1:1 file-too-large: the file is ${Buffer.byteLength(big)} bytes; a space file may be at most 1048576 bytes (1 MiB)`]);
  });

  test('thousands of problems: the first 1000 and a count of the rest', () => {
    const text = 'version: 1\n' + Array.from({ length: 3000 }, (_, i) => `k${i}: 1`).join('\n') + `\nspaces:\n${regnet('B')}`;
    const diagnostics = parseSpaceText(text).diagnostics;
    assert.equal(diagnostics.length, 1001);
    assert.deepEqual(diagnostics[1000], {
      severity: 'error',
      code: 'too-many',
      message: '2000 more problems from here on are not listed; fix the ones above first',
      range: { start: { line: 1001, character: 0 }, end: { line: 1001, character: 5 } },
      path: '/k1000',
    });
  });
});

describe('sequential samples', () => {
  test('a valid sequential form resolves to max models per space and the plan', () => {
    const text = file(`${regnet('A')}${regnet('B')}`, 'sampling:\n  samples: { min: 8, max: 24, step: 4, until: decided, pairs: [[A, B]] }\n');
    assert.deepEqual(problems(text), []);
  });

  test('min above max, unknown and self pairs, and a space with its own count: each at its place', () => {
    const text = file(
      `${regnet('A')}${regnet('B', '    samples: 4\n')}`,
      'sampling:\n  samples: { min: 30, max: 24, until: decided, pairs: [[A, C], [B, B]] }\n',
    );
    assert.deepEqual(problems(text), [
      '3:19 sequential-range: sampling.samples: min 30 must not exceed max 24',
      "3:60 unknown-space: sampling.samples.pairs: no space named 'C'",
      "3:64 sequential-pair: sampling.samples.pairs: 'B' is compared with itself",
      '21:5 sequential-samples: spaces.B.samples: a sequential sweep (sampling.samples with until) trains as many models in every space; remove it',
    ]);
  });

  test('until is required, and only decided', () => {
    const [first] = problems(file(regnet('A'), 'sampling:\n  samples: { min: 8, max: 24, until: forever }\n'));
    assert.equal(first, "3:38 enum: sampling.samples.until must be one of decided, got the string 'forever'");
  });
});
