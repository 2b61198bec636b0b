/**
 * The optimisers of embedding tables held in JS: only the rows a batch reads are touched, so a step costs
 * O(touched rows × dim) whatever the vocabulary size.
 * - adam (the default under `optimizer adam`): dense-equivalent Adam, exactly torch.optim.Adam on an
 *   nn.Embedding with a dense gradient, at a sparse cost. Dense Adam moves every row every update: a row no
 *   batch touched gets a zero gradient, so its moments decay and its momentum keeps moving it (a rare id moves
 *   about 10× its first step in all). Here a row instead records the update at which it last moved (the `steps`
 *   slot) and, when a batch next reads it, first gets those missed updates in one go (catchUpRow), before the
 *   forward pass reads it; the model's export brings every row up to date. The same values as dense Adam to
 *   float32 rounding (test/model/optim-catch-up.test.ts), without an O(rows × dim) pass per update.
 * - lazy_adam: TF's LazyAdam / torch's SparseAdam: the touched rows only, the global step's bias correction;
 *   untouched rows' moments wait, so rare ids learn slower than under dense Adam (issue #13's rare-task gap,
 *   repro/rare-task.ts, docs/optimisation.md). Cheapest.
 * - sgd: w -= lr·g. adagrad: per-value accumulators, as tf.train.adagrad on those rows.
 * - rowwise_adagrad: one accumulator per row (the mean of the row's g²), as DLRM / TorchRec / FBGEMM.
 * `train { embedding_optimizer … }` chooses the rule (src/ir/ops/embedding-optimizers.ts).
 */
import type { OptimizerSettings } from './types.js';
import type { EmbeddingOptimizerName } from '../ir/ops/index.js';
import { largeFloat32 } from '../exec/large-arrays.js';
import { activeNativeBlas, type NativeBlas } from '../exec/native-blas.js';
import { ADAGRAD_EPSILON, ADAGRAD_INITIAL, ADAM_BETA1, ADAM_BETA2, ADAM_CATCH_UP_WINDOW, ADAM_EPSILON } from './optim-params.js';
import { learningRateAt } from './optim-step.js';

/** The update rule of the embedding tables: `embedding_optimizer`, else the sparse variant of `optimizer`. */
export type SparseRule = EmbeddingOptimizerName | 'sgd';

/** The tables' rule under `settings`: `embedding_optimizer`, else the dense optimiser's own rule (adam: dense-equivalent). */
export function sparseRule(settings: OptimizerSettings): SparseRule {
  return settings.recipe?.embeddingOptimizer ?? settings.optimizer;
}

/** The optimiser slots of one table (allocated lazily; absent for sgd). */
export interface SparseSlots {
  /** Adam first moment / Adagrad accumulator, rows × dim; row-wise Adagrad's accumulator, one per row. */
  m?: Float32Array;
  /** Adam second moment, rows × dim. */
  v?: Float32Array;
  /** Both Adam rules: the global update at which each row last moved (exact up to 2^24 updates). */
  steps?: Float32Array;
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

/** The addon's embeddingUpdate kind of each rule it runs (both Adam rules have their own entry point, sparseAdam). */
const NATIVE_KIND = { sgd: 0, adagrad: 1, rowwise_adagrad: 2 } as const;

/** The addon's sparseAdam modes (native/mtl_blas.c). */
const ADAM_MODE = { lazy: 0, dense: 1, catchUp: 2 } as const;

/**
 * Adam's bias corrections 1 − β^j by whole update j, as far as either differs from 1 in double (about 37,400
 * updates: from there on 1 − β2^j rounds to exactly 1, and so does every later one), so the table is bounded
 * whatever the run's length. Math.pow was a large share of a row's update otherwise.
 */
class BiasCorrections {
  readonly c1: Float64Array;
  readonly c2: Float64Array;

  constructor() {
    const c1: number[] = [];
    const c2: number[] = [];
    for (let j = 0; j === 0 || c1[j - 1] !== 1 || c2[j - 1] !== 1; j++) {
      c1.push(1 - Math.pow(ADAM_BETA1, j));
      c2.push(1 - Math.pow(ADAM_BETA2, j));
    }
    this.c1 = Float64Array.from(c1);
    this.c2 = Float64Array.from(c2);
  }

