/** Hand-built validated IRs (widths filled) and seeded random batches for the compiler/runtime tests. */
import { expect } from 'vitest';
import type { Feature, GraphNode, ModelIR, Task } from '../../src/ir/types.js';
import type { Batch, FeatureColumn } from '../../src/data/types.js';
import type { GatePlugin } from '../../src/plugins/api.js';
import type { ModelRuntimeOptions } from '../../src/model/index.js';
import type { ModelRuntime, TrainingState } from '../../src/model/types.js';
import { mulberry32 } from '../../src/model/seed.js';
import softmax from '../../plugins/softmax/index.js';

const mlp = (units: number[], extra: Partial<{ batchNorm: boolean; dropout: number }> = {}) => ({
  units,
  activation: 'relu' as const,
  dropout: extra.dropout ?? 0,
  batchNorm: extra.batchNorm ?? false,
});

const train = (weighting: 'static' | 'uncertainty' = 'static'): ModelIR['train'] => ({
  optimizer: 'adam',
  lr: 0.01,
  batch: 32,
  epochs: 1,
  seed: 7,
  validSplit: 0,
  weighting,
});

/** MMoE-like: categorical + shared sequence (mean) + numeric + bucketised numeric, 3 experts, 2 softmax gates. */
export function mmoeIR(): ModelIR {
  const features: Feature[] = [
    { kind: 'categorical', name: 'user', ids: { kind: 'hash', size: 50 }, dim: 4, width: 4 },
    { kind: 'categorical', name: 'item', ids: { kind: 'vocab', size: 30 }, dim: 4, width: 4 },
    { kind: 'sequence', name: 'hist', ids: { kind: 'vocab', size: 30 }, shares: 'item', pool: 'mean', maxLen: 3, separator: '|', width: 4 },
    { kind: 'numeric', name: 'price', normalize: 'standard', missing: 'zero', width: 1 },
    { kind: 'numeric', name: 'age', normalize: 'none', buckets: [20, 40], dim: 2, missing: 'zero', width: 2 },
  ];
  const nodes: GraphNode[] = [
    { kind: 'input', name: 'all', from: ['user', 'item', 'hist', 'price', 'age'], width: 15 },
    { kind: 'experts', name: 'e', count: 3, on: 'all', mlp: mlp([8]), width: 8 },
    { kind: 'gate', name: 'g1', type: 'softmax', params: {}, over: ['e'], on: 'all', width: 8 },
    { kind: 'gate', name: 'g2', type: 'softmax', params: { temperature: 0.5 }, over: ['e'], on: 'all', width: 8 },
    { kind: 'tower', name: 't1', on: 'g1', mlp: mlp([4]), output: 'sigmoid', width: 1 },
    { kind: 'tower', name: 't2', on: 'g2', mlp: mlp([4]), output: 'sigmoid', width: 1 },
  ];
  const tasks: Task[] = [
    { name: 't1', head: ['t1'], loss: { type: 'bce', label: { label: 'click' } }, weight: 1 },
    { name: 't2', head: ['t2'], loss: { type: 'bce', label: { label: 'buy' } }, weight: 0.5 },
  ];
  return {
    version: 1,
    name: 'mmoe_test',
    plugins: [],
    features,
    labels: [
      { name: 'click', type: 'binary' },
      { name: 'buy', type: 'binary' },
    ],
    nodes,
    tasks,
    metrics: [],
    train: train(),
  };
}

