/**
 * Row → batch encoding: each feature, label and group column gets a small writer that turns one cell into
 * its slot of the batch's typed arrays. Writers throw {@link RowProblem} for bad values; the caller decides
 * whether to stop or skip the row (a skipped row is simply overwritten by the next one).
 */
import type { NumericFeature, SequenceFeature } from '../ir/types.js';
import type { Batch, FeatureColumn } from './types.js';
import type { Cell } from './source.js';
import type { FeaturePlan, LabelPlan, ReadPlan } from './plan.js';
import { numericStats, type IdsFeatureState, type NumericFeatureState, type PreprocessState } from './state.js';
import type { Vocabulary } from './vocab.js';
import { fnv1a32 } from './hash.js';
import { RowProblem, showValue } from './problems.js';
import { BAD, cellText, isMissingCell, parseBinary, parseNumber } from './values.js';

/** Counts of values that fell to the out-of-vocabulary row, per feature, for the end-of-pass warning. */
export interface OovCounter {
  feature: string;
  space: 'vocab' | 'file';
  oov: number;
  total: number;
}

/**
 * Counts of a numeric feature's missing values that its `missing mean|zero|NUMBER` filled in one pass, for
 * the end-of-pass warning (MTL5085): a filled value is a guess the model cannot tell from a real one.
 */
export interface MissingCounter {
  feature: string;
  space: 'missing';
  /** What the values were filled with, in words (`the training mean 4.2 (\`missing mean\`)`). */
  fill: string;
  filled: number;
  total: number;
}

/** The counters a pass keeps for its end-of-pass warnings. */
export type PassCounter = OovCounter | MissingCounter;

/** Maps one value to a table row (and counts out-of-vocabulary values). */
type IdMapper = (c: Cell) => number;

/** An id mapper for a feature's effective id space. */
export function idMapper(ids: IdsFeatureState, vocab: Vocabulary | undefined, counter: OovCounter | undefined): IdMapper {
  if (ids.space === 'hash') {
    const size = ids.tableSize;
    return (c) => fnv1a32(typeof c === 'string' ? c : cellText(c)) % size;
  }
  if (ids.space === 'file') {
    const rows = vocab?.rows ?? new Map<string, number>();
    return (c) => {
      const r = rows.get(typeof c === 'string' ? c : cellText(c));
      if (counter) {
        counter.total++;
        if (r === undefined) counter.oov++;
      }
      return r ?? 0;
    };
  }
  // vocab N: integer ids 0..N-1 → rows 1..N; the id is read with the one number syntax (`0x10` is not id 16).
  const n = ids.tableSize - 1;
  return (c) => {
    const v = typeof c === 'boolean' ? Number.NaN : parseNumber(c); // true is not id 1
    if (counter) counter.total++;
    if (Number.isInteger(v) && v >= 0 && v < n) return v + 1;
    if (counter) counter.oov++;
    return 0;
  };
}

/**
 * A numeric cell read and range-checked, in the feature's transformed space (log1p applied unless
 * bucketised), or NaN for a missing value the feature fills. Throws RowProblem for a value that is not a
 * decimal number (MTL5003), a missing value under `missing error` (MTL5008), a negative value under log1p (MTL5009).
 * Fitting and batching both read numbers through it, so they cannot disagree on what a value is.
 */
export function transformedValue(f: NumericFeature, c: Cell, cell: number): number {
  const v = parseNumber(c);
  if (v === BAD) throw new RowProblem('MTL5003', { column: f.column ?? f.name, value: showValue(c) }, cell);
  if (v !== v) {
    if (f.missing === 'error') throw new RowProblem('MTL5008', { column: f.column ?? f.name, feature: f.name }, cell);
    return v;
  }
  if (f.normalize !== 'log1p' || (f.buckets !== undefined && f.buckets.length > 0)) return v;
  if (v < 0) throw new RowProblem('MTL5009', { column: f.column ?? f.name, feature: f.name, value: showValue(c) }, cell);
  return Math.log1p(v);
}