  /** 1 − β1^t (the same value as computing it directly, for any t). */
  first(t: number): number {
    return t < this.c1.length && t === Math.floor(t) ? this.c1[t]! : 1 - Math.pow(ADAM_BETA1, t);
  }

  /** 1 − β2^t. */
  second(t: number): number {
    return t < this.c2.length && t === Math.floor(t) ? this.c2[t]! : 1 - Math.pow(ADAM_BETA2, t);
  }
}

/** The tables, built once (they are the same for every optimiser). */
let biasCorrections: BiasCorrections | undefined;
function corrections(): BiasCorrections {
  return (biasCorrections ??= new BiasCorrections());
}

/**
 * The learning rate of every update so far, by update j (1-based), for the catch-up of rows that missed updates:
 * the rate each update was given, or, for updates before this process (a resumed run), the schedule's
 * (learningRateAt, what applyUpdate gave them). 8 bytes per update.
 */
class LearningRates {
  private rates = new Float64Array(64);
  private known = 0;

  constructor(private readonly settings: OptimizerSettings) {}

  /** Update `step` ran at `lr`; true when that changes a rate already known (a step run again at another rate). */
  record(step: number, lr: number): boolean {
    if (!(step >= 1 && step === Math.floor(step))) return false;
    this.fill(step - 1);
    this.reserve(step);
    const changed = step <= this.known && this.rates[step] !== lr;
    this.rates[step] = lr;
    this.known = Math.max(this.known, step);
    return changed;
  }

  /** The rates of updates 1 .. upTo (those not recorded from the schedule). */
  upTo(upTo: number): Float64Array {
    this.fill(upTo);
    return this.rates;
  }

  private reserve(upTo: number): void {
    if (upTo < this.rates.length) return;
    const grown = new Float64Array(Math.max(upTo + 1, this.rates.length * 2));
    grown.set(this.rates);
    this.rates = grown;
  }

  private fill(upTo: number): void {
    if (upTo <= this.known) return;
    this.reserve(upTo);
    for (let j = this.known + 1; j <= upTo; j++) this.rates[j] = learningRateAt(this.settings, j - 1);
    this.known = upTo;
  }
}

/** The scalars of one Adam call (native/mtl_blas_optim.h mtl_adam_scalars). */
interface AdamScalars {
  lr: number;
  c1: number;
  c2: number;
  /** The update: rows end at it. */
  t: number;
  c1tab: Float64Array;
  c2tab: Float64Array;
  lrs: Float64Array;
}

/** Doubles per entry of the addon's catch-up cache (native/mtl_blas_optim.h MTL_CATCH_UP_ENTRY). */
const CATCH_UP_ENTRY = 12;

/** Terms of the catch-up's series, and the widest spread of the r_i it takes (see CatchUpSums). */
const CATCH_UP_TERMS = 8;
const CATCH_UP_MAX_RHO = 0.1;

/**
 * The catch-up's sums for a row that last moved at update s and misses `moving` updates that move it
 * (native/mtl_blas_optim.c catch_up_sums, the same arithmetic). Missed update i (j = s + i) moves each value by
 * a_i·m / (u·r_i + ε), u = √v, a_i = (lr_j / c1_j)·β1^i, r_i = √(β2^i / c2_j): dense Adam's step with β1^i·m and
 * β2^i·v written out, so a value's whole catch-up is m·F(u), F(u) = Σ a_i / (u·r_i + ε). The r_i lie close
 * together (±5 % once c2 ≈ 1): around their midpoint r̄, with D = u·r̄ + ε and y = −u / D, F(u) = (1/D)·Σ_k T_k·y^k,
 * T_k = Σ a_i·(r_i − r̄)^k, whose terms shrink by ρ = (r_max − r_min) / (r_max + r_min) each for every u ≥ 0: with
 * ρ ≤ 0.1, eight terms leave under 1e-8. Otherwise (early in a run, c2 far from 1) F is summed term by term.
 */
interface CatchUpSums {
  rbar: number;
  series: boolean;
  T: Float64Array;
  /** a_i and r_i (i = 1 .. moving at 0 .. moving − 1) for the term-by-term sum (empty for a series). */
  ai: Float64Array;
  ri: Float64Array;
}

/** Scratch a_i, r_i of the row being summed (copied into a CatchUpSums only when it is summed term by term). */
const scratchA = new Float64Array(ADAM_CATCH_UP_WINDOW);
const scratchR = new Float64Array(ADAM_CATCH_UP_WINDOW);
const NO_TERMS = new Float64Array(0);

/** The sums of (s, moving) under scalars `a`. */
function catchUpSums(s: number, moving: number, a: AdamScalars): CatchUpSums {
  const ai = scratchA;
  const ri = scratchR;
  let b1p = 1;
  let b2p = 1;
  let rmin = Infinity;
  let rmax = 0;
  const first = Math.trunc(s);
  for (let i = 1; i <= moving; i++) {
    const j = first + i;
    const c1 = j < a.c1tab.length ? a.c1tab[j]! : 1;
    const c2 = j < a.c2tab.length ? a.c2tab[j]! : 1;
    b1p = b1p * ADAM_BETA1;
    b2p = b2p * ADAM_BETA2;
    ai[i - 1] = ((j < a.lrs.length ? a.lrs[j]! : a.lr) / c1) * b1p;
    ri[i - 1] = Math.sqrt(b2p / c2);
    if (ri[i - 1]! < rmin) rmin = ri[i - 1]!;
    if (ri[i - 1]! > rmax) rmax = ri[i - 1]!;
  }
  const rbar = 0.5 * (rmin + rmax);
  const series = (rmax - rmin) / (rmax + rmin) <= CATCH_UP_MAX_RHO;
  const T = new Float64Array(CATCH_UP_TERMS);
  if (!series) return { rbar, series, T, ai: ai.slice(0, moving), ri: ri.slice(0, moving) };
  for (let i = 0; i < moving; i++) {
    const d = ri[i]! - rbar;
    let p = ai[i]!;
    for (let k = 0; k < CATCH_UP_TERMS; k++) {
      T[k] = T[k]! + p;
      p = p * d;
    }
  }
  return { rbar, series, T, ai: NO_TERMS, ri: NO_TERMS };
}

/** b^n for a whole n ≥ 0 by squaring: native/mtl_blas_optim.c pow_whole's multiplications in its order (same bits). */
function powWhole(b: number, n: number): number {
  let r = 1;
  for (let e = Math.trunc(n); e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) r *= b;
    b *= b;
  }
  return r;
}

