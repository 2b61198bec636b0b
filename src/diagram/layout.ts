/**
 * Diagram model -> positioned boxes and routed arrows, using ELK's layered (Sugiyama) algorithm.
 *
 * Why elkjs rather than @dagrejs/dagre: both are pure JavaScript with nothing to download at install time, but
 * ELK's layered algorithm routes arrows orthogonally around the boxes (dagre returns polylines through dummy nodes
 * that can cut through neighbouring boxes: bad for MMoE/PLE, where every gate reaches back to a shared input),
 * honours layer constraints (features alone on the first layer, task heads alone on the last, as in the papers'
 * figures), keeps the declaration order of nodes when asked (the user decides that `ctr` is drawn left of `cvr`),
 * and spaces edges as well as nodes. ELK also supports compound nodes; they are not used for the features cluster
 * because ELK does not keep the members' declaration order inside a compound node (and its model-order pass fails
 * on some hierarchical graphs), so the cluster is drawn around its members, which are alone on their layer.
 *
 * Sizes are computed here from the text (text.ts), so the boxes the layout places are exactly the boxes drawn.
 */
import ElkModule from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode, LayoutOptions } from 'elkjs/lib/elk-api.js';
import type { Diagram, DiagramCluster, DiagramEdge, DiagramNode } from './model.js';
import { chipStack } from './chip-layout.js';
import { FONT } from './style.js';
import { textWidth } from './text.js';

/** A rectangle in diagram coordinates (pixels, y down). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A point in diagram coordinates. */
export interface Point {
  x: number;
  y: number;
}

/** A node with its box; expert groups also carry the boxes of the experts drawn inside. */
export interface PlacedNode extends DiagramNode, Box {
  /** Expert groups: one box per entry of `experts.boxes`; features blocks: one per chip. In diagram coordinates. */
  inner?: Box[];
  /** Features blocks: each chip's feature names, wrapped as they were measured, and the first line's indent. */
  chipText?: { lines: string[]; indent: number }[];
  /** Where the text block starts (y of its top edge, including padding): text is centred in the box's free part. */
  textTop: number;
}

/** An arrow as a polyline from the source box's border to the target box's border. */
export interface PlacedEdge extends DiagramEdge {
  points: Point[];
}

/** A cluster with its box. */
export interface PlacedCluster extends DiagramCluster, Box {}

/** A laid-out diagram: every box and arrow in one coordinate system whose origin is the top-left corner. */
export interface LaidOutDiagram {
  diagram: Diagram;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  clusters: PlacedCluster[];
  width: number;
  height: number;
  /** Which way data flows in this layout (renderers orient the gates' funnels by it). */
  direction: 'up' | 'down';
}

/** Layout options. */
export interface LayoutSettings {
  /** `up`: inputs at the bottom and task heads at the top, like the papers' figures (default); `down`: the reverse. */
  direction?: 'up' | 'down';
}

/** Text metrics shared with the SVG renderer so that text is placed where the sizes assumed it. */
export const METRICS = {
  padX: 10,
  padY: 6,
  titleLine: FONT.title * 1.3,
  detailLine: FONT.detail * 1.3,
  /** Horizontal inset of each side of a gate's trapezoid at its narrow end. */
  gateSlant: 14,
  expertBoxHeight: 20,
  expertGap: 6,
  expertMinWidth: 26,
  expertPad: 8,
  clusterPad: 12,
  clusterLabel: 22,
  minWidth: 64,
} as const;

/** Width of the widest line of a node's text. */
function linesWidth(n: DiagramNode): number {
  let w = 0;
  for (const l of n.lines) {
    w = Math.max(w, l.role === 'title' ? textWidth(l.text, FONT.title, true) : textWidth(l.text, FONT.detail));
  }
  return w;
}

/** Height of a node's text block. */
export function textBlockHeight(n: DiagramNode): number {
  let h = 0;
  for (const l of n.lines) h += l.role === 'title' ? METRICS.titleLine : METRICS.detailLine;
  return h + 2 * METRICS.padY;
}

/** Width of one expert box inside a group. */
function expertBoxWidth(label: string): number {
  return Math.max(METRICS.expertMinWidth, textWidth(label, FONT.detail) + 10);
}

/** The size of a node's box, before placement. */
export function nodeSize(n: DiagramNode): { width: number; height: number; textHeight: number } {
  const textHeight = textBlockHeight(n);
  let width = linesWidth(n) + 2 * METRICS.padX;
  let height = textHeight;
  if (n.kind === 'gate') width += 2 * METRICS.gateSlant;
  if (n.kind === 'feature' || n.kind === 'table') width = Math.max(width, 48);
  else width = Math.max(width, METRICS.minWidth);
  if (n.kind === 'input') height += INPUT_STRIP;
  if (n.chips && n.chips.length > 0) {
    const st = chipStack(n.chips);
    width = Math.max(width, st.width + 2 * METRICS.expertPad);
    height = textHeight + st.height + METRICS.expertPad;
  }
  if (n.experts && n.experts.boxes.length > 0) {
    const row =
      n.experts.boxes.reduce((s, b) => s + expertBoxWidth(b), 0) + METRICS.expertGap * (n.experts.boxes.length - 1);
    width = Math.max(width, row + 2 * METRICS.expertPad);
    height = textHeight + METRICS.expertBoxHeight + METRICS.expertPad;
  }
  return { width: Math.ceil(width), height: Math.ceil(height), textHeight };
}

