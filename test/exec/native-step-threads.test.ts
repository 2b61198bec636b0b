/**
 * Whole training steps on the addon's pool at the bench's sizes (mmoe and ple at batch 1024: the experts'
 * GEMMs batched into one pool call, their input gradient summed into one C, the embedding loops), on the
 * built-in GEMM, whose results do not depend on the thread count: the same losses and predictions, to the
 * last bit, on 1 and 2 threads. A race between the threads (two GEMMs of a batch writing one C at once) shows
 * here; the direct-step tests' small models stay under the GEMM's threading threshold. Skipped, with the
 * reason, without a C compiler or Node's headers. No timings here (bench/).
 */
import { describe, expect, it } from 'vitest';
import { buildBuiltinAddon, builtinAddonUnbuildable } from './builtin-addon.js';

const unbuildable = builtinAddonUnbuildable();

describe.skipIf(unbuildable !== undefined)(`training steps on 1 and 2 threads of the built-in GEMM${unbuildable ? ` (SKIPPED: ${unbuildable})` : ''}`, () => {
  for (const workload of ['mmoe', 'ple'] as const) {
    it(`${workload} at batch 1024: the same losses and predictions, to the last bit`, async () => {
      process.env['MTL_NATIVE_BLAS'] = buildBuiltinAddon('threads');
      const { loadNativeBlas, nativeBlasError } = await import('../../src/exec/native-blas.js');
      const { threadCount } = await import('../../src/exec/thread-count.js');
      const { selectBackend } = await import('../../src/exec/backend.js');
      const { compileWorkload, syntheticBatches } = await import('../../bench/workload.js');
      expect((await selectBackend('native')).name, nativeBlasError()).toBe('native');
      const blas = loadNativeBlas()!;
      expect(blas.config()).toMatch(/^built-in GEMM/);
      const run = async (threads: number) => {
        blas.setNumThreads(threads);
        const { ir, runtime } = await compileWorkload(workload, 1000, 7);
        expect(runtime.trainStepKind?.().kind).toBe('direct');
        const batches = syntheticBatches(ir, 1000, 1024, 2, 3);
        const losses = [0, 1, 0].map((i) => runtime.trainStep(batches[i]!).loss);
        const scores = runtime.predict(batches[1]!);
        runtime.dispose();
        return { losses, scores };
      };
      try {
        const one = await run(1);
        const two = await run(2);
        expect(two.losses).toEqual(one.losses);
        expect(JSON.stringify(two.scores)).toBe(JSON.stringify(one.scores));
      } finally {
        blas.setNumThreads(threadCount());
      }
    }, 300_000);
  }
});
