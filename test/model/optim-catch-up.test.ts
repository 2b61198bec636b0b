/**
 * Dense-equivalent Adam (embedding rule `adam`, the default under `optimizer adam`): rows record the update at
 * which they last moved and catch up the zero-gradient updates they missed when a batch next reads them (or when
 * the model is exported). Held against a plain dense Adam written here in float64 (every row every update, as
 * torch.optim.Adam on an nn.Embedding's dense gradient), with gaps longer than the catch-up window and a rate
 * that changes every update; and against lazy Adam, which it must not be.
 */
import { describe, expect, it } from 'vitest';
import { SparseOptimizer, type SparseSlots } from '../../src/model/optim-sparse.js';
import { EmbeddingStore } from '../../src/model/embeddings.js';
import { ADAM_BETA1, ADAM_BETA2, ADAM_CATCH_UP_WINDOW, ADAM_EPSILON } from '../../src/model/optim-params.js';
import { mulberry32 } from '../../src/model/seed.js';
import type { Feature } from '../../src/ir/types.js';
import type { OptimizerSettings } from '../../src/model/types.js';
import { createModelRuntime } from '../../src/model/index.js';
import { mmoeIR, options, randomBatch } from './fixtures.js';

const ROWS = 40;
const DIM = 3;
const STEPS = 500;

/** Update s's rows (unique; row 0 every step, row 1 only at steps 3 and 400: a gap past the window) and gradients. */
function batchAt(s: number): { rows: Int32Array; grads: Float32Array } {
  const rand = mulberry32(1000 + s);
  const set = new Set<number>([0]);
  if (s === 3 || s === 400) set.add(1);
  for (let i = 0; i < 4; i++) set.add(2 + Math.floor(rand() * (ROWS - 2)));
  const rows = Int32Array.from(set);
  const grads = Float32Array.from({ length: rows.length * DIM }, () => (rand() - 0.5) * (rand() < 0.2 ? 1e-5 : 1));
  return { rows, grads };
}

const rateAt = (s: number): number => 0.01 * (1 + Math.sin(s / 7) / 2);

/**
 * Dense Adam in float64 over the whole table for `steps` updates: untouched rows get a zero gradient. `offset`
 * global updates come before the first (their bias corrections are those of a run that far in: the catch-up's series regime).
 */
function denseReference(start: Float32Array, offset = 0, steps = STEPS): { w: Float64Array; m: Float64Array; v: Float64Array } {
  const w = Float64Array.from(start);
  const m = new Float64Array(w.length);
  const v = new Float64Array(w.length);
  for (let local = 1; local <= steps; local++) {
    const s = offset + local;
    const g = new Float64Array(w.length);
    const { rows, grads } = batchAt(local);
    rows.forEach((r, k) => {
      for (let d = 0; d < DIM; d++) g[r * DIM + d] = grads[k * DIM + d]!;
    });
    const c1 = 1 - Math.pow(ADAM_BETA1, s);
    const c2 = 1 - Math.pow(ADAM_BETA2, s);
    for (let i = 0; i < w.length; i++) {
      m[i] = ADAM_BETA1 * m[i]! + (1 - ADAM_BETA1) * g[i]!;
      v[i] = ADAM_BETA2 * v[i]! + (1 - ADAM_BETA2) * g[i]! * g[i]!;
      w[i] = w[i]! - (rateAt(s) * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + ADAM_EPSILON);
    }
  }
  return { w, m, v };
}

/** `rule` over the same updates with the sparse optimiser, every row caught up at the end (as the export does). */
function sparseRun(rule: 'adam' | 'lazy_adam', start: Float32Array, useNative: boolean, offset = 0): { table: Float32Array; slots: SparseSlots } {
  const settings: OptimizerSettings = { optimizer: 'adam', lr: 0.01, recipe: { embeddingOptimizer: rule } };
  const opt = new SparseOptimizer(settings, useNative);
  const table = start.slice();
  const slots = opt.createSlots(ROWS, DIM);
  for (let local = 1; local <= STEPS; local++) {
    const { rows, grads } = batchAt(local);
    opt.update(table, DIM, slots, rows, grads, rateAt(offset + local), offset + local);
  }
  opt.catchUp(table, DIM, slots, Int32Array.from({ length: ROWS }, (_, r) => r), offset + STEPS);
  return { table, slots };
}

/** The largest |a − b| relative to the largest |b|. */
function relativeGap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let gap = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    gap = Math.max(gap, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return gap / scale;
}

