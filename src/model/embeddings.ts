/**
 * Embedding tables held in JS (one Float32Array per owning feature; `shares` reuses the owner's table),
 * looked up and pooled per batch into dense [batch, dim] inputs for the core model, with the backward
 * pass scattered onto the touched rows only and a sparse optimiser step. This keeps a training step at
 * O(batch × dim): tfjs' gather gradient (UnsortedSegmentSum) is O(vocabulary) on cpu and missing on wasm.
 */
import type { Feature, Pooling } from '../ir/types.js';
import type { FeatureColumn } from '../data/types.js';
import type { OptimizerSettings, StateTensor } from './types.js';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START } from '../diagnostics/types.js';
import { MtlError } from '../diagnostics/error.js';
import { deriveSeed, mulberry32 } from './seed.js';
import { prepareRowGradients, SparseOptimizer, type SparseSlots, type TableUpdate } from './optim-sparse.js';
import { RowGradients } from './embeddings-grad.js';
import { largeFloat32 } from '../exec/large-arrays.js';
import { activeNativeBlas } from '../exec/native-blas.js';
import { keepTouched, ROW_BLOCK, touchRows } from './row-touch.js';

/** How tables are initialised: uniform in ±0.05, or normal with variance 1/dim. */
export type EmbeddingInit = 'uniform' | 'normal';

/** One embedding table. */
export interface EmbeddingTable {
  /** The owning feature. */
  owner: string;
  rows: number;
  dim: number;
  /** rows × dim, row-major. */
  data: Float32Array;
  slots: SparseSlots;
}

/** What the backward pass needs from one lookup. */
type LookupRecord =
  | { kind: 'ids'; rows: Int32Array }
  | { kind: 'weighted'; rows: Int32Array; weights: Float32Array; maxLen: number }
  | { kind: 'max'; argRows: Int32Array; argWeights: Float32Array };

/** A pooled lookup: dense [size, dim] values and what its backward pass needs. */
export interface Lookup {
  feature: string;
  table: string;
  size: number;
  dim: number;
  values: Float32Array;
  record: LookupRecord;
}

/** One table's taken row gradients (EmbeddingStore.takeGradients). */
export interface PendingRows {
  owner: string;
  rows: Int32Array;
  grads: Float32Array;
}

/** Options of the store. */
export interface EmbeddingStoreOptions {
  /** Rows per owning table; when absent, derived from the feature's id space (hash N: N, vocab N: N + 1, buckets: boundaries + 1). */
  tableSizes?: Record<string, number>;
  seed: number;
  optimizer: OptimizerSettings;
  init?: EmbeddingInit;
}

/** Rows of a feature's own table when preprocessing did not say. */
export function defaultTableRows(f: Feature): number {
  if (f.kind === 'numeric') return (f.buckets?.length ?? 0) + 1;
  if (f.ids.kind === 'hash') return f.ids.size;
  if (f.ids.kind === 'vocab') return f.ids.size + 1;
  return (f.ids.size ?? 0) + 1;
}

/** True when a feature is looked up in an embedding table (categorical, sequence, bucketised numeric). */
export function isEmbedded(f: Feature): boolean {
  return f.kind !== 'numeric' || (f.buckets !== undefined && f.buckets.length > 0);
}

/**
 * values[b·dim …] = data[rows[b]·dim …] for every b, a block of rows touched before it is copied (./row-touch.ts):
 * 7.4 → 3.4 ms per mmoe step on the WebAssembly build. A plain loop: values.set(data.subarray(…)) made a view
 * object per row (26k per mmoe step).
 */
function gatherRowsJs(data: Float32Array, dim: number, rows: Int32Array, values: Float32Array): void {
  let touched = 0;
  for (let b0 = 0; b0 < rows.length; b0 += ROW_BLOCK) {
    const b1 = Math.min(rows.length, b0 + ROW_BLOCK);
    touched += touchRows(data, dim, rows, b0, b1);
    for (let b = b0, o = b0 * dim; b < b1; b++) {
      const base = rows[b]! * dim;
      for (let d = 0; d < dim; d++) values[o++] = data[base + d]!;
    }
  }
  keepTouched(touched);
}

