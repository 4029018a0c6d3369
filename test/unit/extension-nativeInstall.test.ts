/**
 * Installing a native backend: the choices, npm's command line, and the failure messages, the
 * latter from a real npm run (no network needed): a local package whose install script fails as
 * tfjs-node's does offline, a registry nobody listens on, and an npm that is not there.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { autoBackendText, installedVersion, installFailureMessage, nativeChoices, npmCommand, npmInstallArgs, npmTail, prepareInstallFolder, runNpm } from '../../src/extension/nativeInstall';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-native-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** npm with its own empty cache and a registry that refuses connections: nothing leaves the machine. */
const OFFLINE_ENV = { ...process.env, npm_config_cache: path.join(tmp, 'cache'), npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0', npm_config_update_notifier: 'false' };
const npm = npmCommand(process.platform);
const [gpu, cpu, webgpu] = nativeChoices('linux', 'x64', '4.22.0');

describe('the Install Native Backend command', () => {
  test('offers tfjs-node-gpu, tfjs-node and WebGPU at our tfjs version; CUDA only on Linux x64', () => {
    assert.deepEqual(
      nativeChoices('linux', 'x64', '4.22.0').map((c) => [c.id, c.packages, c.unsupported]),
      [
        ['tfjs-node-gpu', ['@tensorflow/tfjs-node-gpu@4.22.0'], undefined],
        ['tfjs-node', ['@tensorflow/tfjs-node@4.22.0'], undefined],
        ['webgpu', ['webgpu@0.6.2', '@tensorflow/tfjs-backend-webgpu@4.22.0'], undefined],
      ],
    );
    assert.match(gpu.detail, /CUDA 11\.2 and cuDNN 8\.1/);
    assert.equal(nativeChoices('darwin', 'arm64', '4.22.0')[0].unsupported, 'libtensorflow with CUDA is built for Linux x64 only (this is darwin arm64)');
    assert.equal(nativeChoices('darwin', 'arm64', '4.22.0')[1].unsupported, undefined);
    assert.equal(nativeChoices('darwin', 'arm64', '4.22.0')[2].unsupported, undefined);
    assert.equal(nativeChoices('linux', 'ppc64', '4.22.0')[2].unsupported, 'the webgpu package has no Dawn build for linux ppc64');
    assert.equal(npmCommand('win32'), 'npm.cmd');
  });

  test('npm installs into the storage folder, pinned, quietly', () => {
    assert.deepEqual(npmInstallArgs('/s/native', cpu.packages), ['install', '--prefix', '/s/native', '--save-exact', '--no-audit', '--no-fund', '--no-update-notifier', '--loglevel', 'warn', '@tensorflow/tfjs-node@4.22.0']);
  });

  test('after an install, auto tries the CUDA build, WebGPU, the CPU build, then wasm', () => {
    assert.equal(autoBackendText(['tfjs-node', 'tfjs-node-gpu']), 'tfjs-node-gpu (with a CUDA GPU), then tfjs-node, then wasm');
    assert.equal(autoBackendText(['tfjs-node', 'webgpu']), 'webgpu (on a hardware adapter), then tfjs-node, then wasm');
    assert.equal(autoBackendText([]), 'wasm');
  });

  test('a package whose install script fails (as tfjs-node offline): the message says so, with npm’s last lines', { timeout: 60_000 }, async () => {
    const pkg = path.join(tmp, 'fake-native');
    fs.mkdirSync(pkg);
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'fake-native', version: '1.0.0', scripts: { install: 'node -e "console.error(\'download of libtensorflow failed: getaddrinfo ENOTFOUND storage.googleapis.com\'); process.exit(1)"' } }));
    // A tarball, as the registry serves packages (npm pack needs no network).
    const packed = await runNpm(npm, ['pack', '--pack-destination', tmp], { cwd: pkg, env: OFFLINE_ENV });
    assert.equal(packed.code, 0, packed.output);
    const tarball = path.join(tmp, 'fake-native-1.0.0.tgz');
    const prefix = path.join(tmp, 'native');
    prepareInstallFolder(prefix);
    const lines: string[] = [];
    const result = await runNpm(npm, npmInstallArgs(prefix, [tarball]), { cwd: prefix, env: OFFLINE_ENV, onLine: (l) => lines.push(l) });
    assert.equal(result.code, 1, result.output);
    assert.ok(lines.some((l) => l.includes('download of libtensorflow failed')), lines.join('\n'));
    assert.equal(installedVersion(prefix, 'fake-native'), undefined);
    const message = installFailureMessage(cpu, result, prefix);
    const [first, ...rest] = message.split('\n');
    assert.equal(
      first,
      `Installing @tensorflow/tfjs-node@4.22.0 failed: the install script of @tensorflow/tfjs-node@4.22.0 failed (it downloads libtensorflow from storage.googleapis.com, which needs internet access). Check the log, then run \`npm install --prefix "${prefix}" @tensorflow/tfjs-node@4.22.0\` in a terminal with internet access; set designSpaceLab.nativeModulesPath to that folder if it is another one.`,
    );
    assert.equal(rest[0], 'npm said:');
    assert.ok(rest.length <= 7);
    assert.ok(rest.some((l) => /npm error download of libtensorflow failed: getaddrinfo ENOTFOUND storage\.googleapis\.com/.test(l)), rest.join('\n'));
    assert.ok(!rest.some((l) => /A complete log/.test(l)));
    // The folder stays an npm project of its own: package.json written once, kept.
    assert.equal(JSON.parse(fs.readFileSync(path.join(prefix, 'package.json'), 'utf8')).private, true);
  });

  test('a registry that cannot be reached: the message says there is no network and how to install by hand', { timeout: 60_000 }, async () => {
    const prefix = path.join(tmp, 'native-offline');
    prepareInstallFolder(prefix);
    const result = await runNpm(npm, npmInstallArgs(prefix, gpu.packages), { cwd: prefix, env: OFFLINE_ENV });
    assert.notEqual(result.code, 0);
    const message = installFailureMessage(gpu, result, prefix);
    assert.match(message.split('\n')[0], /^Installing @tensorflow\/tfjs-node-gpu@4\.22\.0 failed: npm cannot reach the package registry \(ECONNREFUSED\)\. Connect to the internet .*`npm install --prefix ".*native-offline" @tensorflow\/tfjs-node-gpu@4\.22\.0`/);
    assert.ok(!/\s+at /.test(message), message);
  });

  test('no npm: the message says to install it', async () => {
    const result = await runNpm(path.join(tmp, 'no-such-npm'), ['install'], { cwd: tmp });
    assert.equal(result.spawnError, 'ENOENT');
    assert.match(installFailureMessage(webgpu, result, '/s/native'), /^Installing webgpu@0\.6\.2 \+ @tensorflow\/tfjs-backend-webgpu@4\.22\.0 failed: npm is not on the PATH of the editor\. Install Node\.js with npm/);
  });

  test('npm’s tail drops stack frames and the pointer to its debug log', () => {
    const out = 'npm error code ECONNREFUSED\nnpm error     at _destroy (node:_http_client:884:9)\nnpm error\nnpm error network request failed\nnpm error A complete log of this run can be found in: /x.log\n';
    assert.deepEqual(npmTail(out, 6), ['npm error code ECONNREFUSED', 'npm error network request failed']);
  });

  test('a cancelled install stops npm', { timeout: 30_000 }, async () => {
    const abort = new AbortController();
    const started = Date.now();
    const pending = runNpm(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { cwd: tmp, signal: abort.signal });
    setTimeout(() => abort.abort(), 200);
    const result = await pending;
    assert.equal(result.cancelled, true);
    assert.equal(result.signal, 'SIGTERM');
    assert.ok(Date.now() - started < 10_000);
  });
});
