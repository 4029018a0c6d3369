#!/usr/bin/env node
/*
 * Packs what `npm run bench -- gpu` needs into .device/ (ignored by git), for a machine with a GPU
 * that has neither Node nor npm nor the Internet, where bench/device-gpu.sh runs it:
 *   .device/out/…, .device/node_modules/…  the compiled files and the packages' files that the
 *                                          suite loads, found by running it here and recording
 *                                          every module each of its processes loaded, plus each
 *                                          package's package.json and its wasm binaries;
 *   .device/xz/….xz, .device/node.xz       Dawn's dawn.node and this Node binary, xz-compressed
 *                                          (bench/device-gpu.sh expands them there);
 *   .device/gl/libvulkan1_*.deb            the Vulkan loader that Dawn opens, for a machine
 *                                          without one.
 *
 *   npm run build && node scripts/pack-device-bench.js
 *
 * About 45 MB: with the working tree it fits what such a machine takes along. Linux x64 only.
 */
'use strict';

const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DEST = path.join(ROOT, '.device');
/** Files larger than this travel xz-compressed. */
const COMPRESS_ABOVE = 8 * 1024 * 1024;

function fail(message) {
  process.stderr.write(`pack-device-bench: ${message}\n`);
  process.exit(1);
}

if (process.platform !== 'linux' || process.arch !== 'x64') fail(`the device machines are Linux x64; this is ${process.platform} ${process.arch}`);
if (!fs.existsSync(path.join(ROOT, 'out', 'bench', 'bench.js'))) fail('out/bench/bench.js is missing: run npm run build first');

// 1. Run the suite here with every process recording the modules it loaded.
const trace = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-device-trace-'));
const list = JSON.stringify(path.join(trace, 'loaded.txt'));
// CommonJS modules are in require.cache at exit; ES modules (the webgpu package) pass a load hook.
const recorder = path.join(trace, 'record.js');
fs.writeFileSync(recorder, `process.on('exit', () => require('node:fs').appendFileSync(${list}, Object.keys(require.cache).join('\\n') + '\\n'));\n`);
const hooks = path.join(trace, 'hooks.mjs');
fs.writeFileSync(
  hooks,
  `import { appendFileSync } from 'node:fs';\nimport { fileURLToPath } from 'node:url';\n` +
    `export async function load(url, context, next) {\n  if (url.startsWith('file:')) appendFileSync(${list}, fileURLToPath(url) + '\\n');\n  return next(url, context);\n}\n`,
);
const register = path.join(trace, 'register.mjs');
fs.writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(require('node:url').pathToFileURL(hooks).href)});\n`);
process.stderr.write('pack-device-bench: training the tiny model on webgpu here to see what the suite loads…\n');
const run = spawnSync(process.execPath, [path.join(ROOT, 'out', 'bench', 'bench.js'), 'gpu'], {
  cwd: ROOT,
  encoding: 'utf8',
  // A few steps of the tiny model on whatever adapter is here (lavapipe will do): the training path loads all it needs.
  env: { ...process.env, DSLAB_BENCH_GPU_MODELS: 'tiny-anynet', DSLAB_BENCH_GPU_SOFTWARE: '1', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${recorder} --import ${register}`.trim() },
});
if (run.status !== 0) fail(`the gpu suite failed here: ${run.stderr}`);
const loaded = new Set(fs.readFileSync(path.join(trace, 'loaded.txt'), 'utf8').split('\n').filter((f) => f.startsWith(ROOT + path.sep)));
fs.rmSync(trace, { recursive: true, force: true });

// 2. Each package the loaded files belong to brings its package.json and its wasm binaries.
const files = new Set();
for (const file of loaded) {
  const rel = path.relative(ROOT, file);
  if (!rel.startsWith('out' + path.sep) && !rel.startsWith('node_modules' + path.sep)) continue;
  files.add(rel);
  const parts = rel.split(path.sep);
  if (parts[0] !== 'node_modules') continue;
  const pkg = path.join(...parts.slice(0, parts[1].startsWith('@') ? 3 : 2));
  files.add(path.join(pkg, 'package.json'));
  const dist = path.join(ROOT, pkg, 'dist');
  if (fs.existsSync(dist)) for (const f of fs.readdirSync(dist)) if (f.endsWith('.wasm')) files.add(path.join(pkg, 'dist', f));
}
if (![...files].some((f) => f.endsWith('dawn.node'))) fail('the suite did not load dawn.node here: is the optional dependency webgpu installed (npm ci)?');

// 3. Copy them, the large ones compressed, and the Node binary.
fs.rmSync(DEST, { recursive: true, force: true });
let bytes = 0;
const xz = (from, to) => {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.writeFileSync(to, execFileSync('xz', ['-6', '-T0', '-c', from], { maxBuffer: 1 << 30 }));
  return fs.statSync(to).size;
};
for (const rel of [...files].sort()) {
  const from = path.join(ROOT, rel);
  if (!fs.existsSync(from)) continue;
  if (fs.statSync(from).size > COMPRESS_ABOVE) {
    bytes += xz(from, path.join(DEST, 'xz', `${rel}.xz`));
  } else {
    fs.mkdirSync(path.join(DEST, path.dirname(rel)), { recursive: true });
    fs.copyFileSync(from, path.join(DEST, rel));
    bytes += fs.statSync(from).size;
  }
}
bytes += xz(process.execPath, path.join(DEST, 'node.xz'));

// 4. The Vulkan loader from Debian, for a machine that lacks it.
const gl = path.join(DEST, 'gl');
fs.mkdirSync(gl);
const apt = spawnSync('apt-get', ['download', 'libvulkan1'], { cwd: gl, encoding: 'utf8' });
if (apt.status !== 0) fail(`apt-get download libvulkan1 failed (run apt-get update first?): ${apt.stderr.trim()}`);
for (const f of fs.readdirSync(gl)) bytes += fs.statSync(path.join(gl, f)).size;

process.stdout.write(`.device: ${files.size} files, ${(bytes / 1e6).toFixed(1)} MB (Node ${process.version}); run bench/device-gpu.sh there with .device carried\n`);
