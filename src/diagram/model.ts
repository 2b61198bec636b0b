/**
 * IR -> diagram model: which boxes, clusters and arrows a model's figure has, and the words in them. Layout and
 * drawing come later (layout.ts, svg.ts, dot.ts), so this is the one place deciding *what* is shown.
 *
 * Conventions: data flows from producer to consumer; a feature that shares an embedding table is folded into one
 * "table" node with the features using it; an expert group is one node whose individual experts are drawn inside;
 * references to names that do not exist (an IR that failed validation) are left out rather than reported, since
 * diagnosing them is the validator's job.
 */
import type { Feature, GraphNode, ModelIR, Task } from '../ir/types.js';
import {
  expertLabel,
  formatFeatureDetail,
  formatGateType,
  formatIdSpace,
  formatLabelExpr,
  formatMlp,
  formatMlpExtras,
  joinParts,
} from './labels.js';
import { FEATURES_BLOCK, featuresBlock, type FeatureChip } from './features-block.js';
import { orderByTaskColumns } from './order.js';

/** Kinds of boxes in a diagram. */
export type DiagramNodeKind = 'feature' | 'table' | 'features' | 'input' | 'layer' | 'experts' | 'gate' | 'tower' | 'task';

/** Kinds of arrows: data flow, a gate's (dashed) input, experts mixed by a gate, a tower heading a task. */
export type DiagramEdgeKind = 'data' | 'gate-input' | 'mix' | 'head';

/** One line of text in a box; `title` lines are bold, `detail` lines smaller. */
export interface TextLine {
  text: string;
  role: 'title' | 'detail';
}

/** A box of the diagram. */
export interface DiagramNode {
  /** Unique id: `feature:NAME`, `table:ROOT`, `node:NAME` or `task:NAME` (a task may share its tower's name). */
  id: string;
  kind: DiagramNodeKind;
  /** The IR name (for a shared table, the name of the feature that owns it). */
  name: string;
  lines: TextLine[];
  /** Id of the cluster drawn around this node, if any. */
  cluster?: string;
  /** Expert groups only: how many experts, and the labels of the boxes drawn inside ("…" stands for the rest). */
  experts?: { count: number; boxes: string[] };
  /** Shared tables only: the features using the table, owner first. */
  members?: string[];
  /** Concatenations only: how many parts are concatenated. */
  parts?: number;
  /** A compact features block only: one chip per kind and encoding, listing the features using it. */
  chips?: FeatureChip[];
}

/** An arrow from a producer to a consumer. */
export interface DiagramEdge {
  id: string;
  source: string;
  target: string;
  kind: DiagramEdgeKind;
}

/** A labelled group of nodes (the input features). */
export interface DiagramCluster {
  id: string;
  label: string;
}

/** Everything a figure shows, before layout. */
export interface Diagram {
  title: string;
  subtitle?: string;
  nodes: DiagramNode[];
  edges: DiagramEdge[];
  clusters: DiagramCluster[];
}

/** Options of the diagram builder. */
export interface DiagramOptions {
  /** At most this many expert boxes are drawn inside a group (the rest become "…"); default 8, at least 3. */
  maxExpertBoxes?: number;
  /**
   * With more feature boxes than this (default 10), the features become one block with a chip per encoding and one
   * arrow per consumer: forty features in a row with forty arrows would dwarf the model itself.
   */
  maxFeatureNodes?: number;
}

/** The id of the features cluster. */
export const FEATURES_CLUSTER = 'cluster:features';

export { FEATURES_BLOCK } from './features-block.js';

/** Follows `shares` links to the feature owning the table; a broken or cyclic chain stops where it breaks. */
function tableOwner(f: Feature, byName: Map<string, Feature>): string {
  let cur: Feature = f;
  const seen = new Set<string>([cur.name]);
  for (;;) {
    const next = cur.kind !== 'numeric' && cur.shares !== undefined ? byName.get(cur.shares) : undefined;
    if (!next || seen.has(next.name)) return cur.name;
    seen.add(next.name);
    cur = next;
  }
}

/** The labels of the boxes drawn inside an expert group: all of them, or the first few, "…" and the last. */
export function expertBoxes(count: number, max: number): string[] {
  const n = Math.max(0, Math.floor(count));
  const limit = Math.max(3, Math.floor(max));
  if (n <= limit) return Array.from({ length: n }, (_, i) => expertLabel(i));
  return [...Array.from({ length: limit - 2 }, (_, i) => expertLabel(i)), '…', expertLabel(n - 1)];
}

/** The feature nodes and shared-table nodes, and where each feature name now points. */
function featureNodes(ir: ModelIR): { nodes: DiagramNode[]; idOf: Map<string, string> } {
  const byName = new Map(ir.features.map((f) => [f.name, f] as const));
  const groups = new Map<string, Feature[]>();
  for (const f of ir.features) {
    const owner = tableOwner(f, byName);
    const list = groups.get(owner) ?? [];
    list.push(f);
    groups.set(owner, list);
  }
  const nodes: DiagramNode[] = [];
  const idOf = new Map<string, string>();
  const emitted = new Set<string>();
  for (const f of ir.features) {
    const owner = tableOwner(f, byName);
    const group = groups.get(owner) ?? [f];
    if (group.length < 2) {
      const id = `feature:${f.name}`;
      idOf.set(f.name, id);
      nodes.push({
        id,
        kind: 'feature',
        name: f.name,
        cluster: FEATURES_CLUSTER,
        lines: [
          { text: f.name, role: 'title' },
          { text: formatFeatureDetail(f), role: 'detail' },
        ],
      });
      continue;
    }
    const id = `table:${owner}`;
    idOf.set(f.name, id);
    if (emitted.has(id)) continue;
    emitted.add(id);
    const ownerFeature = byName.get(owner) ?? f;
    // Owner first, then the others in declaration order: the table is the owner's.
    const members = [ownerFeature, ...group.filter((g) => g.name !== ownerFeature.name)];
    const tableDetail =
      ownerFeature.kind === 'numeric'
        ? ''
        : joinParts([formatIdSpace(ownerFeature.ids), ownerFeature.dim !== undefined ? `d${ownerFeature.dim}` : '']);
    nodes.push({
      id,
      kind: 'table',
      name: owner,
      cluster: FEATURES_CLUSTER,
      members: members.map((m) => m.name),
      lines: [
        { text: members.map((m) => m.name).join(' + '), role: 'title' },
        { text: joinParts(['shared table', tableDetail]), role: 'detail' },
        // Sequences pool their rows; say how, since the shared table hides each feature's own line.
        ...members.flatMap((m): TextLine[] => (m.kind === 'sequence' ? [{ text: `${m.name}: ${m.pool} pool`, role: 'detail' }] : [])),
      ],
    });
  }
  return { nodes, idOf };
}