/** Height of the strip of segments drawn along the bottom of a concatenation. */
export const INPUT_STRIP = 7;

/** Height reserved at the bottom of a box for what is drawn there instead of text (experts, a concat strip). */
function reservedBottom(n: DiagramNode): number {
  if (n.kind === 'input') return INPUT_STRIP;
  if (n.experts && n.experts.boxes.length > 0) return METRICS.expertBoxHeight + METRICS.expertPad;
  if (n.chips && n.chips.length > 0) return chipStack(n.chips).height + METRICS.expertPad;
  return 0;
}

/** Boxes of the chips of a features block: a centred column along the bottom of the block. */
function chipBoxes(n: DiagramNode, box: Box): Box[] {
  const st = chipStack(n.chips ?? []);
  const x0 = box.x + (box.width - st.width) / 2;
  const y0 = box.y + box.height - METRICS.expertPad - st.height;
  return st.chips.map((c) => ({ x: x0, y: y0 + c.y, width: st.width, height: c.height }));
}

/** Boxes of the experts inside a placed group: one centred row along the bottom of the group. */
function innerBoxes(n: DiagramNode, box: Box): Box[] {
  if (!n.experts) return [];
  const widths = n.experts.boxes.map(expertBoxWidth);
  const row = widths.reduce((s, w) => s + w, 0) + METRICS.expertGap * (widths.length - 1);
  let x = box.x + (box.width - row) / 2;
  const y = box.y + box.height - METRICS.expertPad - METRICS.expertBoxHeight;
  return widths.map((w) => {
    const b = { x, y, width: w, height: METRICS.expertBoxHeight };
    x += w + METRICS.expertGap;
    return b;
  });
}

/** The ELK constructor; the CommonJS bundle is the default export at run time, `.default` under some loaders. */
type ElkCtor = new () => { layout(graph: ElkNode): Promise<ElkNode> };
const ElkClass: ElkCtor =
  ((ElkModule as unknown as { default?: ElkCtor }).default ?? (ElkModule as unknown as ElkCtor));

let elkInstance: InstanceType<ElkCtor> | undefined;

/** One ELK engine per process: creating it loads a large script, while a layout call keeps no state. */
function elk(): InstanceType<ElkCtor> {
  elkInstance ??= new ElkClass();
  return elkInstance;
}

/** The ELK options giving the papers' look: layers bottom to top, orthogonal arrows, declaration order kept. */
function rootOptions(direction: 'up' | 'down', keepOrder: boolean): LayoutOptions {
  const options: LayoutOptions = {
    'elk.algorithm': 'layered',
    'elk.direction': direction === 'up' ? 'UP' : 'DOWN',
    'elk.edgeRouting': 'ORTHOGONAL',
    'elk.spacing.nodeNode': '28',
    'elk.spacing.edgeNode': '14',
    'elk.spacing.edgeEdge': '8',
    'elk.layered.spacing.nodeNodeBetweenLayers': '44',
    'elk.layered.spacing.edgeNodeBetweenLayers': '16',
    'elk.layered.spacing.edgeEdgeBetweenLayers': '8',
    'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
    'elk.padding': `[top=${PAD},left=${PAD},bottom=${PAD},right=${PAD}]`,
  };
  if (keepOrder) {
    // Declaration order left to right: `ctr` before `cvr`, shared experts where the user put them.
    options['elk.layered.considerModelOrder.strategy'] = 'NODES_AND_EDGES';
    options['elk.layered.crossingMinimization.forceNodeModelOrder'] = 'true';
  }
  return options;
}

/** Margin around the layout; larger than the features cluster's padding so the cluster box stays inside. */
const PAD = 8 + METRICS.clusterLabel;

/** The ELK input graph: a flat graph (clusters are drawn around their members afterwards, see clusterBoxes). */
function elkGraph(diagram: Diagram, sizes: Map<string, { width: number; height: number }>, direction: 'up' | 'down', keepOrder: boolean): ElkNode {
  const children: ElkNode[] = diagram.nodes.map((n) => {
    const s = sizes.get(n.id)!;
    const node: ElkNode = { id: n.id, width: s.width, height: s.height };
    // Features alone on the first layer and task heads alone on the last: the papers' input row and output row.
    if (n.cluster !== undefined || n.kind === 'features') node.layoutOptions = { 'elk.layered.layering.layerConstraint': 'FIRST_SEPARATE' };
    if (n.kind === 'task') node.layoutOptions = { 'elk.layered.layering.layerConstraint': 'LAST_SEPARATE' };
    return node;
  });
  const edges: ElkExtendedEdge[] = diagram.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] }));
  return { id: 'root', layoutOptions: rootOptions(direction, keepOrder), children, edges };
}