/**
 * The catch-up's sums of the (s, moving) pairs met so far (s, the update a row last moved at, is global: every
 * table's rows share the pairs). The values are the same whether cached or not; a rate rewritten (a step run
 * again at another rate) clears it. The addon keeps its own (`native`, native/mtl_blas_optim.h's layout).
 */
class CatchUpCache {
  private readonly js = new Map<number, CatchUpSums>();
  /** The addon's cache: CATCH_UP_ENTRY doubles per entry, 2^14 entries (1.5 MB), allocated on first use. */
  private nativeSums?: Float64Array;

  get(s: number, moving: number, a: AdamScalars): CatchUpSums {
    const key = s * 1024 + moving;
    let e = this.js.get(key);
    if (!e) {
      if (this.js.size >= 1 << 16) this.js.clear();
      this.js.set(key, (e = catchUpSums(s, moving, a)));
    }
    return e;
  }

  native(): Float64Array {
    return (this.nativeSums ??= new Float64Array(CATCH_UP_ENTRY << 14));
  }

  clear(): void {
    this.js.clear();
    this.nativeSums?.fill(0);
  }
}

/**
 * Dense Adam's zero-gradient updates s+1 .. target on the row at `base` that last moved at update s: the first
 * ADAM_CATCH_UP_WINDOW of them move each value by m·F(u) in all (CatchUpSums); after those the weights' steps are
 * below float32's resolution; m and v decay by β1^gap and β2^gap. Double throughout, stored once:
 * native/mtl_blas_optim.c adam_catch_up_row's bits. `cache` keeps the sums of rows that share s.
 */
function catchUpRow(table: Float32Array, m: Float32Array, v: Float32Array, base: number, dim: number, s: number, target: number, a: AdamScalars, cache: CatchUpCache): void {
  const gap = target - s;
  const moving = gap < ADAM_CATCH_UP_WINDOW ? Math.trunc(gap) : ADAM_CATCH_UP_WINDOW;
  const f1 = powWhole(ADAM_BETA1, gap);
  const f2 = powWhole(ADAM_BETA2, gap);
  const e = cache.get(s, moving, a);
  const T = e.T;
  for (let d = 0; d < dim; d++) {
    const md = m[base + d]!;
    const u = Math.sqrt(v[base + d]!);
    let F = 0;
    if (e.series) {
      const D = u * e.rbar + ADAM_EPSILON;
      const y = -u / D;
      let acc = T[CATCH_UP_TERMS - 1]!;
      for (let k = CATCH_UP_TERMS - 2; k >= 0; k--) acc = acc * y + T[k]!;
      F = acc / D;
    } else {
      for (let i = 0; i < moving; i++) F = F + e.ai[i]! / (u * e.ri[i]! + ADAM_EPSILON);
    }
    table[base + d] = table[base + d]! - md * F;
    m[base + d] = md * f1;
    v[base + d] = v[base + d]! * f2;
  }
}

