import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { allMetrics } from '../exprs.js';
import { propRange } from '../ranges.js';

/** Invariant: gauc has a group column (`by COLUMN`); other metrics have none (a warning: it would be ignored). */
export function gaucGroup(ctx: RuleContext): void {
  for (const { metric } of allMetrics(ctx.symbols, ctx.ir?.train?.earlyStop)) {
    const args = { fn: String(metric.fn), output: String(metric.output) };
    if (metric.fn === 'gauc' && typeof metric.groupBy !== 'string') {
      ctx.report(diag('MTL3026', propRange(metric, 'fn').range, args));
    } else if (metric.fn !== 'gauc' && metric.groupBy !== undefined) {
      ctx.report(diag('MTL3033', propRange(metric, 'groupBy', 'by').range, args));
    }
  }
}
