/**
 * The visual vocabulary of diagrams: one colour pair per node kind, edge styles and font sizes. SVG and DOT both
 * read it so that a node kind looks the same in either output and in the legend.
 */
import type { DiagramEdgeKind, DiagramNodeKind } from './model.js';

/** Fill and stroke of one node kind, plus the name the legend shows for it. */
export interface KindStyle {
  fill: string;
  stroke: string;
  legend: string;
}

/** Colours per node kind: pastel fills that print well in greyscale too, with a darker stroke of the same hue. */
export const NODE_STYLE: Record<DiagramNodeKind, KindStyle> = {
  feature: { fill: '#e3eefa', stroke: '#3f6fa8', legend: 'feature' },
  table: { fill: '#d3e3f6', stroke: '#3f6fa8', legend: 'shared embedding' },
  features: { fill: '#f7fafd', stroke: '#3f6fa8', legend: 'features' },
  input: { fill: '#eceff1', stroke: '#607d8b', legend: 'concat' },
  layer: { fill: '#fff3cf', stroke: '#b8901c', legend: 'layer (MLP)' },
  experts: { fill: '#e6f4ea', stroke: '#2e7d46', legend: 'experts' },
  gate: { fill: '#fde3d3', stroke: '#d0621b', legend: 'gate' },
  tower: { fill: '#ede4f7', stroke: '#6d45b0', legend: 'tower' },
  task: { fill: '#fbe0e8', stroke: '#b3174f', legend: 'task (loss)' },
};

/** Fill of the individual expert boxes inside an expert group. */
export const EXPERT_BOX_FILL = '#c4e6cf';

/** Stroke colour, dash pattern and legend text of one edge kind. */
export interface EdgeStyle {
  stroke: string;
  dash?: string;
  width: number;
  legend: string;
}

/** Edge styles: data flow is solid grey; a gate's input (what it computes weights from) is dashed in the gate's hue. */
export const EDGE_STYLE: Record<DiagramEdgeKind, EdgeStyle> = {
  data: { stroke: '#546e7a', width: 1.3, legend: 'data' },
  'gate-input': { stroke: '#d0621b', dash: '5 3', width: 1.3, legend: 'gate input' },
  mix: { stroke: '#2e7d46', width: 1.6, legend: 'experts mixed' },
  head: { stroke: '#b3174f', width: 1.3, legend: 'task head' },
};

/** Font sizes in pixels. */
export const FONT = { title: 12.5, detail: 10.5, chip: 10, cluster: 12, heading: 15, subheading: 11, legend: 10.5 } as const;

/** The font stack: named sans-serif faces first, then the generic family, so no font file is ever referenced. */
export const FONT_FAMILY = 'Helvetica, Arial, sans-serif';

/** Colour of titles and detail text. */
export const TEXT_COLOR = { title: '#1f2933', detail: '#4a5560', cluster: '#37474f' } as const;
