/**
 * The scoring core: raw records (objects keyed by column name, as the rows of a JSON Lines data file) →
 * one score per output per row, with per-row errors instead of exceptions for bad rows.
 *
 * It is the same code as `mtl predict`, not a second implementation: records become batches through the
 * encoder of encode.ts (jsonCell and the training runtime's BatchBuilder with the model's fitted
 * preprocess.json state), and each batch is predicted by the model directory's predictor.
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

/** A scoring function over raw rows, built from a loaded model's parts. */
export function createScorer(parts: ScorerParts): (rows: readonly unknown[], opts?: ScoreOptions) => ScoreResult {
  const encode = createRowEncoder(parts);
  const maxBatch = Math.max(1, Math.floor(parts.maxBatch ?? 1024));

  return (rows, opts = {}) => {
    const selected = opts.outputs ? parts.outputs.filter((o) => opts.outputs!.includes(o)) : parts.outputs;
    const predictions: ScoreResult['predictions'] = new Array(rows.length).fill(null);
    const encodeOpts = { maxBatch, ...(opts.segments ? { segments: opts.segments } : {}) };
    const errors: RowError[] = encode(rows, encodeOpts, (batch) => {
      const pred = parts.predict(batch);
      for (let j = 0; j < batch.size; j++) {
        const scores: Record<string, number | null> = {};
        for (const o of selected) {
          const v = pred.outputs[o]![j]!;
          scores[o] = Number.isFinite(v) ? v : null;
        }
        predictions[batch.rowNumbers[j]!] = scores;
      }
    });
    return { predictions, errors };
  };
}
