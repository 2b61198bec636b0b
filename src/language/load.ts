/**
 * The YAML/JSON front end: `.mtl.yaml`, `.yaml`, `.yml`, `.mtl.json` and `.json` specs are the IR
 * written out (without locations). Parsed with the `yaml` package (which reads JSON too) so that every
 * value keeps its source range: schema errors and, through the `loc`/`locs` filled here, semantic
 * diagnostics point at the right line of the user's file.
 */
import { isMap, isPair, isScalar, isSeq, parseDocument, stringify, type Document, type Node, type Pair } from 'yaml';
import { diag } from '../diagnostics/catalog.js';
import type { Diagnostic, Range, StageResult } from '../diagnostics/types.js';
import { LineIndex } from './positions.js';
import { schemaErrorsToDiagnostics, type DataPath, type SchemaLocator } from '../validate/schema-errors.js';
import { irValidator } from '../validate/ir-validator.js';
import { DEFAULT_MISSING, DEFAULT_MLP, DEFAULT_TRAIN, IR_VERSION, type ModelIR } from '../ir/types.js';

/** Offsets → ranges for YAML nodes, on the shared line index (so line breaks count as the parser counts them). */
class OffsetMapper {
  private readonly index: LineIndex;
  constructor(private readonly text: string) {
    this.index = new LineIndex(text);
  }
  /** The range of [start, end), without trailing whitespace (yaml block nodes end at the next line). */
  range(start: number, end: number): Range {
    let e = Math.max(start, Math.min(end, this.text.length));
    while (e > start && /\s/.test(this.text[e - 1]!)) e--;
    return { start: this.index.position(start), end: this.index.position(e) };
  }
}

type AnyNode = Node | null | undefined;

/** The range of a node's value; quoted scalars without their quotes (so a quick fix keeps them). */
function nodeRange(node: AnyNode, map: OffsetMapper): { range: Range; exact: boolean } | undefined {
  if (!node || !node.range) return undefined;
  const [start, end] = node.range;
  if (isScalar(node)) {
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
    if (quoted && end - start >= 2) return { range: map.range(start + 1, end - 1), exact: true };
    return { range: map.range(start, end), exact: !quoted && node.type !== 'BLOCK_LITERAL' && node.type !== 'BLOCK_FOLDED' };
  }
  return { range: map.range(start, end), exact: false };
}

/** The pair of a map whose key is `key`. */
function pairOf(node: AnyNode, key: string | number): Pair<unknown, unknown> | undefined {
  if (!isMap(node)) return undefined;
  return node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key)) as Pair<unknown, unknown> | undefined;
}

/** The child of a collection node at one path segment, with the pair that holds it (for maps). */
function child(node: AnyNode, seg: string | number): { node: AnyNode; pair?: Pair<unknown, unknown> } | undefined {
  if (isSeq(node) && typeof seg === 'number') return { node: node.items[seg] as AnyNode };
  const pair = pairOf(node, seg);
  return pair ? { node: pair.value as AnyNode, pair } : undefined;
}

/** A {@link SchemaLocator} over a parsed YAML document. */
function yamlLocator(doc: Document, map: OffsetMapper): SchemaLocator {
  const find = (path: DataPath): { node: AnyNode; pair?: Pair<unknown, unknown> } | undefined => {
    let cur: { node: AnyNode; pair?: Pair<unknown, unknown> } | undefined = { node: doc.contents as AnyNode };
    for (const seg of path) {
      cur = child(cur?.node, seg);
      if (!cur) return undefined;
    }
    return cur;
  };
  return {
    value(path) {
      const found = find(path);
      if (!found) return undefined;
      return nodeRange(found.node, map) ?? (found.pair ? nodeRange(found.pair.key as AnyNode, map) : undefined);
    },
    key(path) {
      const found = find(path);
      return found?.pair ? nodeRange(found.pair.key as AnyNode, map)?.range : undefined;
    },
  };
}

/** A {@link SchemaLocator} over the YAML/JSON `text` parsed as `doc` (also used for mtl tune's search-space files). */
export function yamlLocatorOf(text: string, doc: Document): SchemaLocator {
  return yamlLocator(doc, new OffsetMapper(text));
}

