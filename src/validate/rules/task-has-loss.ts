import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { propRange } from '../ranges.js';

/** Invariant: every task has a loss with a type and a label (the text builder leaves `loss` out of a broken task). */
export function taskHasLoss(ctx: RuleContext): void {
  for (const task of ctx.symbols.tasks) {
    const loss = task.loss as { type?: unknown; label?: unknown } | undefined;
    if (loss && typeof loss === 'object' && typeof loss.type === 'string' && loss.label && typeof loss.label === 'object') continue;
    ctx.report(diag('MTL3013', propRange(task, 'loss', 'name').range, { name: task.name }));
  }
}
