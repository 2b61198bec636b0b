import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createModelRuntime } from '../../src/model/index.js';
import type { ModelIR, Pooling } from '../../src/ir/types.js';
import { EmbeddingStore } from '../../src/model/embeddings.js';
import { bceWithLogits } from '../../src/model/losses.js';
import { options, randomBatch } from './fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function smallIR(pool: Pooling): ModelIR {
  return {
    version: 1,
    name: 'emb_test',
    plugins: [],
    features: [
      { kind: 'categorical', name: 'user', ids: { kind: 'hash', size: 12 }, dim: 3, width: 3 },
      { kind: 'categorical', name: 'item', ids: { kind: 'vocab', size: 9 }, dim: 3, width: 3 },
      { kind: 'sequence', name: 'hist', ids: { kind: 'vocab', size: 9 }, shares: 'item', pool, maxLen: 3, separator: '|', width: 3 },
      { kind: 'numeric', name: 'price', normalize: 'none', missing: 'zero', width: 1 },
    ],
    labels: [{ name: 'click', type: 'binary' }],
    nodes: [
      { kind: 'input', name: 'all', from: ['user', 'item', 'hist', 'price'], width: 10 },
      { kind: 'tower', name: 't', on: 'all', mlp: { units: [4], activation: 'tanh', dropout: 0, batchNorm: false }, output: 'sigmoid', width: 1 },
    ],
    tasks: [{ name: 't', head: ['t'], loss: { type: 'bce', label: { label: 'click' } }, weight: 1 }],
    metrics: [],
    train: { optimizer: 'sgd', lr: 0.5, batch: 8, epochs: 1, seed: 1, validSplit: 0, weighting: 'static' },
  };
}

describe('sparse embedding updates', () => {
  for (const pool of ['mean', 'sum', 'max'] as const) {
    it(`match a dense-gradient SGD step and touch only the batch's rows (${pool} pooling)`, () => {
      const ir = smallIR(pool);
      const lr = 0.5;
      const rt = createModelRuntime(ir, options({ optimizer: { optimizer: 'sgd', lr } }));
      const batch = randomBatch(ir, 8, 11);
      if (pool === 'max') {
        // tf.max's gradient goes to every tied position (the first id repeated as padding is a tie), while
        // the store takes one argmax: compare on full sequences of distinct ids, where both agree.
        const rows = Int32Array.from({ length: 24 }, (_, i) => (Math.floor(i / 3) + 3 * (i % 3)) % 10);
        batch.features['hist'] = { kind: 'seq', rows, weights: new Float32Array(24).fill(1), maxLen: 3 };
      }
      const before = rt.getState().tensors;
      // Dense reference: gather from whole-table variables, same core model, gradient w.r.t. the tables.
      const core = (rt as unknown as { core: { model: tf.LayersModel } }).core.model;
      const tables = { user: tf.variable(tf.tensor2d(before['embedding/user']!.data, [12, 3])), item: tf.variable(tf.tensor2d(before['embedding/item']!.data, [10, 3])) };
      const col = batch.features;
      const { grads } = tf.variableGrads(() => {
        const user = tf.gather(tables.user, tf.tensor1d((col['user'] as { rows: Int32Array }).rows, 'int32'));
        const item = tf.gather(tables.item, tf.tensor1d((col['item'] as { rows: Int32Array }).rows, 'int32'));
        const seq = col['hist'] as { rows: Int32Array; weights: Float32Array; maxLen: number };
        const e = tf.reshape(tf.gather(tables.item, tf.tensor1d(seq.rows, 'int32')), [8, 3, 3]);
        const weighted = tf.mul(e, tf.reshape(tf.tensor1d(seq.weights), [8, 3, 1]));
        const hist = pool === 'max' ? tf.max(weighted, 1) : tf.sum(weighted, 1);
        const price = tf.tensor2d((col['price'] as { values: Float32Array }).values, [8, 1]);
        const logits = tf.reshape(core.apply([user, item, hist, price]) as tf.Tensor, [8]);
        return tf.mean(bceWithLogits(logits, tf.tensor1d(batch.labels['click']!))) as tf.Scalar;
      }, [tables.user, tables.item]);
      const expected = {
        user: tf.sub(tables.user, tf.mul(grads[tables.user.name]!, lr)).dataSync(),
        item: tf.sub(tables.item, tf.mul(grads[tables.item.name]!, lr)).dataSync(),
      };
      rt.trainStep(batch);
      const after = rt.getState().tensors;
      const touched = {
        user: new Set((col['user'] as { rows: Int32Array }).rows),
        item: new Set([...(col['item'] as { rows: Int32Array }).rows, ...(col['hist'] as { rows: Int32Array }).rows]),
      };
      for (const name of ['user', 'item'] as const) {
        const b = before[`embedding/${name}`]!.data;
        const a = after[`embedding/${name}`]!.data;
        let changed = 0;
        for (let i = 0; i < a.length; i++) {
          const row = Math.floor(i / 3);
          if (!touched[name].has(row)) expect(a[i]).toBe(b[i]);
          else {
            expect(Math.abs(a[i]! - expected[name][i]!)).toBeLessThan(1e-6);
            if (a[i] !== b[i]) changed++;
          }
        }
        expect(changed).toBeGreaterThan(0);
      }
      tf.dispose([tables.user, tables.item, ...Object.values(grads)]);
      rt.dispose();
    });
  }
});

