/**
 * The WebAssembly kernels' GEMM split between threads (src/exec/wasm-threads.ts, native/wasm/
 * mtl_kernels_worker.mjs) gives the same bits as on one thread: products on their own memory (odd row
 * counts, every transpose, an A shared by all items, one C accumulated by all items with β = 0 then 1, β = 1
 * from the start), and a whole mmoe training step on tfjs's heap (losses and predictions equal to the last bit).
 * Each case also checks that the product really was split, so that none passes on the main thread alone.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';
import { WASM_KERNELS_FILE } from '../../src/exec/wasm-accel.js';
import { MIN_SPLIT_FLOPS, WasmGemmThreads } from '../../src/exec/wasm-threads.js';
import { instantiateKernels } from './wasm-kernels-fixture.js';

const module = new WebAssembly.Module(readFileSync(path.join(packageRoot(), WASM_KERNELS_FILE)));

/** The module on a fresh 128 MiB memory of its own, its arena from 96 MiB. */
function instantiate() {
  return instantiateKernels<{
    gemm_ld_at(mem: number, ta: number, tb: number, m: number, n: number, k: number, lda: number, ldb: number, ldc: number, ao: number, bo: number, co: number, betas: number, na: number): void;
  }>(2048, 96 << 20, module);
}

describe('the WebAssembly GEMM on helper threads', () => {
  const threads = new WasmGemmThreads(module, 3);
  // A pool whose helpers started and were then terminated behind its back: still listed as ready and idle,
  // so it hands them jobs that nobody claims.
  const stopped = new WasmGemmThreads(module, 3);
  afterAll(() => {
    threads.dispose();
    stopped.dispose();
  });

  it('starts its helpers', async () => {
    expect(await threads.ready()).toBe(3);
    expect(await stopped.ready()).toBe(3);
    for (const h of (stopped as unknown as { helpers: Array<{ worker: { terminate(): Promise<number> } }> }).helpers) await h.worker.terminate();
  });

  type Case = { name: string; ta: boolean; tb: boolean; m: number; n: number; k: number; a: number[]; b: number[]; c: number[]; betas: number[] };
  const cases: Case[] = [];
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    cases.push({ name: `${ta ? 'T' : 'N'}${tb ? 'T' : 'N'} 301×77×130, two items`, ta, tb, m: 301, n: 77, k: 130, a: [0, 1], b: [0, 1], c: [0, 1], betas: [0, 1] });
  }
  cases.push({ name: 'one A for all items (the experts’ input), 1023 rows', ta: false, tb: false, m: 1023, n: 40, k: 33, a: [0, 0, 0], b: [0, 1, 2], c: [0, 1, 2], betas: [0, 0, 0] });
  cases.push({ name: 'one C accumulated by every item, β = 0 then 1 (an input gradient over the experts)', ta: false, tb: true, m: 517, n: 61, k: 90, a: [0, 1, 2, 3], b: [0, 1, 2, 3], c: [0, 0, 0, 0], betas: [0, 1, 1, 1] });
  cases.push({ name: 'β = 1 from the start, Aᵀ shared (a weight gradient added onto)', ta: true, tb: false, m: 250, n: 130, k: 257, a: [0, 0], b: [0, 1], c: [0, 1], betas: [1, 1] });

  for (const t of cases) {
    it(`${t.name}: the same bits as one thread`, async () => {
      await threads.ready();
      const { memory, x, resetArena } = instantiate();
      const { m, n, k } = t;
      expect(2 * m * n * k * t.a.length).toBeGreaterThanOrEqual(MIN_SPLIT_FLOPS);
      let seed = m * 7 + n;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
      const heap = new Float32Array(memory.buffer);
      // Operands by element offset: A blocks from 1 MiB on, B blocks from 32 MiB, C blocks from 64 MiB.
      const aAt = (i: number) => (1 << 18) + i * m * k;
      const bAt = (i: number) => (8 << 20) + i * k * n;
      const cAt = (i: number) => (16 << 20) + i * m * n;
      for (let i = 0; i < 4; i++) {
        for (let e = 0; e < m * k; e++) heap[aAt(i) + e] = rnd();
        for (let e = 0; e < k * n; e++) heap[bAt(i) + e] = rnd();
        for (let e = 0; e < m * n; e++) heap[cAt(i) + e] = rnd();
      }
      const cInit = Array.from({ length: 4 }, (_, i) => heap.slice(cAt(i), cAt(i) + m * n));
      const offs = (f: (i: number) => number, ids: number[]) => Int32Array.from(ids, f);
      const aOffs = offs(aAt, t.a);
      const bOffs = offs(bAt, t.b);
      const cOffs = offs(cAt, t.c);
      const betas = Float32Array.from(t.betas);
      const lists = 1 << 16; // byte address of the staged offset lists
      const stage = () => {
        new Int32Array(memory.buffer, lists, 64).set([...aOffs, ...Array(16 - aOffs.length).fill(0), ...bOffs, ...Array(16 - bOffs.length).fill(0), ...cOffs]);
        new Float32Array(memory.buffer, lists + 256, 16).set(betas);
      };
      stage();
      // Rows [r0, r1) in this memory, as src/exec/wasm-accel.ts runs them in tfjs's heap.
      const run = (r0: number, r1: number, lda: number, ldb: number, ldc: number) => {
        resetArena();
        const shifted = (o: Int32Array, by: number) => o.map((v) => v + by);
        new Int32Array(memory.buffer, lists, 16).set(shifted(aOffs, t.ta ? r0 : r0 * k));
        new Int32Array(memory.buffer, lists + 128, 16).set(shifted(cOffs, r0 * n));
        x.gemm_ld_at(0, +t.ta, +t.tb, r1 - r0, n, k, lda, ldb, ldc, lists, lists + 64, lists + 128, lists + 256, t.a.length);
      };
      // One thread: the whole product.
      run(0, m, t.ta ? m : k, t.tb ? k : n, n);
      const whole = t.c.map((c) => heap.slice(cAt(c), cAt(c) + m * n));
      cInit.forEach((c, i) => heap.set(c, cAt(i)));
      // Split: the main thread's rows through `run`, the rest on the helpers — then again with the helpers
      // stopped, so that the main thread takes their blocks back (what it does when a busy machine has not
      // scheduled them by the time its own rows are done).
      for (const pool of [threads, stopped]) {
        cInit.forEach((c, i) => heap.set(c, cAt(i)));
        const before = { splits: pool.splits, reclaimed: pool.reclaimed };
        expect(pool.gemm(memory.buffer, t.ta, t.tb, m, n, k, aOffs, bOffs, cOffs, betas, run)).toBe(true);
        expect(pool.splits).toBe(before.splits + 1);
        if (pool === stopped) expect(pool.reclaimed).toBe(before.reclaimed + 2);
        t.c.forEach((c, i) => {
          const got = heap.slice(cAt(c), cAt(c) + m * n);
          expect(Buffer.from(got.buffer).equals(Buffer.from(whole[i]!.buffer)), `item ${i}${pool === stopped ? ', blocks taken back' : ''}`).toBe(true);
        });
      }
    });
  }

  it('keeps small products on the main thread', async () => {
    await threads.ready();
    const memory = new WebAssembly.Memory({ initial: 1 });
    const one = new Int32Array(1);
    let mainRows = -1;
    expect(threads.gemm(memory.buffer, false, false, 16, 16, 16, one, one, one, new Float32Array(1), (_, r1) => (mainRows = r1))).toBe(false);
    expect(mainRows).toBe(-1);
  });
});