function batchError(feature: string, reason: string): MtlError {
  return new MtlError(diag('MTL5205', FILE_START, { feature, reason }));
}

/** The tables of a model and their sparse optimiser. */
export class EmbeddingStore {
  readonly tables = new Map<string, EmbeddingTable>();
  private readonly ownerOf = new Map<string, string>();
  private readonly pooling = new Map<string, Pooling>();
  private readonly optimizer: SparseOptimizer;
  private readonly grads = new Map<string, RowGradients>();
  /** The last global update applied to the tables: rows a batch reads are brought up to it (rule `adam`). */
  private lastUpdate = 0;

  constructor(features: Feature[], opts: EmbeddingStoreOptions) {
    this.optimizer = new SparseOptimizer(opts.optimizer);
    const byName = new Map(features.map((f) => [f.name, f]));
    const root = (f: Feature): Feature => {
      let cur = f;
      for (let hops = 0; hops < features.length && cur.kind !== 'numeric' && cur.shares; hops++) cur = byName.get(cur.shares) ?? cur;
      return cur;
    };
    for (const f of features) {
      if (!isEmbedded(f)) continue;
      const owner = root(f);
      this.ownerOf.set(f.name, owner.name);
      if (f.kind === 'sequence') this.pooling.set(f.name, f.pool);
      if (this.tables.has(owner.name)) continue;
      const dim = owner.dim ?? owner.width ?? 1;
      const rows = opts.tableSizes?.[owner.name] ?? defaultTableRows(owner);
      const data = largeFloat32(rows * dim); // huge pages on native; initialised just below
      const rand = mulberry32(deriveSeed(opts.seed, `embedding_${owner.name}`));
      if ((opts.init ?? 'uniform') === 'uniform') {
        for (let i = 0; i < data.length; i++) data[i] = (rand() * 2 - 1) * 0.05;
      } else {
        const std = 1 / Math.sqrt(dim);
        for (let i = 0; i < data.length; i += 2) {
          const r = Math.sqrt(-2 * Math.log(1 - rand()));
          const th = 2 * Math.PI * rand();
          data[i] = r * Math.cos(th) * std;
          if (i + 1 < data.length) data[i + 1] = r * Math.sin(th) * std;
        }
      }
      this.tables.set(owner.name, { owner: owner.name, rows, dim, data, slots: this.optimizer.createSlots(rows, dim) });
      this.grads.set(owner.name, new RowGradients(rows, dim));
    }
  }

  /** The table a feature reads (its owner's), or undefined for a plain numeric feature. */
  tableOf(feature: string): EmbeddingTable | undefined {
    const owner = this.ownerOf.get(feature);
    return owner === undefined ? undefined : this.tables.get(owner);
  }

  /** Number of embedding parameters (each table once, however many features share it). */
  parameterCount(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.data.length;
    return n;
  }

