import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { propRange } from '../ranges.js';
import { lossDef } from '../../ir/ops/index.js';

/**
 * Invariant: the loss fits the head's output, as its definition (src/ir/ops) says: a loss that needs a
 * probability (bce) is an error on a linear tower, and one that warns on probabilities (mse) warns on a sigmoid output. Product heads with linear towers are product-of-probabilities' job.
 */
export function lossFitsOutput(ctx: RuleContext): void {
  for (const task of ctx.symbols.tasks) {
    if (!task.loss || !Array.isArray(task.head) || !task.head.length) continue;
    const towers = Array.from(task.head, (h) => (typeof h === 'string' ? ctx.symbols.tower(h) : undefined));
    if (towers.some((t) => !t)) continue;
    const at = propRange(task, 'loss.type', 'loss').range;
    const def = typeof task.loss.type === 'string' ? lossDef(task.loss.type) : undefined;
    if (!def) continue;
    if (def.needsProbability && task.head.length === 1 && towers[0]!.output === 'linear') {
      ctx.report(diag('MTL3025', at, { name: task.name, tower: towers[0]!.name }));
    } else if (def.warnOnProbability && towers.every((t) => t!.output === 'sigmoid')) {
      ctx.report(diag('MTL3024', at, { name: task.name }));
    }
  }
}
