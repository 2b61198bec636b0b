/**
 * `mtl graph` as a library: a model's architecture diagram as SVG, PNG or Graphviz DOT, drawn like the figures of
 * the MMoE, PLE and ESMM papers (inputs at the bottom, task heads at the top). The CLI wraps `renderGraph`.
 *
 * Pipeline: buildDiagram (IR -> boxes and arrows) -> layoutDiagram (ELK) -> renderSvg -> svgToPng; DOT skips the
 * layout since Graphviz does its own.
 */
import type { ModelIR } from '../ir/types.js';
import { buildDiagram, type DiagramOptions } from './model.js';
import { renderDot } from './dot.js';
import { layoutDiagram, type LaidOutDiagram, type LayoutSettings } from './layout.js';
import { svgToPng, type PngOptions } from './png.js';
import { renderSvg, type SvgOptions } from './svg.js';

export { buildDiagram, expertBoxes, FEATURES_BLOCK, FEATURES_CLUSTER } from './model.js';
export type { Diagram, DiagramCluster, DiagramEdge, DiagramEdgeKind, DiagramNode, DiagramNodeKind, TextLine } from './model.js';
export { layoutDiagram, nodeSize } from './layout.js';
export type { Box, LaidOutDiagram, PlacedCluster, PlacedEdge, PlacedNode, Point } from './layout.js';
export { renderSvg } from './svg.js';
export { renderDot } from './dot.js';
export { svgToPng } from './png.js';

/** Output formats of `renderGraph`. */
export type GraphFormat = 'svg' | 'png' | 'dot';

/** All options of `renderGraph`; each applies to the formats that have the feature. */
export interface GraphOptions extends DiagramOptions, LayoutSettings, SvgOptions, PngOptions {}

/** Lays out a model's diagram (for callers that want the boxes, e.g. tests or an interactive viewer). */
export async function layoutGraph(ir: ModelIR, opts: GraphOptions = {}): Promise<LaidOutDiagram> {
  return layoutDiagram(buildDiagram(ir, opts), opts);
}

/**
 * Renders a model's architecture diagram: an SVG document (string), PNG bytes, or a Graphviz DOT document (string).
 * Never throws on the IR's content (unresolved references are left out); PNG rejects only when the rasteriser's
 * native binary is missing on this platform.
 */
export function renderGraph(ir: ModelIR, format: 'png', opts?: GraphOptions): Promise<Uint8Array>;
export function renderGraph(ir: ModelIR, format: 'svg' | 'dot', opts?: GraphOptions): Promise<string>;
export function renderGraph(ir: ModelIR, format: GraphFormat, opts?: GraphOptions): Promise<string | Uint8Array>;
export async function renderGraph(ir: ModelIR, format: GraphFormat, opts: GraphOptions = {}): Promise<string | Uint8Array> {
  // Graphviz users get every feature as its own node unless they ask otherwise: `dot` lays out wide rows itself.
  if (format === 'dot') return renderDot(buildDiagram(ir, { maxFeatureNodes: Infinity, ...opts }), opts);
  const svg = renderSvg(await layoutGraph(ir, opts), opts);
  return format === 'svg' ? svg : svgToPng(svg, opts);
}