const DECL_LISTS = new Set(['features', 'labels', 'nodes', 'tasks', 'metrics']);
const SKIPPED_KEYS = new Set(['loc', 'locs', 'doc']);

/** What sits at a path of the spec: a Located declaration, a plugin reference, a label expression, or plain data. */
function roleOf(path: DataPath): 'decl' | 'plugin' | 'expr' | 'plain' {
  const n = path.length;
  if (n === 0) return 'decl';
  if (n === 1 && (path[0] === 'data' || path[0] === 'train')) return 'decl';
  if (n === 2 && typeof path[1] === 'number') {
    if (path[0] === 'plugins') return 'plugin';
    if (DECL_LISTS.has(String(path[0]))) return 'decl';
  }
  if (n === 5 && path[0] === 'train' && path[1] === 'earlyStop' && path[2] === 'terms' && path[4] === 'metric') return 'decl';
  const last = path[n - 1];
  const inTask = path[0] === 'tasks' && n >= 3;
  const inMetric = (path[0] === 'metrics' && n === 3) || (path[0] === 'train' && n === 6);
  if (inTask && n === 3 && last === 'mask') return 'expr';
  if (inTask && n === 4 && path[2] === 'loss' && last === 'label') return 'expr';
  if (inMetric && (last === 'label' || last === 'mask')) return 'expr';
  return 'plain';
}

/**
 * Fill `loc` and `locs` of the (already schema-valid) data from the YAML ranges: `loc` is the whole
 * declaration, `locs[prop.path]` the range of each property value inside it ("name", "on", "over.1",
 * "mlp.units.0", "params.k", "loss.type", ...), stopping at nested declarations and label expressions
 * (which carry their own `loc`).
 */
function attachLocations(doc: Document, data: unknown, map: OffsetMapper): void {
  type Owner = { locs: Record<string, Range>; base: number };
  const walkExpr = (node: AnyNode, value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    const expr = value as { label?: unknown; args?: unknown[]; arg?: unknown; loc?: Range };
    const r = nodeRange(node, map);
    const labelRange = typeof expr.label === 'string' ? nodeRange(child(node, 'label')?.node, map) : undefined;
    if (labelRange ?? r) expr.loc = (labelRange ?? r)!.range;
    if (Array.isArray(expr.args)) expr.args.forEach((a, i) => walkExpr(child(child(node, 'args')?.node, i)?.node, a));
    if (expr.arg !== undefined) walkExpr(child(node, 'arg')?.node, expr.arg);
  };
  const walk = (node: AnyNode, value: unknown, path: DataPath, owner: Owner | undefined): void => {
    const role = roleOf(path);
    const r = nodeRange(node, map);
    if (owner && path.length > owner.base && r && role !== 'decl' && role !== 'plugin') owner.locs[path.slice(owner.base).join('.')] = r.range;
    if (role === 'plugin') {
      if (r && value && typeof value === 'object') (value as { loc?: Range }).loc = r.range;
      return;
    }
    if (role === 'expr') {
      walkExpr(node, value);
      return;
    }
    let next = owner;
    if (role === 'decl' && value && typeof value === 'object' && !Array.isArray(value)) {
      next = { locs: {}, base: path.length };
      if (r) (value as { loc?: Range }).loc = r.range;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(child(node, i)?.node, v, [...path, i], next));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (SKIPPED_KEYS.has(k) && role === 'decl') continue;
        walk(child(node, k)?.node, v, [...path, k], next);
      }
    }
    if (role === 'decl' && next && next !== owner && value && typeof value === 'object') {
      if (Object.keys(next.locs).length) (value as { locs?: Record<string, Range> }).locs = next.locs;
      else delete (value as { locs?: unknown }).locs;
    }
  };
  walk(doc.contents as AnyNode, data, [], undefined);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Fill the settings a hand-written YAML/JSON spec may omit, with the same defaults as the text front
 * end: empty plugin and metric lists, train settings, mlp activation/dropout/batch norm, gate params,
 * task weight 1, sequence separator "|", numeric normalisation "none" and missing values (DEFAULT_MISSING).
 */
