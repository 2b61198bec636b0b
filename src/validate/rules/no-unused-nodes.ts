import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { rangeOf } from '../ranges.js';
import { reachableFromOutputs } from '../reachability.js';

/** Invariant (warning): every node contributes to some tower (towers are outputs, so never unused). */
export function noUnusedNodes(ctx: RuleContext): void {
  const used = reachableFromOutputs(ctx.symbols);
  for (const n of ctx.symbols.nodes) {
    if (n.kind === 'tower' || used.has(n.name)) continue;
    ctx.report(diag('MTL3014', rangeOf(n, 'name'), { name: n.name }));
  }
}
