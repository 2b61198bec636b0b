import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { rangeOf } from '../ranges.js';

/** Invariant: a model declares at least one task (there is nothing to train otherwise). */
export function modelHasTask(ctx: RuleContext): void {
  if (ctx.symbols.tasks.length) return;
  ctx.report(diag('MTL3027', rangeOf(ctx.ir, 'name'), { name: String(ctx.ir?.name ?? '?') }));
}