function applyDefaults(data: Obj): void {
  data.plugins ??= [];
  data.metrics ??= [];
  if (data.train === undefined) data.train = {};
  if (isObj(data.train)) for (const [k, v] of Object.entries(DEFAULT_TRAIN)) (data.train as Obj)[k] ??= v;
  for (const f of Array.isArray(data.features) ? data.features : []) {
    if (!isObj(f)) continue;
    if (f.kind === 'sequence') f.separator ??= '|';
    if (f.kind === 'numeric') {
      f.normalize ??= 'none';
      f.missing ??= DEFAULT_MISSING;
    }
  }
  for (const n of Array.isArray(data.nodes) ? data.nodes : []) {
    if (!isObj(n)) continue;
    if (isObj(n.mlp)) for (const [k, v] of Object.entries(DEFAULT_MLP)) n.mlp[k] ??= v;
    if (n.kind === 'gate') n.params ??= {};
  }
  for (const t of Array.isArray(data.tasks) ? data.tasks : []) if (isObj(t)) t.weight ??= 1;
}

/** The first line of a yaml error message, without the trailing position the package appends. */
function errorDetail(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').replace(/\.$/, '');
}

/**
 * Load a YAML or JSON spec into the IR: syntax errors (MTL2001, at the offending position), schema
 * errors (MTL2xxx, at the offending key or value, with did-you-mean hints), else the IR with `loc`
 * and `locs` filled from the file. The value is undefined when the spec cannot be read as an IR.
 */
export function loadSpecData(text: string, file: string): StageResult<ModelIR | undefined> {
  const map = new OffsetMapper(text);
  const extras = { file };
  const diagnostics: Diagnostic[] = [];
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, keepSourceTokens: false });
  const seen = new Set<number>();
  for (const e of doc.errors) {
    // The YAML parser reports one mistake (e.g. a truncated file) once per open collection, all at one place: keep the first.
    if (seen.has(e.pos[0])) continue;
    seen.add(e.pos[0]);
    diagnostics.push(diag('MTL2001', map.range(e.pos[0], e.pos[1]), { detail: errorDetail(e.message) }, extras));
  }
  if (diagnostics.length) return { value: undefined, diagnostics };
  for (const w of doc.warnings) diagnostics.push(diag('MTL2010', map.range(w.pos[0], w.pos[1]), { detail: errorDetail(w.message) }, extras));

  const data: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (!isObj(data)) {
    const found = data === null || data === undefined ? 'an empty document' : Array.isArray(data) ? 'a list' : `the ${typeof data} ${JSON.stringify(data)}`;
    const r = nodeRange(doc.contents as AnyNode, map)?.range ?? map.range(0, 0);
    diagnostics.push(diag('MTL2008', r, { found }, extras));
    return { value: undefined, diagnostics };
  }
  const locate = yamlLocator(doc, map);
  if (data.version !== undefined && data.version !== IR_VERSION) {
    const r = locate.value(['version'])?.range ?? map.range(0, 0);
    diagnostics.push(diag('MTL2002', r, { found: JSON.stringify(data.version), expected: IR_VERSION }, extras));
    return { value: undefined, diagnostics };
  }
  applyDefaults(data);
  const validate = irValidator();
  if (!validate(data)) {
    diagnostics.push(...schemaErrorsToDiagnostics(validate.errors ?? [], data, locate, file));
    return { value: undefined, diagnostics };
  }
  attachLocations(doc, data, map);
  return { value: data as unknown as ModelIR, diagnostics };
}

/** A deep copy of an IR without `loc`, `locs` and `width` (plugin/generator `params` are copied as they are). */
function stripForDump(value: unknown, inParams = false): unknown {
  if (Array.isArray(value)) return value.map((v) => stripForDump(v, inParams));
  if (!isObj(value)) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (!inParams && (k === 'loc' || k === 'locs' || k === 'width')) continue;
    out[k] = stripForDump(v, inParams || k === 'params');
  }
  return out;
}

/** Write an IR as a YAML or JSON spec, without locations or inferred widths; `loadSpecData` reads it back. */
export function dumpSpecData(ir: ModelIR, format: 'yaml' | 'json'): string {
  const clean = stripForDump(ir);
  if (format === 'json') return JSON.stringify(clean, null, 2) + '\n';
  return stringify(clean, { lineWidth: 0 });
}
