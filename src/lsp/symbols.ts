/** Document symbols: the outline (model, features, labels, nodes, tasks, metrics, train). */
import { SymbolKind, type DocumentSymbol, type Range } from 'vscode-languageserver/node.js';
import type { Located, ModelIR } from '../ir/types.js';
import { comparePos } from './text.js';

const KIND: Record<string, SymbolKind> = {
  categorical: SymbolKind.Field, sequence: SymbolKind.Array, numeric: SymbolKind.Number,
  label: SymbolKind.Constant, input: SymbolKind.Variable, layer: SymbolKind.Class, experts: SymbolKind.Class,
  gate: SymbolKind.Function, tower: SymbolKind.Interface, task: SymbolKind.Event, metric: SymbolKind.Property,
};

/** The outline of a document's IR (declarations without a range are left out). */
export function documentSymbols(ir: ModelIR | undefined): DocumentSymbol[] {
  if (!ir) return [];
  const out: DocumentSymbol[] = [];
  const sym = (name: string, detail: string, kind: SymbolKind, d: Located, children?: DocumentSymbol[]): DocumentSymbol | undefined => {
    const range = d.loc ?? d.locs?.name;
    if (!range || !name) return undefined;
    const sel = d.locs?.name && contains(range, d.locs.name) ? d.locs.name : range;
    return { name, detail, kind, range, selectionRange: sel, ...(children ? { children } : {}) };
  };
  const group = (name: string, kind: SymbolKind, children: DocumentSymbol[]): void => {
    if (!children.length) return;
    const range = { start: children[0]!.range.start, end: children[children.length - 1]!.range.end };
    out.push({ name, kind, range, selectionRange: range, children });
  };
  const push = (s: DocumentSymbol | undefined): void => { if (s) out.push(s); };
  if (ir.loc && ir.locs?.name) push(sym(ir.name, 'model', SymbolKind.Module, { loc: ir.locs.name, locs: ir.locs }));
  group('features', SymbolKind.Namespace, (ir.features ?? []).map((f) => sym(f.name, f.kind, KIND[f.kind]!, f)).filter(isSym));
  group('labels', SymbolKind.Namespace, (ir.labels ?? []).map((l) => sym(l.name, l.type, KIND.label!, l)).filter(isSym));
  for (const n of ir.nodes ?? []) push(sym(n.name, n.kind === 'gate' ? `gate ${n.type}` : n.kind, KIND[n.kind]!, n));
  for (const t of ir.tasks ?? []) push(sym(t.name, 'task', KIND.task!, t));
  for (const m of ir.metrics ?? []) push(sym(`${m.fn}(${m.output})`, 'metric', KIND.metric!, m));
  if (ir.train?.loc) push(sym('train', 'settings', SymbolKind.Object, ir.train));
  if (ir.data?.loc) push(sym('data', ir.data.kind, SymbolKind.Object, ir.data));
  return out.sort((a, b) => comparePos(a.range.start, b.range.start));
}

function isSym(s: DocumentSymbol | undefined): s is DocumentSymbol { return s !== undefined; }

function contains(outer: Range, inner: Range): boolean {
  return comparePos(outer.start, inner.start) <= 0 && comparePos(inner.end, outer.end) <= 0;
}
