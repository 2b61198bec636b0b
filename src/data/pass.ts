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
import { BadRowTally, rowRange, RowProblem, type DataFileName } from './problems.js';
import type { PassCounter } from './encode.js';
import type { Part } from './split.js';
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

/**
 * The data file as the end-of-pass warnings name it: with a validation split, which part of the file the pass
 * read ("the training part of d.csv", "the validation part (valid_split 0.2) of d.csv"), because the training
 * and validation passes over one file each report their own counts, and the run's summary lists both.
 */
export function passName(name: DataFileName, part: Part, validSplit: number): DataFileName {
  if (part === 'all' || !(validSplit > 0 && validSplit < 1)) return name;
  const which = part === 'train' ? 'the training part' : `the validation part (valid_split ${validSplit})`;
  return { file: name.file, display: `${which} of ${name.display}` };
}

/** Handles bad rows for one pass: throws the first one, or counts them with `skipBadRows`. */
export class RowErrors {
  readonly tally = new BadRowTally();
  private readonly name: DataFileName;
  /** `part` and `validSplit`: which rows of the source the pass reads (named in the warnings, see {@link passName}). */
  constructor(
    private readonly source: RecordSource,
    private readonly skip: boolean,
    part: Part = 'all',
    validSplit = 0,
  ) {
    this.name = passName(source.name, part, validSplit);
  }

  /** Report `e` (a RowProblem; anything else is rethrown) for the record on `line`. */
  report(e: unknown, rec: Cell[] | null, line: number): void {
    if (!(e instanceof RowProblem)) throw e;
    const d = problemDiagnostic(this.source, e, rec, line);
    if (!this.skip) throw new MtlError(d);
    this.tally.add(d);
  }

  /** Send the end-of-pass warnings: skipped rows, then out-of-vocabulary counts, then filled missing numbers. */
  finish(opts: DataOptions, counters: PassCounter[] = []): void {
    const warn = opts.onWarning;
    if (!warn) return;
    const name = this.name;
    const summary = this.tally.summary(name);
    if (summary) warn(summary);
    for (const c of counters) {
      if (c.space === 'missing') {
        if (c.filled > 0) warn(diag('MTL5085', FILE_START, { count: c.filled, total: c.total, feature: c.feature, file: name.display, fill: c.fill }, { file: name.file }));
        continue;
      }
      if (c.oov === 0) continue;
      const hint =
        c.space === 'vocab'
          ? `Ids must be integers from 0 to the vocabulary size minus 1; raise the size or use \`hash N\` for arbitrary ids.`
          : 'Add the missing tokens to the vocabulary file if they matter.';
      warn(diag('MTL5041', FILE_START, { count: c.oov, total: c.total, feature: c.feature, file: name.display, hint }, { file: name.file }));
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
