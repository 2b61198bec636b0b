import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { allMetrics, metricLabel } from '../exprs.js';
import { propRange } from '../ranges.js';

/**
 * Invariant: every metric has a label, written or inferred (its task's label, or the label of the one
 * task its tower heads alone). Metrics on names that are not outputs are reported by other rules.
 */
export function metricLabelInferable(ctx: RuleContext): void {
  for (const { metric } of allMetrics(ctx.symbols, ctx.ir?.train?.earlyStop)) {
    if (metric.label || typeof metric.output !== 'string' || !ctx.symbols.isOutput(metric.output)) continue;
    const task = ctx.symbols.task(metric.output);
    if (task && !task.loss) continue; // task-has-loss reports it
    const { expr, reason } = metricLabel(metric, ctx.symbols);
    if (expr) continue;
    ctx.report(
      diag('MTL3029', propRange(metric, 'output').range, { fn: String(metric.fn), output: metric.output }, {
        hint: `${reason ?? 'no task gives a label'}; name the label: \`metric ${metric.fn}(${metric.output}, LABEL)\``,
      }),
    );
  }
}
