// The .vsix that `npm run package` builds (test/vsix.ts packages it with the same vsce options),
// unpacked into a temporary folder, where the CLI must work as the sweep task runs it:
// `node <ext>/bin/dslab`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildVsix, readZip, unpackZip } from '../vsix';

const ROOT = path.join(__dirname, '..', '..', '..');
const TINY = path.join(ROOT, 'test', 'fixtures', 'sweep', 'tiny.yaml');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-package-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const installed = path.join(tmp, 'installed');
let names: string[] = [];

function dslab(bin: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: tmp, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run package', () => {
  before(() => {
    const entries = readZip(fs.readFileSync(buildVsix()));
    names = entries.map((e) => e.name);
    unpackZip(entries, installed);
  });

  test('holds the extension, the CLI and its workers, the schema, the data and the wasm binaries', () => {
    for (const name of [
      'extension/package.json',
      'extension/LICENSE.txt',
      'extension/out/extension/extension.js',
      'extension/out/extension/sampleWorker.js',
      'extension/out/extension/resultsWorker.js',
      'extension/out/extension/panelWorker.js',
      'extension/out/extension/importWorker.js',
      'extension/bin/dslab',
      'extension/out/src/cli/main.js',
      'extension/out/src/sweep/runner.js',
      'extension/out/src/train/worker.js',
      'extension/out/webview/report.js',
      'extension/out/webview/panel.js',
      'extension/media/panel.css',
      'extension/wasm/dslab-kernels.wasm',
      'extension/wasm/dslab-kernels-relaxed.wasm',
      'extension/schemas/space.schema.json',
      'extension/examples/space.regnet.yaml',
      'extension/data/fashion-mnist/LICENSE',
      'extension/data/fashion-mnist/train-images-idx3-ubyte.gz',
      'extension/data/fashion-mnist/train-labels-idx1-ubyte.gz',
      'extension/data/fashion-mnist/t10k-images-idx3-ubyte.gz',
      'extension/data/fashion-mnist/t10k-labels-idx1-ubyte.gz',
      'extension/node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm',
      'extension/node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
      'extension/node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm',
      'extension/node_modules/@tensorflow/tfjs-core/dist/tf-core.node.js',
      'extension/node_modules/yaml/package.json',
      'extension/node_modules/ajv/package.json',
      'extension/node_modules/pure-rand/package.json',
    ]) {
      assert.ok(names.includes(name), `${name} is packaged`);
    }
  });

  test('leaves out sources, tests, benchmarks, source maps, dev-only packages and the on-demand WebGPU pair', () => {
    const unwanted = names.filter((n) =>
      /^extension\/(src|test|bench|webview|scripts|wasm\/src|\.ci|\.vscode|\.cache|\.dslab|out\/test|out\/bench)\//.test(n) ||
      /\.(ts|map|vsix)$/.test(n) ||
      /^extension\/out\/(?!package\.json$|schemas\/|extension\/|webview\/|src\/(cli|core|sweep|train)\/)/.test(n) ||
      /^extension\/node_modules\/(typescript|esbuild|@esbuild|@vscode|@vscode-elements|lit|@lit|@types|playwright-core|chart\.js|webgpu|@tensorflow\/tfjs-backend-webgpu)\//.test(n),
    );
    assert.deepEqual(unwanted, []);
    assert.ok(names.length < 1000, `${names.length} files`);
  });

  test('the unpacked CLI samples exactly as the one in the repository', () => {
    const args = ['sample', path.join(installed, 'extension', 'examples', 'space.regnet.yaml'), '--json'];
    const fromPackage = dslab(path.join(installed, 'extension', 'bin', 'dslab'), args);
    assert.equal(fromPackage.status, 0, fromPackage.stderr);
    const fromRepo = dslab(path.join(ROOT, 'bin', 'dslab'), args);
    assert.equal(fromRepo.status, 0, fromRepo.stderr);
    assert.equal(fromPackage.stdout, fromRepo.stdout);
    assert.equal(fromPackage.stderr, '');
  });

  test('the unpacked CLI trains a tiny sweep on the bundled wasm backend in a worker process', () => {
    const out = path.join(tmp, 'sweep');
    const r = dslab(path.join(installed, 'extension', 'bin', 'dslab'), [
      'sweep', TINY, '--out', out, '--workers', '1', '--samples', '1', '--backend', 'wasm', '--json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.backend.name, 'wasm');
    assert.equal(summary.total, 2);
    assert.equal(summary.trained, 2);
    assert.deepEqual(
      summary.spaces.map((s: { name: string; ok: number; failed: number }) => [s.name, s.ok, s.failed]),
      [['A', 1, 0], ['B', 1, 0]],
    );
    assert.ok(fs.existsSync(path.join(out, 'trials', 'A', '0000.json')));
  });
});
