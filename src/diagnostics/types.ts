/**
 * Diagnostic types shared by every pipeline stage, the CLI and the language server.
 * Positions are 0-based (LSP convention); ranges are end-exclusive.
 */

/** A 0-based position: `line` and `character` (UTF-16 code unit offset in the line, as in LSP). */
export interface Position {
  line: number;
  character: number;
}

/** A 0-based, end-exclusive range in one file. */
export interface Range {
  start: Position;
  end: Position;
}

/** Severity of a diagnostic. Only `error` makes `mtl check` exit 1. */
export type Severity = 'error' | 'warning' | 'info';

/** A secondary location that explains a diagnostic (e.g. the first declaration of a duplicate). */
export interface RelatedInformation {
  file?: string;
  range: Range;
  message: string;
}

/** A machine-applicable fix: replace `range` with `newText` (used by `mtl check --fix` later and LSP code actions). */
export interface TextEdit {
  range: Range;
  newText: string;
}

/** A suggested fix with a title, e.g. `Replace 'expret' with 'expert'`. */
export interface Fix {
  title: string;
  edits: TextEdit[];
}

/**
 * One problem found in a spec. `code` is stable (see src/diagnostics/catalog.ts):
 * MTL1xxx syntax, 2xxx schema, 3xxx semantics, 4xxx plugins, 5xxx compile/runtime/data.
 */
export interface Diagnostic {
  code: string;
  severity: Severity;
  /** One sentence naming the object at fault. */
  message: string;
  range: Range;
  file?: string;
  /** How to fix it, e.g. "did you mean 'experts'?". */
  hint?: string;
  related?: RelatedInformation[];
  fix?: Fix;
}

/** The result of every pipeline stage: a value (possibly partial) and what went wrong. Stages never throw on user input. */
export interface StageResult<T> {
  value: T;
  diagnostics: Diagnostic[];
}

/** A zero-width range at the start of a file, for problems that have no better location. */
export const FILE_START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