/** ESMM-like: a product head, a masked task, a shared max-pooled sequence, batch norm, uncertainty weighting. */
export function esmmIR(pool: 'mean' | 'sum' | 'max' = 'max'): ModelIR {
  const features: Feature[] = [
    { kind: 'categorical', name: 'user', ids: { kind: 'hash', size: 40 }, dim: 4, width: 4 },
    { kind: 'categorical', name: 'item', ids: { kind: 'vocab', size: 20 }, dim: 4, width: 4 },
    { kind: 'sequence', name: 'hist', ids: { kind: 'vocab', size: 20 }, shares: 'item', pool, maxLen: 4, separator: '|', width: 4 },
    { kind: 'numeric', name: 'price', normalize: 'log1p', missing: 'zero', width: 1 },
  ];
  const nodes: GraphNode[] = [
    { kind: 'input', name: 'all', from: ['user', 'item', 'hist', 'price'], width: 13 },
    { kind: 'tower', name: 'ctr', on: 'all', mlp: mlp([8, 4], { batchNorm: true }), output: 'sigmoid', width: 1 },
    { kind: 'tower', name: 'cvr', on: 'all', mlp: mlp([6]), output: 'sigmoid', width: 1 },
  ];
  const tasks: Task[] = [
    { name: 'ctr', head: ['ctr'], loss: { type: 'bce', label: { label: 'click' } }, weight: 1 },
    { name: 'ctcvr', head: ['ctr', 'cvr'], loss: { type: 'bce', label: { op: 'and', args: [{ label: 'click' }, { label: 'buy' }] } }, weight: 1 },
    { name: 'cvr_clicked', head: ['cvr'], loss: { type: 'bce', label: { label: 'buy' } }, weight: 1, mask: { label: 'click' } },
  ];
  return {
    version: 1,
    name: 'esmm_test',
    plugins: [],
    features,
    labels: [
      { name: 'click', type: 'binary' },
      { name: 'buy', type: 'binary' },
    ],
    nodes,
    tasks,
    metrics: [],
    train: train('uncertainty'),
  };
}

/** Runtime options with the softmax plugin. */
export function options(overrides: Partial<ModelRuntimeOptions> = {}): ModelRuntimeOptions {
  const plugin: GatePlugin = softmax();
  return { gates: (t) => (t === plugin.name ? plugin : undefined), seed: 7, optimizer: { optimizer: 'adam', lr: 0.01 }, ...overrides };
}

/** Rows of each embedded feature's table, as preprocessing would report them. */
function tableRows(ir: ModelIR, f: Feature): number {
  const owner = f.kind !== 'numeric' && f.shares ? ir.features.find((g) => g.name === f.shares)! : f;
  if (owner.kind === 'numeric') return owner.buckets!.length + 1;
  return owner.ids.kind === 'hash' ? owner.ids.size : (owner.ids.size ?? 0) + 1;
}

/**
 * A seeded random batch. Labels are learnable: click = price > 0, buy = click and the item row is even.
 * `clickRate` 0 gives a batch with no click (an empty mask for `where click`).
 */
export function randomBatch(ir: ModelIR, size: number, seed: number, opts: { clickRate?: number } = {}): Batch {
  const rand = mulberry32(seed);
  const features: Record<string, FeatureColumn> = {};
  for (const f of ir.features) {
    if (f.kind === 'numeric' && !f.buckets) {
      features[f.name] = { kind: 'dense', values: Float32Array.from({ length: size }, () => rand() * 2 - 1) };
    } else if (f.kind === 'sequence') {
      const L = f.maxLen;
      const rowsN = tableRows(ir, f);
      const rows = new Int32Array(size * L);
      const weights = new Float32Array(size * L);
      for (let b = 0; b < size; b++) {
        const count = Math.floor(rand() * (L + 1));
        for (let l = 0; l < L; l++) {
          if (count === 0) continue;
          const real = l < count;
          rows[b * L + l] = real ? Math.floor(rand() * rowsN) : rows[b * L]!;
          weights[b * L + l] = f.pool === 'mean' ? (real ? 1 / count : 0) : f.pool === 'sum' ? (real ? 1 : 0) : 1;
        }
      }
      features[f.name] = { kind: 'seq', rows, weights, maxLen: L };
    } else {
      const rowsN = tableRows(ir, f);
      features[f.name] = { kind: 'ids', rows: Int32Array.from({ length: size }, () => Math.floor(rand() * rowsN)) };
    }
  }
  const price = features['price'] as { kind: 'dense'; values: Float32Array };
  const item = features['item'] as { kind: 'ids'; rows: Int32Array };
  const click = new Float32Array(size);
  const buy = new Float32Array(size);
  for (let b = 0; b < size; b++) {
    click[b] = opts.clickRate === 0 ? 0 : price.values[b]! > 0 ? 1 : 0;
    buy[b] = click[b]! * (item.rows[b]! % 2 === 0 ? 1 : 0);
  }
  return { size, features, labels: { click, buy }, groups: {}, rowNumbers: Int32Array.from({ length: size }, (_, i) => i + 2) };
}

