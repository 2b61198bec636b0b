/** The native backend's fast paths (fused dense optimiser, row kernels, copies) against their references. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/exec/backend.js';
import { DenseOptimizer, type DenseParam } from '../../src/model/optim-dense.js';
import { adagradInPlace, adamInPlace, sgdInPlace, wasmHeapViews } from '../../src/model/optim-dense-fused.js';
import { loadNativeBlas } from '../../src/exec/native-blas.js';
import { sumLeading } from '../../src/exec/wasm-sum.js';
import { SparseOptimizer, type SparseSlots } from '../../src/model/optim-sparse.js';
import { RowGradients } from '../../src/model/embeddings-grad.js';
import { ADAGRAD_EPSILON, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON } from '../../src/model/optim-params.js';
import { mulberry32 } from '../../src/model/seed.js';
import type { OptimizerSettings } from '../../src/model/types.js';

const blas = loadNativeBlas();
const hasNative = typeof blas?.denseUpdate === 'function';

const SHAPES: number[][] = [[37, 11], [11], [3, 4, 5], []];

/** Variables with the same random start for every optimiser under comparison. */
function makeParams(seed: number): DenseParam[] {
  const rand = mulberry32(seed);
  return SHAPES.map((shape, i) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = Float32Array.from({ length: size }, () => rand() - 0.5);
    // made in a tidy, as the layers' weights are: the variable is then the only holder of its data
    return { key: `w${i}`, variable: tf.tidy(() => tf.variable(tf.tensor(values, shape), true)) };
  });
}

/** Gradients of step `s` (deterministic; some very small and some large, to exercise ε and rounding). */
function makeGrads(s: number): tf.Tensor[] {
  const rand = mulberry32(1000 + s);
  return SHAPES.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    return tf.tensor(Float32Array.from({ length: size }, (_, j) => (rand() - 0.5) * (j % 7 === 0 ? 1e-6 : j % 5 === 0 ? 30 : 1)), shape);
  });
}

/** Bit patterns of a variable's values (compares −0 and NaN exactly). */
function bits(t: tf.Tensor): Uint32Array {
  return new Uint32Array(new Float32Array(t.dataSync()).buffer);
}


/** Concat, SplitV and Slice results on the current backend for a few shapes and axes (int32 and float32). */
function copyCases(): number[][] {
  return tf.tidy(() => {
    const res: number[][] = [];
    const a = tf.tensor(Float32Array.from({ length: 6 * 5 }, (_, i) => i + 0.5), [6, 5]);
    const b = tf.tensor(Float32Array.from({ length: 6 * 3 }, (_, i) => -i), [6, 3]);
    const c = tf.tensor(Int32Array.from({ length: 2 * 6 * 4 }, (_, i) => i * 3), [2, 6, 4], 'int32');
    const d = tf.tensor(Int32Array.from({ length: 2 * 6 * 1 }, (_, i) => -i), [2, 6, 1], 'int32');
    res.push(Array.from(tf.concat([a, b, a], 1).dataSync()));
    res.push(Array.from(tf.concat([a, a], 0).dataSync()));
    res.push(Array.from(tf.concat([c, d], 2).dataSync()));
    res.push(Array.from(tf.concat([c, c], 1).dataSync()));
    res.push(Array.from(tf.concat([a, tf.zeros([6, 0]), b], -1).dataSync()));
    res.push(...tf.split(tf.concat([a, b], 1), [5, 3], 1).map((t) => Array.from(t.dataSync())));
    res.push(Array.from(tf.slice(a, [1, 2], [3, 2]).dataSync()));
    return res;
  });
}

