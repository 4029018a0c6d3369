import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

import { skipUnless } from '../requirements';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Why the kernels cannot be rebuilt here, or undefined. */
function missingCompiler(): string | undefined {
  if (process.env.CLANG) return undefined;
  const found = (tool: string): boolean => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
  return found('clang-19') && found('wasm-ld-19') ? undefined : 'no clang-19 and wasm-ld-19 on the PATH';
}

// The committed wasm/dslab-kernels*.wasm are what users run; they must be exactly what the C
// sources build to (Debian's clang-19 and lld-19, which .ci/run installs).
test('the committed SIMD kernel binaries match their C sources', { skip: skipUnless(missingCompiler(), 'apt-get install clang-19 lld-19') }, () => {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-kernels.js'), '--check'], { encoding: 'utf8', cwd: ROOT });
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
  assert.match(run.stdout, /committed binaries match their sources/);
});
