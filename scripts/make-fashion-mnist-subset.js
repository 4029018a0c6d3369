#!/usr/bin/env node
// Makes the Fashion-MNIST subset bundled in data/fashion-mnist/: 1,000 training and 200 test
// images per class (10,000 / 2,000), chosen per class by a seeded shuffle, kept in their
// original order, written as gzipped IDX files like the originals, with the licence and a
// README. Reproducible: the same source files give byte-identical output.
//
// Usage (after `npm run build`, which compiles the readers this script uses):
//   node scripts/make-fashion-mnist-subset.js [SOURCE_DIR] [OUT_DIR]
// SOURCE_DIR defaults to /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist),
// OUT_DIR to data/fashion-mnist.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const root = path.join(__dirname, '..');
const compiled = path.join(root, 'out', 'src', 'train', 'data');
if (!fs.existsSync(path.join(compiled, 'idx.js'))) {
  console.error(`${compiled}/idx.js not found: run \`npm run build\` first`);
  process.exit(1);
}
const { IDX_FILES, encodeIdx, findIdxFile, parseIdxImages, parseIdxLabels, readIdxBytes } = require(path.join(compiled, 'idx.js'));
const { shuffledPrefix, streamRng } = require(path.join(compiled, 'streams.js'));

const SOURCE = process.argv[2] || '/usr/share/datasets/fashion-mnist';
const OUT = process.argv[3] || path.join(root, 'data', 'fashion-mnist');
const COPYRIGHT = '/usr/share/doc/dataset-fashion-mnist/copyright';
const SEED = 0;
const CLASSES = 10;
const PER_CLASS = { train: 1000, test: 200 };
const CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

const md5 = (bytes) => crypto.createHash('md5').update(bytes).digest('hex');

/** The chosen image indices of one split: per class, the first `perClass` of a seeded shuffle of that class's images; ascending. */
function chooseBalanced(labels, perClass, streamBase) {
  const chosen = [];
  for (let c = 0; c < CLASSES; c++) {
    const ofClass = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c) ofClass.push(i);
    if (ofClass.length < perClass) throw new Error(`class ${c} has only ${ofClass.length} images, fewer than ${perClass}`);
    for (const k of shuffledPrefix(ofClass.length, perClass, streamRng(SEED, streamBase + c))) chosen.push(ofClass[k]);
  }
  return chosen.sort((a, b) => a - b);
}

function makeSplit(split, streamBase) {
  const names = IDX_FILES[split];
  const imagesFile = findIdxFile(SOURCE, names.images);
  const labelsFile = findIdxFile(SOURCE, names.labels);
  if (!imagesFile || !labelsFile) throw new Error(`${SOURCE}: missing ${names.images}(.gz) or ${names.labels}(.gz)`);
  const images = parseIdxImages(readIdxBytes(imagesFile), imagesFile);
  const labels = parseIdxLabels(readIdxBytes(labelsFile), labelsFile, CLASSES);
  const chosen = chooseBalanced(labels, PER_CLASS[split], streamBase);
  const size = images.height * images.width;
  const outImages = new Uint8Array(chosen.length * size);
  const outLabels = new Uint8Array(chosen.length);
  chosen.forEach((i, k) => {
    outImages.set(images.pixels.subarray(i * size, (i + 1) * size), k * size);
    outLabels[k] = labels[i];
  });
  const written = [];
  for (const [name, bytes] of [
    [names.images, encodeIdx([chosen.length, images.height, images.width], outImages)],
    [names.labels, encodeIdx([chosen.length], outLabels)],
  ]) {
    const gz = zlib.gzipSync(bytes, { level: 9 });
    fs.writeFileSync(path.join(OUT, `${name}.gz`), gz);
    written.push({ name: `${name}.gz`, bytes: gz.length, md5: md5(gz) });
  }
  const source = [imagesFile, labelsFile].map((f) => ({ name: path.basename(f), md5: md5(fs.readFileSync(f)) }));
  return { count: chosen.length, of: images.count, written, source };
}

