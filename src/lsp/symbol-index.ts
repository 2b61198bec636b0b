/**
 * The symbol index of one checked document: every named declaration (feature, label, node, task)
 * with its name range, and every place a name is used (a `locs` entry whose text is a declared
 * name, label-expression leaves). Definition, references, rename, hover and the outline read it.
 */
import type { Range } from '../diagnostics/types.js';
import type { Feature, GraphNode, Label, ModelIR, Task } from '../ir/types.js';
import { isIdentifier, textAt, touches } from './text.js';

/** What kind of thing a name denotes. */
export type SymbolKindName = 'model' | 'feature' | 'label' | 'input' | 'layer' | 'experts' | 'gate' | 'tower' | 'task';

/** One named declaration. */
export interface SymbolDef {
  name: string;
  kind: SymbolKindName;
  /** The declaration as in the IR (for hover details). */
  decl: Feature | Label | GraphNode | Task | ModelIR;
  /** Range of the name token (absent for a hand-built IR). */
  nameRange?: Range;
  /** Range of the whole declaration. */
  loc?: Range;
}

/** One use of a name. */
export interface SymbolRef {
  name: string;
  range: Range;
}

/** Definitions and uses of every name in a document. */
export interface SymbolIndex {
  defs: SymbolDef[];
  refs: SymbolRef[];
  /** Definitions by name (a task and the tower it heads share one). */
  byName: Map<string, SymbolDef[]>;
}

/** `locs` keys that never hold a reference to a declared name. */
const NON_REFERENCE_KEY = /^(name|type|fn|doc|column|positive.*|units.*|dim|count|weight|ids.*|params\..*|loss\.type|optimizer|weighting|mode|pool|normalize|missing|activation|lr|batch|epochs|seed|validSplit|rows|generator)$/;

/**
 * Build the index from an IR and the text it was parsed from (the text tells which `locs`
 * entries are bare names, so the index needs no list of reference-bearing properties).
 */
export function buildSymbolIndex(ir: ModelIR | undefined, lines: string[]): SymbolIndex {
  const defs: SymbolDef[] = [];
  const byName = new Map<string, SymbolDef[]>();
  const refs: SymbolRef[] = [];
  if (!ir) return { defs, refs, byName };
  const add = (def: SymbolDef): void => {
    defs.push(def);
    const list = byName.get(def.name) ?? [];
    list.push(def);
    byName.set(def.name, list);
  };
  const defOf = (decl: SymbolDef['decl'] & { name: string }, kind: SymbolKindName): SymbolDef => {
    const d: SymbolDef = { name: decl.name, kind, decl };
    if (decl.locs?.name) d.nameRange = decl.locs.name;
    if (decl.loc) d.loc = decl.loc;
    return d;
  };
  if (typeof ir.name === 'string') add(defOf(ir, 'model'));
  for (const f of ir.features ?? []) if (f && typeof f.name === 'string') add(defOf(f, 'feature'));
  for (const l of ir.labels ?? []) if (l && typeof l.name === 'string') add(defOf(l, 'label'));
  for (const n of ir.nodes ?? []) if (n && typeof n.name === 'string') add(defOf(n, n.kind));
  for (const t of ir.tasks ?? []) if (t && typeof t.name === 'string') add(defOf(t, 'task'));

  const seen = new Set<string>();
  const pushRef = (name: string, range: Range): void => {
    const key = `${range.start.line}:${range.start.character}:${range.end.line}:${range.end.character}`;
    if (seen.has(key) || !byName.has(name)) return;
    seen.add(key);
    refs.push({ name, range });
  };
  const walk = (value: unknown, depth: number): void => {
    if (depth > 12 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) { for (const v of value) walk(v, depth + 1); return; }
    const obj = value as Record<string, unknown>;
    // A label-expression leaf: { label: "click", loc }.
    if (typeof obj.label === 'string' && isRange(obj.loc)) pushRef(obj.label, obj.loc);
    const locs = obj.locs;
    if (locs && typeof locs === 'object') {
      for (const [key, range] of Object.entries(locs as Record<string, unknown>)) {
        if (NON_REFERENCE_KEY.test(key) || !isRange(range)) continue;
        const text = textAt(lines, range);
        if (isIdentifier(text)) pushRef(text, range);
      }
    }
    for (const [key, v] of Object.entries(obj)) if (key !== 'loc' && key !== 'locs') walk(v, depth + 1);
  };
  walk(ir, 0);
  refs.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return { defs, refs, byName };
}

/** True for a structurally valid Range. */
function isRange(r: unknown): r is Range {
  const x = r as Range | undefined;
  return !!x && typeof x === 'object' && !!x.start && !!x.end && typeof x.start.line === 'number' && typeof x.end.character === 'number';
}

/** The name at a position: a definition's name token or a use. */
export function nameAt(index: SymbolIndex, pos: { line: number; character: number }): { name: string; range: Range } | undefined {
  for (const d of index.defs) if (d.nameRange && touches(d.nameRange, pos)) return { name: d.name, range: d.nameRange };
  for (const r of index.refs) if (touches(r.range, pos)) return { name: r.name, range: r.range };
  return undefined;
}

/** Every range where `name` occurs: its definitions' name tokens and its uses. */
export function occurrences(index: SymbolIndex, name: string, includeDefs = true): Range[] {
  const out: Range[] = [];
  if (includeDefs) for (const d of index.byName.get(name) ?? []) if (d.nameRange) out.push(d.nameRange);
  for (const r of index.refs) if (r.name === name) out.push(r.range);
  return out;
}