/** max |a − b| / max(scale, |b|) over every tensor of two states. */
export function worstDifference(a: TrainingState, b: TrainingState, scale: number): { worst: number; where: string } {
  let worst = 0;
  let where = '';
  for (const [name, t] of Object.entries(b.tensors)) {
    const other = a.tensors[name];
    expect(other, name).toBeDefined();
    for (let i = 0; i < t.data.length; i++) {
      const d = Math.abs(other!.data[i]! - t.data[i]!) / Math.max(scale, Math.abs(t.data[i]!));
      if (d > worst) {
        worst = d;
        where = `${name}[${i}]: ${other!.data[i]} vs ${t.data[i]}`;
      }
    }
  }
  return { worst, where };
}

/**
 * Train two runtimes from `make` on `batches` and require the same state (a repeatable run on the direct step),
 * then a third resumed from a run interrupted halfway (its checkpoint state) and require it to end where they
 * did. Returns the first run (the caller disposes it).
 */
export function expectRepeatableAndResumable(make: () => ModelRuntime, batches: Batch[]): ModelRuntime {
  const first = make();
  const runs: ModelRuntime[] = [];
  try {
    const second = make();
    runs.push(second);
    for (const b of batches) {
      first.trainStep(b);
      second.trainStep(b);
    }
    expect(first.trainStepKind?.()).toEqual({ kind: 'direct' });
    expect(worstDifference(first.getState(), second.getState(), 1).worst).toBe(0);
    const half = Math.floor(batches.length / 2);
    const interrupted = make();
    runs.push(interrupted);
    batches.slice(0, half).forEach((b) => interrupted.trainStep(b));
    const resumed = make();
    runs.push(resumed);
    resumed.setState(interrupted.getState());
    batches.slice(half).forEach((b) => resumed.trainStep(b));
    expect(worstDifference(resumed.getState(), first.getState(), 1).worst).toBe(0);
    return first;
  } catch (e) {
    first.dispose();
    throw e;
  } finally {
    runs.forEach((r) => r.dispose());
  }
}

/**
 * Train the direct step's runtime and the tfjs step's on the same 6 batches (a larger one, one with an empty
 * `where click` mask, an odd-sized one) and require the same losses, the same weights, and predictions equal
 * to `digits` decimals.
 */
export function expectSameAfterAdamSteps(direct: ModelRuntime, reference: ModelRuntime, ir: ModelIR, digits: number): void {
  const batches = [randomBatch(ir, 32, 1), randomBatch(ir, 32, 2), randomBatch(ir, 80, 3), randomBatch(ir, 32, 4, { clickRate: 0 }), randomBatch(ir, 17, 5), randomBatch(ir, 64, 6)];
  for (const batch of batches) {
    const a = direct.trainStep(batch);
    const b = pinnedTrainStep(reference, batch);
    expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-3 * Math.max(1, Math.abs(b.loss)));
  }
  const { worst, where } = worstDifference(direct.getState(), reference.getState(), 0.05);
  expect(worst, where).toBeLessThan(1e-3);
  const test = randomBatch(ir, 20, 9);
  const pa = direct.predict(test).outputs;
  const pb = reference.predict(test).outputs;
  for (const name of Object.keys(pb)) for (let i = 0; i < 20; i++) expect(pa[name]![i]!, name).toBeCloseTo(pb[name]![i]!, digits);
}

