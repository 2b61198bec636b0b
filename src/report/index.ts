/**
 * `mtl report` as a library: a self-contained HTML training report for a model directory.
 */
import type { Diagnostic } from '../diagnostics/types.js';
import { collectReportData, type CollectOptions } from './collect.js';
import { renderReportHtml } from './page.js';

export { collectReportData, type CollectOptions } from './collect.js';
export { renderReportHtml, curveSpecs } from './page.js';
export { lineChart, type LineChartSpec, type Series } from './line-chart.js';
export { niceTicks, niceStep, tickDecimals, tickLabels } from './ticks.js';
export { taskColors, colorOf, NEUTRAL_COLOR } from './palette.js';
export { gateHeatmap, gateMatrix, gateExpertLabels, allExpertLabels, type GateMatrix } from './heatmap.js';
export type { GateUsage, ReportData } from './types.js';

/** Build the report page of the model directory `dir`. Throws MtlError when `dir` is not a readable model. */
export async function buildReport(dir: string, opts: CollectOptions = {}): Promise<{ value: string; diagnostics: Diagnostic[] }> {
  const { value, diagnostics } = await collectReportData(dir, opts);
  return { value: renderReportHtml(value), diagnostics };
}
