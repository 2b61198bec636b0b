/**
 * `mtl evaluate`: stream data through a trained model directory's export model and compute its metric
 * plan (see metric-plan.ts) and the mean expert weights of every gate.
 */
import * as path from 'node:path';
import type { Diagnostic } from '../diagnostics/types.js';
import { loadArtifact } from './artifact.js';
import { metricPlan, type MetricResults } from './metric-plan.js';
import { MetricAccumulator } from './metric-eval.js';
import { predictOverData } from './artifact-stream.js';
import { unusedExpertWarnings } from './gate-usage.js';
import type { ArtifactDataOptions } from './artifact-options.js';
import { resolveDeps, type DataRef } from './runtime-deps.js';

/** Options of {@link evaluateArtifact}. */
export interface EvaluateOptions extends ArtifactDataOptions {
  /** `valid`: only the validation split of `data` (the training run's split); default `all`. */
  part?: 'all' | 'valid';
}

/** What {@link evaluateArtifact} returns. */
export interface EvaluateResult {
  /** output → metric key → value (null when undefined). */
  metrics: MetricResults;
  /** gate → mean weight of each expert over all rows. */
  gates: Record<string, number[]>;
  rows: number;
  /** Warnings (undefined metrics, skipped rows). */
  diagnostics: Diagnostic[];
}

/** Evaluate the model directory `dir` on `data`. Throws MtlError for unreadable models or data. */
export async function evaluateArtifact(dir: string, data: DataRef, opts: EvaluateOptions): Promise<EvaluateResult> {
  const deps = await resolveDeps(opts.deps, ['readBatches', 'computeMetric', 'evalLabelExpr']);
  const diagnostics: Diagnostic[] = [];
  const warn = (d: Diagnostic): void => {
    diagnostics.push(d);
    opts.onWarning?.(d);
  };
  const art = await loadArtifact(dir, { ...(opts.plugins ? { plugins: opts.plugins } : {}), onWarning: warn });
  try {
    const acc = new MetricAccumulator(art.ir, metricPlan(art.ir), deps);
    const gateSums: Record<string, Float64Array> = {};
    const stream = predictOverData(deps, art, data, {
      baseDir: opts.baseDir,
      ...(opts.skipBadRows !== undefined ? { skipBadRows: opts.skipBadRows } : {}),
      ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
      ...(opts.plugins ? { plugins: opts.plugins } : {}),
      part: opts.part ?? 'all',
      needLabels: true,
      onWarning: warn,
    });
    for await (const { batch, pred } of stream) {
      acc.add(batch, pred.outputs);
      for (const [gate, { weights, experts }] of Object.entries(pred.gates)) {
        const sums = (gateSums[gate] ??= new Float64Array(experts));
        for (let i = 0; i < batch.size; i++) for (let e = 0; e < experts; e++) sums[e]! += weights[i * experts + e]!;
      }
    }
    const { value, diagnostics: ds } = acc.finish(`'${dataName(data)}'`);
    ds.forEach(warn);
    const gates: Record<string, number[]> = {};
    for (const [gate, sums] of Object.entries(gateSums)) gates[gate] = Array.from(sums, (s) => (acc.rows > 0 ? s / acc.rows : 0));
    if (acc.rows > 0) unusedExpertWarnings(art.ir, gates, path.join(dir, 'ir.json')).forEach(warn);
    return { metrics: value, gates, rows: acc.rows, diagnostics };
  } finally {
    art.model.dispose();
  }
}

/** A data reference for messages. */
export function dataName(data: DataRef): string {
  return data.kind === 'file' ? data.path : `synth:${data.generator}`;
}
