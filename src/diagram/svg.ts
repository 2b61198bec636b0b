/**
 * Laid-out diagram -> a self-contained SVG document: inline styles only, a generic sans-serif font stack, no
 * external references (arrowheads are markers defined in the document itself), a white background so that the
 * PNG rasterisation and dark-mode viewers show the same figure.
 */
import type { DiagramEdgeKind, DiagramNodeKind } from './model.js';
import type { Box, LaidOutDiagram, PlacedCluster, PlacedEdge, PlacedNode, Point } from './layout.js';
import { CHIP } from './chip-layout.js';
import { INPUT_STRIP, METRICS } from './layout.js';
import { EDGE_STYLE, EXPERT_BOX_FILL, FONT, FONT_FAMILY, NODE_STYLE, TEXT_COLOR } from './style.js';
import { textWidth } from './text.js';

/** SVG rendering options. */
export interface SvgOptions {
  /** Draw the model's name (and docstring) above the figure; default true. */
  title?: boolean;
  /** Draw the legend of node and edge kinds; default true. */
  legend?: boolean;
}

/** Escapes text for XML character data and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A diagram id ("node:e", "task:ctr") as an XML id: only name characters, prefixes kept so ids stay unique. */
export function svgId(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]/g, '-');
}

/** Rounds to 0.1 px, enough for crisp output and short documents. */
function r(x: number): string {
  return String(Math.round(x * 10) / 10);
}

const MARGIN = 16;
const LEGEND_GAP = 24;
const LEGEND_ROW = 17;

/** A polyline with its bends rounded, so orthogonal routes read like hand-drawn figures. */
function edgePath(points: Point[], radius = 5): string {
  if (points.length === 0) return '';
  let d = `M${r(points[0]!.x)},${r(points[0]!.y)}`;
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i - 1]!;
    const c = points[i]!;
    const n = points[i + 1]!;
    const d1 = Math.hypot(c.x - p.x, c.y - p.y);
    const d2 = Math.hypot(n.x - c.x, n.y - c.y);
    const k = Math.min(radius, d1 / 2, d2 / 2);
    if (k < 0.5) {
      d += ` L${r(c.x)},${r(c.y)}`;
      continue;
    }
    const a = { x: c.x + ((p.x - c.x) * k) / d1, y: c.y + ((p.y - c.y) * k) / d1 };
    const b = { x: c.x + ((n.x - c.x) * k) / d2, y: c.y + ((n.y - c.y) * k) / d2 };
    d += ` L${r(a.x)},${r(a.y)} Q${r(c.x)},${r(c.y)} ${r(b.x)},${r(b.y)}`;
  }
  const last = points[points.length - 1]!;
  d += ` L${r(last.x)},${r(last.y)}`;
  return d;
}

/** Arrowhead markers, one per edge kind so that each takes its edge's colour. */
function markers(): string {
  return (Object.keys(EDGE_STYLE) as DiagramEdgeKind[])
    .map(
      (k) =>
        `<marker id="arrow-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">` +
        `<path d="M0,1 L10,5 L0,9 z" fill="${EDGE_STYLE[k].stroke}"/></marker>`,
    )
    .join('');
}

/** The text lines of a node, centred horizontally in `box`, starting at its top. */
function nodeText(n: PlacedNode): string {
  let y = n.textTop + METRICS.padY;
  const cx = n.x + n.width / 2;
  const out: string[] = [];
  for (const l of n.lines) {
    const title = l.role === 'title';
    const size = title ? FONT.title : FONT.detail;
    const lh = title ? METRICS.titleLine : METRICS.detailLine;
    // Baseline a little below the line's middle: centres lowercase and capitals alike.
    const baseline = y + lh / 2 + size * 0.36;
    out.push(
      `<text x="${r(cx)}" y="${r(baseline)}" text-anchor="middle" font-size="${size}"` +
        (title ? ` font-weight="bold" fill="${TEXT_COLOR.title}"` : ` fill="${TEXT_COLOR.detail}"`) +
        `>${escapeXml(l.text)}</text>`,
    );
    y += lh;
  }
  return out.join('');
}

