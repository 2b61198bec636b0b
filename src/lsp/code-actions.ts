/**
 * Code actions: a quick fix for each diagnostic in the request's range that carries a fix
 * (e.g. replace a misspelled name with the suggestion). The fix travels in the diagnostic's `data`;
 * for clients that do not echo `data` back, it is looked up in the document's current diagnostics.
 */
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic as LspDiagnostic } from 'vscode-languageserver/node.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { DiagnosticData } from './diagnostics.js';

/** Quick fixes for the diagnostics of a code-action request. */
export function codeActions(params: CodeActionParams, current: readonly Diagnostic[]): CodeAction[] {
  if (params.context.only && !params.context.only.some((k) => CodeActionKind.QuickFix.startsWith(k))) return [];
  const out: CodeAction[] = [];
  for (const d of params.context.diagnostics) {
    const fix = (d.data as DiagnosticData | undefined)?.fix ?? findFix(d, current);
    if (!fix) continue;
    out.push({
      title: fix.title,
      kind: CodeActionKind.QuickFix,
      diagnostics: [d],
      isPreferred: true,
      edit: { changes: { [params.textDocument.uri]: fix.edits.map((e) => ({ range: e.range, newText: e.newText })) } },
    });
  }
  return out;
}

function findFix(d: LspDiagnostic, current: readonly Diagnostic[]): Diagnostic['fix'] | undefined {
  const same = current.find((c) => c.fix && c.code === d.code && sameRange(c.range, d.range));
  return same?.fix;
}

function sameRange(a: Diagnostic['range'], b: Diagnostic['range']): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}
