/**
 * Pieces shared by every pass over the data (fitting and batching): turning a row problem into a located
 * diagnostic, stopping or skipping, the end-of-pass warnings, and the check that a fitted state fits the spec.
 */
import type { ModelIR } from '../ir/types.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { FILE_START } from '../diagnostics/types.js';
import { diag } from '../diagnostics/catalog.js';
import { MtlError } from '../diagnostics/error.js';
import type { Cell, RecordSource } from './source.js';
import { BadRowTally, rowRange, RowProblem } from './problems.js';
import type { OovCounter } from './encode.js';
import { PREPROCESS_STATE_VERSION, type PreprocessState } from './state.js';
import type { DataOptions } from './ref.js';

/** The located diagnostic of a row problem. */
export function problemDiagnostic(source: RecordSource, p: RowProblem, rec: Cell[] | null, line: number): Diagnostic {
  let character = 0;
  let length = 0;
  if (rec && p.cell >= 0) {
    character = source.offsetOf(rec, p.cell);
    const v = rec[p.cell];
    length = v === null || v === undefined ? 0 : String(v).length;
  }
  const at = source.at ?? source.name;
  return diag(p.code, rowRange(line, character, length), { ...p.args, file: at.display, row: line }, { file: at.file });
}

/** Handles bad rows for one pass: throws the first one, or counts them with `skipBadRows`. */
export class RowErrors {
  readonly tally = new BadRowTally();
  constructor(
    private readonly source: RecordSource,
    private readonly skip: boolean,
  ) {}

  /** Report `e` (a RowProblem; anything else is rethrown) for the record on `line`. */
  report(e: unknown, rec: Cell[] | null, line: number): void {
    if (!(e instanceof RowProblem)) throw e;
    const d = problemDiagnostic(this.source, e, rec, line);
    if (!this.skip) throw new MtlError(d);
    this.tally.add(d);
  }

  /** Send the end-of-pass warnings: skipped rows, then out-of-vocabulary counts. */
  finish(opts: DataOptions, counters: OovCounter[] = []): void {
    const warn = opts.onWarning;
    if (!warn) return;
    const summary = this.tally.summary(this.source.name);
    if (summary) warn(summary);
    for (const c of counters) {
      if (c.oov === 0) continue;
      const hint =
        c.space === 'vocab'
          ? `Ids must be integers from 0 to the vocabulary size minus 1; raise the size or use \`hash N\` for arbitrary ids.`
          : 'Add the missing tokens to the vocabulary file if they matter.';
      warn(diag('MTL5041', FILE_START, { count: c.oov, total: c.total, feature: c.feature, file: this.source.name.display, hint }, { file: this.source.name.file }));
    }
  }
}

/** Check that a fitted state has every feature of the spec with a matching kind (MTL5023). */
export function checkState(ir: ModelIR, state: PreprocessState): void {
  const fail = (reason: string): never => {
    throw new MtlError(diag('MTL5023', FILE_START, { reason }));
  };
  if (!state || typeof state !== 'object' || state.version !== PREPROCESS_STATE_VERSION) fail(`version ${String((state as { version?: unknown })?.version)} is not ${PREPROCESS_STATE_VERSION}`);
  for (const f of ir.features) {
    const s = state.features?.[f.name];
    if (!s) fail(`feature '${f.name}' is not in it`);
    const bucketed = f.kind === 'numeric' && f.buckets !== undefined && f.buckets.length > 0;
    const expected = f.kind === 'numeric' && !bucketed ? 'numeric' : 'ids';
    if (s!.kind !== expected) fail(`feature '${f.name}' was fitted as ${s!.kind}, the spec makes it ${expected}`);
  }
}