/**
 * One step of the direct step's runtime and the tfjs step's (both SGD with lr 1, from the same weights) on one
 * batch: the same losses, and the same weight moves (each weight's move is minus its gradient). Returns the
 * tfjs step's moves (optimiser slots left out) for further checks.
 */
export function expectSameSgdStep(direct: ModelRuntime, reference: ModelRuntime, ir: ModelIR): TrainingState {
  const before = reference.getState();
  expect(worstDifference(direct.getState(), before, 1e-3).worst).toBe(0);
  const batch = randomBatch(ir, 48, 3);
  const a = direct.trainStep(batch);
  const b = pinnedTrainStep(reference, batch);
  expect(direct.trainStepKind?.()).toEqual({ kind: 'direct' });
  expect(reference.trainStepKind?.()).toEqual({ kind: 'tfjs', reason: 'disabled' });
  expect(a.loss).toBeCloseTo(b.loss, 4);
  for (const t of ir.tasks) expect(a.taskLosses[t.name], t.name).toBeCloseTo(b.taskLosses[t.name]!, 4);
  const moved = (after: TrainingState): TrainingState => ({
    meta: {},
    tensors: Object.fromEntries(Object.entries(after.tensors).filter(([k]) => !k.includes('_opt/')).map(([k, t]) => [k, { shape: t.shape, data: t.data.map((v, i) => v - before.tensors[k]!.data[i]!) }])),
  });
  const db = moved(reference.getState());
  const { worst, where } = worstDifference(moved(direct.getState()), db, 1e-3);
  expect(worst, where).toBeLessThan(2e-3);
  return db;
}

/**
 * The "never-dropping" dropout rate of the comparisons: the direct step's dropout plumbing (mask buffers, its
 * backward through mulAt) runs, yet no element is dropped on either side — as long as the tfjs step's mask is
 * drawn from {@link PINNED_TFJS_DROPOUT_RANDOM} (see there).
 */
export const NEVER_DROPPING_RATE = 1e-9;

/**
 * What Math.random returns while the comparisons run the tfjs step. tfjs-layers' Dropout gets no seed from mtl
 * (src/model/mlp.ts), so tfjs seeds each mask from Math.random, and its mask floor(u + keep) / keep is not
 * always 1 at {@link NEVER_DROPPING_RATE}: keep = fround(1 − 1e-9) is 1, and where the float32 uniform u is
 * 1 − 2⁻²⁴ or 1 (a double draw ≥ 1 − 1.5·2⁻²⁴ rounded to float32: about 9e-8 of draws) u + 1 rounds to 2,
 * so that element is DOUBLED in the tfjs step alone. This Math.random seed is the only input of these
 * single-threaded comparisons that changes from run to run, and the cause found for their intermittent
 * mismatch of 2026-12-07 (a loss 0.17 apart after an Adam step of random model 5, and the SGD step of the mmoe
 * with batch norm and dropout: both models with this rate; test/model/direct-step.test.ts 'the comparisons
 * pin …' reproduces it by forcing such a draw). Seeded with 0.5, tfjs's stream (seedrandom's alea) first gives
 * such a u at draw 24,321,228, far past any mask of these tests, so the tfjs step never drops or doubles here.
 */
export const PINNED_TFJS_DROPOUT_RANDOM = 0.5;

/** Run `f` (a tfjs training step or prediction) with Math.random returning `value`, then restore it. */
export function withMathRandom<T>(value: number, f: () => T): T {
  const original = Math.random;
  Math.random = () => value;
  try {
    return f();
  } finally {
    Math.random = original;
  }
}

/** One training step of `runtime` with the tfjs step's dropout masks pinned ({@link PINNED_TFJS_DROPOUT_RANDOM}). */
export function pinnedTrainStep(runtime: ModelRuntime, batch: Batch): ReturnType<ModelRuntime['trainStep']> {
  return withMathRandom(PINNED_TFJS_DROPOUT_RANDOM, () => runtime.trainStep(batch));
}
