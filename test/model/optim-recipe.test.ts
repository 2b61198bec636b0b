/**
 * Optimisation recipes (src/model/optim-step.ts): schedule values against their closed forms, the direct step
 * against the tfjs step under every recipe (schedules, weight decay, embedding L2, clipping, each embedding
 * optimiser), and a resumed run mid-schedule against an uninterrupted one. The PyTorch side is
 * test/targets/optim-recipe.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createModelRuntime } from '../../src/model/index.js';
import type { OptimRecipe, OptimizerSettings } from '../../src/model/types.js';
import { learningRateAt } from '../../src/model/optim-step.js';
import { loadNativeBlas, nativeBlasError } from '../../src/exec/native-blas.js';
import { selectBackend } from '../../src/exec/backend.js';
import { mmoeIR, options, randomBatch, worstDifference } from './fixtures.js';

const available = loadNativeBlas() !== undefined;
const skipNote = available ? '' : ` (SKIPPED: OpenBLAS addon not built: ${nativeBlasError()})`;

const settings = (recipe: OptimRecipe, lr = 0.1): OptimizerSettings => ({ optimizer: 'adam', lr, recipe });

describe('learning-rate schedules', () => {
  it('warm up linearly, then follow their closed forms', () => {
    const run = { stepsPerEpoch: 10, epochs: 3 }; // 30 updates
    const lrs = (r: OptimRecipe): number[] => Array.from({ length: 30 }, (_, k) => learningRateAt(settings({ ...run, ...r }), k));
    const cos = lrs({ schedule: { type: 'cosine', warmup: 5, minLr: 0.01 } });
    for (let k = 0; k < 5; k++) expect(cos[k]).toBeCloseTo((0.1 * (k + 1)) / 5, 12);
    for (let k = 5; k < 30; k++) expect(cos[k]).toBeCloseTo(0.01 + 0.09 * 0.5 * (1 + Math.cos((Math.PI * (k - 5)) / 25)), 12);
    const lin = lrs({ schedule: { type: 'linear' } });
    for (let k = 0; k < 30; k++) expect(lin[k]).toBeCloseTo(0.1 * (1 - k / 30), 12);
    const step = lrs({ schedule: { type: 'step', every: 1, everyUnit: 'epochs', gamma: 0.5 } });
    for (let k = 0; k < 30; k++) expect(step[k]).toBeCloseTo(0.1 * Math.pow(0.5, Math.floor(k / 10)), 12);
    const steps = lrs({ schedule: { type: 'step', every: 4, everyUnit: 'steps', minLr: 0.02 } });
    for (let k = 0; k < 30; k++) expect(steps[k]).toBeCloseTo(Math.max(0.02, 0.1 * Math.pow(0.1, Math.floor(k / 4))), 12);
    const warm = lrs({ schedule: { type: 'constant', warmup: 3 } });
    [0.1 / 3, 0.2 / 3, 0.1, 0.1, 0.1].forEach((v, k) => expect(warm[k]).toBeCloseTo(v, 12));
    expect(lrs({})).toEqual(Array(30).fill(0.1));
  });
});

/** The recipes every path must agree on. */
const RECIPES: Array<[string, OptimRecipe]> = [
  ['cosine with warm-up, weight decay, embedding L2, clipping (lazy Adam tables)', { schedule: { type: 'cosine', warmup: 2, minLr: 0.001 }, weightDecay: 0.05, embeddingL2: 0.01, clipNorm: 0.5, stepsPerEpoch: 3, epochs: 2 }],
  ['step decay every 2 steps, dense-equivalent Adam tables', { schedule: { type: 'step', every: 2, everyUnit: 'steps', gamma: 0.5 }, embeddingOptimizer: 'adam', stepsPerEpoch: 3, epochs: 2 }],
  ['linear decay, row-wise Adagrad tables, clipping', { schedule: { type: 'linear' }, embeddingOptimizer: 'rowwise_adagrad', clipNorm: 0.3, stepsPerEpoch: 3, epochs: 2 }],
  ['Adagrad tables with L2 and weight decay', { embeddingOptimizer: 'adagrad', embeddingL2: 0.02, weightDecay: 0.1, stepsPerEpoch: 3, epochs: 2 }],
];

describe('resume mid-schedule', () => {
  it('3 updates, a checkpointed state, 3 more in a new runtime = 6 uninterrupted updates (bit for bit)', async () => {
    await tf.setBackend('cpu');
    const ir = mmoeIR();
    for (const [, recipe] of RECIPES) {
      const opts = options({ optimizer: settings(recipe, 0.05), directStep: false });
      const batches = Array.from({ length: 6 }, (_, i) => randomBatch(ir, 24, i + 1));
      const whole = createModelRuntime(ir, opts);
      const first = createModelRuntime(ir, opts);
      for (const b of batches) whole.trainStep(b);
      for (const b of batches.slice(0, 3)) first.trainStep(b);
      const saved = first.getState();
      expect(saved.meta['denseOptimizerStep']).toBe(3);
      const resumed = createModelRuntime(ir, options({ ...opts, seed: 99 }));
      resumed.setState(saved);
      for (const b of batches.slice(3)) resumed.trainStep(b);
      expect(worstDifference(resumed.getState(), whole.getState(), 1e-9).worst).toBe(0);
      [whole, first, resumed].forEach((r) => r.dispose());
    }
  });
});

describe.skipIf(!available)(`the direct step equals the tfjs step under each recipe${skipNote}`, () => {
  beforeAll(async () => {
    expect((await selectBackend('native')).name).toBe('native');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });
  for (const [label, recipe] of RECIPES) {
    it(label, () => {
      const ir = mmoeIR();
      const opts = options({ optimizer: settings(recipe, 0.05) });
      const direct = createModelRuntime(ir, { ...opts, directStep: true });
      const reference = createModelRuntime(ir, { ...opts, directStep: false });
      const start = reference.getState();
      try {
        for (let i = 0; i < 6; i++) {
          const batch = randomBatch(ir, 32, 10 + i);
          direct.trainStep(batch);
          reference.trainStep(batch);
        }
        expect(direct.trainStepKind?.()).toEqual({ kind: 'direct' });
        const { worst: w, where } = worstDifference(direct.getState(), reference.getState(), 1e-3);
        expect(w, where).toBeLessThan(2e-3);
        // The recipe moved the weights (the comparison is not between two untouched models).
        expect(worstDifference(reference.getState(), start, 1e-3).worst).toBeGreaterThan(1e-2);
      } finally {
        direct.dispose();
        reference.dispose();
      }
    });
  }
});