describe('a training step with the GEMMs on helper threads', () => {
  it('mmoe at batch 1024 on tfjs’s heap: the same losses and predictions, to the last bit, as on one thread', async () => {
    const prev = { blas: process.env['MTL_NATIVE_BLAS'], threads: process.env['MTL_THREADS'] };
    process.env['MTL_NATIVE_BLAS'] = 'off';
    process.env['MTL_THREADS'] = '2'; // one helper (the default is one thread)
    try {
      const { selectBackend } = await import('../../src/exec/backend.js');
      const { wasmKernelThreads } = await import('../../src/exec/wasm-accel.js');
      const { compileWorkload, syntheticBatches } = await import('../../bench/workload.js');
      const selected = await selectBackend('wasm');
      const pool = wasmKernelThreads()!;
      expect(selected.note).toContain('direct step, 2 threads');
      expect(await pool.ready()).toBe(2);
      const run = async (split: boolean) => {
        pool.enabled = split;
        const { ir, runtime } = await compileWorkload('mmoe', 1000, 7);
        const batches = syntheticBatches(ir, 1000, 1024, 2, 3);
        const losses = [0, 1, 0].map((i) => runtime.trainStep(batches[i]!).loss);
        const scores = runtime.predict(batches[1]!);
        runtime.dispose();
        return { losses, scores };
      };
      const one = await run(false);
      const before = pool.splits;
      const split = await run(true);
      expect(pool.splits).toBeGreaterThan(before);
      expect(split.losses).toEqual(one.losses);
      expect(JSON.stringify(split.scores)).toBe(JSON.stringify(one.scores));
    } finally {
      for (const [name, value] of [['MTL_NATIVE_BLAS', prev.blas], ['MTL_THREADS', prev.threads]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      const { wasmKernelThreads } = await import('../../src/exec/wasm-accel.js');
      const pool = wasmKernelThreads();
      if (pool) pool.enabled = true;
    }
  }, 120_000);
});
