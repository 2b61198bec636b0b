import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { rangeOf } from '../ranges.js';
import { reachableFromOutputs } from '../reachability.js';

/** Invariant (warning): every feature reaches some tower (directly, or as the owner of a table a used feature shares). */
export function noUnusedFeatures(ctx: RuleContext): void {
  const used = reachableFromOutputs(ctx.symbols);
  for (const f of ctx.symbols.features) {
    if (used.has(f.name)) continue;
    ctx.report(diag('MTL3015', rangeOf(f, 'name'), { name: f.name }));
  }
}