/** The text lines of a graph node. */
function graphNodeLines(n: GraphNode): TextLine[] {
  const title = (text: string): TextLine => ({ text, role: 'title' });
  const detail = (text: string): TextLine[] => (text ? [{ text, role: 'detail' }] : []);
  switch (n.kind) {
    case 'input':
      return [title(n.name), ...detail(joinParts([`concat(${n.from.length})`, n.width !== undefined ? `${n.width}` : '']))];
    case 'layer':
      return [title(n.name), ...detail(`mlp ${formatMlp(n.mlp)}`), ...detail(formatMlpExtras(n.mlp))];
    case 'experts':
      return [title(`${n.name}[${n.count}]`), ...detail(joinParts([`mlp ${formatMlp(n.mlp)}`, formatMlpExtras(n.mlp)]))];
    case 'gate':
      return [title(n.name), ...detail(formatGateType(n.type, n.params))];
    case 'tower':
      return [title(n.name), ...detail(`mlp ${formatMlp(n.mlp, n.output)}`), ...detail(formatMlpExtras(n.mlp))];
  }
}

/** The text lines of a task head: its product, loss, mask and weight. */
function taskLines(t: Task): TextLine[] {
  const lines: TextLine[] = [{ text: t.name, role: 'title' }];
  const product = t.head.join(' × ');
  if (t.head.length > 1 || (t.head.length === 1 && t.head[0] !== t.name)) lines.push({ text: `= ${product}`, role: 'detail' });
  lines.push({ text: `${t.loss.type}(${formatLabelExpr(t.loss.label)})`, role: 'detail' });
  if (t.mask) lines.push({ text: `where ${formatLabelExpr(t.mask)}`, role: 'detail' });
  if (t.weight !== 1) lines.push({ text: `weight ${t.weight}`, role: 'detail' });
  return lines;
}

/** Builds the diagram model of an IR. Pure; tolerates unresolved references by leaving their arrows out. */
export function buildDiagram(ir: ModelIR, opts: DiagramOptions = {}): Diagram {
  const maxBoxes = opts.maxExpertBoxes ?? 8;
  const features = featureNodes(ir);
  const { idOf } = features;
  let nodes = features.nodes;
  if (nodes.length > (opts.maxFeatureNodes ?? 10)) {
    const block = featuresBlock(ir, nodes);
    for (const name of idOf.keys()) idOf.set(name, FEATURES_BLOCK);
    nodes = [block];
  }
  for (const n of ir.nodes) idOf.set(n.name, `node:${n.name}`);

  for (const n of ir.nodes) {
    const node: DiagramNode = { id: `node:${n.name}`, kind: n.kind, name: n.name, lines: graphNodeLines(n) };
    if (n.kind === 'experts') node.experts = { count: n.count, boxes: expertBoxes(n.count, maxBoxes) };
    if (n.kind === 'input') node.parts = n.from.length;
    nodes.push(node);
  }
  for (const t of ir.tasks) nodes.push({ id: `task:${t.name}`, kind: 'task', name: t.name, lines: taskLines(t) });

  const edges: DiagramEdge[] = [];
  const seen = new Set<string>();
  const link = (fromName: string, target: string, kind: DiagramEdgeKind, fromIsTower = false): void => {
    const source = fromIsTower ? towerId(ir, fromName) : idOf.get(fromName);
    if (source === undefined) return;
    const id = `${source}->${target}#${kind}`;
    if (seen.has(id)) return; // e.g. two features of one shared table feeding the same concat
    seen.add(id);
    edges.push({ id, source, target, kind });
  };
  for (const n of ir.nodes) {
    const target = `node:${n.name}`;
    switch (n.kind) {
      case 'input':
        for (const f of n.from) link(f, target, 'data');
        break;
      case 'gate':
        for (const e of n.over) link(e, target, 'mix');
        link(n.on, target, 'gate-input');
        break;
      default:
        link(n.on, target, 'data');
    }
  }
  for (const t of ir.tasks) for (const h of t.head) link(h, `task:${t.name}`, 'head', true);

  const clusters: DiagramCluster[] = nodes.some((n) => n.cluster === FEATURES_CLUSTER)
    ? [{ id: FEATURES_CLUSTER, label: 'features' }]
    : [];
  const diagram: Diagram = { title: ir.name, nodes, edges, clusters };
  if (ir.doc) diagram.subtitle = ir.doc;
  return orderByTaskColumns(diagram);
}

/** The node a task head names (a tower in a valid IR); undefined when no node has that name. */
function towerId(ir: ModelIR, name: string): string | undefined {
  return ir.nodes.some((n) => n.name === name) ? `node:${name}` : undefined;
}
