import { diag } from '../../diagnostics/catalog.js';
import type { CategoricalFeature, IdSpace, SequenceFeature } from '../../ir/types.js';
import type { RuleContext } from '../context.js';
import { propRange } from '../ranges.js';

/** Id spaces are equal when they are the same kind with the same size or path. */
function sameIds(a: IdSpace | undefined, b: IdSpace | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * Invariant: `shares` names the owner of an embedding table: a categorical or sequence feature
 * (MTL3020) that does not itself share (MTL3021: no chains, no self-sharing), and any dim or id
 * space the sharer repeats equals the owner's (MTL3022). Unknown names are known-references' job.
 */
export function validShares(ctx: RuleContext): void {
  for (const f of ctx.symbols.features) {
    if (f.kind === 'numeric' || typeof f.shares !== 'string') continue;
    const target = ctx.symbols.feature(f.shares);
    if (!target) continue;
    const at = propRange(f, 'shares').range;
    if (target.kind === 'numeric') {
      ctx.report(diag('MTL3020', at, { name: f.name, target: target.name }));
      continue;
    }
    if (target === f || target.name === f.name || target.shares !== undefined) {
      const owner = target.name === f.name || typeof target.shares !== 'string' ? 'OWNER' : target.shares;
      ctx.report(diag('MTL3021', at, { name: f.name, target: target.name, owner }));
      continue;
    }
    const owner = target as CategoricalFeature | SequenceFeature;
    if (f.dim !== undefined && owner.dim !== undefined && f.dim !== owner.dim) {
      ctx.report(diag('MTL3022', propRange(f, 'dim').range, { name: f.name, what: 'a dim', target: owner.name }));
    }
    if (f.ids !== undefined && owner.ids !== undefined && !sameIds(f.ids, owner.ids)) {
      ctx.report(diag('MTL3022', propRange(f, 'ids', 'ids.size', 'ids.path').range, { name: f.name, what: 'an id space', target: owner.name }));
    }
  }
}
