import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';

import { initBackend, tf } from '../../src/train/backend';
import { ABI_VERSION, KERNEL_FILES, parseKernelMode, relaxedSimdAvailable, simdKernels, type SimdBackend } from '../../src/train/kernels/simd/module';

before(async () => {
  await initBackend('wasm');
});

describe('SIMD kernel module', () => {
  test('both committed binaries import only the backend memory and own no data', () => {
    relaxedSimdAvailable(); // turns on Node 20's relaxed-SIMD flag before the relaxed binary compiles
    for (const file of Object.values(KERNEL_FILES)) {
      const module = new WebAssembly.Module(fs.readFileSync(file));
      assert.deepEqual(
        WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}:${i.kind}`),
        ['env.memory:memory'],
        file,
      );
      const exported = WebAssembly.Module.exports(module).map((e) => e.name);
      assert.ok(exported.includes('__stack_pointer') && exported.includes('dslab_abi_version'), file);
    }
  });

  test('loads onto the wasm backend with its stack inside a block of the tfjs heap', () => {
    tf.setBackend('wasm');
    const backend = tf.backend() as unknown as SimdBackend;
    const kernels = simdKernels(backend);
    assert.ok(kernels !== undefined);
    assert.equal(kernels.fn('dslab_abi_version')(), ABI_VERSION);
    assert.equal(kernels.fn('dslab_relaxed')(), kernels.relaxed ? 1 : 0);
    assert.equal(kernels.relaxed, relaxedSimdAvailable());
    // The same instance serves every call on this backend.
    assert.equal(simdKernels(backend), kernels);
    assert.throws(() => kernels.fn('no_such_kernel'), /has no kernel 'no_such_kernel'/);
    // A tensor's address is where tfjs keeps its data: write through the shared memory, read back.
    const t = tf.zeros([4]);
    const heap = kernels.f32();
    heap.set([1, 2, 3, 4], kernels.address(t) / 4);
    assert.deepEqual(Array.from(t.dataSync()), [1, 2, 3, 4]);
    t.dispose();
  });

  test('DSLAB_WASM_KERNELS picks the kernel set, and a typo is an error', () => {
    assert.equal(parseKernelMode(undefined), 'auto');
    assert.equal(parseKernelMode(''), 'auto');
    assert.equal(parseKernelMode('OFF'), 'off');
    assert.equal(parseKernelMode('simd'), 'simd');
    assert.equal(parseKernelMode('relaxed'), 'relaxed');
    assert.throws(() => parseKernelMode('fast'), /DSLAB_WASM_KERNELS=fast: expected off, simd, relaxed or auto/);
  });
});