/**
 * A cluster's box: its members' bounding box plus padding, with room for the label on the side away from the
 * arrows (below the features when data flows up). The members are alone on their layer, so nothing else is inside.
 */
function clusterBox(members: Box[], direction: 'up' | 'down'): Box {
  const x0 = Math.min(...members.map((b) => b.x));
  const y0 = Math.min(...members.map((b) => b.y));
  const x1 = Math.max(...members.map((b) => b.x + b.width));
  const y1 = Math.max(...members.map((b) => b.y + b.height));
  const p = METRICS.clusterPad;
  const label = METRICS.clusterLabel;
  // The padding on the arrows' side stays below ELK's edge-to-node spacing, so no arrow bend falls inside the box.
  const near = 8;
  return direction === 'up'
    ? { x: x0 - p, y: y0 - near, width: x1 - x0 + 2 * p, height: y1 - y0 + near + label }
    : { x: x0 - p, y: y0 - label, width: x1 - x0 + 2 * p, height: y1 - y0 + near + label };
}

/**
 * Sizes of all nodes; boxes of one kind share the tallest one's height, so a row of towers or task heads lines
 * up top and bottom like the papers' figures, whatever the number of detail lines.
 */
function uniformSizes(diagram: Diagram): Map<string, { width: number; height: number; textHeight: number }> {
  const sizes = new Map(diagram.nodes.map((n) => [n.id, nodeSize(n)] as const));
  const tallest = new Map<string, number>();
  for (const n of diagram.nodes) tallest.set(n.kind, Math.max(tallest.get(n.kind) ?? 0, sizes.get(n.id)!.height));
  for (const n of diagram.nodes) {
    const s = sizes.get(n.id)!;
    sizes.set(n.id, { ...s, height: tallest.get(n.kind)! });
  }
  return sizes;
}

/** Lays out a diagram. Pure apart from ELK's own (deterministic) computation. */
export async function layoutDiagram(diagram: Diagram, settings: LayoutSettings = {}): Promise<LaidOutDiagram> {
  const direction = settings.direction ?? 'up';
  const sizes = uniformSizes(diagram);
  let out: ElkNode;
  try {
    out = await elk().layout(elkGraph(diagram, sizes, direction, true));
  } catch {
    // ELK's model-order heuristics have failed on some graphs; a layout without them is still a correct one.
    out = await elk().layout(elkGraph(diagram, sizes, direction, false));
  }

  const boxes = new Map<string, Box>();
  const collect = (n: ElkNode): void => {
    for (const c of n.children ?? []) {
      boxes.set(c.id, { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 });
      collect(c);
    }
  };
  collect(out);
  const routes = new Map<string, Point[]>();
  const collectEdges = (n: ElkNode): void => {
    for (const e of n.edges ?? []) {
      const pts: Point[] = [];
      for (const s of e.sections ?? []) {
        pts.push(s.startPoint, ...(s.bendPoints ?? []), s.endPoint);
      }
      routes.set(e.id, pts.map((p) => ({ x: p.x, y: p.y })));
    }
    for (const c of n.children ?? []) collectEdges(c);
  };
  collectEdges(out);

  const nodes: PlacedNode[] = diagram.nodes.map((n) => {
    const box = boxes.get(n.id) ?? { x: 0, y: 0, width: sizes.get(n.id)!.width, height: sizes.get(n.id)!.height };
    const free = box.height - reservedBottom(n);
    const textTop = box.y + Math.max(0, (free - sizes.get(n.id)!.textHeight) / 2);
    const placed: PlacedNode = { ...n, ...box, textTop };
    if (n.experts) placed.inner = innerBoxes(n, box);
    if (n.chips) {
      placed.inner = chipBoxes(n, box);
      placed.chipText = chipStack(n.chips).chips.map((c) => ({ lines: c.lines, indent: c.indent }));
    }
    return placed;
  });
  const clusters: PlacedCluster[] = [];
  for (const c of diagram.clusters) {
    const members = nodes.filter((n) => n.cluster === c.id);
    if (members.length > 0) clusters.push({ ...c, ...clusterBox(members, direction) });
  }
  const edgesOut: PlacedEdge[] = diagram.edges.map((e) => ({ ...e, points: routes.get(e.id) ?? [] }));
  return { diagram, nodes, edges: edgesOut, clusters, width: out.width ?? 0, height: out.height ?? 0, direction };
}