/** The outline of a node, by kind. */
function nodeShape(n: PlacedNode, direction: 'up' | 'down'): string {
  const st = NODE_STYLE[n.kind];
  const common = `fill="${st.fill}" stroke="${st.stroke}"`;
  const rect = (b: Box, rx: number, extra = ''): string =>
    `<rect x="${r(b.x)}" y="${r(b.y)}" width="${r(b.width)}" height="${r(b.height)}" rx="${rx}" ${extra}/>`;
  switch (n.kind) {
    case 'feature':
      return rect(n, 9, `${common} stroke-width="1"`);
    case 'table': {
      // A table: a rounded box with a rule under its title, like a row header.
      const ruleY = n.y + METRICS.padY + METRICS.titleLine + 1;
      return (
        rect(n, 3, `${common} stroke-width="1.2"`) +
        `<line x1="${r(n.x + 4)}" y1="${r(ruleY)}" x2="${r(n.x + n.width - 4)}" y2="${r(ruleY)}" stroke="${st.stroke}" stroke-width="0.8" stroke-opacity="0.6"/>`
      );
    }
    case 'input': {
      // A concatenation: a strip of segments along the bottom edge, one per concatenated part.
      const parts = Math.max(1, n.parts ?? 1);
      const stripH = INPUT_STRIP - 2;
      const w = (n.width - 8) / parts;
      const segs = Array.from({ length: parts }, (_, i) =>
        `<rect x="${r(n.x + 4 + i * w + 0.5)}" y="${r(n.y + n.height - stripH - 4)}" width="${r(w - 1)}" height="${stripH}" fill="${i % 2 === 0 ? '#b0bec5' : '#cfd8dc'}"/>`,
      ).join('');
      return rect(n, 2, `${common} stroke-width="1"`) + segs;
    }
    case 'features': {
      // Many features: a column of chips, one per kind and encoding, each listing its features.
      const chips = (n.inner ?? [])
        .map((b, i) => {
          const c = n.chips?.[i];
          if (!c) return '';
          const x = b.x + CHIP.padX;
          const fill = c.shared ? NODE_STYLE.table.fill : NODE_STYLE.feature.fill;
          const baseline = (j: number): number => b.y + CHIP.padY + CHIP.title + j * CHIP.line;
          const text = n.chipText?.[i];
          const names = (text?.lines ?? [])
            .map((l, j) => `<text x="${r(x + (j === 0 ? text!.indent : 0))}" y="${r(baseline(j))}" font-size="${CHIP.names}" fill="${TEXT_COLOR.detail}">${escapeXml(l)}</text>`)
            .join('');
          return (
            rect(b, 5, `fill="${fill}" stroke="${st.stroke}" stroke-width="0.8"`) +
            `<text x="${r(x)}" y="${r(baseline(0))}" font-size="${CHIP.title}" font-weight="bold" fill="${TEXT_COLOR.title}">${escapeXml(c.title)}</text>` +
            names
          );
        })
        .join('');
      return rect(n, 8, `${common} stroke-width="1" stroke-dasharray="4 3"`) + chips;
    }
    case 'layer':
    case 'tower':
      return rect(n, 4, `${common} stroke-width="1.3"`);
    case 'experts': {
      const inner = (n.inner ?? [])
        .map((b, i) => {
          const label = n.experts?.boxes[i] ?? '';
          const text = `<text x="${r(b.x + b.width / 2)}" y="${r(b.y + b.height / 2 + FONT.detail * 0.36)}" text-anchor="middle" font-size="${FONT.detail}" fill="${TEXT_COLOR.title}">${escapeXml(label)}</text>`;
          if (label === '…') return text;
          return rect(b, 3, `fill="${EXPERT_BOX_FILL}" stroke="${st.stroke}" stroke-width="0.9"`) + text;
        })
        .join('');
      return rect(n, 7, `${common} stroke-width="1.6"`) + inner;
    }
    case 'gate': {
      // A funnel: wide where the experts come in, narrow where the mixture leaves.
      const s = METRICS.gateSlant;
      const [wideY, narrowY] = direction === 'up' ? [n.y + n.height, n.y] : [n.y, n.y + n.height];
      const pts = [
        [n.x, wideY],
        [n.x + n.width, wideY],
        [n.x + n.width - s, narrowY],
        [n.x + s, narrowY],
      ]
        .map(([x, y]) => `${r(x!)},${r(y!)}`)
        .join(' ');
      return `<polygon points="${pts}" ${common} stroke-width="1.4" stroke-linejoin="round"/>`;
    }
    case 'task': {
      // A double border marks the model's outputs, where the losses are taken.
      const inset: Box = { x: n.x + 3, y: n.y + 3, width: n.width - 6, height: n.height - 6 };
      return rect(n, 8, `${common} stroke-width="1.4"`) + rect(inset, 6, `fill="none" stroke="${st.stroke}" stroke-width="0.7"`);
    }
  }
}

