import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { propRange } from '../ranges.js';

/**
 * Invariant: every embedded feature has a dimension: categorical and sequence features need `dim`
 * or `shares`; a bucketised numeric feature needs `dim`.
 */
export function featureHasDim(ctx: RuleContext): void {
  for (const f of ctx.symbols.features) {
    if (f.dim !== undefined) continue;
    if (f.kind === 'numeric') {
      if (!Array.isArray(f.buckets)) continue;
      ctx.report(diag('MTL3023', propRange(f, 'buckets', 'name').range, { name: f.name }, { hint: 'add `dim D` after the buckets' }));
    } else if (f.shares === undefined) {
      ctx.report(diag('MTL3023', propRange(f, 'name').range, { name: f.name }, { hint: 'add `dim D`, or `shares OTHER` to use another feature\'s table' }));
    }
  }
}
