/**
 * The report page: one self-contained HTML document (inline CSS and SVG, no script, no network) with the
 * run summary, final metrics, loss and metric curves, gate-usage heatmap and architecture diagram.
 */
import { esc } from './escape.js';
import { gateHeatmap, gateMatrix } from './heatmap.js';
import { lineChart, type LineChartSpec, type Series } from './line-chart.js';
import { colorOf, NEUTRAL_COLOR, taskColors } from './palette.js';
import type { ReportData } from './types.js';
import { describeBackend } from '../artifact/run-record.js';

/** The stylesheet of the report page, shared with `mtl compare`'s page so both read alike. */
export const REPORT_CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1a1a1a; background: #fafafa; }
header { background: #16324f; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 2px 0; opacity: .9; }
main { padding: 8px 28px 40px; max-width: 1800px; margin: 0 auto; }
section { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; padding: 14px 18px; margin: 16px 0; }
h2 { font-size: 17px; margin: 0 0 10px; }
table { border-collapse: collapse; }
th, td { border-bottom: 1px solid #eee; padding: 4px 12px 4px 0; text-align: left; }
td.num { font-variant-numeric: tabular-nums; text-align: right; }
.tables { display: flex; flex-wrap: wrap; gap: 16px; }
.tables > section { flex: 1 1 380px; margin: 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 400px), 1fr)); gap: 16px; }
figure { margin: 0; min-width: 0; }
.charts svg { display: block; width: 100%; max-width: 680px; height: auto; }
.heatmap-box svg { display: block; max-width: 100%; height: auto; }
/* Chart styles are scoped to the report's own charts: the architecture diagram carries its own fonts and weights. */
svg.chart text, svg.heatmap text { font: 11px system-ui, sans-serif; fill: #333; }
svg.chart .chart-title, svg.heatmap .chart-title { font-size: 13px; font-weight: 600; }
svg.chart .grid { stroke: #ececec; }
svg.chart .axis { stroke: #999; }
svg.chart .best { stroke: #888; stroke-dasharray: 4 3; }
svg.heatmap .cell-off { fill: #f3f3f3; stroke: #fff; }
svg.heatmap .cell-value { font-size: 10px; }
.note { color: #666; }
.diagram svg { max-width: 100%; height: auto; }
`;

/** The final (exported-epoch) metrics as a table: one row per output and metric. */
function metricsTable(d: ReportData): string {
  const rows = Object.entries(d.metrics.final).flatMap(([out, ms]) =>
    Object.entries(ms).map(([k, v]) => `<tr><td>${esc(out)}</td><td>${esc(k)}</td><td class="num">${v === null ? 'n/a' : v.toFixed(4)}</td></tr>`),
  );
  if (!rows.length) return '<p class="note">No validation metrics were recorded.</p>';
  return `<table class="final-metrics"><thead><tr><th>output</th><th>metric</th><th>validation</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The validation metric that measures what a task's loss measures (bce → logloss, mse → mse), if any. */
function validationLossKey(lossType: string): string | undefined {
  return ({ bce: 'logloss', mse: 'mse' } as Record<string, string>)[lossType];
}

/**
 * The loss chart (the total, then each task's training loss solid and its validation loss dashed in the same
 * colour, so overfitting shows as the two lines parting), one chart per metric key (a line per output), and
 * the early-stopping score. Every task keeps its colour on every chart (palette.ts).
 */
export function curveSpecs(d: ReportData): LineChartSpec[] {
  const h = d.metrics.history;
  const x = h.map((r) => r.epoch);
  const colors = taskColors(d.ir);
  const irTasks = new Map(d.ir.tasks.map((t) => [t.name, t] as const));
  // IR order first (it decides the colours), then any task only the metrics file knows.
  const tasks = [...new Set([...d.ir.tasks.map((t) => t.name), ...h.flatMap((r) => Object.keys(r.taskLosses))])].filter((t) =>
    h.some((r) => r.taskLosses[t] !== undefined),
  );
  const lossSeries: Series[] = [{ name: 'total (training)', values: h.map((r) => r.loss), color: NEUTRAL_COLOR }];
  for (const t of tasks) {
    const color = colorOf(colors, t);
    lossSeries.push({ name: `${t} training`, task: t, color, values: h.map((r) => r.taskLosses[t] ?? null) });
    const task = irTasks.get(t);
    const key = task ? validationLossKey(task.loss.type) : undefined;
    // Metrics are recorded per output: the task's own name, else its single head.
    const output = task && [t, ...(task.head.length === 1 ? task.head : [])].find((o) => h.some((r) => r.metrics[o]?.[key ?? ''] !== undefined));
    if (key && output) lossSeries.push({ name: `${t} validation`, task: t, color, dashed: true, values: h.map((r) => r.metrics[output]?.[key] ?? null) });
  }
  const specs: LineChartSpec[] = [
    { id: 'loss', title: 'Loss: training (solid) and validation (dashed)', x, yLabel: 'loss', markX: d.metrics.bestEpoch, series: lossSeries },
  ];
  // Metric keys in first-seen order; each chart holds every output that has that key.
  const keys: string[] = [];
  for (const r of h) for (const ms of Object.values(r.metrics)) for (const k of Object.keys(ms)) if (!keys.includes(k)) keys.push(k);
  for (const k of keys) {
    const outputs = [...new Set(h.flatMap((r) => Object.entries(r.metrics).filter(([, ms]) => k in ms).map(([o]) => o)))];
    specs.push({
      id: `metric-${k}`,
      title: `Validation ${k}`,
      x,
      yLabel: k,
      markX: d.metrics.bestEpoch,
      series: outputs.map((o) => ({ name: o, task: o, color: colorOf(colors, o), values: h.map((r) => r.metrics[o]?.[k] ?? null) })),
    });
  }
  if (h.some((r) => r.score !== undefined)) {
    specs.push({ id: 'score', title: 'Early-stopping score', x, markX: d.metrics.bestEpoch, series: [{ name: 'score', color: NEUTRAL_COLOR, values: h.map((r) => r.score ?? null) }] });
  }
  return specs;
}

/** Strip the XML prolog so that an SVG document can be inlined in HTML. */
function inlineSvg(svg: string): string {
  return svg.replace(/^\s*<\?xml[^>]*\?>\s*/, '').replace(/^\s*<!DOCTYPE[^>]*>\s*/i, '');
}

/** The complete HTML page for `d`. */
export function renderReportHtml(d: ReportData): string {
  const m = d.metrics;
  const s = m.settings;
  const epochs = m.history.length;
  const summary = [
    ['model', m.model],
    ['parameters', m.parameterCount.toLocaleString('en-US')],
    ['epochs run', `${epochs}${s ? ` of ${s.epochs}` : ''}${m.stoppedEarly ? ' (stopped early)' : ''}`],
    ['exported epoch', m.bestEpoch === null ? 'none' : String(m.bestEpoch)],
    ['settings', s ? `${s.optimizer}, lr ${s.lr}, batch ${s.batch}, seed ${s.seed}` : `seed ${m.seed}`],
    ['backend', describeBackend(m)],
    ['training time', `${m.timings.trainSeconds.toFixed(1)} s (+ ${m.timings.preprocessSeconds.toFixed(1)} s preprocessing)`],
  ];
  const charts = curveSpecs(d).map((c) => `<figure>${lineChart(c)}</figure>`);
  let gates: string;
  if (d.gates && Object.keys(d.gates.weights).length) {
    const heat = gateHeatmap(gateMatrix(d.ir, d.gates.weights), { id: 'gates', title: 'Mean gate weight per expert' });
    gates = `<p class="note">Rows are gates, columns experts; each cell is the gate's mean softmax weight on the expert over ${d.gates.rows.toLocaleString('en-US')} rows of ${esc(d.gates.source)}. Grey: the gate does not mix that expert.</p><figure class="heatmap-box">${heat}</figure>`;
  } else {
    gates = `<p class="note">${esc(d.gatesNote ?? 'This model has no gates.')}</p>`;
  }
  const diagram = d.diagramSvg ? `<div class="diagram">${inlineSvg(d.diagramSvg)}</div>` : '<p class="note">The diagram could not be drawn.</p>';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`mtl report: ${m.model}`)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header><h1>${esc(d.ir.name)}</h1>${d.ir.doc ? `<p>${esc(d.ir.doc)}</p>` : ''}<p>${esc(d.dir)} · report made ${esc(d.generatedAt)}</p></header>
<main>
<div class="tables">
<section id="summary"><h2>Run</h2><table><tbody>${summary.map(([k, v]) => `<tr><th>${esc(k!)}</th><td>${esc(v!)}</td></tr>`).join('')}</tbody></table></section>
<section id="final-metrics"><h2>Final metrics (exported epoch, validation data)</h2>${metricsTable(d)}</section>
</div>
<section id="curves"><h2>Curves over training</h2><p class="note">The dashed line marks the exported epoch.</p><div class="charts">${charts.join('')}</div></section>
<section id="gates"><h2>Gate usage</h2>${gates}</section>
<section id="architecture"><h2>Architecture</h2>${diagram}</section>
</main>
</body>
</html>
`;
}
