/**
 * The addon's GEMM on its own thread pool (native/mtl_gemm.c), on both builds: the main addon (OpenBLAS's
 * single-threaded cblas_sgemm on chunks of C that the pool hands out, when it is the OpenBLAS build) and the
 * built-in GEMM (native/build-builtin/pool). A gemmAt call with several GEMMs of one shape (a layer's experts)
 * is shared out in one pool call: each GEMM equals a float64 reference within float32 rounding, and a call's
 * result does not depend on which thread claims which chunk (the built-in GEMM's not even on the thread count
 * or the batch). No timings here (bench/).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { values } from './gemm-values.js';
import { loadNativeBlas, nativeBlasError, type NativeBlas } from '../../src/exec/native-blas.js';
import { threadCount } from '../../src/exec/thread-count.js';
import { buildBuiltinAddon, builtinAddonUnbuildable } from './builtin-addon.js';

const requireHere = createRequire(import.meta.url);
const unbuildable = builtinAddonUnbuildable();
const main = loadNativeBlas();


interface Batch {
  m: number;
  n: number;
  k: number;
  ta: boolean;
  tb: boolean;
  count: number;
}

/** One memory holding `count` (A, B, C) triples, seeded, and the offsets of each. */
function layout(b: Batch, seed: number): { mem: Float32Array; ao: Int32Array; bo: Int32Array; co: Int32Array } {
  const { m, n, k, count } = b;
  const per = m * k + k * n + m * n + 1; // + 1: a gap, so an overrun shows as a changed value
  const mem = values(count * per, seed);
  const ao = new Int32Array(count), bo = new Int32Array(count), co = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    ao[i] = i * per;
    bo[i] = ao[i]! + m * k;
    co[i] = bo[i]! + k * n;
  }
  return { mem, ao, bo, co };
}

/** Per GEMM a different beta: 0 (C not read), 1 and 0.5 in turn. */
const betasOf = (count: number): Float32Array => Float32Array.from({ length: count }, (_, i) => [0, 1, 0.5][i % 3]!);

/** gemmAt over the whole batch in one call; the memory after it. */
function runBatch(blas: NativeBlas, b: Batch, seed: number): Float32Array {
  const { mem, ao, bo, co } = layout(b, seed);
  blas.gemmAt(mem, b.ta, b.tb, b.m, b.n, b.k, ao, bo, co, betasOf(b.count));
  return mem;
}

/** One gemmAt call per GEMM of the batch; the memory after them. */
function runOneByOne(blas: NativeBlas, b: Batch, seed: number): Float32Array {
  const { mem, ao, bo, co } = layout(b, seed);
  const betas = betasOf(b.count);
  for (let i = 0; i < b.count; i++) blas.gemmAt(mem, b.ta, b.tb, b.m, b.n, b.k, ao.subarray(i, i + 1), bo.subarray(i, i + 1), co.subarray(i, i + 1), betas.subarray(i, i + 1));
  return mem;
}

/** The first element where `got` is farther from the float64 result than float32 rounding allows, or undefined. */
function offReference(b: Batch, seed: number, got: Float32Array): string | undefined {
  const { m, n, k, ta, tb, count } = b;
  const { mem: before, ao, bo, co } = layout(b, seed);
  const betas = betasOf(count);
  const u = 2 ** -24, gamma = ((k + 2) * u) / (1 - (k + 2) * u);
  for (let g = 0; g < count; g++) {
    const beta = betas[g]!;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0, abs = 0;
        for (let p = 0; p < k; p++) {
          const x = before[ao[g]! + (ta ? p * m + i : i * k + p)]! * before[bo[g]! + (tb ? j * k + p : p * n + j)]!;
          s += x;
          abs += Math.abs(x);
        }
        const bc = beta === 0 ? 0 : beta * before[co[g]! + i * n + j]!;
        const at = co[g]! + i * n + j;
        if (!(Math.abs(got[at]! - (s + bc)) <= gamma * (abs + Math.abs(bc)) + 1e-30)) return `GEMM ${g} C[${i}, ${j}] = ${got[at]} vs ${s + bc}`;
      }
    // A, B and the gap after C are untouched.
    const end = co[g]! + m * n + 1;
    for (let x = ao[g]!; x < end; x++) if (!(x >= co[g]! && x < co[g]! + m * n) && got[x] !== before[x]) return `GEMM ${g}: element ${x} outside C changed`;
  }
  return undefined;
}

const TRANS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

// Each GEMM alone is below the addon's threading threshold (2^20 multiply-adds) for the first shapes, so only
// the batch is threaded; the others are threaded GEMMs split over M, over N, and a batch of 3 big ones.
const BATCHES: Omit<Batch, 'ta' | 'tb'>[] = [
  { m: 100, n: 64, k: 40, count: 5 }, // 5 × 256k multiply-adds: threaded only as a batch
  { m: 37, n: 19, k: 300, count: 9 }, // odd sizes, more GEMMs than chunks
  { m: 300, n: 70, k: 64, count: 1 }, // one threaded GEMM, split over M
  { m: 20, n: 2000, k: 33, count: 1 }, // one threaded GEMM, split over N
  { m: 130, n: 97, k: 129, count: 3 }, // a batch of threaded GEMMs (each cut into pieces)
];

