/**
 * Sparse (lazy) optimisers for embedding tables held in JS: only the rows a batch touched are updated,
 * so a step costs O(touched rows × dim) whatever the vocabulary size.
 * - sgd: w -= lr·g.
 * - adagrad: per-row accumulators, as tf.train.adagrad on those rows.
 * - adam: lazy Adam, as TF's LazyAdam: moments of untouched rows are not decayed, and the bias correction
 *   is the global step's, as in dense Adam. (It used to be a per-row step count, which de-biased a rare
 *   row's every update as if it were that row's first steps: a row seen once moved lr, where dense Adam moves
 *   it ~3·lr at once, and rare ids learned slowly. The rare-task experiment of issue #13, repro/rare-task.ts,
 *   measured the per-row rule below the global one on like AUC and rating RMSE in 6 seeds out of 6;
 *   docs/optimisation.md.) The `steps` slot holds the global update at which each row last moved.
 * `train { embedding_optimizer … }` chooses another rule (src/ir/ops/embedding-optimizers.ts):
 * - adam: dense-equivalent Adam: every row every update (untouched rows with a zero gradient), the global
 *   step's bias correction: exactly torch.optim.Adam on a dense embedding gradient, at O(rows × dim) a step.
 * - rowwise_adagrad: one accumulator per row (the mean of the row's g²), as DLRM / TorchRec / FBGEMM.
 */
import type { OptimizerSettings } from './types.js';
import type { EmbeddingOptimizerName } from '../ir/ops/index.js';
import { largeFloat32 } from '../exec/large-arrays.js';
import { activeNativeBlas, type NativeBlas } from '../exec/native-blas.js';
import { ADAGRAD_EPSILON, ADAGRAD_INITIAL, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON } from './optim-params.js';

/** The update rule of the embedding tables: `embedding_optimizer`, else the sparse variant of `optimizer`. */
export type SparseRule = EmbeddingOptimizerName | 'sgd';

/** The tables' rule under `settings` (adam → lazy_adam, as before the setting existed). */
export function sparseRule(settings: OptimizerSettings): SparseRule {
  return settings.recipe?.embeddingOptimizer ?? (settings.optimizer === 'adam' ? 'lazy_adam' : settings.optimizer);
}

/** True when a rule updates every row every step (so a table no batch row touched is still updated). */
export function updatesEveryRow(rule: SparseRule): boolean {
  return rule === 'adam';
}

/** The optimiser slots of one table (allocated lazily; absent for sgd). */
export interface SparseSlots {
  /** Adam first moment / Adagrad accumulator, rows × dim; row-wise Adagrad's accumulator, one per row. */
  m?: Float32Array;
  /** Adam second moment, rows × dim. */
  v?: Float32Array;
  /** Lazy Adam: the global update at which each row last moved. */
  steps?: Float32Array;
  /** Dense Adam's scratch: the full gradient, rows × dim (zero between updates; not state). */
  scratch?: Float32Array;
}

/** One table's update: its values, dim and slots, the touched rows (unique) and their summed gradients. */
export interface TableUpdate {
  table: Float32Array;
  dim: number;
  slots: SparseSlots;
  rows: Int32Array;
  grads: Float32Array;
}

/**
 * The addon on the native backend (undefined elsewhere): its sparseAdam and embeddingUpdate do the same double
 * arithmetic as the JS loops below, so the same bits, without the JIT's bounds checks and across the addon's
 * threads (native/mtl_blas_parallel.c).
 */
function nativeLoops(): NativeBlas | undefined {
  return activeNativeBlas();
}

/** The addon's embeddingUpdate kind of each rule it runs (lazy_adam has its own entry point, sparseAdam). */
const NATIVE_KIND = { sgd: 0, adagrad: 1, rowwise_adagrad: 2, adam: 3 } as const;

/** Adam's bias corrections 1 − β^t by integer step t (Math.pow is a large share of a row's update otherwise). */
class BiasCorrections {
  private c1 = new Float64Array(0);
  private c2 = new Float64Array(0);

  /** Make t = 1 .. upTo available. */
  private grow(upTo: number): void {
    const n = Math.max(upTo + 1, this.c1.length * 2, 64);
    const c1 = new Float64Array(n);
    const c2 = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      c1[t] = 1 - Math.pow(ADAM_BETA1, t);
      c2[t] = 1 - Math.pow(ADAM_BETA2, t);
    }
    this.c1 = c1;
    this.c2 = c2;
  }

  /** Both tables, covering steps 0 .. upTo (for the addon's sparseAdam). */
  tables(upTo: number): { c1: Float64Array; c2: Float64Array } {
    if (upTo >= this.c1.length) this.grow(upTo);
    return { c1: this.c1, c2: this.c2 };
  }

  /** 1 − β1^t (t a positive integer; the same value as computing it directly). */
  first(t: number): number {
    if (t >= this.c1.length) this.grow(t);
    return this.c1[t]!;
  }

  /** 1 − β2^t. */
  second(t: number): number {
    if (t >= this.c2.length) this.grow(t);
    return this.c2[t]!;
  }
}

