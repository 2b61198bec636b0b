import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { propRange } from '../ranges.js';
import { cap, nodePhrase, nodeRefs } from '../refs.js';

/**
 * Invariant: only gates consume expert groups. An expert group is `count` outputs, not one vector,
 * so inputs, layers, experts and towers must read a gate that mixes it.
 */
export function expertsThroughGates(ctx: RuleContext): void {
  for (const ref of nodeRefs(ctx.symbols)) {
    if (ref.via === 'over') continue;
    if (ctx.symbols.node(ref.name)?.kind !== 'experts') continue;
    ctx.report(diag('MTL3018', propRange(ref.from, ref.key).range, { owner: cap(nodePhrase(ref.from)), name: ref.name }));
  }
}