/** The tests on one addon. */
function poolTests(load: () => NativeBlas, sameBitsAnyCut: boolean): void {
  let blas: NativeBlas;
  beforeAll(() => {
    blas = load();
  }, 320_000);

  it('a batch of GEMMs of one shape equals the float64 reference (2 threads, four transposes, beta 0, 1, 0.5)', () => {
    blas.setNumThreads(2);
    let seed = 1;
    for (const shape of BATCHES)
      for (const [ta, tb] of TRANS) {
        const b = { ...shape, ta, tb };
        expect(offReference(b, seed, runBatch(blas, b, seed)), `${blas.config()}: ${JSON.stringify(b)}`).toBeUndefined();
        seed += 7;
      }
  }, 300_000);

  it('a batch summing into one C (β = 0, then 1: an input gradient over the experts) runs in order', () => {
    blas.setNumThreads(2);
    // 16 GEMMs of 1.9M multiply-adds: two threads would each take whole GEMMs at once, on the same C.
    const m = 200, n = 150, k = 64, count = 16;
    let seed = 900;
    for (const [ta, tb] of TRANS) {
      const { mem, ao, bo, co } = layout({ m, n, k, ta, tb, count }, seed);
      const before = mem.slice();
      const one = Int32Array.from({ length: count }, () => co[0]!);
      const betas = Float32Array.from({ length: count }, (_, i) => (i === 0 ? 0 : 1));
      blas.gemmAt(mem, ta, tb, m, n, k, ao, bo, one, betas);
      const u = 2 ** -24, gamma = ((count * k + 2) * u) / (1 - (count * k + 2) * u);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let sum = 0, abs = 0;
          for (let g = 0; g < count; g++)
            for (let p = 0; p < k; p++) {
              const x = before[ao[g]! + (ta ? p * m + i : i * k + p)]! * before[bo[g]! + (tb ? j * k + p : p * n + j)]!;
              sum += x;
              abs += Math.abs(x);
            }
          const got = mem[co[0]! + i * n + j]!;
          expect(Math.abs(got - sum) <= gamma * abs + 1e-30, `${ta ? 'T' : 'N'}${tb ? 'T' : 'N'} C[${i}, ${j}] = ${got} vs ${sum}`).toBe(true);
        }
      seed += 7;
    }
  }, 300_000);

  // The built-in GEMM sums every element in the same order however C is cut into chunks; OpenBLAS's edge
  // kernels (a chunk's last rows or columns) sum in another order than its main ones, so a different cut (the
  // thread count, a batch's size) may change the last bit there. Either way a call's result never depends on
  // which thread claims which chunk: the cut depends only on the shape, the batch size and the thread count.
  it(sameBitsAnyCut ? 'bit-identical on 1 and 2 threads, to one call per GEMM, and run again' : 'bit-identical when run again (2 threads), whichever thread claims which chunk', () => {
    let seed = 500;
    for (const shape of BATCHES)
      for (const [ta, tb] of TRANS) {
        const b = { ...shape, ta, tb };
        blas.setNumThreads(2);
        const two = runBatch(blas, b, seed);
        const same = (x: Float32Array): boolean => Buffer.from(two.buffer).equals(Buffer.from(x.buffer));
        for (let rep = 0; rep < 3; rep++) expect(same(runBatch(blas, b, seed)), `run again, ${JSON.stringify(b)}`).toBe(true);
        if (sameBitsAnyCut) {
          expect(same(runOneByOne(blas, b, seed)), `one call vs one per GEMM, ${JSON.stringify(b)}`).toBe(true);
          blas.setNumThreads(1);
          expect(same(runBatch(blas, b, seed)), `1 vs 2 threads, ${JSON.stringify(b)}`).toBe(true);
        }
        seed += 7;
      }
    blas.setNumThreads(threadCount());
  }, 300_000);
}

describe.skipIf(main === undefined)(`the main addon's GEMM on the pool${main ? ` (${main.config()})` : ` (SKIPPED: ${nativeBlasError()})`}`, () => {
  poolTests(() => main!, !main?.config().startsWith('OpenBLAS'));

  it.skipIf(!main?.config().startsWith('OpenBLAS'))('OpenBLAS reports the pool’s thread count (OpenBLAS itself runs on one)', () => {
    main!.setNumThreads(2);
    expect(main!.getNumThreads()).toBe(2);
    main!.setNumThreads(threadCount());
  });
});

describe.skipIf(unbuildable !== undefined)(`the built-in GEMM on the pool${unbuildable ? ` (SKIPPED: ${unbuildable})` : ''}`, () => {
  poolTests(() => requireHere(buildBuiltinAddon('pool')) as NativeBlas, true);
});