/**
 * The value a numeric feature contributes, before normalisation: parsed, filled, range-checked, transformed.
 * `counter` (when given) counts the values read and the missing ones filled.
 */
export function numericValue(f: NumericFeature, stats: NumericFeatureState | undefined, c: Cell, cell: number, counter?: MissingCounter): number {
  const t = transformedValue(f, c, cell);
  if (counter) counter.total++;
  if (t === t) return t;
  if (counter) counter.filled++;
  const m = f.missing;
  // `mean` is the training part's mean (preprocess.json), already in the transformed space.
  if (m === 'mean') return stats ? stats.mean : 0;
  const v = m === 'zero' ? 0 : (m as { value: number }).value;
  const bucketed = f.buckets !== undefined && f.buckets.length > 0;
  return bucketed || f.normalize !== 'log1p' ? v : Math.log1p(Math.max(v, 0));
}

/** A counter of the values `f` fills, with the fill in words for the warning. */
function missingCounter(f: NumericFeature, stats: NumericFeatureState | undefined): MissingCounter {
  const m = f.missing;
  const fill =
    m === 'mean'
      ? `the training mean${stats ? ` ${+stats.mean.toPrecision(6)}${f.normalize === 'log1p' && !(f.buckets && f.buckets.length) ? ' (after log1p)' : ''}` : ''} (\`missing mean\`)`
      : m === 'zero'
        ? '0 (`missing zero`)'
        : `${(m as { value: number }).value} (\`missing ${(m as { value: number }).value}\`)`;
  return { feature: f.name, space: 'missing', fill, filled: 0, total: 0 };
}

/** Normalise a transformed numeric value with the fitted statistics. */
export function normalizeValue(f: NumericFeature, s: NumericFeatureState, t: number): number {
  switch (f.normalize) {
    case 'standard':
      return (t - s.mean) / s.std;
    case 'minmax': {
      const range = s.max - s.min;
      return range > 0 ? (t - s.min) / range : 0;
    }
    default:
      return t;
  }
}

