/**
 * Gate introspection: which expert each gate weight belongs to, and experts that no gate uses.
 * DeepCTR #512 asked for exactly this: MMoE experts often collapse, and nobody could see it.
 */
import type { Diagnostic } from '../diagnostics/types.js';
import { FILE_START } from '../diagnostics/types.js';
import { diag } from '../diagnostics/catalog.js';
import type { ExpertsNode, GateNode, ModelIR } from '../ir/types.js';

/** An expert is unused when every gate that can pick it gives it less than this mean weight. */
export const UNUSED_EXPERT_WEIGHT = 0.01;

/** The expert labels of a gate's weights, in weight order: `e[0]`, `e[1]`, ..., `shared[0]`, ... */
export function gateExpertLabels(ir: ModelIR, gate: GateNode): string[] {
  return gate.over.flatMap((group) => {
    const node = ir.nodes.find((n): n is ExpertsNode => n.kind === 'experts' && n.name === group);
    return Array.from({ length: node?.count ?? 0 }, (_, i) => `${group}[${i}]`);
  });
}

/**
 * Warnings (MTL5320) for experts whose mean weight is below 1% in every gate that mixes them.
 * `gates` maps a gate name to its mean weight per expert (as `mtl eval` computes them).
 */
export function unusedExpertWarnings(ir: ModelIR, gates: Record<string, number[]>, file?: string): Diagnostic[] {
  const best = new Map<string, { weight: number; gates: string[] }>();
  for (const node of ir.nodes) {
    if (node.kind !== 'gate' || !gates[node.name]) continue;
    const weights = gates[node.name]!;
    gateExpertLabels(ir, node).forEach((label, i) => {
      const entry = best.get(label) ?? { weight: 0, gates: [] };
      entry.weight = Math.max(entry.weight, weights[i] ?? 0);
      entry.gates.push(node.name);
      best.set(label, entry);
    });
  }
  const out: Diagnostic[] = [];
  for (const [expert, { weight, gates: names }] of best) {
    if (weight >= UNUSED_EXPERT_WEIGHT) continue;
    const node = ir.nodes.find((n) => n.kind === 'experts' && n.name === expert.slice(0, expert.indexOf('[')));
    out.push(
      diag('MTL5320', node?.loc ?? FILE_START, { expert, percent: (weight * 100).toFixed(2), gates: names.join(', ') }, file !== undefined ? { file } : {}),
    );
  }
  return out;
}