describe('dense-equivalent Adam on embedding tables (rule adam)', () => {
  const start = Float32Array.from({ length: ROWS * DIM }, (_, i) => Math.cos(i) * 0.05);
  const dense = denseReference(start);

  it('is the setting under plain `optimizer adam`; lazy_adam only when asked for', () => {
    expect(new SparseOptimizer({ optimizer: 'adam', lr: 0.01 }).rule).toBe('adam');
    expect(new SparseOptimizer({ optimizer: 'adam', lr: 0.01, recipe: { embeddingOptimizer: 'lazy_adam' } }).rule).toBe('lazy_adam');
  });

  it('ends where dense Adam ends (weights and moments, to float32 rounding), with gaps past the catch-up window', () => {
    expect(400 - 3).toBeGreaterThan(ADAM_CATCH_UP_WINDOW);
    for (const useNative of [false, true]) {
      const got = sparseRun('adam', start, useNative);
      expect(relativeGap(got.table, dense.w)).toBeLessThan(2e-6);
      expect(relativeGap(got.slots.m!, dense.m)).toBeLessThan(2e-6);
      expect(relativeGap(got.slots.v!, dense.v)).toBeLessThan(2e-6);
      // the rare row (touched at 3 and 400) moved on its momentum in between, as under dense Adam
      for (let d = 0; d < DIM; d++) expect(Math.abs(got.table[DIM + d]! - dense.w[DIM + d]!)).toBeLessThan(1e-7 + 1e-6 * Math.abs(dense.w[DIM + d]!));
    }
  });

  it('far into a run (bias corrections near 1: the catch-up sums as a series), still dense Adam to float32 rounding', () => {
    const offset = 30_000;
    const far = denseReference(start, offset);
    for (const useNative of [false, true]) {
      const got = sparseRun('adam', start, useNative, offset);
      expect(relativeGap(got.table, far.w)).toBeLessThan(2e-6);
      expect(relativeGap(got.slots.m!, far.m)).toBeLessThan(2e-6);
      expect(relativeGap(got.slots.v!, far.v)).toBeLessThan(2e-6);
    }
  });

  it('is not lazy Adam: lazy Adam leaves the rare rows far from dense Adam', () => {
    const lazy = sparseRun('lazy_adam', start, false);
    expect(relativeGap(lazy.table, dense.w)).toBeGreaterThan(1e-3);
  });

  it('a lookup reads the caught-up rows: the forward pass sees dense Adam\'s table at that update', () => {
    const feature = { kind: 'categorical', name: 'f', column: 'f', ids: { kind: 'hash', size: ROWS }, dim: DIM } as unknown as Feature;
    const settings: OptimizerSettings = { optimizer: 'adam', lr: 0.01 };
    const store = new EmbeddingStore([feature], { seed: 1, optimizer: settings });
    const table = store.tableOf('f')!;
    table.data.set(start);
    const halfway = 450;
    for (let s = 1; s <= halfway; s++) {
      const { rows, grads } = batchAt(s);
      store.applyGradients([{ owner: 'f', rows, grads }], { lr: rateAt(s), scale: 1, l2: 0, step: s });
    }
    // dense Adam's table after update 450, in float64
    const ref = denseReference(start, 0, halfway).w;
    const looked = store.lookup('f', { kind: 'ids', rows: Int32Array.from([1, 1, 7, 0]) }, 4);
    for (const [b, row] of [1, 1, 7, 0].entries()) {
      for (let d = 0; d < DIM; d++) expect(Math.abs(looked.values[b * DIM + d]! - ref[row * DIM + d]!)).toBeLessThan(1e-7 + 2e-6 * Math.abs(ref[row * DIM + d]!));
    }
    expect(table.slots.steps![1]).toBe(halfway);
  });

  it('a checkpoint and the export: rows as they are in the checkpoint (resume repeats), caught up in the export; a checkpoint from before the catch-up (no step slots) resumes', () => {
    const ir = mmoeIR();
    const rt = createModelRuntime(ir, options());
    try {
      for (let i = 0; i < 5; i++) rt.trainStep(randomBatch(ir, 32, 100 + i));
      const state = rt.getState();
      const stepsKeys = Object.keys(state.tensors).filter((k) => k.endsWith('/steps'));
      expect(stepsKeys.length).toBeGreaterThan(0);
      // some row still owes updates in the checkpoint (it last moved before the last update)
      const owes = stepsKeys.some((k) => state.tensors[k]!.data.some((s) => s >= 1 && s < 5));
      expect(owes).toBe(true);
      // a checkpoint without step slots (rule adam before the catch-up moved every row every update) loads:
      // every row current at the last update
      const old = { ...state, tensors: Object.fromEntries(Object.entries(state.tensors).filter(([k]) => !k.endsWith('/steps'))) };
      const again = createModelRuntime(ir, options());
      try {
        again.setState(old);
        const restored = again.getState();
        for (const k of stepsKeys) expect([...new Set(restored.tensors[k]!.data)]).toEqual([5]);
      } finally {
        again.dispose();
      }
      // the export brings every row up to date: the step slots say so afterwards
      rt.exportModel().dispose();
      const after = rt.getState();
      for (const k of stepsKeys) expect(after.tensors[k]!.data.every((s) => s === 0 || s === 5)).toBe(true);
    } finally {
      rt.dispose();
    }
  });
});