/**
 * Adam on the touched (unique) rows at update a.t (mtl_embed_adam_loop's bits): with `catchUp` (rule `adam`) each
 * row first gets the updates it missed (catchUpRow), so the table ends exactly as dense Adam's would; without it
 * (rule `lazy_adam`) an untouched row's moments wait. Each row's step slot ends at a.t.
 */
function adamRows(u: TableUpdate, a: AdamScalars, catchUp: boolean, cache: CatchUpCache): void {
  const { table, dim, rows, grads } = u;
  const m = u.slots.m!;
  const v = u.slots.v!;
  const steps = u.slots.steps!;
  const before = a.t - 1;
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k]!;
    const base = row * dim;
    const s = steps[row]!;
    if (catchUp && s >= 1 && s < before) catchUpRow(table, m, v, base, dim, s, before, a, cache);
    steps[row] = a.t;
    const gBase = k * dim;
    for (let d = 0; d < dim; d++) {
      const g = grads[gBase + d]!;
      const mi = (m[base + d] = ADAM_BETA1 * m[base + d]! + (1 - ADAM_BETA1) * g);
      const vi = (v[base + d] = ADAM_BETA2 * v[base + d]! + (1 - ADAM_BETA2) * g * g);
      table[base + d] -= (a.lr * (mi / a.c1)) / (Math.sqrt(vi / a.c2) + ADAM_EPSILON);
    }
  }
}

/** Per-table sparse optimiser state and update rule. */
export class SparseOptimizer {
  private readonly rates: LearningRates;
  private readonly sums = new CatchUpCache();
  private readonly noSums = new Float64Array(0);
  private readonly hyper = new Float64Array(9);
  private readonly noGrads = new Float32Array(0);

  /** `useNative` false keeps the JS loop on the native backend too (the reference, for tests). */
  constructor(
    readonly settings: OptimizerSettings,
    private readonly useNative = true,
  ) {
    this.rule = sparseRule(settings);
    this.rates = new LearningRates(settings);
  }

  /** The tables' update rule. */
  readonly rule: SparseRule;

