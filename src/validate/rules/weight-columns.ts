import { diag } from '../../diagnostics/catalog.js';
import type { Located } from '../../ir/types.js';
import type { RuleContext } from '../context.js';
import { allMetrics, metricName } from '../exprs.js';
import { rangeOf } from '../ranges.js';

/**
 * Invariants of `weight_by` (sample weights): a weight column is not a feature's column (MTL3040, warning)
 * nor a label's (MTL3041, warning), and a task does not repeat the train block's column (MTL3042, warning:
 * the weights would be squared). Columns compare as `column ?? name`, as the data reader reads them.
 */
export function weightColumns(ctx: RuleContext): void {
  const users: Array<{ owner: string; column: string; decl: Partial<Located> }> = [];
  const global = ctx.ir?.train?.weightBy;
  if (typeof global === 'string') users.push({ owner: 'every task (the train block)', column: global, decl: ctx.ir.train });
  for (const t of ctx.symbols.tasks) {
    if (typeof t.weightBy !== 'string') continue;
    users.push({ owner: `task '${t.name}'`, column: t.weightBy, decl: t });
    if (t.weightBy === global) ctx.report(diag('MTL3042', rangeOf(t, 'weightBy', 'name'), { task: t.name, column: t.weightBy }));
  }
  for (const { metric, early } of allMetrics(ctx.symbols, ctx.ir?.train?.earlyStop)) {
    if (typeof metric.weightBy === 'string') users.push({ owner: metricName(metric, early), column: metric.weightBy, decl: metric });
  }
  for (const { owner, column, decl } of users) {
    const at = rangeOf(decl, 'weightBy');
    const feature = ctx.symbols.features.find((f) => (f.column ?? f.name) === column);
    if (feature) ctx.report(diag('MTL3040', at, { owner, column, feature: feature.name }));
    const label = ctx.symbols.labels.find((l) => (l.column ?? l.name) === column);
    if (label) ctx.report(diag('MTL3041', at, { owner, column, label: label.name }));
  }
}
