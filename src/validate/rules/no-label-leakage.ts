import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { rangeOf } from '../ranges.js';

/** Invariant: no feature reads a label's column (columns compared as `column ?? name`): the model must not see its target. */
export function noLabelLeakage(ctx: RuleContext): void {
  const labelColumns = new Map<string, (typeof ctx.symbols.labels)[number]>();
  for (const l of ctx.symbols.labels) {
    const col = l.column ?? l.name;
    if (!labelColumns.has(col)) labelColumns.set(col, l);
  }
  for (const f of ctx.symbols.features) {
    const column = f.column ?? f.name;
    const label = labelColumns.get(column);
    if (!label) continue;
    ctx.report(
      diag('MTL3007', rangeOf(f, f.column !== undefined ? 'column' : 'name', 'name'), { feature: f.name, column, label: label.name }, {
        related: [{ ...(ctx.file !== undefined ? { file: ctx.file } : {}), range: rangeOf(label, label.column !== undefined ? 'column' : 'name', 'name'), message: `label '${label.name}' reads column '${column}'` }],
      }),
    );
  }
}
