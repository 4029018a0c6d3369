// The webgpu backend's detection: packages, adapters, what 'auto' does with a software adapter,
// and the messages when something is missing.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { TFJS_VERSION } from '../../src/train/backend';
import { defaultWorkers } from '../../src/sweep/runner';
import { adapterName, describeAdapter, driverHint, loadWebGpu, parseAdapterList, webgpuInstallHint } from '../../src/train/webgpu';
import { skipWebGpu } from '../webgpuEnv';

const BACKEND_JS = path.join(__dirname, '..', '..', 'src', 'train', 'backend.js');

const tmpRoots: string[] = [];
after(() => {
  for (const dir of tmpRoots) fs.rmSync(dir, { recursive: true, force: true });
});

/** A folder laid out as `npm install --prefix` leaves it; each package: version and main file (ESM for webgpu). */
function fakeModules(packages: Record<string, { version: string; index: string }>): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-webgpu-')));
  tmpRoots.push(root);
  for (const [name, p] of Object.entries(packages)) {
    const dir = path.join(root, 'node_modules', name);
    fs.mkdirSync(dir, { recursive: true });
    const type = name === 'webgpu' ? 'module' : 'commonjs';
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: p.version, type, main: 'index.js' }));
    fs.writeFileSync(path.join(dir, 'index.js'), p.index);
  }
  return root;
}

const TFJS_WEBGPU = { version: TFJS_VERSION, index: 'module.exports = { WebGPUBackend: class {} };' };

/** loadWebGpu on exactly this folder's node_modules (never ours). */
const loadFrom = (root: string) => loadWebGpu({ searchPaths: [root], nativeModulesPath: root, tfjsVersion: TFJS_VERSION });

type ChildResult = { choice?: { name: string; detail: string; adapter?: Record<string, unknown>; fellThrough: string[] }; error?: string };

