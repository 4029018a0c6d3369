// `dslab sweep --backend webgpu` end to end (in CI on Mesa lavapipe), beside the same sweep on wasm.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { TrialRecord } from '../../src/core/results/records';
import type { SweepSummary } from '../../src/core/analysis/sweepEvents';
import { requireWebGpu, skipWebGpu } from '../webgpuEnv';

const ROOT = path.join(__dirname, '..', '..', '..');
const DSLAB = path.join(ROOT, 'bin', 'dslab');
/** 8×8 synthetic images, 64 training and 32 test images, one epoch; two spaces (one sample each: two trials). */
const TINY = path.join(ROOT, 'test', 'fixtures', 'sweep', 'tiny.yaml');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-sweep-webgpu-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function sweep(backend: string): { summary: SweepSummary; stderr: string; records: TrialRecord[] } {
  const out = path.join(tmp, backend);
  const r = spawnSync(process.execPath, [DSLAB, 'sweep', TINY, '--samples', '1', '--backend', backend, '--out', out, '--json'], { cwd: tmp, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const records = ['A', 'B'].map((space) => JSON.parse(fs.readFileSync(path.join(out, 'trials', space, '0000.json'), 'utf8')) as TrialRecord);
  return { summary: JSON.parse(r.stdout) as SweepSummary, stderr: r.stderr, records };
}

describe('dslab sweep --backend webgpu', { skip: skipWebGpu }, () => {
  test('two trials, one worker, the adapter recorded; errors as on wasm for the same seed', async () => {
    await requireWebGpu();
    const gpu = sweep('webgpu');
    assert.deepEqual([gpu.summary.total, gpu.summary.done, gpu.summary.workers, gpu.summary.backend?.name], [2, 2, 1, 'webgpu']);
    assert.match(gpu.stderr, /^Training on webgpu \(.+\), our kernels with 1 worker$/m);
    for (const t of gpu.records) {
      assert.equal(t.status, 'ok');
      assert.equal(t.backend?.name, 'webgpu');
      assert.equal(typeof t.backend?.adapter?.vendor, 'string');
      assert.equal(t.backend?.detail, gpu.summary.backend?.detail);
    }

    const wasm = sweep('wasm');
    // Same models, data, batch order and initial weights; only float32 rounding differs, so the
    // losses agree to ~1e-7 and a test image may flip only when its top two logits nearly tie:
    // at most one of the 32 test images (3.125 points).
    gpu.records.forEach((t, i) => {
      const w = wasm.records[i];
      assert.deepEqual(t.model, w.model);
      const [mine, theirs] = [t.epochs[0].trainLoss as number, w.epochs[0].trainLoss as number];
      assert.ok(Math.abs(mine - theirs) <= 1e-4 * theirs, `${t.space}: loss ${mine} vs wasm ${theirs}`);
      assert.ok(Math.abs((t.error as number) - (w.error as number)) <= 100 / 32, `${t.space}: error ${t.error}% vs wasm ${w.error}%`);
    });
  });
});
