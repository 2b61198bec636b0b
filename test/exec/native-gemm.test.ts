/**
 * The addon's built-in GEMM (native/mtl_gemm.c, built with MTL_BLAS=builtin into native/build-builtin/gemm,
 * so the main build is left alone) against a float64 reference, and against OpenBLAS when the main addon is
 * built with it: odd shapes (1×1×1, m, n or k = 1, sizes that are not multiples of the micro-kernel's 6×16
 * tile or of the K, M and N blocks; ≤ 4 rows and tiny products take the unpacked path), the four transpose combinations, beta 0, 1 and 0.5, and 512×512×512,
 * on every micro-kernel this CPU runs (MTL_GEMM_KERNEL) and on 1 and 2 threads. No timings here (bench/).
 * Skipped, with the reason, without a C compiler or Node's headers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { values } from './gemm-values.js';
import { loadNativeBlas, type NativeBlas } from '../../src/exec/native-blas.js';
import { buildBuiltinAddon, builtinAddonUnbuildable } from './builtin-addon.js';

const unbuildable = builtinAddonUnbuildable();
const skipNote = unbuildable ? ` (SKIPPED: ${unbuildable})` : '';
const requireHere = createRequire(import.meta.url);


interface Case {
  m: number;
  n: number;
  k: number;
  ta: boolean;
  tb: boolean;
  beta: number;
}

/**
 * gemmAt on one memory holding A (stored K×M when ta), B (N×K when tb) and C (M×N, seeded), in the
 * addon; returns C and the float64 reference with, per element, the bound γ(K+2) · (Σ|a·b| + |β·c|)
 * (the worst case of float32 rounding, whatever the summation order, with u = 2⁻²⁴).
 */
function run(blas: NativeBlas, c: Case, seed: number): { got: Float32Array; want: Float64Array; bound: Float64Array } {
  const { m, n, k, ta, tb, beta } = c;
  const a = values(m * k, seed), b = values(k * n, seed + 1), c0 = values(m * n, seed + 2);
  const mem = new Float32Array(3 + a.length + b.length + c0.length);
  const ao = 1, bo = ao + a.length + 1, co = bo + b.length + 1;
  mem.set(a, ao);
  mem.set(b, bo);
  mem.set(c0, co);
  blas.gemmAt(mem, ta, tb, m, n, k, Int32Array.of(ao), Int32Array.of(bo), Int32Array.of(co), Float32Array.of(beta));
  const want = new Float64Array(m * n), bound = new Float64Array(m * n);
  const u = 2 ** -24, gamma = ((k + 2) * u) / (1 - (k + 2) * u);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0, abs = 0;
      for (let p = 0; p < k; p++) {
        const x = (ta ? a[p * m + i]! : a[i * k + p]!) * (tb ? b[j * k + p]! : b[p * n + j]!);
        s += x;
        abs += Math.abs(x);
      }
      const bc = beta * c0[i * n + j]!;
      want[i * n + j] = s + bc;
      bound[i * n + j] = gamma * (abs + Math.abs(bc)) + 1e-30;
    }
  // The memory around C is untouched.
  expect(mem[0]).toBe(0);
  expect(mem[co - 1]).toBe(0);
  return { got: mem.subarray(co, co + m * n), want, bound };
}

/** The worst |got − want| / bound (≤ 1 passes) and where. */
function worst(got: Float32Array, want: Float64Array, bound: Float64Array): { ratio: number; at: number } {
  let ratio = 0, at = -1;
  for (let i = 0; i < want.length; i++) {
    const r = Math.abs(got[i]! - want[i]!) / bound[i]!;
    if (Number.isNaN(r)) return { ratio: Infinity, at: i };
    if (r > ratio) {
      ratio = r;
      at = i;
    }
  }
  return { ratio, at };
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1023, 17, 5],
  [37, 29, 1], // k = 1
  [1, 300, 70], // m = 1
  [300, 1, 70], // n = 1
  [3, 600, 300], // at most 4 rows: the unpacked path (batch-1 prediction)
  [7, 15, 3], // one partial tile
  [97, 2053, 11], // M over one MC block, N over one NC block (2048)
  [13, 35, 600], // K over two KC blocks (256)
  [300, 200, 64], // threaded, split over M
  [20, 2000, 64], // threaded, split over N
];
const TRANS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

