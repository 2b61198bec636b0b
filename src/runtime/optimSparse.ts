/**
 * Sparse (lazy) optimisers for embedding tables held in JS: only the rows a batch touched are updated,
 * so a step costs O(touched rows × dim) whatever the vocabulary size.
 * - sgd: w -= lr·g.
 * - adagrad: per-row accumulators, as tf.train.adagrad on those rows.
 * - adam: lazy Adam (as TF's LazyAdam: moments of untouched rows are not decayed) with a per-row step
 *   count for the bias correction, so a row first seen late gets a correctly de-biased first update
 *   instead of one scaled by the global step.
 */
import type { OptimizerSettings } from '../compile/types.js';
import { ADAGRAD_EPSILON, ADAGRAD_INITIAL, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON } from './optimParams.js';

/** The optimiser slots of one table (allocated lazily; absent for sgd). */
export interface SparseSlots {
  /** Adam first moment / Adagrad accumulator, rows × dim. */
  m?: Float32Array;
  /** Adam second moment, rows × dim. */
  v?: Float32Array;
  /** Adam per-row step counts. */
  steps?: Float32Array;
}

/** Per-table sparse optimiser state and update rule. */
export class SparseOptimizer {
  constructor(readonly settings: OptimizerSettings) {}

  /** Fresh slots for a table of `rows × dim`. */
  createSlots(rows: number, dim: number): SparseSlots {
    switch (this.settings.optimizer) {
      case 'sgd':
        return {};
      case 'adagrad':
        return { m: new Float32Array(rows * dim).fill(ADAGRAD_INITIAL) };
      case 'adam':
        return { m: new Float32Array(rows * dim), v: new Float32Array(rows * dim), steps: new Float32Array(rows) };
    }
  }

  /**
   * Update `table` on `rows` (unique) with their summed gradients `grads` (rows.length × dim, row-major).
   */
  update(table: Float32Array, dim: number, slots: SparseSlots, rows: Int32Array, grads: Float32Array): void {
    const lr = this.settings.lr;
    const n = rows.length;
    if (this.settings.optimizer === 'sgd') {
      for (let k = 0; k < n; k++) {
        const base = rows[k]! * dim;
        const gBase = k * dim;
        for (let d = 0; d < dim; d++) table[base + d] -= lr * grads[gBase + d]!;
      }
      return;
    }
    if (this.settings.optimizer === 'adagrad') {
      const acc = slots.m!;
      for (let k = 0; k < n; k++) {
        const base = rows[k]! * dim;
        const gBase = k * dim;
        for (let d = 0; d < dim; d++) {
          const g = grads[gBase + d]!;
          const a = acc[base + d]! + g * g;
          acc[base + d] = a;
          table[base + d] -= (lr * g) / Math.sqrt(a + ADAGRAD_EPSILON);
        }
      }
      return;
    }
    const m = slots.m!;
    const v = slots.v!;
    const steps = slots.steps!;
    for (let k = 0; k < n; k++) {
      const row = rows[k]!;
      const t = (steps[row] = steps[row]! + 1);
      const c1 = 1 - Math.pow(ADAM_BETA1, t);
      const c2 = 1 - Math.pow(ADAM_BETA2, t);
      const base = row * dim;
      const gBase = k * dim;
      for (let d = 0; d < dim; d++) {
        const g = grads[gBase + d]!;
        const mi = (m[base + d] = ADAM_BETA1 * m[base + d]! + (1 - ADAM_BETA1) * g);
        const vi = (v[base + d] = ADAM_BETA2 * v[base + d]! + (1 - ADAM_BETA2) * g * g);
        table[base + d] -= (lr * (mi / c1)) / (Math.sqrt(vi / c2) + ADAM_EPSILON);
      }
    }
  }
}