describe('EmbeddingStore', () => {
  const ir = smallIR('mean');

  it('sums the gradients of duplicate rows before one lazy Adam update, leaving other rows and slots untouched', () => {
    const store = new EmbeddingStore(ir.features, { seed: 3, optimizer: { optimizer: 'adam', lr: 0.1 } });
    const before = store.getState();
    const lookup = store.lookup('user', { kind: 'ids', rows: new Int32Array([4, 4, 7]) }, 3);
    expect(Array.from(lookup.values.subarray(0, 3))).toEqual(Array.from(before['embedding/user']!.data.subarray(12, 15)));
    store.backward(lookup, new Float32Array([1, 2, 3, 1, 2, 3, -1, 0, 0]));
    store.step();
    const after = store.getState();
    const m = after['embedding_opt/user/m']!.data;
    // row 4 got (2, 4, 6) summed: m = 0.1·g after one step; row 7 got (-1, 0, 0).
    expect(Array.from(m.subarray(12, 15)).map((v) => +v.toFixed(6))).toEqual([0.2, 0.4, 0.6]);
    expect(m[21]).toBeCloseTo(-0.1, 6);
    expect(Array.from(after['embedding_opt/user/steps']!.data.filter((s) => s !== 0))).toEqual([1, 1]);
    const table = after['embedding/user']!.data;
    const old = before['embedding/user']!.data;
    // The first Adam step moves each component with a non-zero gradient by lr·sign(g).
    expect(table[12]! - old[12]!).toBeCloseTo(-0.1, 5);
    expect(table[22]).toBe(old[22]);
    for (let r = 0; r < 12; r++) if (r !== 4 && r !== 7) for (let d = 0; d < 3; d++) expect(table[r * 3 + d]).toBe(old[r * 3 + d]);
  });

  it('gathers and scatters a batch spanning several row blocks (row-touch.ts) exactly, duplicates across blocks summed', () => {
    const store = new EmbeddingStore(ir.features, { seed: 5, optimizer: { optimizer: 'sgd', lr: 1 } });
    const n = 77; // two whole blocks of 32 and a partial one
    const rows = Int32Array.from({ length: n }, (_, b) => (b * 5) % 12);
    const table = store.tableOf('user')!.data;
    const before = Float32Array.from(table);
    const lookup = store.lookup('user', { kind: 'ids', rows }, n);
    for (let b = 0; b < n; b++) expect(Array.from(lookup.values.subarray(b * 3, b * 3 + 3))).toEqual(Array.from(before.subarray(rows[b]! * 3, rows[b]! * 3 + 3)));
    const grad = Float32Array.from({ length: n * 3 }, (_, i) => (i % 7) - 3);
    store.backward(lookup, grad);
    store.step();
    // SGD with lr 1: each row moves by minus the float32 sum of its examples' gradients, in batch order
    const sums = new Float32Array(12 * 3);
    for (let b = 0; b < n; b++) for (let d = 0; d < 3; d++) sums[rows[b]! * 3 + d] = Math.fround(sums[rows[b]! * 3 + d]! + grad[b * 3 + d]!);
    for (let i = 0; i < 12 * 3; i++) expect(table[i]).toBe(Math.fround(before[i]! - sums[i]!));
  });

  it('shares the owner table, pools with the weights, and rejects rows outside the table', () => {
    const store = new EmbeddingStore(ir.features, { seed: 3, optimizer: { optimizer: 'sgd', lr: 0.1 } });
    expect(store.tableOf('hist')).toBe(store.tableOf('item'));
    expect(store.parameterCount()).toBe(12 * 3 + 10 * 3);
    const t = store.tableOf('item')!.data;
    const l = store.lookup('hist', { kind: 'seq', rows: new Int32Array([1, 2, 0, 0, 0, 0]), weights: new Float32Array([0.5, 0.5, 0, 0, 0, 0]), maxLen: 3 }, 2);
    for (let d = 0; d < 3; d++) {
      expect(l.values[d]).toBeCloseTo(0.5 * t[3 + d]! + 0.5 * t[6 + d]!, 7);
      expect(l.values[3 + d]).toBe(0);
    }
    expect(() => store.lookup('item', { kind: 'ids', rows: new Int32Array([10]) }, 1)).toThrow(/MTL5205/);
  });

  it('initialises N(0, 1/dim) tables on request', () => {
    const store = new EmbeddingStore([{ kind: 'categorical', name: 'big', ids: { kind: 'hash', size: 4000 }, dim: 4, width: 4 }], {
      seed: 1,
      optimizer: { optimizer: 'sgd', lr: 1 },
      init: 'normal',
    });
    const data = store.tableOf('big')!.data;
    const mean = data.reduce((a, b) => a + b, 0) / data.length;
    const variance = data.reduce((a, b) => a + (b - mean) ** 2, 0) / data.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(variance).toBeGreaterThan(0.23);
    expect(variance).toBeLessThan(0.27);
  });
});
