import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { exprText, exprType } from '../exprs.js';
import { propRange } from '../ranges.js';
import { lossDef } from '../../ir/ops/index.js';

/** Invariant: a loss whose definition needs a binary label (bce) is on a binary label expression (binary labels, combined with `&`, `|`, `!`). */
export function bceBinaryLabel(ctx: RuleContext): void {
  for (const task of ctx.symbols.tasks) {
    if (!task.loss || typeof task.loss.type !== 'string' || !lossDef(task.loss.type)?.binaryLabel || !task.loss.label) continue;
    if (exprType(task.loss.label, ctx.symbols) !== 'real') continue;
    // A compound expression over a real label is already reported once (MTL3030, at the operator).
    if (!('label' in task.loss.label)) continue;
    const range = task.loss.label.loc ?? propRange(task, 'loss.label', 'label', 'loss').range;
    ctx.report(diag('MTL3006', range, { name: task.name, label: exprText(task.loss.label) }));
  }
}
