/**
 * The compact features block of a diagram with many features (the census specs have 39). Forty boxes in a row,
 * or even a grid of forty chips, take more of the figure than the model itself; the papers draw the input as one
 * bar. So the block holds one chip per encoding ("26 categorical · hash 64 · d4") listing the features that
 * use it, which keeps every name on the figure in a fraction of the room.
 */
import type { Feature, ModelIR } from '../ir/types.js';
import type { DiagramNode } from './model.js';

/** One chip of the block: a group of features encoded the same way. */
export interface FeatureChip {
  /** Count, kind and encoding: "26 categorical · hash 64 · d4". */
  title: string;
  /** The features of the group in declaration order (a shared table: its members joined by " + "). */
  names: string[];
  /** A group of shared embedding tables (drawn in the table colour). */
  shared: boolean;
}

/** The id of the compact features block used instead of the cluster when there are many features. */
export const FEATURES_BLOCK = 'features:all';

/** What a feature is, in the chip title's words. */
function kindWord(f: Feature | undefined): string {
  return f?.kind ?? 'feature';
}

/**
 * Groups the diagram's feature and shared-table boxes by kind and encoding, in first-seen order. `nodes` are the
 * per-feature boxes the block replaces; their detail line is the encoding, so chips and boxes say the same.
 */
export function featureChips(ir: ModelIR, nodes: DiagramNode[]): FeatureChip[] {
  const byName = new Map(ir.features.map((f) => [f.name, f] as const));
  const groups = new Map<string, { kind: string; detail: string; names: string[]; count: number; shared: boolean }>();
  for (const n of nodes) {
    const shared = n.kind === 'table';
    const kind = shared ? 'shared table' : kindWord(byName.get(n.name));
    const detail = shared ? (n.lines[1]?.text ?? '').replace(/^shared table( · )?/, '') : (n.lines[1]?.text ?? '');
    const key = `${kind}\u0000${detail}`;
    const g = groups.get(key) ?? { kind, detail, names: [], count: 0, shared };
    g.names.push(shared ? (n.members ?? [n.name]).join(' + ') : n.name);
    g.count += 1;
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => {
    // "numeric · numeric" says nothing twice: an un-normalised numeric's detail is just its kind.
    const detail = g.detail === g.kind ? '' : g.detail;
    const kind = g.count > 1 && g.shared ? 'shared tables' : g.kind;
    return { title: [`${g.count} ${kind}`, detail].filter(Boolean).join(' · '), names: g.names, shared: g.shared };
  });
}

/** The block replacing the feature boxes: a title with the feature count, and the chips. */
export function featuresBlock(ir: ModelIR, nodes: DiagramNode[]): DiagramNode {
  return {
    id: FEATURES_BLOCK,
    kind: 'features',
    name: 'features',
    lines: [{ text: `features (${ir.features.length})`, role: 'title' }],
    chips: featureChips(ir, nodes),
  };
}