/** A global update count the bias-correction tables index exactly: whole, ≥ 1 and below 2^24 (a Float32Array slot's exact range). */
function isWholeStep(step: number): boolean {
  return step === Math.floor(step) && step >= 1 && step < 1 << 24;
}

/** Per-table sparse optimiser state and update rule. */
export class SparseOptimizer {
  private readonly corrections = new BiasCorrections();
  private readonly hyper = new Float64Array(4);
  private readonly denseHyper = new Float64Array(6);

  /** `useNative` false keeps the JS loop on the native backend too (the reference, for tests). */
  constructor(
    readonly settings: OptimizerSettings,
    private readonly useNative = true,
  ) {
    this.rule = sparseRule(settings);
  }

  /** The tables' update rule. */
  readonly rule: SparseRule;

  /** Fresh slots for a table of `rows × dim`. */
  createSlots(rows: number, dim: number): SparseSlots {
    switch (this.rule) {
      case 'sgd':
        return {};
      case 'adagrad':
        return { m: largeFloat32(rows * dim, ADAGRAD_INITIAL) };
      case 'rowwise_adagrad':
        return { m: largeFloat32(rows, ADAGRAD_INITIAL) };
      case 'lazy_adam':
        return { m: largeFloat32(rows * dim), v: largeFloat32(rows * dim), steps: largeFloat32(rows) };
      case 'adam':
        return { m: largeFloat32(rows * dim), v: largeFloat32(rows * dim), scratch: largeFloat32(rows * dim) };
    }
  }

