/**
 * The gate-usage heatmap as inline SVG: one row per gate, one column per expert of the model (in the
 * diagram's order), each cell the gate's mean weight on that expert; blank where the gate cannot
 * select the expert (CGC/PLE gates see only some groups).
 */
import { expertLabel, groupExpertLabel } from '../diagram/labels.js';
import { buildDiagram } from '../diagram/model.js';
import type { ModelIR } from '../ir/types.js';
import { esc, n } from './escape.js';
import { heatColor, heatTextColor } from './palette.js';

/**
 * The name of expert `i` of `group` as the heatmap shows it: the diagram's own `E1` when the model has a single
 * expert group (MMoE), `shared E1` when several groups sit side by side (CGC, PLE).
 */
function expertName(ir: ModelIR, group: string, i: number): string {
  const groups = ir.nodes.filter((x) => x.kind === 'experts').length;
  return groups > 1 ? groupExpertLabel(group, i) : expertLabel(i);
}

/** The experts a gate mixes, in the order of its weight vector: each expert of each group of `over`. */
export function gateExpertLabels(ir: ModelIR, gate: string): string[] {
  const node = ir.nodes.find((x) => x.name === gate);
  if (!node || node.kind !== 'gate') return [];
  return node.over.flatMap((g) => {
    const e = ir.nodes.find((x) => x.name === g);
    const count = e && e.kind === 'experts' ? e.count : 1;
    return Array.from({ length: count }, (_, i) => expertName(ir, g, i));
  });
}

/**
 * Every expert of the model, groups in the architecture diagram's left-to-right order (task experts around the
 * shared ones), so the heatmap's columns read like the figure below it.
 */
export function allExpertLabels(ir: ModelIR): string[] {
  const counts = new Map(ir.nodes.flatMap((x) => (x.kind === 'experts' ? [[x.name, x.count] as const] : [])));
  const groups = buildDiagram(ir).nodes.filter((x) => x.kind === 'experts' && counts.has(x.name)).map((x) => x.name);
  return groups.flatMap((g) => Array.from({ length: counts.get(g)! }, (_, i) => expertName(ir, g, i)));
}

/** The usage matrix: `cells[g][e]` is gate g's mean weight on expert e, or null when g does not mix e. */
export interface GateMatrix {
  gates: string[];
  experts: string[];
  cells: Array<Array<number | null>>;
}

/** Arrange measured gate weights (gate → weight per expert of `over`) into a gate × expert matrix. */
export function gateMatrix(ir: ModelIR, usage: Record<string, number[]>): GateMatrix {
  const gates = Object.keys(usage);
  let experts: string[];
  const perGate = gates.map((g) => {
    const labels = gateExpertLabels(ir, g);
    const w = usage[g]!;
    // A plugin gate whose weights do not line up with its groups: fall back to positional names.
    return labels.length === w.length ? labels : w.map((_, i) => `${g}:${i}`);
  });
  // Columns gate by gate, each gate's experts in the diagram's order: PLE reads level 1 (income1, shared1,
  // marital1) then level 2, the block structure of the figure, rather than all of one task's levels first.
  const rank = new Map(allExpertLabels(ir).map((l, i) => [l, i] as const));
  const rankOf = (l: string): number => rank.get(l) ?? rank.size; // positional names after the known experts
  experts = [];
  for (const labels of perGate) {
    for (const l of [...labels].sort((a, b) => rankOf(a) - rankOf(b))) if (!experts.includes(l)) experts.push(l);
  }
  const known = experts.filter((l) => rank.has(l));
  experts = [...known, ...experts.filter((l) => !rank.has(l))];
  const cells = gates.map((g, gi) => experts.map((e) => {
    const i = perGate[gi]!.indexOf(e);
    return i < 0 ? null : (usage[g]![i] ?? null);
  }));
  return { gates, experts, cells };
}

/** The heatmap as an `<svg class="heatmap">` element string. Colour is absolute: 0 white, 1 dark blue. */
export function gateHeatmap(m: GateMatrix, opts: { id?: string; title?: string } = {}): string {
  const cell = 46;
  const rowLabelW = Math.max(60, 8 + 7 * Math.max(0, ...m.gates.map((g) => g.length)));
  const colLabelH = Math.max(40, 10 + 6 * Math.max(0, ...m.experts.map((e) => e.length)));
  const top = 28 + colLabelH;
  const W = rowLabelW + cell * m.experts.length + 16;
  const H = top + cell * m.gates.length + 12;
  const parts: string[] = [];
  parts.push(`<svg class="heatmap" data-chart="${esc(opts.id ?? 'gates')}" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(opts.title ?? 'gate usage')}">`);
  if (opts.title) parts.push(`<text class="chart-title" x="4" y="18">${esc(opts.title)}</text>`);
  m.experts.forEach((e, j) => {
    const x = rowLabelW + j * cell + cell / 2;
    parts.push(`<text class="tick" transform="translate(${n(x + 4)} ${top - 6}) rotate(-60)">${esc(e)}</text>`);
  });
  m.gates.forEach((g, i) => {
    const y = top + i * cell;
    parts.push(`<text class="tick" x="${rowLabelW - 6}" y="${n(y + cell / 2 + 4)}" text-anchor="end">${esc(g)}</text>`);
    m.experts.forEach((e, j) => {
      const v = m.cells[i]![j];
      const x = rowLabelW + j * cell;
      if (v === null || v === undefined) {
        parts.push(`<rect class="cell-off" x="${x + 1}" y="${y + 1}" width="${cell - 2}" height="${cell - 2}"><title>${esc(g)} does not mix ${esc(e)}</title></rect>`);
        return;
      }
      parts.push(`<rect class="cell" data-gate="${esc(g)}" data-expert="${esc(e)}" x="${x + 1}" y="${y + 1}" width="${cell - 2}" height="${cell - 2}" fill="${heatColor(v)}"><title>${esc(g)} → ${esc(e)}: ${v.toFixed(3)}</title></rect>`);
      parts.push(`<text class="cell-value" x="${x + cell / 2}" y="${n(y + cell / 2 + 4)}" text-anchor="middle" fill="${heatTextColor(v)}">${v.toFixed(2)}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('');
}
