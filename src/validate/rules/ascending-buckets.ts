import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { propRange } from '../ranges.js';

/** Invariant: a numeric feature's bucket boundaries are strictly ascending (reported at the first out-of-order one). */
export function ascendingBuckets(ctx: RuleContext): void {
  for (const f of ctx.symbols.features) {
    if (f.kind !== 'numeric' || !Array.isArray(f.buckets)) continue;
    const i = f.buckets.findIndex((b, k) => k > 0 && !(b > f.buckets![k - 1]!));
    if (i < 0) continue;
    ctx.report(diag('MTL3028', propRange(f, `buckets.${i}`, 'buckets').range, { name: f.name }));
  }
}
