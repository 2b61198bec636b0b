/**
 * Gathering a report's data from a model directory: metrics.json and ir.json, gate usage measured by
 * running the model over data (the --data file, else the run's own validation data), and the
 * architecture diagram. Problems with the optional parts become notes, not failures.
 */
import type { Diagnostic } from '../diagnostics/types.js';
import { isMtlError } from '../diagnostics/error.js';
import { renderGraph } from '../diagram/index.js';
import type { GatePlugin } from '../plugins/api.js';
import { loadArtifact } from '../artifact/artifact.js';
import { dataName, evaluateArtifact } from '../artifact/evaluate.js';
import type { DataRef } from '../artifact/runtime-deps.js';
import type { ReportData } from './types.js';

/** Options of {@link collectReportData}. */
export interface CollectOptions {
  /** Measure gate usage on this data; default: the training run's validation data. */
  data?: DataRef;
  /** Skip measuring gate usage (no data pass). */
  noGates?: boolean;
  plugins?: Iterable<GatePlugin>;
  /** The page's time stamp (default: now). */
  generatedAt?: string;
}

/** Read a model directory into {@link ReportData}. Throws MtlError only when the directory itself is unreadable. */
export async function collectReportData(dir: string, opts: CollectOptions = {}): Promise<{ value: ReportData; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const art = await loadArtifact(dir, { ...(opts.plugins ? { plugins: opts.plugins } : {}), onWarning: (d) => void diagnostics.push(d) });
  art.model.dispose(); // only the JSON files are needed here; evaluation loads its own copy
  const data: ReportData = { ir: art.ir, metrics: art.metrics, dir, generatedAt: opts.generatedAt ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
  const hasGates = art.ir.nodes.some((x) => x.kind === 'gate');
  if (!hasGates) data.gatesNote = 'This model has no gates.';
  else if (opts.noGates) data.gatesNote = 'Gate usage was not measured (--no-gates).';
  else {
    // Without --data: the run's validation file, or the validation split of its training data.
    const recorded = art.metrics.data;
    const ref = opts.data ?? recorded?.valid ?? recorded?.train;
    const part = opts.data || recorded?.valid ? 'all' : 'valid';
    if (!ref) data.gatesNote = 'Gate usage was not measured: the run recorded no data; pass --data FILE.';
    else {
      try {
        const ev = await evaluateArtifact(dir, ref, { baseDir: dir, part, batchSize: 2048, ...(opts.plugins ? { plugins: opts.plugins } : {}) });
        diagnostics.push(...ev.diagnostics);
        data.gates = { weights: ev.gates, rows: ev.rows, source: `${dataName(ref)}${part === 'valid' ? ' (validation split)' : ''}` };
      } catch (e) {
        if (!isMtlError(e)) throw e;
        diagnostics.push(...e.diagnostics);
        data.gatesNote = `Gate usage was not measured: ${e.diagnostics[0]?.message ?? 'the data could not be read'} Pass --data FILE.`;
      }
    }
  }
  try {
    data.diagramSvg = await renderGraph(art.ir, 'svg', { direction: 'up' });
  } catch {
    // The diagram is a nicety: a layout failure leaves a note on the page instead of failing the report.
  }
  return { value: data, diagnostics };
}
