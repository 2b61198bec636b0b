import { diag } from '../../diagnostics/catalog.js';
import { suggest } from '../../diagnostics/suggest.js';
import type { RuleContext } from '../context.js';
import { propRange } from '../ranges.js';
import { LOSS_NAMES } from '../../ir/ops/index.js';

/** The loss types the compiler knows: the op registry's (src/ir/ops). */
export const LOSS_TYPES: readonly string[] = LOSS_NAMES;

/** Invariant: every task's loss type is a loss of the op registry, with a did-you-mean for misspellings. */
export function knownLossType(ctx: RuleContext): void {
  for (const task of ctx.symbols.tasks) {
    const type = task.loss && typeof task.loss === 'object' ? task.loss.type : undefined;
    if (typeof type !== 'string' || type === '' || LOSS_TYPES.includes(type)) continue; // '': the builder's placeholder after a reported error
    const at = propRange(task, 'loss.type', 'loss');
    const guess = suggest(type, LOSS_TYPES);
    ctx.report(
      diag('MTL3010', at.range, { name: task.name, type }, {
        hint: `${guess !== undefined ? `did you mean '${guess}'? ` : ''}known losses: ${LOSS_TYPES.join(', ')}`,
        ...(guess !== undefined && at.exact ? { fix: { title: `Replace '${type}' with '${guess}'`, edits: [{ range: at.range, newText: guess }] } } : {}),
      }),
    );
  }
}
