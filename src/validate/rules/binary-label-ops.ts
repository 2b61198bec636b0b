import { diag } from '../../diagnostics/catalog.js';
import type { LabelExpr } from '../../ir/types.js';
import type { RuleContext } from '../context.js';
import { exprRange, exprSites, leaves } from '../exprs.js';

const OP_SYMBOL: Record<string, string> = { and: '&', or: '|', not: '!' };

/** Invariant: `&`, `|` and `!` in label expressions apply to binary labels only (reported once per offending label and operator). */
export function binaryLabelOps(ctx: RuleContext): void {
  for (const site of exprSites(ctx.symbols, ctx.ir?.train?.earlyStop)) {
    const walk = (e: LabelExpr | undefined): void => {
      if (!e || typeof e !== 'object' || !('op' in e)) return;
      const operands = e.op === 'not' ? [e.arg] : Array.isArray(e.args) ? e.args : [];
      for (const operand of operands) {
        if (!operand || typeof operand !== 'object') continue;
        if ('label' in operand) {
          const label = ctx.symbols.label(operand.label);
          if (label && label.type !== 'binary') {
            ctx.report(diag('MTL3030', operand.loc ?? e.loc ?? exprRange(site), { op: OP_SYMBOL[e.op] ?? e.op, label: label.name }));
          }
        } else walk(operand);
      }
    };
    if (leaves(site.expr).length > 1 || (site.expr && 'op' in site.expr)) walk(site.expr);
  }
}
