/**
 * How data problems become diagnostics: row-level problems are raised by the decoders without
 * knowing the file or the row (they only know the column and the value), and the reader completes
 * them with the file name, the row and the field offset. With --skip-bad-rows the reader counts them
 * and reports one summary per pass instead of stopping.
 */
import type { Diagnostic, Range } from '../diagnostics/types.js';
import { diag } from '../diagnostics/catalog.js';

/** A problem in one row, before the reader knows where it is. `column` indexes the record's cells. */
export class RowProblem {
  constructor(
    readonly code: string,
    readonly args: Record<string, string | number>,
    /** Index of the offending cell in the record (-1: the row as a whole). */
    readonly cell: number,
  ) {}
}

/** How a data file is named in messages and diagnostics. */
export interface DataFileName {
  /** The path as given (goes into `Diagnostic.file`). */
  file: string;
  /** Its base name, for messages ("train.csv row 17 ..."). */
  display: string;
}

/** The range of a field: 0-based line `row - 1` (rows are 1-based, the CSV header is row 1), `character` into it. */
export function rowRange(row: number, character: number, length: number): Range {
  const line = Math.max(0, row - 1);
  return { start: { line, character }, end: { line, character: character + Math.max(0, length) } };
}

/**
 * A value from a data file as it may appear in a message: control characters escaped (`\x1b`, so a binary
 * file cannot drive the terminal) and cut to `max` characters with an ellipsis, so a huge field or a
 * binary blob cannot flood it. Every message that quotes file content goes through here.
 */
export function showValue(v: unknown, max = 40): string {
  const s = v === null || v === undefined ? '' : String(v);
  const cut = s.length > max ? `${s.slice(0, max - 1)}…` : s;
  return cut.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Counts rows skipped with --skip-bad-rows and keeps the first problem for the summary. */
export class BadRowTally {
  count = 0;
  first: Diagnostic | undefined;

  add(d: Diagnostic): void {
    this.count++;
    if (!this.first) this.first = d;
  }

  /** The end-of-pass summary warning (MTL5040), or undefined when nothing was skipped. */
  summary(name: DataFileName): Diagnostic | undefined {
    if (this.count === 0 || !this.first) return undefined;
    return diag(
      'MTL5040',
      this.first.range,
      { count: this.count, rows: this.count === 1 ? 'row' : 'rows', file: name.display, first: `${this.first.code} ${this.first.message}` },
      { file: name.file },
    );
  }
}
