/**
 * The scoring core: raw records (objects keyed by column name, as the rows of a JSON Lines data file) →
 * one score per output per row, with per-row errors instead of exceptions for bad rows.
 *
 * It is the same code as `mtl predict`, not a second implementation: records become batches through the
 * encoder of encode.ts (jsonCell and the training runtime's BatchBuilder with the model's fitted
 * preprocess.json state), and each batch is predicted by the model directory's predictor.
 * Scores are kept as columns (ScoredRows) until a caller wants objects: the server writes its JSON from them.
 * This file does no I/O and imports nothing from Node: the predictor and vocabularies are given to it
 * (src/serve/load.ts builds them from a model directory), so the core can run wherever tfjs runs.
 */
import type { Predictions } from '../model/types.js';
import type { Batch } from '../data/types.js';
import { createRowEncoder, type EncodeOptions, type EncoderParts, type RowError } from './encode.js';

export { jsonKind, type RawRow, type RowError } from './encode.js';

/** Scores of rows: `predictions[i]` is row i's output → score (null for a non-finite score), or null when row i has an error. */
export interface ScoreResult {
  predictions: Array<Record<string, number | null> | null>;
  errors: RowError[];
}

/** Options of one score() call (`segments`: as the encoder's, see encode.ts). */
export interface ScoreOptions extends Pick<EncodeOptions, 'segments'> {
  /** The outputs to return (default: every output). Unknown names are ignored. */
  outputs?: readonly string[];
}

/** Everything the core needs from a loaded model: the encoder's parts, the outputs and the predictor. */
export interface ScorerParts extends EncoderParts {
  /** The model's outputs, in model order (gate weights excluded). */
  outputs: readonly string[];
  /** Predict one preprocessed batch (the model directory's predictor). */
  predict(batch: Batch): Predictions;
  /** Rows per forward pass (larger inputs are scored in chunks). Default 1024, `mtl predict`'s default. */
  maxBatch?: number;
}

/**
 * The scores of some rows as columns, one float32 array per output: what the forward pass produced, without
 * an object per row. `mtl serve` writes its answers straight from it (http/predict-response.ts); score()
 * turns it into {@link ScoreResult}. A view of rows [offset, offset + length) of the columns.
 */
export class ScoredRows {
  constructor(
    /** The model's outputs, in model order: `columns[k]` holds output k. */
    readonly outputs: readonly string[],
    readonly columns: readonly Float32Array[],
    /** 1 where the row was scored, 0 where it has an error. */
    readonly scored: Uint8Array,
    /** The errors of the rows in this view, each `row` counted from the view's first row. */
    readonly errors: RowError[],
    readonly offset = 0,
    readonly length = scored.length - offset,
  ) {}

  /** True when row `i` of the view was scored. */
  isScored(i: number): boolean {
    return this.scored[this.offset + i] === 1;
  }

  /** Row `i`'s score of output column `k` (a float32 value; NaN or ±Infinity when the model produced one). */
  value(k: number, i: number): number {
    return this.columns[k]![this.offset + i]!;
  }

  /**
   * Rows [offset, offset + length) of this view as a view of their own, with `errors` (already counted
   * from that range's first row, as the encoder does per segment).
   */
  slice(offset: number, length: number, errors: RowError[]): ScoredRows {
    return new ScoredRows(this.outputs, this.columns, this.scored, errors, this.offset + offset, length);
  }

  /** As {@link ScoreResult}: an object per scored row with the `outputs` asked for (default all, model order). */
  toResult(outputs?: readonly string[]): ScoreResult {
    const selected = (outputs ? this.outputs.filter((o) => outputs.includes(o)) : this.outputs).map((o) => [o, this.outputs.indexOf(o)] as const);
    const predictions: ScoreResult['predictions'] = new Array(this.length);
    for (let i = 0; i < this.length; i++) {
      if (!this.isScored(i)) {
        predictions[i] = null;
        continue;
      }
      const scores: Record<string, number | null> = {};
      for (const [name, k] of selected) {
        const v = this.value(k, i);
        scores[name] = Number.isFinite(v) ? v : null;
      }
      predictions[i] = scores;
    }
    return { predictions, errors: this.errors };
  }
}

/** A scoring function over raw rows into columns (see {@link ScoredRows}); `segments` as the encoder's. */
export type RowScorer = (rows: readonly unknown[], opts?: Pick<EncodeOptions, 'segments'>) => ScoredRows;

/** A columnar scoring function over raw rows, built from a loaded model's parts. */
export function createRowScorer(parts: ScorerParts): RowScorer {
  const encode = createRowEncoder(parts);
  const maxBatch = Math.max(1, Math.floor(parts.maxBatch ?? 1024));
  const outputs = parts.outputs;

  return (rows, opts = {}) => {
    const columns = outputs.map(() => new Float32Array(rows.length));
    const scored = new Uint8Array(rows.length);
    const encodeOpts = { maxBatch, ...(opts.segments ? { segments: opts.segments } : {}) };
    const errors: RowError[] = encode(rows, encodeOpts, (batch) => {
      const pred = parts.predict(batch);
      const at = batch.rowNumbers;
      outputs.forEach((o, k) => {
        const from = pred.outputs[o]!;
        const to = columns[k]!;
        for (let j = 0; j < batch.size; j++) to[at[j]!] = from[j]!;
      });
      for (let j = 0; j < batch.size; j++) scored[at[j]!] = 1;
    });
    return new ScoredRows(outputs, columns, scored, errors);
  };
}

/** A scoring function over raw rows, built from a loaded model's parts. */
export function createScorer(parts: ScorerParts): (rows: readonly unknown[], opts?: ScoreOptions) => ScoreResult {
  const score = createRowScorer(parts);
  return (rows, opts = {}) => score(rows, opts.segments ? { segments: opts.segments } : {}).toResult(opts.outputs);
}
