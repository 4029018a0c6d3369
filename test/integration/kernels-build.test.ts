import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

// The committed wasm/dslab-kernels*.wasm are what users run; they must be exactly what the C
// sources build to (Debian's clang-19 and lld-19, which .ci/run installs).
test('the committed SIMD kernel binaries match their C sources', () => {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-kernels.js'), '--check'], { encoding: 'utf8', cwd: ROOT });
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
  assert.match(run.stdout, /committed binaries match their sources/);
});
