/**
 * The direct step's checks (direct-step.test.ts, direct-step-topk.test.ts, and the first random models of direct-step-random.test.ts) run
 * again on the kernels compiled to WebAssembly (native/wasm/mtl_kernels.wasm, src/exec/wasm-accel.ts) with no
 * native addon: `--backend wasm` on a machine without a C compiler, and in browsers. They run with the wasm
 * heap poisoned (MTL_WASM_POISON's NaN, src/exec/wasm-poison.ts): a value read before it is written, or after
 * its block was freed, fails them every time instead of depending on what ran before in the process.
 */
import { describe, expect, it } from 'vitest';

process.env['MTL_TEST_DIRECT_BACKEND'] = 'wasm';
process.env['MTL_NATIVE_BLAS'] = 'off';
process.env['MTL_TEST_RANDOM_MODELS'] = '8';
const { activeKernelsLabel, selectBackend } = await import('../../src/exec/backend.js');
const { activeHeapKernels, activeNativeBlas } = await import('../../src/exec/native-blas.js');
const { threadCount } = await import('../../src/exec/thread-count.js');
const { setWasmHeapPoison } = await import('../../src/exec/wasm-poison.js');
setWasmHeapPoison(Number.NaN);

describe('the direct step on the WebAssembly kernels', () => {
  it('--backend wasm installs them without the addon, and says so', async () => {
    const selected = await selectBackend('wasm');
    // MTL_THREADS threads (default 2 on a ≥ 2-core machine): helpers take GEMM rows.
    const n = threadCount();
    const threads = `${n} thread${n === 1 ? '' : 's'}`;
    expect(selected).toEqual({ name: 'wasm', note: `wasm with mtl's WebAssembly SIMD kernels (direct step, ${threads})` });
    expect(activeHeapKernels()?.config()).toBe(`WebAssembly SIMD kernels (mtl_kernels.wasm, ${threads})`);
    // what metrics.json and the bench record as the run's kernels
    expect(activeKernelsLabel()).toBe(`WebAssembly SIMD kernels (mtl_kernels.wasm, ${threads})`);
    expect(activeNativeBlas()).toBeUndefined();
  });
  it('auto falls back to them when the addon is missing, naming why', async () => {
    const selected = await selectBackend('auto');
    expect(selected.name).toBe('wasm');
    expect(selected.note).toMatch(/native addon \(native\/\) is built; wasm with mtl's WebAssembly SIMD kernels/);
  });
});

await import('./direct-step.test.js');
await import('./direct-step-random.test.js');
await import('./direct-step-topk.test.js');
