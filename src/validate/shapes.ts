/**
 * Shape inference: the output width of every feature and node.
 * - categorical/sequence: `dim`, or the shared table's dim;
 * - numeric: 1, or `dim` when bucketised;
 * - input: the sum of its parts; layer/experts: the last mlp unit (the input's width if no units);
 * - gate: its experts' width (the first group's; differing widths are reported by a rule); tower: 1.
 * Widths that cannot be inferred (unknown references, cycles, missing dims) are left out; never loops.
 */
import type { Feature, GraphNode, ModelIR } from '../ir/types.js';
import { buildSymbols, type SymbolTable } from './symbols.js';

const isWidth = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The width of a feature (following `shares` once, for the shared table's dim). */
export function featureWidth(f: Feature, symbols: SymbolTable): number | undefined {
  if (f.kind === 'numeric') return Array.isArray(f.buckets) ? (isWidth(f.dim) ? f.dim : undefined) : 1;
  if (isWidth(f.dim)) return f.dim;
  if (typeof f.shares === 'string') {
    const owner = symbols.feature(f.shares);
    if (owner && owner !== f && owner.kind !== 'numeric' && isWidth(owner.dim)) return owner.dim;
  }
  return undefined;
}

/** The output width of every feature and node, by name (first declaration of a name wins). */
export function inferWidths(symbols: SymbolTable): Map<string, number> {
  const widths = new Map<string, number>();
  for (const f of symbols.features) {
    const w = featureWidth(f, symbols);
    if (w !== undefined && !widths.has(f.name)) widths.set(f.name, w);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const nodeWidth = (n: GraphNode): number | undefined => {
    const mark = state.get(n.name);
    if (mark === 'visiting') return undefined; // a cycle: reported by the no-cycles rule
    if (mark === 'done') return widths.get(n.name);
    state.set(n.name, 'visiting');
    const w = computeNode(n);
    state.set(n.name, 'done');
    if (w !== undefined && !widths.has(n.name)) widths.set(n.name, w);
    return w;
  };
  const widthOf = (name: unknown): number | undefined => {
    if (typeof name !== 'string') return undefined;
    const node = symbols.node(name);
    if (node) return nodeWidth(node);
    return widths.get(name);
  };
  const lastUnit = (n: { mlp?: { units?: unknown } }, on: unknown): number | undefined => {
    const units = n.mlp?.units;
    if (Array.isArray(units) && units.length) {
      const last = units[units.length - 1];
      return isWidth(last) ? last : undefined;
    }
    return widthOf(on);
  };
  const computeNode = (n: GraphNode): number | undefined => {
    switch (n.kind) {
      case 'input': {
        if (!Array.isArray(n.from)) return undefined;
        let sum = 0;
        for (const part of n.from) {
          const w = widthOf(part);
          if (w === undefined) return undefined;
          sum += w;
        }
        return sum;
      }
      case 'layer':
      case 'experts':
        return lastUnit(n, n.on);
      case 'gate':
        return Array.isArray(n.over) ? n.over.map(widthOf).find((w) => w !== undefined) : undefined;
      case 'tower':
        return 1;
      default:
        return undefined;
    }
  };
  for (const n of symbols.nodes) nodeWidth(n);
  return widths;
}

/** A copy of `ir` with `width` set on every feature and node whose width is known; `ir` is not modified. */
export function applyShapes(ir: ModelIR, symbols: SymbolTable = buildSymbols(ir)): ModelIR {
  const widths = inferWidths(symbols);
  const out = structuredClone(ir);
  if (!out || typeof out !== 'object') return out;
  const fill = (list: unknown, own: (x: { name: string; kind?: string }) => number | undefined): void => {
    if (!Array.isArray(list)) return;
    for (const x of list) {
      if (!x || typeof x !== 'object' || typeof (x as { name?: unknown }).name !== 'string') continue;
      const w = own(x as { name: string });
      if (w !== undefined) (x as { width?: number }).width = w;
      else delete (x as { width?: number }).width;
    }
  };
  // A feature's width comes from its own declaration (duplicates may differ); a node's from the graph.
  fill(out.features, (f) => featureWidth(f as Feature, symbols));
  fill(out.nodes, (n) => (n.kind === 'tower' ? 1 : widths.get(n.name)));
  return out;
}
