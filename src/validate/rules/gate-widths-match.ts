import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { propRange } from '../ranges.js';

/**
 * Invariant: the expert groups a gate mixes all have the same output width (a gate is a weighted
 * sum of expert outputs). Reported at the first group whose width differs from the first group's.
 */
export function gateWidthsMatch(ctx: RuleContext): void {
  for (const gate of ctx.symbols.nodes) {
    if (gate.kind !== 'gate' || !Array.isArray(gate.over)) continue;
    const groups = gate.over
      .map((name, i) => ({ name, i, node: ctx.symbols.node(name) }))
      .filter((g) => g.node?.kind === 'experts' && ctx.widths.has(g.name));
    if (groups.length < 2) continue;
    const w0 = ctx.widths.get(groups[0]!.name)!;
    const odd = groups.find((g) => ctx.widths.get(g.name) !== w0);
    if (!odd) continue;
    const widths = groups.map((g) => `${g.name}: ${ctx.widths.get(g.name)}`).join(', ');
    ctx.report(diag('MTL3004', propRange(gate, `over.${odd.i}`, 'over').range, { name: gate.name, widths }));
  }
}