describe('fused dense optimiser loops (JS)', () => {
  beforeAll(async () => {
    expect((await selectBackend('wasm')).name).toBe('wasm');
  });

  for (const optimizer of ['adam', 'adagrad', 'sgd'] as const) {
    it(`${optimizer}: bit-for-bit the tfjs-op optimiser over 5 steps`, () => {
      const settings: OptimizerSettings = { optimizer, lr: 0.01 };
      const params = makeParams(7);
      const reference = new DenseOptimizer(settings, params, { fused: false });
      const w = params.map((p) => new Float32Array(p.variable.dataSync()));
      const s0 = params.map((p) => new Float32Array(p.variable.size).fill(optimizer === 'adagrad' ? 0.1 : 0));
      const s1 = params.map((p) => new Float32Array(p.variable.size));
      for (let s = 0; s < 5; s++) {
        const g = makeGrads(s);
        reference.apply(g);
        g.forEach((t, i) => {
          const gv = new Float32Array(t.dataSync());
          if (optimizer === 'sgd') sgdInPlace(w[i]!, gv, settings.lr);
          else if (optimizer === 'adagrad') adagradInPlace(w[i]!, s0[i]!, gv, settings.lr);
          else adamInPlace(w[i]!, s0[i]!, s1[i]!, gv, settings.lr, s + 1);
        });
        g.forEach((t) => t.dispose());
      }
      const state = reference.getState('o').tensors;
      params.forEach((p, i) => {
        expect(new Uint32Array(w[i]!.buffer)).toEqual(bits(p.variable));
        if (optimizer !== 'sgd') expect(new Uint32Array(s0[i]!.buffer)).toEqual(new Uint32Array(state[`o/w${i}/0`]!.data.buffer));
        if (optimizer === 'adam') expect(new Uint32Array(s1[i]!.buffer)).toEqual(new Uint32Array(state[`o/w${i}/1`]!.data.buffer));
      });
      expect(Array.from(w[0]!)).not.toEqual(Array.from(makeParams(7)[0]!.variable.dataSync()));
      reference.dispose();
      params.forEach((p) => p.variable.dispose());
    });
  }

  it('wasm Concat (in-heap copies), SplitV and Slice equal the cpu backend', async () => {
    const wasm = copyCases();
    await tf.setBackend('cpu');
    const cpu = copyCases();
    expect((await selectBackend('wasm')).name).toBe('wasm');
    expect(wasm).toEqual(cpu);
    expect(wasm[0]!.length).toBe(6 * 13);
  });

  it('is not used on wasm without heap kernels (MTL_WASM_KERNELS=off: XNNPACK caches packed weights by tensor id): the op path runs', async () => {
    process.env['MTL_WASM_KERNELS'] = 'off';
    try {
      expect((await selectBackend('wasm')).note).toMatch(/tfjs's kernels only/);
    } finally {
      delete process.env['MTL_WASM_KERNELS'];
    }
    expect(wasmHeapViews()).toBeUndefined();
    const params = makeParams(2);
    const ids = params.map((p) => p.variable.dataId);
    const opt = new DenseOptimizer({ optimizer: 'adam', lr: 0.01 }, params);
    const g = makeGrads(0);
    opt.apply(g);
    expect(params.map((p) => p.variable.dataId)).not.toEqual(ids);
    g.forEach((t) => t.dispose());
    opt.dispose();
    params.forEach((p) => p.variable.dispose());
  });

  it('has heap views on wasm and sees a shared weight as not exclusive', () => {
    const heap = wasmHeapViews(true);
    expect(heap).toBeDefined();
    const v = tf.variable(tf.tensor([1, 2, 3]), true);
    expect(heap!.exclusive(v)).toBe(false); // still shares its data with the tensor it was made from
    expect(Array.from(heap!.view(v)!)).toEqual([1, 2, 3]);
    v.dispose();
  });
});

describe.skipIf(!hasNative)('fused dense optimiser on the native backend (in place)', () => {
  beforeAll(async () => {
    expect((await selectBackend('native')).name).toBe('native');
  });
  afterAll(async () => {
    await selectBackend('wasm');
  });

  for (const optimizer of ['adam', 'adagrad', 'sgd'] as const) {
    it(`${optimizer}: bit-for-bit equal to the tfjs-op path over 5 steps, with equal state`, () => {
      const settings: OptimizerSettings = { optimizer, lr: 0.01 };
      const pa = makeParams(7);
      const pb = makeParams(7);
      const fused = new DenseOptimizer(settings, pa);
      const reference = new DenseOptimizer(settings, pb, { fused: false });
      const ids = pa.map((p) => p.variable.dataId);
      const idsB = pb.map((p) => p.variable.dataId);
      for (let s = 0; s < 5; s++) {
        const ga = makeGrads(s);
        const gb = makeGrads(s);
        fused.apply(ga);
        reference.apply(gb);
        [...ga, ...gb].forEach((g) => g.dispose());
      }
      pa.forEach((p, i) => expect(bits(p.variable)).toEqual(bits(pb[i]!.variable)));
      // the fused path ran (in place: same data) and the reference did not
      expect(pa.map((p) => p.variable.dataId)).toEqual(ids);
      expect(pb[0]!.variable.dataId).not.toBe(idsB[0]);
      expect(Array.from(pa[0]!.variable.dataSync())).not.toEqual(Array.from(makeParams(7)[0]!.variable.dataSync()));
      const sa = fused.getState('o');
      const sb = reference.getState('o');
      expect(sa.step).toBe(5);
      expect(Object.keys(sa.tensors)).toEqual(Object.keys(sb.tensors));
      for (const k of Object.keys(sa.tensors)) expect(new Uint32Array(sa.tensors[k]!.data.buffer)).toEqual(new Uint32Array(sb.tensors[k]!.data.buffer));
      fused.dispose();
      reference.dispose();
      [...pa, ...pb].forEach((p) => p.variable.dispose());
    });
  }

  it('Concat, SplitV and Slice through the addon equal the cpu backend', async () => {
    const native = copyCases();
    await tf.setBackend('cpu');
    const cpu = copyCases();
    expect((await selectBackend('native')).name).toBe('native');
    expect(native).toEqual(cpu);
  });

  it('row gradients: addRows in the addon sums repeated rows exactly as addRow (and grows its buffers)', () => {
    const [V, dim] = [300, 16];
    const native = new RowGradients(V, dim);
    const js = new RowGradients(V, dim);
    const rand = mulberry32(11);
    for (let call = 0; call < 3; call++) {
      const rows = Int32Array.from({ length: 200 }, () => Math.floor(rand() * (call === 0 ? 20 : V)));
      const grad = Float32Array.from({ length: rows.length * dim }, () => rand() - 0.5);
      native.addRows(rows, grad);
      for (let b = 0; b < rows.length; b++) js.addRow(rows[b]!, grad, b * dim, 1);
    }
    const a = native.take();
    const b = js.take();
    expect(Array.from(a.rows)).toEqual(Array.from(b.rows));
    // views of each accumulator's buffer (capacities differ): compare the taken values only
    expect(new Uint32Array(a.grads.buffer, a.grads.byteOffset, a.grads.length)).toEqual(new Uint32Array(b.grads.buffer, b.grads.byteOffset, b.grads.length));
    expect(a.rows.length).toBeGreaterThan(64); // past the initial capacity
    expect(native.take().rows.length).toBe(0);
  });

  it('embedding lookup in the addon returns the table rows, and rejects a row outside the table', () => {
    const data = Float32Array.from({ length: 50 * 4 }, (_, i) => i * 0.5);
    const rows = Int32Array.from([3, 49, 0, 3]);
    const out = new Float32Array(rows.length * 4);
    blas!.gatherRows!(data, 4, rows, out);
    expect(Array.from(out)).toEqual(Array.from(rows).flatMap((r) => Array.from(data.subarray(r * 4, r * 4 + 4))));
    expect(() => blas!.gatherRows!(data, 4, Int32Array.from([50]), new Float32Array(4))).toThrow(/out of range/);
  });

  it('sparse lazy Adam in the addon is bit-for-bit the JS loop (repeated rows, several steps)', () => {
    const [rows, dim] = [500, 16];
    const mk = (): { table: Float32Array; slots: SparseSlots } => {
      const table = Float32Array.from({ length: rows * dim }, (_, i) => Math.sin(i) * 0.05);
      return { table, slots: { m: new Float32Array(rows * dim), v: new Float32Array(rows * dim), steps: new Float32Array(rows) } };
    };
    const a = mk();
    const b = mk();
    const native = new SparseOptimizer({ optimizer: 'adam', lr: 0.002 });
    const js = new SparseOptimizer({ optimizer: 'adam', lr: 0.002 }, false);
    const rand = mulberry32(4);
    for (let s = 0; s < 6; s++) {
      const touched = Int32Array.from(new Set(Array.from({ length: 120 }, () => Math.floor(rand() * (s < 3 ? 50 : rows)))));
      const grads = Float32Array.from({ length: touched.length * dim }, () => (rand() - 0.5) * (rand() < 0.1 ? 1e-6 : 2));
      native.update(a.table, dim, a.slots, touched, grads, 0.002, s + 1); // lazy Adam: the global step s + 1
      js.update(b.table, dim, b.slots, touched, grads, 0.002, s + 1);
    }
    const u = (x: Float32Array): Uint32Array => new Uint32Array(x.buffer);
    expect(u(a.table)).toEqual(u(b.table));
    expect(u(a.slots.m!)).toEqual(u(b.slots.m!));
    expect(u(a.slots.v!)).toEqual(u(b.slots.v!));
    expect(Array.from(a.slots.steps!)).toEqual(Array.from(b.slots.steps!));
    expect(Math.max(...a.slots.steps!)).toBeGreaterThan(2);
  });

  it('adam: resumes exactly from getState/setState, and never changes an earlier read or a shared tensor', () => {
    const settings: OptimizerSettings = { optimizer: 'adam', lr: 0.003 };
    const pa = makeParams(3);
    const a = new DenseOptimizer(settings, pa);
    for (let s = 0; s < 3; s++) {
      const g = makeGrads(s);
      a.apply(g);
      g.forEach((t) => t.dispose());
    }
    const state = a.getState('o');
    const pb = makeParams(3);
    pb.forEach((p, i) => p.variable.assign(pa[i]!.variable));
    const b = new DenseOptimizer(settings, pb);
    expect(b.setState('o', state.tensors, state.step)).toEqual([]);
    const before = pa[0]!.variable.dataSync().slice();
    const earlier = pa[0]!.variable.dataSync();
    const shared = tf.reshape(pb[0]!.variable, [-1]); // pb[0] shares data with pa[0] and this: not written in place
    const sharedBefore = shared.dataSync().slice();
    for (let s = 3; s < 6; s++) {
      const ga = makeGrads(s);
      const gb = makeGrads(s);
      a.apply(ga);
      b.apply(gb);
      [...ga, ...gb].forEach((t) => t.dispose());
    }
    pa.forEach((p, i) => expect(bits(p.variable)).toEqual(bits(pb[i]!.variable)));
    expect(Array.from(earlier)).toEqual(Array.from(before));
    expect(Array.from(shared.dataSync())).toEqual(Array.from(sharedBefore));
    expect(Array.from(pa[0]!.variable.dataSync())).not.toEqual(Array.from(before));
    shared.dispose();
    a.dispose();
    b.dispose();
    [...pa, ...pb].forEach((p) => p.variable.dispose());
  });
});


describe.skipIf(!hasNative)('fused dense optimiser in the addon (native backend)', () => {
  /** Random float32 values, some tiny and some large. */
  function rnd(n: number, seed: number, scale = 1): Float32Array {
    const rand = mulberry32(seed);
    return Float32Array.from({ length: n }, (_, j) => (rand() - 0.5) * scale * (j % 7 === 0 ? 1e-6 : j % 5 === 0 ? 30 : 1));
  }
  const u32 = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);
  const N = 1037; // not a multiple of the vector width: the scalar tail runs too

  it('adam, adagrad and sgd are bit-for-bit the JS loops over several steps', () => {
    const lr = 0.01;
    for (const kind of [0, 1, 2] as const) {
      const [w1, w2] = [rnd(N, 1), rnd(N, 1)];
      const [m1, m2] = [kind === 1 ? new Float32Array(N).fill(0.1) : new Float32Array(N), kind === 1 ? new Float32Array(N).fill(0.1) : new Float32Array(N)];
      const [v1, v2] = [new Float32Array(N), new Float32Array(N)];
      for (let step = 1; step <= 4; step++) {
        const g = rnd(N, 100 + step);
        if (kind === 0) {
          blas!.denseUpdate!(0, w1, g, w1, w1, [lr]);
          sgdInPlace(w2, g, lr);
        } else if (kind === 1) {
          blas!.denseUpdate!(1, w1, g, m1, m1, [ADAGRAD_EPSILON, lr]);
          adagradInPlace(w2, m2, g, lr);
        } else {
          const c1 = 1 - Math.pow(ADAM_BETA1, step);
          const c2 = 1 - Math.pow(ADAM_BETA2, step);
          blas!.denseUpdate!(2, w1, g, m1, v1, [ADAM_BETA1, ADAM_BETA2, 1 - ADAM_BETA1, 1 - ADAM_BETA2, c1, c2, ADAM_EPSILON, lr]);
          adamInPlace(w2, m2, v2, g, lr, step);
        }
      }
      expect(u32(w1)).toEqual(u32(w2));
      expect(u32(m1)).toEqual(u32(m2));
      expect(u32(v1)).toEqual(u32(v2));
      expect(Array.from(w1)).not.toEqual(Array.from(rnd(N, 1)));
    }
  });

  it('sumRows (the bias-gradient Sum on native) is bit-for-bit wasm-sum.ts sumLeading', () => {
    const [rows, len] = [1024, 37];
    const x = rnd(rows * len, 9, 3);
    const a = new Float32Array(len);
    const b = new Float32Array(len);
    blas!.sumRows!(x, rows, len, a);
    sumLeading(x, rows, len, b);
    expect(u32(a)).toEqual(u32(b));
    expect(a.some((v) => v !== 0)).toBe(true);
    expect(() => blas!.sumRows!(x, rows + 1, len, a)).toThrow(/too small/);
  });

  it('rejects arrays of different lengths instead of writing past one', () => {
    expect(() => blas!.denseUpdate!(2, new Float32Array(4), new Float32Array(3), new Float32Array(4), new Float32Array(4), [0.9, 0.999, 0.1, 0.001, 0.1, 0.001, 1e-7, 0.01])).toThrow(/differ in length/);
  });
});
