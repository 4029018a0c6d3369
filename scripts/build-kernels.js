#!/usr/bin/env node
/*
 * Builds the training kernels (wasm/src/*.c) into the two committed binaries:
 *   wasm/dslab-kernels.wasm          WebAssembly SIMD (every Node version we support)
 *   wasm/dslab-kernels-relaxed.wasm  the same with relaxed-SIMD fused multiply-add
 *
 *   node scripts/build-kernels.js           rebuild both in place
 *   node scripts/build-kernels.js --check   rebuild into a temporary folder and fail if the
 *                                           committed binaries differ from their sources
 *
 * Needs Debian's clang-19 and lld-19 (apt-get install clang-19 lld-19), or CLANG / WASM_LD in the
 * environment. The same compiler version gives the same bytes, which is what --check relies on.
 * Users never run this: the binaries are committed.
 */
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// Node 20 validates relaxed-SIMD code only with this flag (Node 22 has it on); checkModule compiles both binaries.
require('node:v8').setFlagsFromString('--experimental-wasm-relaxed-simd');

const ROOT = path.resolve(__dirname, '..');
const SOURCES = path.join(ROOT, 'wasm', 'src');
const OUTPUT = path.join(ROOT, 'wasm');

const VARIANTS = [
  { file: 'dslab-kernels.wasm', flags: ['-msimd128'] },
  { file: 'dslab-kernels-relaxed.wasm', flags: ['-msimd128', '-mrelaxed-simd', '-DDSLAB_RELAXED=1'] },
];

const COMPILE_FLAGS = [
  '--target=wasm32',
  '-O3',
  '-std=c11',
  '-ffreestanding',
  '-nostdlib',
  '-fno-builtin',
  // memset/memcpy patterns become memory.fill/memory.copy instead of calls to a libc we lack.
  '-mbulk-memory',
  '-Wall',
  '-Wextra',
  '-Werror',
  // No file paths or dates in the binary: the build is reproducible.
  '-fno-ident',
  `-ffile-prefix-map=${ROOT}=.`,
];

const LINK_FLAGS = [
  '--no-entry',
  '--import-memory',
  '--strip-all',
  // The loader points the shadow stack at a block of tfjs's heap before any call.
  '--export=__stack_pointer',
  // Nothing at fixed addresses: the memory belongs to tfjs. Checked below as well.
  '--global-base=0',
  '-z',
  'stack-size=0',
];

function findTool(envName, candidates) {
  const fromEnv = process.env[envName];
  if (fromEnv) return fromEnv;
  for (const name of candidates) {
    try {
      execFileSync(name, ['--version'], { stdio: 'ignore' });
      return name;
    } catch {
      // try the next name
    }
  }
  throw new Error(`${candidates[0]} not found: apt-get install clang-19 lld-19 (or set ${envName})`);
}

function readLeb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return { value, next: at };
  }
}

/**
 * The module's sections, checked against what the loader assumes: its only import is
 * `env.memory`, it has no data segments, and the memory it imports is not shared.
 */
function checkModule(file) {
  const bytes = fs.readFileSync(file);
  const module = new WebAssembly.Module(bytes);
  const imports = WebAssembly.Module.imports(module);
  if (imports.length !== 1 || imports[0].module !== 'env' || imports[0].name !== 'memory' || imports[0].kind !== 'memory') {
    throw new Error(`${file}: imports ${JSON.stringify(imports)}; only env.memory is allowed (a libc call slipped in?)`);
  }
  const exports = WebAssembly.Module.exports(module).map((e) => e.name);
  if (!exports.includes('__stack_pointer') || !exports.includes('dslab_abi_version')) {
    throw new Error(`${file}: missing __stack_pointer or dslab_abi_version export`);
  }
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const { value: size, next } = readLeb(bytes, at + 1);
    if (id === 11) {
      const { value: count } = readLeb(bytes, next);
      if (count > 0) throw new Error(`${file}: has ${count} data segment(s); kernels must not own memory (static tables, strings)`);
    }
    at = next + size;
  }
  return exports.filter((e) => e !== '__stack_pointer');
}

function build(outDir) {
  const clang = findTool('CLANG', ['clang-19', 'clang']);
  const wasmLd = findTool('WASM_LD', ['wasm-ld-19', 'wasm-ld']);
  const sources = fs
    .readdirSync(SOURCES)
    .filter((f) => f.endsWith('.c'))
    .sort();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-kernels-'));
  try {
    const built = [];
    for (const variant of VARIANTS) {
      const objects = sources.map((source) => {
        const object = path.join(work, `${path.basename(source, '.c')}-${variant.file}.o`);
        execFileSync(clang, [...COMPILE_FLAGS, ...variant.flags, '-c', path.join('wasm', 'src', source), '-o', object], { cwd: ROOT, stdio: 'inherit' });
        return object;
      });
      const target = path.join(outDir, variant.file);
      execFileSync(wasmLd, [...LINK_FLAGS, ...objects, '-o', target], { stdio: 'inherit' });
      const exports = checkModule(target);
      built.push({ target, exports });
    }
    return built;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function main() {
  const check = process.argv.includes('--check');
  if (!check) {
    for (const { target, exports } of build(OUTPUT)) {
      console.log(`${path.relative(ROOT, target)}: ${fs.statSync(target).size} bytes, ${exports.length} exports`);
    }
    return;
  }
  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-kernels-check-'));
  try {
    let drift = 0;
    for (const { target } of build(fresh)) {
      const committed = path.join(OUTPUT, path.basename(target));
      const same = fs.existsSync(committed) && Buffer.compare(fs.readFileSync(committed), fs.readFileSync(target)) === 0;
      if (!same) {
        drift++;
        console.error(`${path.relative(ROOT, committed)} does not match its sources in wasm/src: run npm run build:kernels and commit the result`);
      }
    }
    if (drift > 0) process.exit(1);
    console.log('wasm kernels: committed binaries match their sources');
  } finally {
    fs.rmSync(fresh, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
