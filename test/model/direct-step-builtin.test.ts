/**
 * The direct step's checks (direct-step.test.ts, direct-step-topk.test.ts, and the first random models of direct-step-random.test.ts)
 * run again on the addon built with its built-in GEMM instead of OpenBLAS (native/mtl_gemm.c, MTL_BLAS=builtin,
 * built into native/build-builtin/step and selected with MTL_NATIVE_BLAS, the loader's own override).
 * The addon is loaded when those files are imported, so it is built here at collection time, before the
 * import (a few seconds; scripts/build-native.mjs allows it 5 minutes). Skipped, with the reason, without a
 * C compiler or Node's headers.
 */
import { describe, expect, it } from 'vitest';
import { buildBuiltinAddon, builtinAddonUnbuildable } from '../exec/builtin-addon.js';

const unbuildable = builtinAddonUnbuildable();

if (unbuildable === undefined) {
  process.env['MTL_NATIVE_BLAS'] = buildBuiltinAddon('step');
  process.env['MTL_TEST_RANDOM_MODELS'] = '6';
  const { loadNativeBlas, nativeBlasError } = await import('../../src/exec/native-blas.js');
  const { threadCount } = await import('../../src/exec/thread-count.js');
  const { selectBackend } = await import('../../src/exec/backend.js');
  describe('the direct step on the built-in GEMM', () => {
    it('loads the built-in addon; the backend note (mtl train\'s log line) names it and its threads once', async () => {
      const threads = threadCount();
      const gemm = `, ${threads} thread${threads === 1 ? '' : 's'})`;
      expect(loadNativeBlas()?.config(), nativeBlasError()).toMatch(/^built-in GEMM \((portable C|AVX2\+FMA|AVX-512), \d+ threads?\)$/);
      expect(loadNativeBlas()!.config().endsWith(gemm)).toBe(true);
      const note = (await selectBackend('native')).note!;
      expect(note).toBe(`wasm kernels with matMul on ${loadNativeBlas()!.config()}`);
      expect(note.match(/thread/g)).toHaveLength(1);
    });
  });
  await import('./direct-step.test.js');
  await import('./direct-step-random.test.js');
  await import('./direct-step-topk.test.js');
} else {
  describe.skip(`the direct step on the built-in GEMM (SKIPPED: ${unbuildable})`, () => {
    it('needs a C compiler', () => {});
  });
}