  /** True when rows that a batch reads must first catch up the updates they missed (rule `adam`): see {@link catchUp}. */
  get catchesUp(): boolean {
    return this.rule === 'adam';
  }

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
      case 'adam':
        return { m: largeFloat32(rows * dim), v: largeFloat32(rows * dim), steps: largeFloat32(rows) };
    }
  }

  /**
   * Update `table` on `rows` (unique) with their summed gradients `grads` (rows.length × dim, row-major),
   * at learning rate `lr` (default the constant one); `step` is the 1-based global update (the bias correction of both Adam rules).
   */
  update(table: Float32Array, dim: number, slots: SparseSlots, rows: Int32Array, grads: Float32Array, lr = this.settings.lr, step = 1): void {
    this.updateTables([{ table, dim, slots, rows, grads }], lr, step);
  }

  /**
   * Update every table of `batch` (see {@link update}). Adam on the native backend updates all of them in one
   * call into the addon, its rows shared out to the addon's threads (one wait for the threads per step instead
   * of one per table); otherwise table by table.
   */
  updateTables(batch: TableUpdate[], lr = this.settings.lr, step = 1): void {
    if (this.rule === 'lazy_adam' || this.rule === 'adam') {
      if (this.rates.record(step, lr)) this.sums.clear();
      this.adamTables(batch, this.adamScalars(lr, step), this.rule === 'adam' ? ADAM_MODE.dense : ADAM_MODE.lazy);
      return;
    }
    const native = this.useNative ? nativeLoops() : undefined;
    for (const u of batch) {
      if (native) this.updateNative(native, this.rule, u, lr);
      else plainUpdate(this.rule, u, lr);
    }
  }

  /**
   * Rule `adam` (dense-equivalent): bring the rows a batch reads (`rows`, any order, repeats allowed) of a table
   * up to update `upTo`, the last one applied: each row that last moved at an earlier update first gets the
   * zero-gradient updates dense Adam would have given it since (its momentum keeps moving it, its moments decay).
   * The forward pass then reads what dense Adam's table holds, at the cost of the rows read, not the table.
   * Other rules: nothing.
   */
  catchUp(table: Float32Array, dim: number, slots: SparseSlots, rows: Int32Array, upTo: number): void {
    if (!this.catchesUp || upTo < 2 || rows.length === 0) return;
    const a = this.adamScalars(this.settings.lr, upTo);
    const native = this.useNative ? nativeLoops() : undefined;
    if (native && this.callNative(native, [{ table, dim, slots, rows, grads: this.noGrads }], a, ADAM_MODE.catchUp)) return;
    const m = slots.m!;
    const v = slots.v!;
    const steps = slots.steps!;
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k]!;
      const s = steps[row]!;
      if (!(s < upTo)) continue;
      steps[row] = upTo;
      if (s >= 1) catchUpRow(table, m, v, row * dim, dim, s, upTo, a, this.sums);
    }
  }

  /** The scalars of an Adam call at update `step` (rates filled up to it). */
  private adamScalars(lr: number, step: number): AdamScalars {
    const c = corrections();
    return { lr, c1: c.first(step), c2: c.second(step), t: step, c1tab: c.c1, c2tab: c.c2, lrs: this.rates.upTo(Math.max(0, Math.floor(step))) };
  }

  /** Adam (`mode` lazy or dense) on every table of `batch`: in the addon when there is one, else the JS loop. */
  private adamTables(batch: TableUpdate[], a: AdamScalars, mode: 0 | 1): void {
    const native = this.useNative ? nativeLoops() : undefined;
    if (native && batch.length > 0 && this.callNative(native, batch, a, mode)) return;
    for (const u of batch) adamRows(u, a, mode === ADAM_MODE.dense, this.sums);
  }

  /** The addon's sparseAdam on `batch` (false: it had no memory, nothing changed). */
  private callNative(native: NativeBlas, batch: TableUpdate[], a: AdamScalars, mode: number): boolean {
    const h = this.hyper;
    h[0] = ADAM_BETA1;
    h[1] = ADAM_BETA2;
    h[2] = ADAM_EPSILON;
    h[3] = a.lr;
    h[4] = a.c1;
    h[5] = a.c2;
    h[6] = a.t;
    h[7] = mode;
    h[8] = ADAM_CATCH_UP_WINDOW;
    return native.sparseAdam(
      batch.map((u) => u.table),
      batch.map((u) => u.slots.m!),
      batch.map((u) => u.slots.v!),
      batch.map((u) => u.slots.steps!),
      Int32Array.from(batch, (u) => u.dim),
      batch.map((u) => u.rows),
      batch.map((u) => u.grads),
      a.c1tab,
      a.c2tab,
      a.lrs,
      h,
      mode === ADAM_MODE.lazy ? this.noSums : this.sums.native(),
    );
  }

  /** sgd, adagrad and row-wise adagrad in the addon (the JS loops' bits). */
  private updateNative(native: NativeBlas, rule: keyof typeof NATIVE_KIND, u: TableUpdate, lr: number): void {
    const h = this.hyper;
    h[0] = lr;
    h[1] = ADAGRAD_EPSILON;
    const acc = u.slots.m ?? u.table;
    native.embeddingUpdate(NATIVE_KIND[rule], u.table, u.dim, u.rows, u.grads, acc, h);
  }
}

/** sgd, adagrad and row-wise adagrad as JS loops (the reference; the addon has the same bits). */
function plainUpdate(rule: keyof typeof NATIVE_KIND, u: TableUpdate, lr: number): void {
  const { table, dim, rows, grads } = u;
  const n = rows.length;
  if (rule === 'rowwise_adagrad') {
    const acc = u.slots.m!;
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
  if (rule === 'sgd') {
    for (let k = 0; k < n; k++) {
      const base = rows[k]! * dim;
      const gBase = k * dim;
      for (let d = 0; d < dim; d++) table[base + d] -= lr * grads[gBase + d]!;
    }
    return;
  }
  const acc = u.slots.m!;
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
