import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { defaultWasmDir, initBackend, installHint, tf, TFJS_VERSION } from '../../src/train/backend';
import { relaxedSimdAvailable } from '../../src/train/kernels/simd/module';

const BACKEND_JS = path.join(__dirname, '..', '..', 'src', 'train', 'backend.js');

const tmpRoots: string[] = [];
after(() => {
  for (const dir of tmpRoots) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A folder laid out like `npm install --prefix <folder>` would leave it, holding fake native
 * packages: `index` is the package's main file (undefined: the file is missing).
 */
function fakeModules(packages: Record<string, { version: string; index?: string }>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-native-'));
  tmpRoots.push(root);
  for (const [name, p] of Object.entries(packages)) {
    const dir = path.join(root, 'node_modules', '@tensorflow', name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `@tensorflow/${name}`, version: p.version, main: 'index.js' }));
    if (p.index !== undefined) fs.writeFileSync(path.join(dir, 'index.js'), p.index);
  }
  return root;
}

function packageDir(root: string, name: string): string {
  return path.join(fs.realpathSync(root), 'node_modules', '@tensorflow', name);
}

/** Runs initBackend in a fresh Node process (the choice is per process) and returns its result. */
function initInChild(requested: string, options: object): { choice?: unknown; error?: string; logged: string[] } {
  const script = `
    const { initBackend } = require(${JSON.stringify(BACKEND_JS)});
    const logged = [];
    initBackend(${JSON.stringify(requested)}, { ...${JSON.stringify(options)}, log: (l) => logged.push(l) })
      .then((choice) => console.log(JSON.stringify({ choice, logged })))
      .catch((e) => console.log(JSON.stringify({ error: e.message, logged })));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

describe('initBackend: cpu and wasm are always available', () => {
  test('cpu', async () => {
    const choice = await initBackend('cpu');
    assert.deepEqual(choice, { name: 'cpu', detail: 'cpu (pure JavaScript)', fellThrough: [] });
    assert.equal(tf.getBackend(), 'cpu');
  });

  test('wasm: the SIMD build, one thread (threaded wasm does not start in Node)', async () => {
    const choice = await initBackend('wasm');
    // Our kernels use relaxed-SIMD FMA where this Node runs it (Node 20 with the flag we set, 22+).
    const ours = `our SIMD kernels${relaxedSimdAvailable() ? ' (relaxed)' : ''}`;
    assert.deepEqual(choice, { name: 'wasm', detail: `wasm (SIMD, 1 thread), ${ours}`, fellThrough: [] });
    assert.equal(tf.getBackend(), 'wasm');
    assert.ok(fs.existsSync(path.join(defaultWasmDir(), 'tfjs-backend-wasm-simd.wasm')));
  });

  test('idempotent: the same request returns the same choice and activates it again', async () => {
    const first = await initBackend('cpu');
    await initBackend('wasm');
    assert.equal(tf.getBackend(), 'wasm');
    const again = await initBackend('cpu');
    assert.equal(again, first);
    assert.equal(tf.getBackend(), 'cpu');
  });

  test('computes with the registered gradients on the chosen backend', async () => {
    await initBackend('wasm');
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)));
    const dx = g(tf.tensor1d([1, -2, 3]));
    assert.deepEqual(Array.from(dx.dataSync()), [2, -4, 6]);
    dx.dispose();
  });
});

describe('initBackend: backends named explicitly but unavailable', () => {
  test('tfjs-node absent: says how to install it, at our tfjs-core version', async () => {
    await assert.rejects(initBackend('tfjs-node'), {
      name: 'BackendUnavailableError',
      message: `backend 'tfjs-node' is unavailable: not installed (npm install @tensorflow/tfjs-node@${TFJS_VERSION})`,
    });
  });

  test('tfjs-node-gpu absent from an extra modules folder: the install command targets that folder, and names CUDA', async () => {
    const root = fakeModules({});
    await assert.rejects(initBackend('tfjs-node-gpu', { nativeModulesPath: root }), {
      message: `backend 'tfjs-node-gpu' is unavailable: not installed (npm install --prefix ${root} @tensorflow/tfjs-node-gpu@${TFJS_VERSION}; needs CUDA 11.2 + cuDNN 8.1)`,
    });
  });

  test('present but failing to load (libtensorflow missing): the load error in one line', async () => {
    const root = fakeModules({
      'tfjs-node': {
        version: TFJS_VERSION,
        index: "throw new Error('The Node.js native addon module (tfjs_binding.node) can not be found.\\nPlease run npm rebuild');",
      },
    });
    await assert.rejects(initBackend('tfjs-node', { nativeModulesPath: root }), {
      message:
        `backend 'tfjs-node' is unavailable: installed in ${packageDir(root, 'tfjs-node')} but failed to load: ` +
        'The Node.js native addon module (tfjs_binding.node) can not be found. Please run npm rebuild',
    });
  });

  test('present without its main file', async () => {
    const root = fakeModules({ 'tfjs-node': { version: TFJS_VERSION } });
    await assert.rejects(
      initBackend('tfjs-node', { nativeModulesPath: root }),
      (e: Error) => e.message.startsWith(`backend 'tfjs-node' is unavailable: installed in ${packageDir(root, 'tfjs-node')} but failed to load: Cannot find module`),
    );
  });

  test('another version is refused before loading (it would share our engine)', async () => {
    const root = fakeModules({ 'tfjs-node': { version: '4.10.0', index: "throw new Error('must not be loaded');" } });
    await assert.rejects(initBackend('tfjs-node', { nativeModulesPath: root }), {
      message:
        `backend 'tfjs-node' is unavailable: version 4.10.0 in ${packageDir(root, 'tfjs-node')} does not match tfjs-core ${TFJS_VERSION} ` +
        `(npm install --prefix ${root} @tensorflow/tfjs-node@${TFJS_VERSION})`,
    });
  });

  test('loads but registers no backend with our tfjs-core', async () => {
    const root = fakeModules({ 'tfjs-node': { version: TFJS_VERSION, index: 'module.exports = {};' } });
    await assert.rejects(initBackend('tfjs-node', { nativeModulesPath: root }), {
      message: `backend 'tfjs-node' is unavailable: loaded from ${packageDir(root, 'tfjs-node')} but registered no 'tensorflow' backend with our tfjs-core ${TFJS_VERSION}`,
    });
  });

  test('a failed explicit request is not remembered: cpu still works afterwards', async () => {
    await assert.rejects(initBackend('tfjs-node'));
    assert.equal((await initBackend('cpu')).name, 'cpu');
  });

  test('install hints', () => {
    assert.equal(installHint('tfjs-node'), `npm install @tensorflow/tfjs-node@${TFJS_VERSION}`);
    assert.equal(installHint('tfjs-node-gpu', '/opt/x'), `npm install --prefix /opt/x @tensorflow/tfjs-node-gpu@${TFJS_VERSION}; needs CUDA 11.2 + cuDNN 8.1`);
  });
});

// webgpu comes second in the order and depends on the machine's GPUs; these tests ask for an
// adapter that exists nowhere, so that it always falls through (train-webgpu-backend covers it),
// or find the optional packages left out (npm install --omit=optional).
const NO_ADAPTER = 'no-such-adapter';
const NO_ADAPTER_LINE = new RegExp(`^webgpu: (no adapter matches '${NO_ADAPTER}'; adapters: .+|webgpu and @tensorflow/tfjs-backend-webgpu not installed \\(npm install .+\\))$`);

describe("initBackend('auto'): falls through in order, one line per skipped backend (fresh processes)", () => {
  test('no native package, no such WebGPU adapter: wasm, after three lines', () => {
    const root = fakeModules({});
    const r = initInChild('auto', { nativeModulesPath: root, webgpuAdapter: NO_ADAPTER }) as {
      choice: { name: string; detail: string; fellThrough: string[] };
      logged: string[];
    };
    assert.deepEqual(r.logged, r.choice.fellThrough);
    const [gpu, webgpu, node, ...rest] = r.choice.fellThrough;
    assert.deepEqual([r.choice.name, rest], ['wasm', []]);
    assert.match(r.choice.detail, /^wasm \(SIMD, 1 thread\), our SIMD kernels( \(relaxed\))?$/);
    assert.equal(gpu, `tfjs-node-gpu: not installed (npm install --prefix ${root} @tensorflow/tfjs-node-gpu@${TFJS_VERSION}; needs CUDA 11.2 + cuDNN 8.1)`);
    assert.match(webgpu, NO_ADAPTER_LINE);
    assert.equal(node, `tfjs-node: not installed (npm install --prefix ${root} @tensorflow/tfjs-node@${TFJS_VERSION})`);
  });

  test('a broken tfjs-node-gpu and a working tfjs-node sharing our engine: tfjs-node wins', () => {
    // The fake registers a 'tensorflow' backend on the global engine, as tfjs-node does through
    // its own require of tfjs-core (here a cpu backend stands in for libtensorflow).
    const root = fakeModules({
      'tfjs-node-gpu': { version: TFJS_VERSION, index: "throw new Error('libcudart.so.11.0: cannot open shared object file');" },
      'tfjs-node': {
        version: TFJS_VERSION,
        index: "const e = globalThis._tfengine; e.registerBackend('tensorflow', () => e.registryFactory.cpu.factory());",
      },
    });
    const r = initInChild('auto', { nativeModulesPath: root, webgpuAdapter: NO_ADAPTER }) as {
      choice: { name: string; detail: string; fellThrough: string[] };
      logged: string[];
    };
    const line = `tfjs-node-gpu: installed in ${packageDir(root, 'tfjs-node-gpu')} but failed to load: libcudart.so.11.0: cannot open shared object file`;
    assert.deepEqual(r.logged, r.choice.fellThrough);
    assert.deepEqual([r.choice.name, r.choice.detail, r.choice.fellThrough.length], ['tfjs-node', `tfjs-node ${TFJS_VERSION} (libtensorflow, CPU)`, 2]);
    assert.equal(r.choice.fellThrough[0], line);
    assert.match(r.choice.fellThrough[1], NO_ADAPTER_LINE);
  });

  test('wasm binaries missing: cpu, with the reason wasm failed', () => {
    const root = fakeModules({});
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-wasm-'));
    tmpRoots.push(empty);
    const r = initInChild('auto', { nativeModulesPath: root, wasmDir: empty, webgpuAdapter: NO_ADAPTER }) as {
      choice: { name: string; fellThrough: string[] };
    };
    assert.equal(r.choice.name, 'cpu');
    assert.equal(r.choice.fellThrough.length, 4);
    assert.equal(r.choice.fellThrough[3], `wasm: tfjs-backend-wasm-simd.wasm not found in ${empty}`);
  });
});
