/**
 * The scoring's encoder: raw records (objects keyed by column name, as the rows of a JSON Lines data file)
 * → preprocessed batches, with per-row errors instead of exceptions for bad rows. Records become cells
 * through jsonCell (as JSON Lines files do) and cells become a batch through the training runtime's
 * BatchBuilder with the model's fitted preprocess.json state, so the encoding is `mtl predict`'s.
 * createScorer (score.ts) predicts its batches; the ONNX encoder (onnx-feeds.ts) hands them to ONNX Runtime.
 * No I/O, nothing from Node.
 */
import type { ModelIR } from '../ir/types.js';
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

/** What the encoder needs from a model: its IR, fitted preprocessing and vocabularies. */
export interface EncoderParts {
  ir: ModelIR;
  preprocess: PreprocessState;
  /** The vocabulary tables of `vocab "FILE"` features, by owning feature (stateVocabs). */
  vocabs: Map<string, Vocabulary>;
}

/** Options of one encoding. */
export interface EncodeOptions {
  /** Rows per batch (default: all rows in one batch). */
  maxBatch?: number;
  /**
   * The rows are several requests' rows back to back, with these lengths (summing to the row count; the
   * micro-batcher of `mtl serve`): each error then counts its `row`, in `row` and in its message, from the
   * start of its own segment, and carries `segment`.
   */
  segments?: readonly number[];
}

/**
 * Encode `rows` into batches: `onBatch` receives each non-empty batch, whose `rowNumbers[j]` is the index
 * in `rows` of its row j. Returns the errors of the rows left out.
 */
export type RowEncoder = (rows: readonly unknown[], opts: EncodeOptions, onBatch: (batch: Batch) => void) => RowError[];

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

/**
 * Where the wanted columns are among a row object's own enumerable keys, cached for the last key list seen:
 * rows parsed from JSON bodies with the same keys in the same order share it, so a row costs one Object.keys
 * and a comparison of interned strings instead of a hasOwnProperty and a keyed lookup per column.
 */
class RowShapes {
  private keys: string[] = [];
  private at: Int32Array | undefined;

  constructor(private readonly columns: readonly string[]) {}

  /** Per wanted column, its index in Object.values(rec); undefined when a column is not an own enumerable key. */
  positions(rec: RawRow): Int32Array | undefined {
    const keys = Object.keys(rec);
    const last = this.keys;
    let same = keys.length === last.length;
    for (let i = 0; same && i < keys.length; i++) same = keys[i] === last[i];
    if (same) return this.at;
    this.keys = keys;
    const index = new Map<string, number>();
    keys.forEach((k, i) => index.set(k, i));
    const at = new Int32Array(this.columns.length);
    for (let k = 0; k < this.columns.length; k++) {
      const i = index.get(this.columns[k]!);
      if (i === undefined) return (this.at = undefined);
      at[k] = i;
    }
    return (this.at = at);
  }
}

/** The encoder of a model's raw rows (the one `mtl serve`, `loadModel().score` and the ONNX feeds use). */
export function createRowEncoder(parts: EncoderParts): RowEncoder {
  const plan: ReadPlan = makePlan(parts.ir, false);
  const wanted = plan.wanted;
  // Records are built in `wanted` order, so cell k of a record is wanted column k.
  const cellOf = wanted.map((_, k) => k);

  /**
   * The cells of `rec` in `wanted` order into `cells`, or the index in `wanted` of its first absent column
   * (an absent key is an error, not a missing value: a misspelt column would otherwise score silently).
   */
  const readCells = (rec: RawRow, cells: Cell[]): number | undefined => {
    for (let k = 0; k < wanted.length; k++) {
      const w = wanted[k]!;
      if (!Object.prototype.hasOwnProperty.call(rec, w.column)) return k;
      cells[k] = jsonCell(rec[w.column], w.separator);
    }
    return undefined;
  };

  // One cache for every call: clients send their rows with the same keys request after request.
  const shapes = new RowShapes(wanted.map((w) => w.column));

  return (rows, opts, onBatch) => {
    const maxBatch = Math.max(1, Math.floor(opts.maxBatch ?? rows.length));
    // One cells array for every row: the batch builder copies what it needs from it.
    const cells: Cell[] = new Array(wanted.length);
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
        // Fast path: the wanted columns' positions among the row's own keys (the rows of a request share
        // them); a row that lacks one takes the key-by-key path, which names the first absent column.
        const at = shapes.positions(rec);
        let absent: number | undefined;
        if (at) {
          const values = Object.values(rec);
          for (let k = 0; k < at.length; k++) cells[k] = jsonCell(values[at[k]!], wanted[k]!.separator);
        } else absent = readCells(rec, cells);
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
      if (builder.length > 0) onBatch(builder.take());
    }
    return errors;
  };
}