  /**
   * Look up and pool one feature's column for a batch of `size` examples, into `into` when given (its first
   * size × dim values: the direct step's input buffer) or a new array. Throws MtlError (MTL5205) on a malformed
   * column.
   */
  lookup(feature: string, column: FeatureColumn | undefined, size: number, into?: Float32Array): Lookup {
    const table = this.tableOf(feature);
    if (!table) throw batchError(feature, 'it is not an embedded feature');
    if (!column) throw batchError(feature, 'the column is missing');
    const { dim, data, rows: tableRows } = table;
    const checkRows = (rows: Int32Array): void => {
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        if (!(r >= 0 && r < tableRows)) throw batchError(feature, `row ${r} is outside its table of ${tableRows} rows`);
      }
    };
    if (into && into.length < size * dim) throw new Error(`internal: the buffer for '${feature}' holds ${into.length} values, not ${size} × ${dim}`);
    const values = into ? into.subarray(0, size * dim) : new Float32Array(size * dim);
    if (column.kind === 'ids') {
      if (column.rows.length < size) throw batchError(feature, `${column.rows.length} ids for ${size} examples`);
      const rows = column.rows.subarray(0, size);
      checkRows(rows);
      this.optimizer.catchUp(data, dim, table.slots, rows, this.lastUpdate);
      const native = activeNativeBlas();
      if (native) {
        // random rows: latency-bound; the addon keeps several in flight (prefetch), ~3× faster than JS
        native.gatherRows(data, dim, rows, values);
        return { feature, table: table.owner, size, dim, values, record: { kind: 'ids', rows } };
      }
      gatherRowsJs(data, dim, rows, values);
      return { feature, table: table.owner, size, dim, values, record: { kind: 'ids', rows } };
    }
    if (column.kind !== 'seq') throw batchError(feature, `expected table rows, got a ${column.kind} column`);
    const L = column.maxLen;
    if (column.rows.length < size * L || column.weights.length < size * L) throw batchError(feature, `the sequence column is shorter than ${size} × ${L}`);
    const rows = column.rows.subarray(0, size * L);
    const weights = column.weights.subarray(0, size * L);
    checkRows(rows);
    this.optimizer.catchUp(data, dim, table.slots, rows, this.lastUpdate);
    if (this.pooling.get(feature) !== 'max') {
      if (into) values.fill(0); // the weighted sum adds into it
      for (let b = 0; b < size; b++) {
        const out = b * dim;
        for (let l = 0; l < L; l++) {
          const w = weights[b * L + l]!;
          if (w === 0) continue;
          const base = rows[b * L + l]! * dim;
          for (let d = 0; d < dim; d++) values[out + d] += w * data[base + d]!;
        }
      }
      return { feature, table: table.owner, size, dim, values, record: { kind: 'weighted', rows, weights, maxLen: L } };
    }
    // max of w·e over positions (w is 1 on real and repeated positions, 0 for an empty sequence): the
    // export model computes the same with multiply + globalMaxPooling1d.
    const argRows = new Int32Array(size * dim);
    const argWeights = new Float32Array(size * dim);
    for (let b = 0; b < size; b++) {
      const out = b * dim;
      for (let l = 0; l < L; l++) {
        const w = weights[b * L + l]!;
        const row = rows[b * L + l]!;
        const base = row * dim;
        for (let d = 0; d < dim; d++) {
          const v = w * data[base + d]!;
          if (l === 0 || v > values[out + d]!) {
            values[out + d] = v;
            argRows[out + d] = row;
            argWeights[out + d] = w;
          }
        }
      }
    }
    return { feature, table: table.owner, size, dim, values, record: { kind: 'max', argRows, argWeights } };
  }

  /** Add a lookup's gradient (∂loss/∂values, [size, dim]) to its table's pending row gradients. */
  backward(lookup: Lookup, grad: Float32Array): void {
    const acc = this.grads.get(lookup.table)!;
    const { size, dim, record } = lookup;
    if (record.kind === 'ids') {
      acc.addRows(record.rows.subarray(0, size), grad);
    } else if (record.kind === 'weighted') {
      const L = record.maxLen;
      for (let b = 0; b < size; b++) {
        for (let l = 0; l < L; l++) {
          const w = record.weights[b * L + l]!;
          if (w !== 0) acc.addRow(record.rows[b * L + l]!, grad, b * dim, w);
        }
      }
    } else {
      for (let i = 0; i < size * dim; i++) {
        const w = record.argWeights[i]!;
        if (w !== 0) acc.addComponent(record.argRows[i]!, i % dim, w * grad[i]!);
      }
    }
  }

  /** Apply the sparse optimiser to every table's pending row gradients, then clear them. */
  step(): void {
    this.applyGradients(this.takeGradients(), { lr: this.optimizer.settings.lr, scale: 1, l2: 0, step: 1 });
  }

  /** Every table's pending row gradients (unique rows, summed), clearing them: for clipping before {@link applyGradients}. */
  takeGradients(): PendingRows[] {
    return [...this.grads].map(([owner, acc]) => ({ owner, ...acc.take() }));
  }

  /**
   * Update the tables with taken gradients: each scaled by `scale` (clipping), plus `l2`·w on the touched rows
   * (embedding_l2, TorchRec's L2 mode), at learning rate `lr`; `step` is the 1-based global update.
   */
  applyGradients(pending: PendingRows[], at: { lr: number; scale: number; l2: number; step: number }): void {
    const batch: TableUpdate[] = [];
    this.lastUpdate = at.step;
    for (const { owner, rows, grads } of pending) {
      if (rows.length === 0) continue;
      const t = this.tables.get(owner)!;
      prepareRowGradients(t.data, t.dim, rows, grads, at.scale, at.l2);
      batch.push({ table: t.data, dim: t.dim, slots: t.slots, rows, grads });
    }
    this.optimizer.updateTables(batch, at.lr, at.step);
  }

  /**
   * Bring every row of every table up to the last update (rule `adam`: the rows no batch read since they last
   * moved get their missed updates), so the tables hold what dense Adam's would: before the model is exported.
   * Training may go on after it (the rows' step slots say they are current).
   */
  catchUpAll(): void {
    if (!this.optimizer.catchesUp) return;
    for (const t of this.tables.values()) {
      const all = new Int32Array(t.rows);
      for (let r = 0; r < t.rows; r++) all[r] = r;
      this.optimizer.catchUp(t.data, t.dim, t.slots, all, this.lastUpdate);
    }
  }

  /**
   * Tables (`embedding/OWNER`) and optimiser slots (`embedding_opt/OWNER/m|v|steps`) as state tensors, as they
   * are: under rule `adam` a row may still owe updates (its step slot says from when), so a resumed run repeats
   * an uninterrupted one bit for bit. The exported model is caught up ({@link catchUpAll}).
   */
  getState(): Record<string, StateTensor> {
    const out: Record<string, StateTensor> = {};
    for (const t of this.tables.values()) {
      out[`embedding/${t.owner}`] = { shape: [t.rows, t.dim], data: new Float32Array(t.data) };
      for (const key of ['m', 'v', 'steps'] as const) {
        const s = t.slots[key];
        if (s) out[`embedding_opt/${t.owner}/${key}`] = { shape: s.length === t.rows ? [t.rows] : [t.rows, t.dim], data: new Float32Array(s) };
      }
    }
    return out;
  }

  /**
   * Restore tables and slots at global update `lastUpdate` (the dense optimiser's update count); returns the names
   * of missing or mis-sized tensors (nothing is changed for those).
   */
  setState(tensors: Record<string, StateTensor>, lastUpdate = this.lastUpdate): string[] {
    this.lastUpdate = lastUpdate;
    const problems: string[] = [];
    const load = (name: string, into: Float32Array): void => {
      const t = tensors[name];
      if (!t || t.data.length !== into.length) problems.push(name);
      else into.set(t.data);
    };
    for (const t of this.tables.values()) {
      load(`embedding/${t.owner}`, t.data);
      for (const key of ['m', 'v', 'steps'] as const) {
        const s = t.slots[key];
        if (!s) continue;
        // A checkpoint of rule adam from before the catch-up (every row moved every update) has no step slots:
        // its rows are all current at the last update.
        if (key === 'steps' && !tensors[`embedding_opt/${t.owner}/steps`] && this.optimizer.catchesUp) s.fill(lastUpdate);
        else load(`embedding_opt/${t.owner}/${key}`, s);
      }
    }
    return problems;
  }

  /** State tensors setState can do without (derived instead): the step slots of rule `adam` (see setState). */
  optionalState(): string[] {
    if (!this.optimizer.catchesUp) return [];
    return [...this.tables.values()].map((t) => `embedding_opt/${t.owner}/steps`);
  }
}
