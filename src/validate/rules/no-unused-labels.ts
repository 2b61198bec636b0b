import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { exprSites, leaves } from '../exprs.js';
import { rangeOf } from '../ranges.js';

/** Invariant (warning): every label is used by a loss, a mask or a metric. */
export function noUnusedLabels(ctx: RuleContext): void {
  const used = new Set<string>();
  for (const site of exprSites(ctx.symbols, ctx.ir?.train?.earlyStop)) for (const leaf of leaves(site.expr)) used.add(leaf.label);
  for (const l of ctx.symbols.labels) {
    if (used.has(l.name)) continue;
    ctx.report(diag('MTL3016', rangeOf(l, 'name'), { name: l.name }));
  }
}
