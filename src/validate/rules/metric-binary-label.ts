import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { allMetrics, exprText, exprType, metricLabel } from '../exprs.js';
import { propRange } from '../ranges.js';

const BINARY_METRICS = new Set(['auc', 'gauc', 'logloss']);

/** Invariant: auc, gauc and logloss are computed against a binary label (written or inferred). */
export function metricBinaryLabel(ctx: RuleContext): void {
  for (const { metric } of allMetrics(ctx.symbols, ctx.ir?.train?.earlyStop)) {
    if (!BINARY_METRICS.has(metric.fn) || typeof metric.output !== 'string') continue;
    const { expr } = metricLabel(metric, ctx.symbols);
    if (!expr || exprType(expr, ctx.symbols) !== 'real') continue;
    const range = metric.label ? (metric.label.loc ?? propRange(metric, 'label').range) : propRange(metric, 'output').range;
    ctx.report(diag('MTL3032', range, { fn: metric.fn, output: metric.output, label: exprText(expr) }));
  }
}
