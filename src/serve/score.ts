/**
 * The scoring core: raw records (objects keyed by column name, as the rows of a JSON Lines data file) →
 * one score per output per row, with per-row errors instead of exceptions for bad rows.
 *
 * It is the same code as `mtl predict`, not a second implementation: records become cells through
 * jsonCell (as JSON Lines files do), cells become a batch through the training runtime's BatchBuilder with
 * the model's fitted preprocess.json state, and the batch is predicted by the model directory's predictor.
 * This file does no I/O and imports nothing from Node: the predictor and vocabularies are given to it
 * (src/serve/load.ts builds them from a model directory), so the core can run wherever tfjs runs.
 */
import type { ModelIR } from '../ir/types.js';
import type { Predictions } from '../model/types.js';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START } from '../diagnostics/types.js';
import { makePlan, type ReadPlan } from '../data/plan.js';
import { BatchBuilder } from '../data/encode.js';
import { RowProblem } from '../data/problems.js';
import type { Cell } from '../data/source.js';
import type { PreprocessState } from '../data/state.js';
import type { Batch } from '../data/types.js';
import type { Vocabulary } from '../data/vocab.js';
import { jsonCell } from '../data/values.js';

/** A raw record: column name → value (string, number, boolean, null; arrays for sequence columns). */
export type RawRow = Record<string, unknown>;

/** Why one row was not scored. */
export interface RowError {
  /** The row's 0-based index in the rows given to score() (in its own segment when `segments` was given). */
  row: number;
  /** The segment the row belongs to, when score() was given `segments`. */
  segment?: number;
  /** The column at fault, when one is (absent for a row that is not an object). */
  field?: string;
  /** The diagnostic code (MTL5003 not a decimal number, MTL5608 absent column, ...). */
  code: string;
  message: string;
}

/** Scores of rows: `predictions[i]` is row i's output → score (null for a non-finite score), or null when row i has an error. */
export interface ScoreResult {
  predictions: Array<Record<string, number | null> | null>;
  errors: RowError[];
}

/** Options of one score() call. */
export interface ScoreOptions {
  /** The outputs to return (default: every output). Unknown names are ignored. */
  outputs?: readonly string[];
  /**
   * The rows are several requests' rows back to back, with these lengths (summing to the row count; the
   * micro-batcher of `mtl serve`): each error then counts its `row`, in `row` and in its message, from the
   * start of its own segment, and carries `segment`.
   */
  segments?: readonly number[];
}

/** Everything the core needs from a loaded model. */
export interface ScorerParts {
  ir: ModelIR;
  preprocess: PreprocessState;
  /** The vocabulary tables of `vocab "FILE"` features, by owning feature (stateVocabs). */
  vocabs: Map<string, Vocabulary>;
  /** The model's outputs, in model order (gate weights excluded). */
  outputs: readonly string[];
  /** Predict one preprocessed batch (the model directory's predictor). */
  predict(batch: Batch): Predictions;
  /** Rows per forward pass (larger inputs are scored in chunks). Default 1024, `mtl predict`'s default. */
  maxBatch?: number;
}

/** The name that row messages give the input, in place of a data file's name. */
const INPUT_NAME = 'request';

/** The message of a row problem, as `mtl predict` would word it, with the input named 'request'. */
function rowMessage(code: string, args: Record<string, string | number>, row: number): string {
  return diag(code, FILE_START, { ...args, file: INPUT_NAME, row }).message;
}

/** What kind of JSON value `v` is, for messages ("an array", "null", "a string"). */
export function jsonKind(v: unknown): string {
  return Array.isArray(v) ? 'an array' : v === null ? 'null' : `a ${typeof v}`;
}

/** Maps an index into the rows to its row number and segment (identity without segments). */
function rowLocator(count: number, segments: readonly number[] | undefined): (i: number) => { row: number; segment?: number } {
  if (!segments) return (i) => ({ row: i });
  const segOf = new Int32Array(count);
  const start = new Int32Array(count);
  let at = 0;
  segments.forEach((len, s) => {
    for (let j = 0; j < len && at < count; j++, at++) {
      segOf[at] = s;
      start[at] = at - j;
    }
  });
  return (i) => ({ row: i - start[i]!, segment: segOf[i]! });
}

/** A scoring function over raw rows, built from a loaded model's parts. */
export function createScorer(parts: ScorerParts): (rows: readonly unknown[], opts?: ScoreOptions) => ScoreResult {
  const plan: ReadPlan = makePlan(parts.ir, false);
  const wanted = plan.wanted;
  // Records are built in `wanted` order, so cell k of a record is wanted column k.
  const cellOf = wanted.map((_, k) => k);
  const maxBatch = Math.max(1, Math.floor(parts.maxBatch ?? 1024));

  return (rows, opts = {}) => {
    const selected = opts.outputs ? parts.outputs.filter((o) => opts.outputs!.includes(o)) : parts.outputs;
    const predictions: ScoreResult['predictions'] = new Array(rows.length).fill(null);
    const errors: RowError[] = [];
    const where = rowLocator(rows.length, opts.segments);
    const fail = (i: number, code: string, args: Record<string, string | number>, field?: string): void => {
      const { row, segment } = where(i);
      errors.push({ row, ...(segment !== undefined ? { segment } : {}), ...(field !== undefined ? { field } : {}), code, message: rowMessage(code, args, row) });
    };
    for (let start = 0; start < rows.length; start += maxBatch) {
      const end = Math.min(rows.length, start + maxBatch);
      const builder = new BatchBuilder(plan, parts.preprocess, parts.vocabs, cellOf, end - start, []);
      for (let i = start; i < end; i++) {
        const row = rows[i];
        if (typeof row !== 'object' || row === null || Array.isArray(row)) {
          fail(i, 'MTL5609', { kind: jsonKind(row) });
          continue;
        }
        const rec = row as RawRow;
        const cells: Cell[] = new Array(wanted.length);
        let absent: number | undefined;
        for (let k = 0; k < wanted.length; k++) {
          const w = wanted[k]!;
          // An absent key is an error, not a missing value: a misspelt column would otherwise score silently.
          if (!Object.prototype.hasOwnProperty.call(rec, w.column)) {
            absent = k;
            break;
          }
          cells[k] = jsonCell(rec[w.column], w.separator);
        }
        if (absent !== undefined) {
          const w = wanted[absent]!;
          fail(i, 'MTL5608', { column: w.column, user: w.user }, w.column);
          continue;
        }
        try {
          builder.add(cells, i);
        } catch (e) {
          if (!(e instanceof RowProblem)) throw e;
          const field = e.cell >= 0 ? wanted[e.cell]?.column : undefined;
          fail(i, e.code, e.args, field);
        }
      }
      if (builder.length === 0) continue;
      const batch = builder.take();
      const pred = parts.predict(batch);
      for (let j = 0; j < batch.size; j++) {
        const scores: Record<string, number | null> = {};
        for (const o of selected) {
          const v = pred.outputs[o]![j]!;
          scores[o] = Number.isFinite(v) ? v : null;
        }
        predictions[batch.rowNumbers[j]!] = scores;
      }
    }
    return { predictions, errors };
  };
}