/** initBackend in a fresh Node process (one choice per process), with extra environment variables. */
function initInChild(requested: string, options: object, env: Record<string, string> = {}): ChildResult {
  const script = `
    const { initBackend } = require(${JSON.stringify(BACKEND_JS)});
    initBackend(${JSON.stringify(requested)}, ${JSON.stringify(options)})
      .then((choice) => console.log(JSON.stringify({ choice })))
      .catch((e) => console.log(JSON.stringify({ error: e.message })));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as ChildResult;
}

describe('webgpu packages missing or unusable: one line that says what to do', () => {
  test('neither package installed: the install command, pinned, targeting the folder searched', async () => {
    const root = fakeModules({});
    assert.deepEqual(await loadFrom(root), {
      ok: false,
      why: `webgpu and @tensorflow/tfjs-backend-webgpu not installed (npm install --prefix ${root} webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@${TFJS_VERSION})`,
    });
    assert.equal(webgpuInstallHint(TFJS_VERSION), `npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@${TFJS_VERSION}`);
  });

  test('only webgpu installed', async () => {
    const root = fakeModules({ webgpu: { version: '0.6.2', index: 'export const create = () => null, globals = {};' } });
    const r = await loadFrom(root);
    assert.equal(r.ok, false);
    assert.match((r as { why: string }).why, /^@tensorflow\/tfjs-backend-webgpu not installed \(npm install --prefix /);
  });

  test('tfjs-backend-webgpu at another tfjs version is refused before loading', async () => {
    const root = fakeModules({
      webgpu: { version: '0.6.2', index: "throw new Error('must not be loaded');" },
      '@tensorflow/tfjs-backend-webgpu': { version: '4.10.0', index: "throw new Error('must not be loaded');" },
    });
    const dir = path.join(root, 'node_modules', '@tensorflow', 'tfjs-backend-webgpu');
    assert.deepEqual(await loadFrom(root), {
      ok: false,
      why: `@tensorflow/tfjs-backend-webgpu 4.10.0 in ${dir} does not match tfjs-core ${TFJS_VERSION} (npm install --prefix ${root} webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@${TFJS_VERSION})`,
    });
  });

  test('no Dawn build for this platform: the load error', async () => {
    const root = fakeModules({
      webgpu: { version: '0.6.2', index: "throw new Error('Cannot find module dist/sunos-x64/dawn.node');" },
      '@tensorflow/tfjs-backend-webgpu': TFJS_WEBGPU,
    });
    assert.deepEqual(await loadFrom(root), {
      ok: false,
      why:
        `webgpu installed in ${path.join(root, 'node_modules', 'webgpu')} but failed to load ` +
        `(no Dawn build for ${process.platform}-${process.arch}?): Cannot find module dist/sunos-x64/dawn.node`,
    });
  });

  test('Dawn finds no adapter: which driver is needed', async () => {
    const root = fakeModules({
      webgpu: { version: '0.6.2', index: 'export const globals = {}; export function create() { return { requestAdapter: async () => null }; }' },
      '@tensorflow/tfjs-backend-webgpu': TFJS_WEBGPU,
    });
    assert.deepEqual(await loadFrom(root), { ok: false, why: `no adapter found (${driverHint()})` });
    assert.match(driverHint('linux'), /Vulkan driver.*libvulkan1.*mesa-vulkan-drivers/);
    assert.match(driverHint('darwin'), /Metal/);
    assert.match(driverHint('win32'), /D3D12/);
  });
});

describe('adapters: names, and which are software', () => {
  test('lavapipe (Dawn marks it a fallback adapter), SwiftShader, and a hardware GPU', () => {
    const lavapipe = describeAdapter({
      vendor: 'mesa',
      architecture: 'software',
      device: 'llvmpipe-llvm-15-0-6-256-bits-',
      description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1',
      isFallbackAdapter: true,
    });
    assert.equal(lavapipe.software, true);
    assert.equal(adapterName(lavapipe), 'mesa llvmpipe-llvm-15-0-6-256-bits-, llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1');
    assert.equal(describeAdapter({ vendor: 'google', device: 'swiftshader-device', description: 'SwiftShader Device (Subzero)' }).software, true);
    const nvidia = describeAdapter({ vendor: 'nvidia', architecture: 'hopper', device: 'nvidia-h200', description: 'NVIDIA: 550.54.15', isFallbackAdapter: false });
    assert.deepEqual(nvidia, { vendor: 'nvidia', architecture: 'hopper', device: 'nvidia-h200', description: 'NVIDIA: 550.54.15', software: false });
    assert.equal(adapterName(nvidia), 'nvidia nvidia-h200, NVIDIA: 550.54.15');
    assert.equal(adapterName(describeAdapter({})), 'an unnamed adapter');
  });

  test("Dawn's list of adapters, from its error for an unknown adapter name", () => {
    const message = "no suitable backends found Available adapters: * backend: 'vulkan', name: 'NVIDIA H200' * backend: 'vulkan', name: 'llvmpipe (LLVM 15.0.6, 256 bits)'";
    assert.deepEqual(parseAdapterList(message), [
      { backend: 'vulkan', name: 'NVIDIA H200' },
      { backend: 'vulkan', name: 'llvmpipe (LLVM 15.0.6, 256 bits)' },
    ]);
    assert.deepEqual(parseAdapterList('no suitable backends found'), []);
  });

  test('one trial at a time on a GPU by default', () => {
    assert.equal(defaultWorkers('webgpu'), 1);
    assert.equal(defaultWorkers('tfjs-node-gpu'), 1);
  });
});

describe('webgpu on Mesa lavapipe (fresh processes)', { skip: skipWebGpu }, () => {
  const LAVAPIPE = { webgpuAdapter: 'llvmpipe' };
  const lavapipeMissing = 'needs Mesa lavapipe (apt-get install -t bookworm-backports libvulkan1 mesa-vulkan-drivers), or DSLAB_SKIP_WEBGPU=1';

  test('named, a software adapter is used: the choice names it', () => {
    const r = initInChild('webgpu', LAVAPIPE);
    assert.equal(r.error, undefined, `${r.error} — ${lavapipeMissing}`);
    const choice = r.choice!;
    assert.equal(choice.name, 'webgpu');
    assert.deepEqual(choice.fellThrough, []);
    assert.equal(choice.adapter?.vendor, 'mesa');
    assert.equal(choice.adapter?.software, true);
    assert.match(String(choice.adapter?.description), /^llvmpipe: Mesa \d+/);
    assert.equal(choice.detail, `webgpu (software adapter: ${adapterName(choice.adapter as never)}), our kernels`);
  });

  test('DSLAB_WEBGPU_KERNELS=off leaves tfjs’s own kernels, and says so; another value is refused', () => {
    const off = initInChild('webgpu', LAVAPIPE, { DSLAB_WEBGPU_KERNELS: 'off' });
    assert.equal(off.choice?.detail, `webgpu (software adapter: ${adapterName(off.choice?.adapter as never)}), tfjs’s kernels (DSLAB_WEBGPU_KERNELS=off)`, off.error);
    const bad = initInChild('webgpu', LAVAPIPE, { DSLAB_WEBGPU_KERNELS: 'maybe' });
    assert.match(String(bad.error), /DSLAB_WEBGPU_KERNELS=maybe: expected on or off/);
  });

  test("'auto' passes a software adapter by, saying how to use it", () => {
    const named = initInChild('webgpu', LAVAPIPE).choice!;
    const empty = fakeModules({});
    const r = initInChild('auto', { ...LAVAPIPE, nativeModulesPath: empty });
    assert.equal(r.choice?.name, 'wasm');
    assert.equal(r.choice?.fellThrough[1], `webgpu: only a software adapter (${adapterName(named.adapter as never)}); name --backend webgpu to use it`);
  });

  test('DSLAB_WEBGPU_ADAPTER picks by index; an index that does not exist lists the adapters', () => {
    const first = initInChild('webgpu', {}, { DSLAB_WEBGPU_ADAPTER: '0' });
    assert.equal(first.choice?.name, 'webgpu', first.error);
    const r = initInChild('webgpu', {}, { DSLAB_WEBGPU_ADAPTER: '99' });
    assert.match(String(r.error), /^backend 'webgpu' is unavailable: adapter 99 does not exist; adapters: 0: .+ \(\w+\)/);
    assert.match(String(r.error), /llvmpipe/);
  });
});
