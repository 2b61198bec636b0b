/**
 * The addon's optimiser loops (native/mtl_blas_optim.c, mtl_blas_parallel.c): every embedding rule, the
 * gradient regularisers (clipping's scale, embedding_l2), Σg², array scaling and the fused dense update are
 * bit-for-bit their JS loops (src/model/optim-sparse.ts, optim-step.ts, optim-dense-fused.ts), and the same bits with one thread
 * and with two (the loops split touched rows across the addon's pool; the sizes here are large enough that
 * they do). Nothing here depends on timing: each call returns after all its threads have finished.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/exec/backend.js';
import { loadNativeBlas } from '../../src/exec/native-blas.js';
import { threadCount } from '../../src/exec/thread-count.js';
import { prepareRowGradients, SparseOptimizer, type SparseRule, type SparseSlots, type TableUpdate } from '../../src/model/optim-sparse.js';
import { squaredSum } from '../../src/model/optim-step.js';
import { adamInPlace, decayInPlace, scaleInPlace } from '../../src/model/optim-dense-fused.js';
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON } from '../../src/model/optim-params.js';
import { mulberry32 } from '../../src/model/seed.js';
import { RowGradients } from '../../src/model/embeddings-grad.js';
import type { OptimizerSettings } from '../../src/model/types.js';

const blas = loadNativeBlas();
const hasNative = typeof blas?.embeddingUpdate === 'function';

const u32 = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

/** Settings whose sparse rule is `rule` (adam: plain adam; sgd: plain sgd). */
function settingsFor(rule: SparseRule): OptimizerSettings {
  if (rule === 'sgd') return { optimizer: 'sgd', lr: 0.05 };
  if (rule === 'adam') return { optimizer: 'adam', lr: 0.002 };
  return { optimizer: 'adam', lr: 0.002, recipe: { embeddingOptimizer: rule } };
}

/** A table of rows × dim with its rule's fresh slots, the same for every copy. */
function makeTable(opt: SparseOptimizer, rows: number, dim: number): { table: Float32Array; slots: SparseSlots } {
  const table = Float32Array.from({ length: rows * dim }, (_, i) => Math.sin(i) * 0.05);
  return { table, slots: opt.createSlots(rows, dim) };
}

/** Unique touched rows and their gradients for step `s` (some tiny, some large: ε and rounding matter). */
function batch(s: number, rows: number, dim: number, touched: number): { ids: Int32Array; grads: Float32Array } {
  const rand = mulberry32(100 + s);
  const ids = Int32Array.from(new Set(Array.from({ length: touched }, () => Math.floor(rand() * rows))));
  const grads = Float32Array.from({ length: ids.length * dim }, () => (rand() - 0.5) * (rand() < 0.1 ? 1e-6 : 2));
  return { ids, grads };
}

/** Run `steps` updates of `rule` with the regularisers, natively (with `threads`) or with the JS loops. */
function train(rule: SparseRule, native: boolean, threads: number, opts: { rows: number; dim: number; touched: number; steps: number; scale: number; l2: number }): { table: Float32Array; slots: SparseSlots } {
  const opt = new SparseOptimizer(settingsFor(rule), native);
  const t = makeTable(opt, opts.rows, opts.dim);
  blas!.setNumThreads(threads);
  for (let s = 0; s < opts.steps; s++) {
    const { ids, grads } = batch(s, opts.rows, opts.dim, opts.touched);
    prepareRowGradients(t.table, opts.dim, ids, grads, opts.scale, opts.l2, native);
    opt.update(t.table, opts.dim, t.slots, ids, grads, opt.settings.lr * (1 + s / 10), s + 1);
  }
  return t;
}

/** Every value of both tables and slots, as bits. */
function expectSameBits(a: { table: Float32Array; slots: SparseSlots }, b: { table: Float32Array; slots: SparseSlots }): void {
  expect(u32(a.table)).toEqual(u32(b.table));
  for (const k of ['m', 'v', 'steps'] as const) {
    expect(a.slots[k] === undefined).toBe(b.slots[k] === undefined);
    if (a.slots[k]) expect(u32(a.slots[k]!)).toEqual(u32(b.slots[k]!));
  }
}