/** The Expat (MIT) licence of the data, with its copyright holder, from the Debian copyright file. */
function licenceText() {
  const text = fs.readFileSync(COPYRIGHT, 'utf8');
  const holder = /^Files: \*\nCopyright: (.+)$/m.exec(text);
  const licence = /^License: Expat\n((?: .*\n?)+)/m.exec(text);
  if (!holder || !licence) throw new Error(`${COPYRIGHT}: expected a "Files: *" stanza and a "License: Expat" paragraph`);
  // "2017, Zalando SE, https:tech.zalando.com" → year, holder (the URL lost its slashes there).
  const [year, ...who] = holder[1].split(', ');
  const name = who.join(', ').replace('https:tech.', 'https://tech.');
  const body = licence[1]
    .split('\n')
    .map((l) => l.replace(/^ /, '').replace(/^\.$/, '').replace(/\s+$/, ''))
    .join('\n')
    .trim();
  return `The MIT License (MIT)\n\nCopyright (c) ${year} ${name}\n\n${body}\n`;
}

function readme(train, test) {
  const n = (x) => x.toLocaleString('en-US');
  const rows = (s) => s.written.map((w) => `| \`${w.name}\` | ${n(w.bytes)} | \`${w.md5}\` |`).join('\n');
  const sources = [...train.source, ...test.source].map((s) => `- \`${s.name}\` (md5 \`${s.md5}\`)`).join('\n');
  return `# Fashion-MNIST subset

A class-balanced subset of [Fashion-MNIST](https://github.com/zalandoresearch/fashion-mnist)
by Zalando Research (Han Xiao, Kashif Rasul, Roland Vollgraf, 2017): 28×28 grayscale images of
Zalando's articles in 10 classes: ${CLASS_NAMES.map((name, i) => `${i} ${name}`).join(', ')}.

It is what \`dataset: { name: fashion-mnist }\` trains on when a space file asks for at most
${n(train.count)} training and ${n(test.count)} test images, so that sweeps run out of the box.
Larger requests need the full set (\`apt-get install dataset-fashion-mnist\`, or \`dataset.path\`).

| split | images | per class | of |
| --- | --- | --- | --- |
| train | ${n(train.count)} | ${n(PER_CLASS.train)} | ${n(train.of)} |
| test | ${n(test.count)} | ${n(PER_CLASS.test)} | ${n(test.of)} |

The files have the IDX format of the originals, gzipped:

| file | bytes | md5 |
| --- | --- | --- |
${rows(train)}
${rows(test)}

## How it was made

\`scripts/make-fashion-mnist-subset.js\` reads the original files as Debian's
\`dataset-fashion-mnist\` package installs them in \`/usr/share/datasets/fashion-mnist/\`:

${sources}

For each class it takes the first ${n(PER_CLASS.train)} (train) / ${n(PER_CLASS.test)} (test) images of a seeded
shuffle of that class's images (seed ${SEED}, the tool's xoroshiro128+ stream, the same on every
machine), keeps the chosen images in their original order and writes them back in IDX format.
Running it again on the same files gives byte-identical output.

## Licence

Fashion-MNIST is released under the MIT licence, copyright 2017 Zalando SE; the subset is
redistributed under the same licence, reproduced in [LICENSE](LICENSE) beside this file.
`;
}

fs.mkdirSync(OUT, { recursive: true });
const train = makeSplit('train', 0);
const test = makeSplit('test', CLASSES);
fs.writeFileSync(path.join(OUT, 'LICENSE'), licenceText());
fs.writeFileSync(path.join(OUT, 'README.md'), readme(train, test));
const total = [...train.written, ...test.written].reduce((s, w) => s + w.bytes, 0);
console.log(`${OUT}: ${train.count} train / ${test.count} test images, ${(total / 1e6).toFixed(2)} MB gzipped`);
