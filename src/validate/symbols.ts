/**
 * The symbol table of a spec: every declared name with what it declares. Built once per validation
 * and shared by the rules. Tolerant of malformed IR (missing lists, non-object entries): rules must
 * not crash on a spec the schema check already rejected.
 */
import type { Feature, GraphNode, Label, Metric, ModelIR, Task, TowerNode } from '../ir/types.js';

/** What a name declares. */
export type SymbolKind = 'feature' | 'label' | 'node' | 'task';

/** One declaration of a name. */
export interface SymbolEntry {
  name: string;
  kind: SymbolKind;
  decl: Feature | Label | GraphNode | Task;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Only the object entries of a list that may be missing or malformed. */
function objects<T>(list: unknown): T[] {
  return Array.isArray(list) ? (list.filter((x) => isObj(x) && typeof x.name === 'string') as T[]) : [];
}

/** Names, by kind, in declaration order; the first declaration of a name wins the lookup. */
export interface SymbolTable {
  features: Feature[];
  labels: Label[];
  nodes: GraphNode[];
  tasks: Task[];
  metrics: Metric[];
  /** Every declaration of every name, in declaration order (features, labels, nodes, tasks). */
  entries: SymbolEntry[];
  feature(name: string): Feature | undefined;
  label(name: string): Label | undefined;
  node(name: string): GraphNode | undefined;
  task(name: string): Task | undefined;
  /** The tower of that name. */
  tower(name: string): TowerNode | undefined;
  /** The first declaration of a name, whatever its kind. */
  any(name: string): SymbolEntry | undefined;
  /** True when the name is a model output (a tower or a task). */
  isOutput(name: string): boolean;
  /** Names of the model outputs (towers and tasks), deduplicated, in declaration order. */
  outputs(): string[];
}

/** Build the symbol table of an IR. */
export function buildSymbols(ir: ModelIR): SymbolTable {
  const features = objects<Feature>(ir?.features);
  const labels = objects<Label>(ir?.labels);
  const nodes = objects<GraphNode>(ir?.nodes);
  const tasks = objects<Task>(ir?.tasks);
  const metrics = Array.isArray(ir?.metrics) ? (ir.metrics.filter(isObj) as Metric[]) : [];
  const entries: SymbolEntry[] = [
    ...features.map((decl) => ({ name: decl.name, kind: 'feature' as const, decl })),
    ...labels.map((decl) => ({ name: decl.name, kind: 'label' as const, decl })),
    ...nodes.map((decl) => ({ name: decl.name, kind: 'node' as const, decl })),
    ...tasks.map((decl) => ({ name: decl.name, kind: 'task' as const, decl })),
  ];
  const first = <T extends { name: string }>(list: T[]): Map<string, T> => {
    const m = new Map<string, T>();
    for (const x of list) if (!m.has(x.name)) m.set(x.name, x);
    return m;
  };
  const f = first(features);
  const l = first(labels);
  const n = first(nodes);
  const t = first(tasks);
  const all = new Map<string, SymbolEntry>();
  for (const e of entries) if (!all.has(e.name)) all.set(e.name, e);
  const towerOf = (name: string): TowerNode | undefined => {
    const node = n.get(name);
    return node?.kind === 'tower' ? node : undefined;
  };
  return {
    features,
    labels,
    nodes,
    tasks,
    metrics,
    entries,
    feature: (name) => f.get(name),
    label: (name) => l.get(name),
    node: (name) => n.get(name),
    task: (name) => t.get(name),
    tower: towerOf,
    any: (name) => all.get(name),
    isOutput: (name) => t.has(name) || towerOf(name) !== undefined,
    outputs: () => [...new Set([...nodes.filter((x) => x.kind === 'tower').map((x) => x.name), ...tasks.map((x) => x.name)])],
  };
}
