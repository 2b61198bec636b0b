/**
 * mtl diagnostics → LSP diagnostics. The code, range and severity are kept as `mtl check` reports
 * them; the hint is appended to the message (LSP has no hint field) and kept, with the fix, in `data`
 * so code actions can apply the fix.
 */
import { pathToFileURL } from 'node:url';
import * as path from 'node:path';
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver/node.js';
import type { Diagnostic } from '../diagnostics/types.js';

/** What a converted diagnostic carries in `data`. */
export interface DiagnosticData {
  hint?: string;
  fix?: Diagnostic['fix'];
}

const SEVERITY: Record<Diagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/** Convert one diagnostic of the document `uri`. */
export function toLspDiagnostic(d: Diagnostic, uri: string): LspDiagnostic {
  const out: LspDiagnostic = {
    range: d.range,
    severity: SEVERITY[d.severity] ?? DiagnosticSeverity.Error,
    code: d.code,
    source: 'mtl',
    message: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message,
  };
  const data: DiagnosticData = {};
  if (d.hint) data.hint = d.hint;
  if (d.fix) data.fix = d.fix;
  if (data.hint || data.fix) out.data = data;
  if (d.related?.length) {
    out.relatedInformation = d.related.map((r) => ({
      location: { uri: r.file ? fileUri(r.file) : uri, range: r.range },
      message: r.message,
    }));
  }
  return out;
}

/** Convert every diagnostic of a document (diagnostics of other files, e.g. a plugin's, move to its start). */
export function toLspDiagnostics(ds: readonly Diagnostic[], uri: string): LspDiagnostic[] {
  return ds.map((d) => toLspDiagnostic(d, uri));
}

function fileUri(file: string): string {
  return /^[a-z]+:/i.test(file) && !/^[a-z]:[\\/]/i.test(file) ? file : pathToFileURL(path.resolve(file)).toString();
}
