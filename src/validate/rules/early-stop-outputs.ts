import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { candidatesHint } from '../context.js';
import { allMetrics } from '../exprs.js';
import { propRange } from '../ranges.js';

/** Invariant: every early-stopping term's metric names a model output (a tower or a task). */
export function earlyStopOutputs(ctx: RuleContext): void {
  for (const { metric, early } of allMetrics(ctx.symbols, ctx.ir?.train?.earlyStop)) {
    if (!early || typeof metric.output !== 'string' || metric.output === '' || ctx.symbols.isOutput(metric.output)) continue;
    const at = propRange(metric, 'output');
    const { hint, guess } = candidatesHint(metric.output, ctx.symbols.outputs(), 'outputs');
    ctx.report(
      diag('MTL3017', at.range, { fn: String(metric.fn), name: metric.output }, {
        hint,
        ...(guess !== undefined && at.exact ? { fix: { title: `Replace '${metric.output}' with '${guess}'`, edits: [{ range: at.range, newText: guess }] } } : {}),
      }),
    );
  }
}