/** One node as a group carrying its id, kind and a tooltip. */
function nodeSvg(n: PlacedNode, direction: 'up' | 'down'): string {
  const tooltip = n.members ? `${n.name}: shared by ${n.members.join(', ')}` : n.name;
  return (
    `<g id="${svgId(n.id)}" class="node ${n.kind}" data-name="${escapeXml(n.name)}">` +
    `<title>${escapeXml(tooltip)}</title>${nodeShape(n, direction)}${nodeText(n)}</g>`
  );
}

/** One arrow. */
function edgeSvg(e: PlacedEdge, i: number): string {
  const st = EDGE_STYLE[e.kind];
  if (e.points.length < 2) return '';
  return (
    `<path id="edge-${i}" class="edge ${e.kind}" data-source="${escapeXml(e.source)}" data-target="${escapeXml(e.target)}" ` +
    `d="${edgePath(e.points)}" fill="none" stroke="${st.stroke}" stroke-width="${st.width}"` +
    (st.dash ? ` stroke-dasharray="${st.dash}"` : '') +
    ` stroke-linejoin="round" marker-end="url(#arrow-${e.kind})"/>`
  );
}

/** A cluster: a light, dashed rounded box with its label in a corner. */
function clusterSvg(c: PlacedCluster, direction: 'up' | 'down'): string {
  // The label sits on the side away from the arrows (see clusterBox in layout.ts).
  const labelY = direction === 'up' ? c.y + c.height - 7 : c.y + 16;
  return (
    `<g id="${svgId(c.id)}" class="cluster">` +
    `<rect x="${r(c.x)}" y="${r(c.y)}" width="${r(c.width)}" height="${r(c.height)}" rx="8" fill="#f7fafd" stroke="#90a4ae" stroke-width="1" stroke-dasharray="4 3"/>` +
    `<text x="${r(c.x + METRICS.clusterPad)}" y="${r(labelY)}" font-size="${FONT.cluster}" font-style="italic" fill="${TEXT_COLOR.cluster}">${escapeXml(c.label)}</text></g>`
  );
}

/** The legend's entries: only the node and edge kinds that the diagram uses. */
function legendEntries(d: LaidOutDiagram): { nodes: DiagramNodeKind[]; edges: DiagramEdgeKind[] } {
  const usedNodes = new Set(d.nodes.map((n) => n.kind));
  const usedEdges = new Set(d.edges.map((e) => e.kind));
  return {
    nodes: (Object.keys(NODE_STYLE) as DiagramNodeKind[]).filter((k) => usedNodes.has(k)),
    edges: (Object.keys(EDGE_STYLE) as DiagramEdgeKind[]).filter((k) => usedEdges.has(k)),
  };
}

/** The legend's size. */
function legendSize(d: LaidOutDiagram): { width: number; height: number } {
  const { nodes, edges } = legendEntries(d);
  const labels = [...nodes.map((k) => NODE_STYLE[k].legend), ...edges.map((k) => EDGE_STYLE[k].legend)];
  const w = Math.max(textWidth('legend', FONT.legend, true), ...labels.map((l) => textWidth(l, FONT.legend)));
  return { width: Math.ceil(w + 50), height: (labels.length + 1) * LEGEND_ROW + 12 };
}

