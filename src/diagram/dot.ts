/**
 * Diagram model -> a Graphviz DOT document, for users who prefer `dot`. Needs no Graphviz here: this is text.
 * The features and every expert group are real clusters (`subgraph cluster_…`); arrows into and out of an expert
 * group attach to the cluster itself through `lhead`/`ltail` (hence `compound=true`), the way the papers draw them.
 * Labels are HTML-like so that titles are bold and details small, in the same colours as the SVG.
 */
import type { Diagram, DiagramEdge, DiagramNode } from './model.js';
import { EDGE_STYLE, EXPERT_BOX_FILL, FONT_FAMILY, NODE_STYLE } from './style.js';

/** DOT options. */
export interface DotOptions {
  /** `up` (default): rankdir=BT, inputs at the bottom; `down`: rankdir=TB. */
  direction?: 'up' | 'down';
  /** Put the model's name as the graph label; default true. */
  title?: boolean;
}

/** A DOT double-quoted string. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Escapes text inside an HTML-like label. */
function html(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** A cluster name for a diagram id: Graphviz treats a subgraph as a cluster only if its name starts with "cluster". */
function clusterName(id: string): string {
  return `cluster_${id.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** An HTML-like label: bold title lines, smaller detail lines. */
function nodeLabel(n: DiagramNode): string {
  const lines = [...n.lines, ...(n.chips ?? []).map((c) => ({ text: `${c.title}: ${c.names.join(', ')}`, role: 'detail' as const }))];
  const rows = lines.map((l) =>
    l.role === 'title' ? `<B>${html(l.text)}</B>` : `<FONT POINT-SIZE="9" COLOR="#4a5560">${html(l.text)}</FONT>`,
  );
  return `<${rows.join('<BR/>')}>`;
}

/** Graphviz attributes drawing a node kind like the SVG does. */
function nodeAttrs(n: DiagramNode): string {
  const st = NODE_STYLE[n.kind];
  const colours = `fillcolor=${dotString(st.fill)}, color=${dotString(st.stroke)}`;
  switch (n.kind) {
    case 'feature':
      return `shape=box, style="rounded,filled", ${colours}`;
    case 'table':
      return `shape=box3d, style="filled", ${colours}`;
    case 'features':
      return `shape=box, style="rounded,dashed,filled", ${colours}`;
    case 'input':
      return `shape=box, style="filled", ${colours}`;
    case 'gate':
      return `shape=trapezium, style="filled", ${colours}`;
    case 'task':
      return `shape=box, style="rounded,filled,bold", peripheries=2, ${colours}`;
    default:
      return `shape=box, style="filled", ${colours}`;
  }
}

/** The node that arrows attach to inside an expert group's cluster (its middle expert). */
function expertAnchor(n: DiagramNode): string {
  const boxes = n.experts?.boxes.length ?? 0;
  return `${n.id}#${Math.floor(Math.max(0, boxes - 1) / 2)}`;
}

/** An expert group as a cluster of expert boxes. */
function expertsCluster(n: DiagramNode, indent: string, direction: 'up' | 'down'): string[] {
  const st = NODE_STYLE.experts;
  const out = [
    `${indent}subgraph ${clusterName(n.id)} {`,
    // Graphviz flips cluster label positions with rankdir=BT: "b" puts the label on top there.
    `${indent}  label=${nodeLabel(n)}; labelloc=${direction === 'up' ? 'b' : 't'};`,
    `${indent}  style="rounded,filled"; fillcolor=${dotString(st.fill)}; color=${dotString(st.stroke)}; penwidth=1.6;`,
  ];
  const boxes = n.experts?.boxes ?? [];
  if (boxes.length === 0) {
    // An empty group still needs a node for arrows to reach.
    out.push(`${indent}  ${dotString(`${n.id}#0`)} [label="", shape=point, style=invis];`);
  }
  boxes.forEach((b, i) => {
    const id = dotString(`${n.id}#${i}`);
    out.push(
      b === '…'
        ? `${indent}  ${id} [label="…", shape=plaintext];`
        : `${indent}  ${id} [label=${dotString(b)}, shape=box, style="rounded,filled", fillcolor=${dotString(EXPERT_BOX_FILL)}, color=${dotString(st.stroke)}, fontsize=9, width=0.3, height=0.25];`,
    );
  });
  // The experts side by side, as in the papers, rather than ranked by which one the arrows attach to.
  if (boxes.length > 1) {
    const ids = boxes.map((_, i) => dotString(`${n.id}#${i}`));
    out.push(`${indent}  { rank=same; ${ids.join('; ')}; }`);
    // Invisible links keep E1, E2, … in reading order.
    out.push(`${indent}  ${ids.join(' -> ')} [style=invis];`);
  }
  out.push(`${indent}}`);
  return out;
}

/** One arrow; arrows touching an expert group attach to its cluster. */
function edgeLine(e: DiagramEdge, byId: Map<string, DiagramNode>): string {
  const st = EDGE_STYLE[e.kind];
  const src = byId.get(e.source);
  const dst = byId.get(e.target);
  const attrs = [`color=${dotString(st.stroke)}`, `penwidth=${st.width}`];
  if (st.dash) attrs.push('style=dashed');
  let from = e.source;
  let to = e.target;
  if (src?.experts) {
    from = expertAnchor(src);
    attrs.push(`ltail=${clusterName(src.id)}`);
  }
  if (dst?.experts) {
    to = expertAnchor(dst);
    attrs.push(`lhead=${clusterName(dst.id)}`);
  }
  return `  ${dotString(from)} -> ${dotString(to)} [${attrs.join(', ')}];`;
}

/** Renders the diagram as a Graphviz DOT document. */
export function renderDot(d: Diagram, opts: DotOptions = {}): string {
  const byId = new Map(d.nodes.map((n) => [n.id, n] as const));
  const out: string[] = [`digraph ${dotString(d.title)} {`];
  const graphAttrs = [
    `rankdir=${(opts.direction ?? 'up') === 'up' ? 'BT' : 'TB'}`,
    'compound=true',
    'newrank=true',
    'nodesep=0.3',
    'ranksep=0.45',
    `fontname=${dotString(FONT_FAMILY)}`,
  ];
  if (opts.title ?? true) {
    const label = d.subtitle ? `${d.title}\n${d.subtitle}` : d.title;
    graphAttrs.push(`label=${dotString(label)}`, 'labelloc=t', 'fontsize=14');
  }
  out.push(`  graph [${graphAttrs.join(', ')}];`);
  out.push(`  node [fontname=${dotString(FONT_FAMILY)}, fontsize=11, penwidth=1.2];`);
  out.push(`  edge [arrowsize=0.7];`);

  for (const c of d.clusters) {
    out.push(`  subgraph ${clusterName(c.id)} {`);
    out.push(`    label=${dotString(c.label)}; style="dashed,rounded"; color="#90a4ae"; fontname=${dotString(FONT_FAMILY)};`);
    for (const n of d.nodes.filter((m) => m.cluster === c.id)) {
      out.push(`    ${dotString(n.id)} [label=${nodeLabel(n)}, ${nodeAttrs(n)}];`);
    }
    out.push('  }');
  }
  for (const n of d.nodes) {
    if (n.cluster !== undefined && d.clusters.some((c) => c.id === n.cluster)) continue;
    if (n.experts) out.push(...expertsCluster(n, '  ', opts.direction ?? 'up'));
    else out.push(`  ${dotString(n.id)} [label=${nodeLabel(n)}, ${nodeAttrs(n)}];`);
  }
  // Task heads side by side on the top rank, like the papers' output row.
  const tasks = d.nodes.filter((n) => n.kind === 'task');
  if (tasks.length > 1) out.push(`  { rank=same; ${tasks.map((t) => dotString(t.id)).join('; ')}; }`);
  for (const e of d.edges) out.push(edgeLine(e, byId));
  out.push('}');
  return out.join('\n') + '\n';
}
