/**
 * Printing diagnostics on the terminal (code frames) and as JSON, shared by every command.
 */
import type { Diagnostic } from '../diagnostics/types.js';
import { renderDiagnostic } from '../diagnostics/codeframe.js';
import type { CliIo } from './io.js';

/** The JSON shape of `--format json` (0-based, end-exclusive ranges). */
export interface JsonDiagnostic {
  file: string;
  code: string;
  severity: Diagnostic['severity'];
  message: string;
  hint?: string;
  range: Diagnostic['range'];
  related?: Diagnostic['related'];
}

/** Convert a diagnostic to its JSON form. */
export function toJsonDiagnostic(d: Diagnostic): JsonDiagnostic {
  const j: JsonDiagnostic = { file: d.file ?? '<input>', code: d.code, severity: d.severity, message: d.message, range: d.range };
  if (d.hint) j.hint = d.hint;
  if (d.related?.length) j.related = d.related;
  return j;
}

/** Sort diagnostics by position, then print them with code frames to stderr... stdout for check (its output). */
export function printDiagnostics(diagnostics: Diagnostic[], text: string | undefined, io: CliIo, opts: { color?: boolean; toStderr?: boolean } = {}): void {
  const sorted = [...diagnostics].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const out = opts.toStderr ? io.stderr : io.stdout;
  for (const d of sorted) out(renderDiagnostic(d, text ?? '', { color: opts.color ?? false }) + '\n');
}