/** The legend: a swatch per node kind, a line sample per edge kind. */
function legendSvg(d: LaidOutDiagram, x: number, y: number): string {
  const { nodes, edges } = legendEntries(d);
  const size = legendSize(d);
  const out: string[] = [
    `<g id="legend" class="legend"><rect x="${r(x)}" y="${r(y)}" width="${size.width}" height="${size.height}" rx="6" fill="#ffffff" stroke="#cfd8dc"/>`,
    `<text x="${r(x + 10)}" y="${r(y + 17)}" font-size="${FONT.legend}" font-weight="bold" fill="${TEXT_COLOR.title}">legend</text>`,
  ];
  let row = y + 6 + LEGEND_ROW;
  for (const k of nodes) {
    const st = NODE_STYLE[k];
    out.push(
      `<rect x="${r(x + 10)}" y="${r(row + 3)}" width="24" height="11" rx="2" fill="${st.fill}" stroke="${st.stroke}"/>`,
      `<text x="${r(x + 42)}" y="${r(row + 12.5)}" font-size="${FONT.legend}" fill="${TEXT_COLOR.detail}">${escapeXml(st.legend)}</text>`,
    );
    row += LEGEND_ROW;
  }
  for (const k of edges) {
    const st = EDGE_STYLE[k];
    out.push(
      `<path d="M${r(x + 10)},${r(row + 8.5)} L${r(x + 32)},${r(row + 8.5)}" stroke="${st.stroke}" stroke-width="${st.width}"` +
        (st.dash ? ` stroke-dasharray="${st.dash}"` : '') +
        ` marker-end="url(#arrow-${k})" fill="none"/>`,
      `<text x="${r(x + 42)}" y="${r(row + 12.5)}" font-size="${FONT.legend}" fill="${TEXT_COLOR.detail}">${escapeXml(st.legend)}</text>`,
    );
    row += LEGEND_ROW;
  }
  out.push('</g>');
  return out.join('');
}

/** Renders a laid-out diagram as a standalone SVG document. */
export function renderSvg(d: LaidOutDiagram, opts: SvgOptions = {}): string {
  const showTitle = opts.title ?? true;
  const showLegend = opts.legend ?? true;
  const direction = d.direction;
  const title = d.diagram.title;
  const subtitle = d.diagram.subtitle;
  const titleH = showTitle ? (subtitle ? 44 : 28) : 0;
  const legend = showLegend ? legendSize(d) : { width: 0, height: 0 };
  const titleW = showTitle
    ? Math.max(textWidth(title, FONT.heading, true), subtitle ? textWidth(subtitle, FONT.subheading) : 0)
    : 0;
  const bodyW = d.width + (showLegend ? LEGEND_GAP + legend.width : 0);
  const width = Math.ceil(MARGIN * 2 + Math.max(bodyW, titleW));
  const height = Math.ceil(MARGIN * 2 + titleH + Math.max(d.height, legend.height));
  const ox = MARGIN;
  const oy = MARGIN + titleH;

  const parts: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}">`,
    `<title>${escapeXml(title)}</title>`,
    `<defs>${markers()}</defs>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
  ];
  if (showTitle) {
    parts.push(
      `<text x="${MARGIN}" y="${MARGIN + 15}" font-size="${FONT.heading}" font-weight="bold" fill="${TEXT_COLOR.title}">${escapeXml(title)}</text>`,
    );
    if (subtitle) {
      parts.push(
        `<text x="${MARGIN}" y="${MARGIN + 32}" font-size="${FONT.subheading}" fill="${TEXT_COLOR.detail}">${escapeXml(subtitle)}</text>`,
      );
    }
  }
  parts.push(`<g transform="translate(${ox},${oy})">`);
  for (const c of d.clusters) parts.push(clusterSvg(c, direction));
  d.edges.forEach((e, i) => parts.push(edgeSvg(e, i)));
  for (const n of d.nodes) parts.push(nodeSvg(n, direction));
  parts.push('</g>');
  if (showLegend) parts.push(legendSvg(d, ox + d.width + LEGEND_GAP, oy));
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