  /**
   * Update `table` on `rows` (unique) with their summed gradients `grads` (rows.length × dim, row-major),
   * at learning rate `lr` (default the constant one); `step` is the 1-based global update (the bias correction of both Adam rules).
   */
  update(table: Float32Array, dim: number, slots: SparseSlots, rows: Int32Array, grads: Float32Array, lr = this.settings.lr, step = 1): void {
    const native = this.useNative ? nativeLoops() : undefined;
    if (native && this.rule !== 'lazy_adam') {
      this.updateNative(native, this.rule, table, dim, slots, rows, grads, lr, step);
      return;
    }
    const n = rows.length;
    if (this.rule === 'adam') {
      denseAdam(table, dim, slots, rows, grads, lr, step);
      return;
    }
    if (this.rule === 'rowwise_adagrad') {
      const acc = slots.m!;
      for (let k = 0; k < n; k++) {
        const row = rows[k]!;
        const base = row * dim;
        const gBase = k * dim;
        let sq = 0;
        for (let d = 0; d < dim; d++) sq += grads[gBase + d]! * grads[gBase + d]!;
        const a = (acc[row] = acc[row]! + sq / dim);
        const rate = lr / Math.sqrt(a + ADAGRAD_EPSILON);
        for (let d = 0; d < dim; d++) table[base + d] -= rate * grads[gBase + d]!;
      }
      return;
    }
    if (this.rule === 'sgd') {
      for (let k = 0; k < n; k++) {
        const base = rows[k]! * dim;
        const gBase = k * dim;
        for (let d = 0; d < dim; d++) table[base + d] -= lr * grads[gBase + d]!;
      }
      return;
    }
    if (this.rule === 'adagrad') {
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
    // The global step's bias correction for every touched row (see lazyAdamNative for the addon's side).
    const whole = isWholeStep(step);
    if (native && whole && this.lazyAdamNative(native, [{ table, dim, slots, rows, grads }], lr, step)) return;
    const c1 = whole ? this.corrections.first(step) : 1 - Math.pow(ADAM_BETA1, step);
    const c2 = whole ? this.corrections.second(step) : 1 - Math.pow(ADAM_BETA2, step);
    for (let k = 0; k < n; k++) {
      const row = rows[k]!;
      steps[row] = step;
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

  /**
   * Update every table of `batch` (see {@link update}). Lazy Adam on the native backend updates all of them in
   * one call into the addon, its rows shared out to the addon's threads (one wait for the threads per step
   * instead of one per table); otherwise table by table.
   */
  updateTables(batch: TableUpdate[], lr = this.settings.lr, step = 1): void {
    const native = this.useNative && this.rule === 'lazy_adam' ? nativeLoops() : undefined;
    if (native && batch.length > 0 && this.lazyAdamNative(native, batch, lr, step)) return;
    for (const u of batch) this.update(u.table, u.dim, u.slots, u.rows, u.grads, lr, step);
  }

  /**
   * Lazy Adam in the addon, with the global update `step`'s bias correction; false (nothing changed) when `step`
   * is not a whole number below 2^24 (what a Float32Array slot holds exactly), which the JS loop then handles.
   * The addon reads the correction tables at steps[row] + 1 and then stores it, so each touched row's slot is
   * set to step − 1 first: it ends at `step`, the update at which the row last moved.
   */
  private lazyAdamNative(native: NativeBlas, batch: TableUpdate[], lr: number, step: number): boolean {
    if (!isWholeStep(step)) return false;
    for (const { slots, rows } of batch) {
      const steps = slots.steps!;
      for (let k = 0; k < rows.length; k++) steps[rows[k]!] = step - 1;
    }
    this.hyper[0] = ADAM_BETA1;
    this.hyper[1] = ADAM_BETA2;
    this.hyper[2] = ADAM_EPSILON;
    this.hyper[3] = lr;
    const { c1, c2 } = this.corrections.tables(step);
    return native.sparseAdam(
      batch.map((u) => u.table),
      batch.map((u) => u.slots.m!),
      batch.map((u) => u.slots.v!),
      batch.map((u) => u.slots.steps!),
      Int32Array.from(batch, (u) => u.dim),
      batch.map((u) => u.rows),
      batch.map((u) => u.grads),
      c1,
      c2,
      this.hyper,
    );
  }

  /** The rules other than lazy Adam in the addon (the JS loops' bits). */
  private updateNative(native: NativeBlas, rule: Exclude<SparseRule, 'lazy_adam'>, table: Float32Array, dim: number, slots: SparseSlots, rows: Int32Array, grads: Float32Array, lr: number, step: number): void {
    const h = this.hyper;
    if (rule === 'adam') {
      const dense = this.denseHyper;
      dense[0] = ADAM_BETA1;
      dense[1] = ADAM_BETA2;
      dense[2] = ADAM_EPSILON;
      dense[3] = lr;
      dense[4] = 1 - Math.pow(ADAM_BETA1, step);
      dense[5] = 1 - Math.pow(ADAM_BETA2, step);
      native.embeddingUpdate(NATIVE_KIND.adam, table, dim, rows, grads, slots.m!, slots.v!, slots.scratch!, dense);
      return;
    }
    h[0] = lr;
    h[1] = ADAGRAD_EPSILON;
    const acc = slots.m ?? table;
    native.embeddingUpdate(NATIVE_KIND[rule], table, dim, rows, grads, acc, acc, acc, h);
  }
}

/**
 * The touched rows' gradients (`grads`, exactly rows.length × dim) before the update, in place: ×`scale`
 * (clipping) unless it is 1, then + `l2`·w on those rows (embedding_l2, TorchRec's L2 mode) unless it is 0.
 * In the addon on the native backend (the same double arithmetic, same bits) unless `useNative` is false.
 */
export function prepareRowGradients(table: Float32Array, dim: number, rows: Int32Array, grads: Float32Array, scale: number, l2: number, useNative = true): void {
  if (scale === 1 && l2 === 0) return;
  const native = useNative ? nativeLoops() : undefined;
  if (native && grads.length === rows.length * dim) {
    native.prepareRowGrads(table, dim, rows, grads, scale, l2);
    return;
  }
  if (scale !== 1) for (let i = 0; i < grads.length; i++) grads[i] = grads[i]! * scale;
  if (l2 !== 0) {
    for (let k = 0; k < rows.length; k++) {
      const base = rows[k]! * dim;
      for (let d = 0; d < dim; d++) grads[k * dim + d] = grads[k * dim + d]! + l2 * table[base + d]!;
    }
  }
}

/**
 * Dense-equivalent Adam on a whole table at global step `step`: the touched rows' gradients are scattered
 * into the zeroed scratch, every value's moments decay and every value moves (as torch.optim.Adam on a
 * dense embedding gradient), then the scratch is zeroed again on the touched rows.
 */
function denseAdam(table: Float32Array, dim: number, slots: SparseSlots, rows: Int32Array, grads: Float32Array, lr: number, step: number): void {
  const m = slots.m!;
  const v = slots.v!;
  const g = slots.scratch!;
  for (let k = 0; k < rows.length; k++) g.set(grads.subarray(k * dim, (k + 1) * dim), rows[k]! * dim);
  const c1 = 1 - Math.pow(ADAM_BETA1, step);
  const c2 = 1 - Math.pow(ADAM_BETA2, step);
  for (let i = 0; i < table.length; i++) {
    const gi = g[i]!;
    const mi = (m[i] = ADAM_BETA1 * m[i]! + (1 - ADAM_BETA1) * gi);
    const vi = (v[i] = ADAM_BETA2 * v[i]! + (1 - ADAM_BETA2) * gi * gi);
    table[i] -= (lr * (mi / c1)) / (Math.sqrt(vi / c2) + ADAM_EPSILON);
  }
  for (let k = 0; k < rows.length; k++) g.fill(0, rows[k]! * dim, rows[k]! * dim + dim);
}