describe.skipIf(unbuildable !== undefined)(`the built-in GEMM equals a float64 reference${skipNote}`, () => {
  let blas: NativeBlas;
  const kernels: string[] = [];
  beforeAll(() => {
    blas = requireHere(buildBuiltinAddon('gemm')) as NativeBlas;
    // Every micro-kernel this CPU runs: MTL_GEMM_KERNEL is read when the thread count is set.
    for (const k of ['portable', 'avx2', 'avx512']) {
      process.env['MTL_GEMM_KERNEL'] = k;
      blas.setNumThreads(1);
      const name = /\(([^,]+),/.exec(blas.config())![1]!;
      if (!kernels.includes(name)) kernels.push(name);
    }
    delete process.env['MTL_GEMM_KERNEL'];
    blas.setNumThreads(2);
  }, 320_000);

  const use = (kernel: string, threads: number): void => {
    process.env['MTL_GEMM_KERNEL'] = kernel === 'portable C' ? 'portable' : kernel === 'AVX2+FMA' ? 'avx2' : 'avx512';
    blas.setNumThreads(threads);
    delete process.env['MTL_GEMM_KERNEL'];
    expect(blas.config()).toBe(`built-in GEMM (${kernel}, ${threads} thread${threads === 1 ? '' : 's'})`);
    expect(blas.getNumThreads()).toBe(threads);
  };

  it('says it is the built-in GEMM, and picks the best kernel of the CPU by default', () => {
    blas.setNumThreads(2);
    expect(blas.config()).toMatch(/^built-in GEMM \((portable C|AVX2\+FMA|AVX-512), 2 threads\)$/);
    expect(blas.config()).toContain(kernels[kernels.length - 1]);
  });

  it('every kernel, 1 and 2 threads: odd shapes × the four transposes × beta 0, 1, 0.5', () => {
    let seed = 1;
    for (const kernel of kernels)
      for (const threads of [1, 2]) {
        use(kernel, threads);
        for (const [m, n, k] of SHAPES)
          for (const [ta, tb] of TRANS)
            for (const beta of [0, 1, 0.5]) {
              const c = { m, n, k, ta, tb, beta };
              const { got, want, bound } = run(blas, c, seed++);
              const w = worst(got, want, bound);
              expect(w.ratio, `${kernel}, ${threads} threads, ${JSON.stringify(c)}: element ${w.at} ${got[w.at]} vs ${want[w.at]}`).toBeLessThanOrEqual(1);
            }
      }
  }, 300_000);

  it('512×512×512 on every kernel (2 threads)', () => {
    for (const kernel of kernels) {
      use(kernel, 2);
      for (const [ta, tb] of [TRANS[0]!, TRANS[3]!]) {
        const { got, want, bound } = run(blas, { m: 512, n: 512, k: 512, ta, tb, beta: 0.5 }, 99);
        expect(worst(got, want, bound).ratio, kernel).toBeLessThanOrEqual(1);
      }
    }
  }, 300_000);

  it('beta 0 never reads C (NaN there does not propagate); k = 0 gives beta · C', () => {
    const mem = new Float32Array(4 + 6 + 6).fill(Number.NaN);
    mem.set([1, 2, 3, 4], 0); // A 2×2
    mem.set([1, 0, 0, 1], 4); // B = I
    const o = (x: number): Int32Array => Int32Array.of(x);
    blas.gemmAt(mem, false, false, 2, 2, 2, o(0), o(4), o(8), Float32Array.of(0));
    expect(Array.from(mem.subarray(8, 12))).toEqual([1, 2, 3, 4]);
    blas.gemmAt(mem, false, false, 2, 2, 0, o(0), o(4), o(8), Float32Array.of(0.5));
    expect(Array.from(mem.subarray(8, 12))).toEqual([0.5, 1, 1.5, 2]);
  });

  it('sgemmBatch (beta 0, batched offsets) on the built-in GEMM', () => {
    const m = 19, n = 23, k = 7;
    const a = values(2 * m * k, 5), b = values(k * n, 6), out = new Float32Array(2 * m * n).fill(Number.NaN);
    blas.sgemmBatch(false, false, m, n, k, a, b, out, Int32Array.of(0, m * k), Int32Array.of(0, 0));
    for (let t = 0; t < 2; t++)
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += a[t * m * k + i * k + p]! * b[p * n + j]!;
          expect(Math.abs(out[t * m * n + i * n + j]! - s)).toBeLessThan(1e-5);
        }
  });

  // OpenBLAS, when the main addon is built with it: the same results within the two rounding bounds.
  const openblas = loadNativeBlas();
  const isOpenBlas = openblas?.config().startsWith('OpenBLAS') === true;
  it.skipIf(!isOpenBlas)(`equals OpenBLAS within float32 rounding${isOpenBlas ? '' : ' (SKIPPED: the main addon is not the OpenBLAS build)'}`, () => {
    blas.setNumThreads(2);
    let seed = 1000;
    for (const [m, n, k] of [...SHAPES, [512, 512, 512] as [number, number, number]])
      for (const [ta, tb] of TRANS) {
        const c = { m, n, k, ta, tb, beta: 0.5 };
        const mine = run(blas, c, seed);
        const theirs = run(openblas!, c, seed++);
        for (let i = 0; i < mine.got.length; i++) {
          if (!(Math.abs(mine.got[i]! - theirs.got[i]!) <= 2 * mine.bound[i]!)) {
            expect.fail(`${JSON.stringify(c)} element ${i}: built-in ${mine.got[i]} vs OpenBLAS ${theirs.got[i]}`);
          }
        }
      }
  }, 300_000);
});