/** Number of boundaries <= v (the bucket's row; boundaries ascending). */
export function bucketOf(boundaries: number[], v: number): number {
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (boundaries[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One column writer of a batch under construction. */
interface Writer {
  /** Write record `rec`'s value into slot `i`. */
  write(rec: Cell[], i: number): void;
  /** Finish: the column, truncated to `size`. */
  finish(size: number): void;
}

/** Builds batches of up to `capacity` rows from records. */
export class BatchBuilder {
  private size = 0;
  private features: Record<string, FeatureColumn> = {};
  private labels: Record<string, Float32Array> = {};
  private weights: Record<string, Float32Array> = {};
  private groups: Record<string, string[]> = {};
  private rowNumbers: Int32Array;
  private writers: Writer[] = [];
  private factories: Array<() => Writer> = [];

  /** `cellOf[k]` is the record index of wanted column k (from the source). */
  constructor(
    plan: ReadPlan,
    state: PreprocessState,
    vocabs: Map<string, Vocabulary>,
    cellOf: number[],
    private readonly capacity: number,
    counters: PassCounter[],
  ) {
    const cell = (column: string): number => cellOf[plan.columnIndex.get(column)!]!;
    for (const fp of plan.features) this.factories.push(this.featureWriter(fp, state, vocabs, cell(fp.column), counters));
    for (const lp of plan.labels) this.factories.push(this.labelWriter(lp, cell(lp.column)));
    for (const column of plan.weights) this.factories.push(this.weightWriter(column, cell(column)));
    for (const gp of plan.groups) {
      const k = cell(gp.column);
      this.factories.push(() => {
        const out: string[] = new Array(this.capacity);
        this.groups[gp.key] = out;
        return {
          write: (rec, i) => {
            out[i] = cellText(rec[k]!);
          },
          finish: (size) => {
            out.length = size;
          },
        };
      });
    }
    this.rowNumbers = new Int32Array(capacity);
    this.reset();
  }

  /** Rows in the batch under construction. */
  get length(): number {
    return this.size;
  }

  /** Add one record. Throws RowProblem for a bad value (the row is then not counted). */
  add(rec: Cell[], line: number): void {
    const i = this.size;
    const ws = this.writers;
    for (let w = 0; w < ws.length; w++) ws[w]!.write(rec, i);
    this.rowNumbers[i] = line;
    this.size = i + 1;
  }

  /** The finished batch (then starts a new one). */
  take(): Batch {
    const size = this.size;
    for (const w of this.writers) w.finish(size);
    const batch: Batch = {
      size,
      features: this.features,
      labels: this.labels,
      ...(Object.keys(this.weights).length > 0 ? { weights: this.weights } : {}),
      groups: this.groups,
      rowNumbers: size === this.capacity ? this.rowNumbers : this.rowNumbers.slice(0, size),
    };
    this.reset();
    return batch;
  }

  private reset(): void {
    this.size = 0;
    this.features = {};
    this.labels = {};
    this.weights = {};
    this.groups = {};
    this.rowNumbers = new Int32Array(this.capacity);
    this.writers = this.factories.map((f) => f());
  }

  private featureWriter(fp: FeaturePlan, state: PreprocessState, vocabs: Map<string, Vocabulary>, k: number, counters: PassCounter[]): () => Writer {
    const f = fp.feature;
    const fs = state.features[f.name]!;
    const cap = this.capacity;
    if (f.kind === 'numeric') {
      const stats = numericStats(fs);
      const filled = f.missing === 'error' ? undefined : missingCounter(f, stats);
      if (filled) counters.push(filled);
      if (fs.kind === 'ids') {
        const boundaries = f.buckets ?? [];
        return () => {
          let rows = new Int32Array(cap);
          this.features[f.name] = { kind: 'ids', rows };
          return {
            write: (rec, i) => {
              rows[i] = bucketOf(boundaries, numericValue(f, stats, rec[k]!, k, filled));
            },
            finish: (size) => {
              if (size < cap) this.features[f.name] = { kind: 'ids', rows: (rows = rows.slice(0, size)) };
            },
          };
        };
      }
      const s = fs as NumericFeatureState;
      return () => {
        let values = new Float32Array(cap);
        this.features[f.name] = { kind: 'dense', values };
        return {
          write: (rec, i) => {
            values[i] = normalizeValue(f, s, numericValue(f, s, rec[k]!, k, filled));
          },
          finish: (size) => {
            if (size < cap) this.features[f.name] = { kind: 'dense', values: (values = values.slice(0, size)) };
          },
        };
      };
    }
    const ids = fs as IdsFeatureState;
    const ownerState = state.features[fp.owner] as IdsFeatureState | undefined;
    const space = ownerState ?? ids;
    let counter: OovCounter | undefined;
    if (space.space === 'vocab' || space.space === 'file') {
      counter = { feature: f.name, space: space.space, oov: 0, total: 0 };
      counters.push(counter);
    }
    const map = idMapper(space, vocabs.get(fp.owner), counter);
    if (f.kind === 'categorical') {
      return () => {
        let rows = new Int32Array(cap);
        this.features[f.name] = { kind: 'ids', rows };
        return {
          write: (rec, i) => {
            rows[i] = map(rec[k]!);
          },
          finish: (size) => {
            if (size < cap) this.features[f.name] = { kind: 'ids', rows: (rows = rows.slice(0, size)) };
          },
        };
      };
    }
    return this.sequenceWriter(f, map, k);
  }

  private sequenceWriter(f: SequenceFeature, map: IdMapper, k: number): () => Writer {
    const cap = this.capacity;
    const L = Math.max(1, f.maxLen);
    const sep = f.separator || '|';
    const pool = f.pool;
    return () => {
      let rows = new Int32Array(cap * L);
      let weights = new Float32Array(cap * L);
      this.features[f.name] = { kind: 'seq', rows, weights, maxLen: L };
      return {
        write: (rec, i) => {
          const c = rec[k]!;
          const base = i * L;
          let n = 0;
          if (!isMissingCell(c)) {
            const text = cellText(c);
            let start = 0;
            while (n < L && start <= text.length) {
              let end = text.indexOf(sep, start);
              if (end === -1) end = text.length;
              if (end > start) rows[base + n++] = map(text.slice(start, end));
              start = end + sep.length;
            }
          }
          if (n === 0) {
            rows.fill(0, base, base + L);
            weights.fill(0, base, base + L);
            return;
          }
          const w = pool === 'mean' ? 1 / n : 1;
          weights.fill(w, base, base + n);
          if (pool === 'max') {
            // Padding repeats the first id with weight 1, so it cannot change the max.
            rows.fill(rows[base]!, base + n, base + L);
            weights.fill(1, base + n, base + L);
          } else {
            rows.fill(0, base + n, base + L);
            weights.fill(0, base + n, base + L);
          }
        },
        finish: (size) => {
          if (size < cap) this.features[f.name] = { kind: 'seq', rows: (rows = rows.slice(0, size * L)), weights: (weights = weights.slice(0, size * L)), maxLen: L };
        },
      };
    };
  }

  private labelWriter(lp: LabelPlan, k: number): () => Writer {
    return floatColumnWriter(this.capacity, () => this.labels, lp.label.name, labelDecoder(lp, k), k);
  }

  private weightWriter(column: string, k: number): () => Writer {
    return floatColumnWriter(this.capacity, () => this.weights, column, weightDecoder(column, k), k);
  }
}

/** A float32 column of one value per row, decoded by `decode`, stored under `name` in `into()`. */
function floatColumnWriter(cap: number, into: () => Record<string, Float32Array>, name: string, decode: (c: Cell) => number, k: number): () => Writer {
  return () => {
    let values = new Float32Array(cap);
    into()[name] = values;
    return {
      write: (rec, i) => {
        values[i] = decode(rec[k]!);
      },
      finish: (size) => {
        if (size < cap) into()[name] = values = values.slice(0, size);
      },
    };
  };
}

/**
 * Decode a sample-weight cell: a finite number ≥ 0 that float32 holds (MTL5061 otherwise); a missing
 * weight is an error (MTL5060), never a default of 1.
 */
export function weightDecoder(column: string, k: number): (c: Cell) => number {
  return (c) => {
    const v = parseNumber(c);
    if (v !== v) throw new RowProblem('MTL5060', { column }, k);
    if (v === BAD || v < 0 || !Number.isFinite(Math.fround(v))) throw new RowProblem('MTL5061', { column, value: showValue(c) }, k);
    return v;
  };
}

/** Decode a label cell: 0/1 for binary labels (or membership in `positive`), the value for real ones. */
export function labelDecoder(lp: LabelPlan, k: number): (c: Cell) => number {
  const { label, column, positive } = lp;
  if (label.type === 'real') {
    return (c) => {
      const v = parseNumber(c);
      if (v === BAD) throw new RowProblem('MTL5011', { column, label: label.name, value: showValue(c) }, k);
      if (v !== v) throw new RowProblem('MTL5010', { column, label: label.name }, k);
      return v;
    };
  }
  if (positive) {
    return (c) => {
      if (isMissingCell(c)) throw new RowProblem('MTL5010', { column, label: label.name }, k);
      return positive.has(cellText(c).trim()) ? 1 : 0;
    };
  }
  return (c) => {
    const v = parseBinary(c);
    if (v >= 0) return v;
    if (v === -2) throw new RowProblem('MTL5010', { column, label: label.name }, k);
    throw new RowProblem('MTL5004', { column, value: showValue(c) }, k);
  };
}
