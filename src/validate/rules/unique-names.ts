import { diag } from '../../diagnostics/catalog.js';
import type { Task, TowerNode } from '../../ir/types.js';
import type { RuleContext } from '../context.js';
import { rangeOf } from '../ranges.js';
import { kindPhrase } from '../refs.js';
import type { SymbolEntry } from '../symbols.js';

/**
 * Invariant: a name is declared once across features, labels, nodes and tasks. The one exception is
 * a task named after the single tower it heads (`task ctr = ctr ...`): both are the same output.
 * Each later declaration is reported, with `related` pointing at the first.
 */
export function uniqueNames(ctx: RuleContext): void {
  const first = new Map<string, SymbolEntry>();
  const pairedTask = new Set<string>();
  for (const e of ctx.symbols.entries) {
    if (e.name === '') continue; // a placeholder after a reported syntax error
    const prev = first.get(e.name);
    if (!prev) {
      first.set(e.name, e);
      continue;
    }
    const isTowerTask =
      e.kind === 'task' &&
      prev.kind === 'node' &&
      (prev.decl as TowerNode).kind === 'tower' &&
      Array.isArray((e.decl as Task).head) &&
      (e.decl as Task).head.length === 1 &&
      (e.decl as Task).head[0] === e.name;
    if (isTowerTask && !pairedTask.has(e.name)) {
      pairedTask.add(e.name);
      continue;
    }
    ctx.report(
      diag('MTL3002', rangeOf(e.decl, 'name'), { name: e.name, first: kindPhrase(prev) }, {
        ...(e.kind === 'label' || prev.kind === 'label' ? { hint: labelClashHint(e.name) } : {}),
        related: [{ ...(ctx.file !== undefined ? { file: ctx.file } : {}), range: rangeOf(prev.decl, 'name'), message: `'${e.name}' is first declared here` }],
      }),
    );
  }
}

/**
 * Why a label cannot share an output's name: metrics and `where` masks name both outputs and labels
 * (`metric auc(ctr, click) where click`), so one name for both would be ambiguous.
 */
function labelClashHint(name: string): string {
  return `labels share one namespace with outputs because metrics and 'where' masks refer to both by name (\`metric auc(OUTPUT, LABEL)\`); rename the output (e.g. '${name}_tower') or the label`;
}
