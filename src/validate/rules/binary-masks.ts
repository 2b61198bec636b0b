import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { exprRange, exprSites, exprType } from '../exprs.js';

/** Invariant: every mask (`where ...` of a task or metric) is a binary label expression. */
export function binaryMasks(ctx: RuleContext): void {
  for (const site of exprSites(ctx.symbols, ctx.ir?.train?.earlyStop)) {
    if (site.role !== 'mask' && site.role !== 'metric-mask') continue;
    if (exprType(site.expr, ctx.symbols) !== 'real') continue;
    ctx.report(diag('MTL3008', exprRange(site), { owner: site.owner }));
  }
}