describe.skipIf(!hasNative)('embedding optimisers in the addon (native backend)', () => {
  beforeAll(async () => {
    expect((await selectBackend('native')).name).toBe('native');
  });
  afterAll(async () => {
    blas!.setNumThreads(threadCount());
    await selectBackend('wasm');
  });

  // ~1,000 unique rows touched of 16 values: ~16,000 values a step, several chunks of the pool's 4,096
  const big = { rows: 3000, dim: 16, touched: 1300, steps: 4, scale: 0.75, l2: 0.01 };
  for (const rule of ['lazy_adam', 'adam', 'adagrad', 'rowwise_adagrad', 'sgd'] as const) {
    it(`${rule} with clipping's scale and embedding_l2: the JS loop's bits, with 1 thread and with 2`, () => {
      const js = train(rule, false, 1, big);
      const one = train(rule, true, 1, big);
      const two = train(rule, true, 2, big);
      expectSameBits(one, js);
      expectSameBits(two, js);
      // the update did something (a test that cannot fail would pass on an untouched table too)
      expect(u32(js.table)).not.toEqual(u32(makeTable(new SparseOptimizer(settingsFor(rule)), big.rows, big.dim).table));
    });
  }

  it('dense-equivalent adam: rows that missed updates (long and short gaps, past the catch-up window) catch up to the JS loop\'s bits', () => {
    // few rows touched per step over many steps: gaps from 1 to beyond ADAM_CATCH_UP_WINDOW (192), with the rate
    // changing every step (train() scales it), and a catch-up of every row at the end as the export does
    const opts = { rows: 600, dim: 20, touched: 25, steps: 260, scale: 1, l2: 0.01 };
    const finish = (t: { table: Float32Array; slots: SparseSlots }, native: boolean): void => {
      const opt = new SparseOptimizer(settingsFor('adam'), native);
      for (let s = 0; s < opts.steps; s++) opt.updateTables([], opt.settings.lr * (1 + s / 10), s + 1); // the same rates
      const all = Int32Array.from({ length: opts.rows }, (_, r) => r);
      opt.catchUp(t.table, opts.dim, t.slots, Int32Array.from([...all, ...all.slice(0, 50)]), opts.steps); // repeats too
    };
    const js = train('adam', false, 1, opts);
    finish(js, false);
    for (const threads of [1, 2]) {
      const t = train('adam', true, threads, opts);
      blas!.setNumThreads(threads);
      finish(t, true);
      expectSameBits(t, js);
    }
    expect(js.slots.steps!.every((x) => x === opts.steps || x === 0)).toBe(true);
  });

  it('lazy Adam over many steps and at a non-whole global step', () => {
    const opts = { rows: 12, dim: 4, touched: 40, steps: 80, scale: 1, l2: 0 };
    const two = train('lazy_adam', true, 2, opts);
    const js = train('lazy_adam', false, 1, opts);
    expectSameBits(two, js);
    expect(Math.max(...two.slots.steps!)).toBeGreaterThan(64);
    // a global step that is not a whole number (a hand-edited checkpoint): the JS loop takes over, same bits
    const native = new SparseOptimizer(settingsFor('lazy_adam'));
    const ref = new SparseOptimizer(settingsFor('lazy_adam'), false);
    const a = makeTable(native, 10, 4);
    const b = makeTable(ref, 10, 4);
    const ids = Int32Array.from([3, 7]);
    const grads = Float32Array.from({ length: 8 }, (_, i) => i / 7 - 0.5);
    native.update(a.table, 4, a.slots, ids, grads, undefined, 2.5);
    ref.update(b.table, 4, b.slots, ids, grads, undefined, 2.5);
    expectSameBits(a, b);
    expect(a.slots.steps![3]).toBe(2.5); // the update at which the row last moved
  });

  it('lazy Adam on several tables in one call (dims 16, 4 and 1, one table untouched): each table the JS loop\'s bits', () => {
    const shapes = [
      { rows: 4000, dim: 16, touched: 1500 },
      { rows: 50, dim: 4, touched: 0 },
      { rows: 900, dim: 4, touched: 800 },
      { rows: 30_000, dim: 1, touched: 9000 },
    ];
    const run = (native: boolean, threads: number): Array<{ table: Float32Array; slots: SparseSlots }> => {
      blas!.setNumThreads(threads);
      const opt = new SparseOptimizer(settingsFor('lazy_adam'), native);
      const ts = shapes.map((sh) => makeTable(opt, sh.rows, sh.dim));
      for (let s = 0; s < 3; s++) {
        const list: TableUpdate[] = shapes.map((sh, i) => {
          const { ids, grads } = batch(10 * s + i, sh.rows, sh.dim, sh.touched);
          return { table: ts[i]!.table, dim: sh.dim, slots: ts[i]!.slots, rows: ids, grads };
        });
        opt.updateTables(list, 0.003, s + 1);
      }
      return ts;
    };
    const js = run(false, 1);
    for (const threads of [1, 2]) run(true, threads).forEach((t, i) => expectSameBits(t, js[i]!));
    expect(js[3]!.slots.steps!.some((x) => x === 3)).toBe(true);
  });

  it('lazy Adam on several tables: a row outside its table throws before any table changes', () => {
    const opt = new SparseOptimizer(settingsFor('lazy_adam'));
    const a = makeTable(opt, 10, 4);
    const b = makeTable(opt, 10, 4);
    const before = [a.table.slice(), b.table.slice()];
    const g = new Float32Array(8).fill(0.5);
    expect(() =>
      opt.updateTables([
        { ...a, dim: 4, rows: Int32Array.from([1, 2]), grads: g },
        { ...b, dim: 4, rows: Int32Array.from([3, 10]), grads: g },
      ]),
    ).toThrow(/row is out of range/);
    expect(u32(a.table)).toEqual(u32(before[0]!));
    expect(u32(b.table)).toEqual(u32(before[1]!));
    expect(a.slots.steps!.every((x) => x === 0)).toBe(true);
  });

  it('Σg² (clip_norm), scaling and weight decay of dense arrays: the JS loops\' bits', () => {
    const rand = mulberry32(9);
    const x = Float32Array.from({ length: 20_003 }, () => (rand() - 0.5) * (rand() < 0.1 ? 1e-20 : 3));
    expect(squaredSum(x)).toBe(squaredSum(x, false));
    expect(squaredSum(x)).toBeGreaterThan(0);
    for (const threads of [1, 2]) {
      blas!.setNumThreads(threads);
      const [a, b] = [x.slice(), x.slice()];
      scaleInPlace(a, 0.123456789);
      scaleInPlace(b, 0.123456789, false);
      expect(u32(a)).toEqual(u32(b));
      const [c, d] = [x.slice(), x.slice()];
      decayInPlace(c, 1 - 0.01 * 0.3);
      decayInPlace(d, 1 - 0.01 * 0.3, false);
      expect(u32(c)).toEqual(u32(d));
      expect(u32(c)).not.toEqual(u32(x));
    }
  });

  it('the fused dense Adam of a large weight, split across threads: the float32 JS loop\'s bits', () => {
    const n = 100_003; // several chunks, and a tail
    const rand = mulberry32(17);
    const start = Float32Array.from({ length: n }, () => rand() - 0.5);
    const grads = [0, 1, 2].map(() => Float32Array.from({ length: n }, () => (rand() - 0.5) * (rand() < 0.1 ? 1e-6 : 3)));
    const [wj, mj, vj] = [start.slice(), new Float32Array(n), new Float32Array(n)];
    grads.forEach((g, s) => adamInPlace(wj, mj, vj, g, 0.01, s + 1));
    for (const threads of [1, 2]) {
      blas!.setNumThreads(threads);
      const [w, m, v] = [start.slice(), new Float32Array(n), new Float32Array(n)];
      grads.forEach((g, s) =>
        blas!.denseUpdate(2, w, g, m, v, [ADAM_BETA1, ADAM_BETA2, 1 - ADAM_BETA1, 1 - ADAM_BETA2, 1 - Math.pow(ADAM_BETA1, s + 1), 1 - Math.pow(ADAM_BETA2, s + 1), ADAM_EPSILON, 0.01]),
      );
      expect(u32(w)).toEqual(u32(wj));
      expect(u32(m)).toEqual(u32(mj));
      expect(u32(v)).toEqual(u32(vj));
    }
  });

  it('embedding lookup of a large batch across threads returns the table rows', () => {
    const [rows, dim] = [20_000, 16];
    const data = Float32Array.from({ length: rows * dim }, (_, i) => i * 0.25);
    const rand = mulberry32(3);
    const ids = Int32Array.from({ length: 4096 }, () => Math.floor(rand() * rows));
    for (const threads of [1, 2]) {
      blas!.setNumThreads(threads);
      const out = new Float32Array(ids.length * dim).fill(-1);
      blas!.gatherRows(data, dim, ids, out);
      const want = new Float32Array(ids.length * dim);
      ids.forEach((r, b) => want.set(data.subarray(r * dim, r * dim + dim), b * dim));
      expect(u32(out)).toEqual(u32(want));
    }
  });

  it('row gradients over several steps: the addon resets its row map on take (clearSlots) as the JS loop does', () => {
    const [V, dim] = [5000, 8];
    const native = new RowGradients(V, dim);
    const rand = mulberry32(21);
    for (let step = 0; step < 4; step++) {
      const ids = Int32Array.from({ length: 700 }, () => Math.floor(rand() * (step % 2 ? V : 300)));
      const grad = Float32Array.from({ length: ids.length * dim }, () => rand() - 0.5);
      native.addRows(ids, grad);
      const got = native.take();
      // the reference: a fresh accumulator each step, so a row left in the map would show as a wrong order or sum
      const js = new RowGradients(V, dim);
      for (let b = 0; b < ids.length; b++) js.addRow(ids[b]!, grad, b * dim, 1);
      const want = js.take();
      expect(Array.from(got.rows)).toEqual(Array.from(want.rows));
      expect(u32(got.grads)).toEqual(u32(want.grads));
    }
    expect(() => blas!.clearSlots(new Int32Array(10), Int32Array.from([10]))).toThrow(/row is out of range/);
  });

  it('rejects rows outside the table, slots of the wrong size and gradients of the wrong length, changing nothing', () => {
    const table = new Float32Array(10 * 4);
    const acc = new Float32Array(10 * 4);
    const h = Float64Array.from([0.1, 1e-7]);
    const g = new Float32Array(8).fill(1);
    expect(() => blas!.embeddingUpdate(1, table, 4, Int32Array.from([2, 10]), g, acc, h)).toThrow(/row is out of range/);
    expect(() => blas!.embeddingUpdate(2, table, 4, Int32Array.from([2, 3]), g, acc, h)).toThrow(/slot's size/);
    expect(() => blas!.embeddingUpdate(3 as 0, table, 4, Int32Array.from([2, 3]), g, acc, h)).toThrow(/bad kind/);
    expect(() => blas!.embeddingUpdate(7 as 0, table, 4, Int32Array.from([2]), g, acc, h)).toThrow(/bad kind/);
    expect(() => blas!.prepareRowGrads(table, 4, Int32Array.from([2]), g, 0.5, 0)).toThrow(/exactly rows.length x dim/);
    expect(() => blas!.prepareRowGrads(table, 4, Int32Array.from([-1, 2]), g, 0.5, 0)).toThrow(/row is out of range/);
    expect(table.every((x) => x === 0) && acc.every((x) => x === 0) && g.every((x) => x === 1)).toBe(true);
  });
});
