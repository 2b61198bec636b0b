import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { propRange } from '../ranges.js';

/** Invariant: every tower in a product head (`ctr * cvr`) ends in a sigmoid, so the product is a probability. */
export function productOfProbabilities(ctx: RuleContext): void {
  for (const task of ctx.symbols.tasks) {
    if (!Array.isArray(task.head) || task.head.length < 2) continue;
    task.head.forEach((name, i) => {
      const tower = ctx.symbols.tower(name);
      if (!tower || tower.output === 'sigmoid') return;
      ctx.report(diag('MTL3005', propRange(task, `head.${i}`, 'head').range, { name: task.name, tower: name }));
    });
  }
}
