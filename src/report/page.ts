/**
 * The report page: one self-contained HTML document (inline CSS and SVG, no script, no network) with the
 * run summary, final metrics, loss and metric curves, gate-usage heatmap and architecture diagram.
 */
import { esc } from './escape.js';
import { gateHeatmap, gateMatrix } from './heatmap.js';
import { lineChart, type LineChartSpec } from './line-chart.js';
import type { ReportData } from './types.js';

const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1a1a1a; background: #fafafa; }
header { background: #16324f; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 2px 0; opacity: .9; }
main { padding: 8px 28px 40px; max-width: 1200px; }
section { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; padding: 14px 18px; margin: 16px 0; }
h2 { font-size: 17px; margin: 0 0 10px; }
table { border-collapse: collapse; }
th, td { border-bottom: 1px solid #eee; padding: 4px 12px 4px 0; text-align: left; }
td.num { font-variant-numeric: tabular-nums; text-align: right; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
figure { margin: 0; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
svg .chart-title { font-size: 13px; font-weight: 600; }
svg .grid { stroke: #ececec; }
svg .axis { stroke: #999; }
svg .best { stroke: #888; stroke-dasharray: 4 3; }
svg .cell-off { fill: #f3f3f3; stroke: #fff; }
svg .cell-value { font-size: 10px; }
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

/** The training-loss chart (total and per task) and one chart per metric key (a line per output). */
export function curveSpecs(d: ReportData): LineChartSpec[] {
  const h = d.metrics.history;
  const x = h.map((r) => r.epoch);
  const tasks = [...new Set(h.flatMap((r) => Object.keys(r.taskLosses)))];
  const specs: LineChartSpec[] = [
    {
      id: 'loss',
      title: 'Training loss',
      x,
      yLabel: 'loss',
      markX: d.metrics.bestEpoch,
      series: [{ name: 'total', values: h.map((r) => r.loss) }, ...tasks.map((t) => ({ name: `task ${t}`, values: h.map((r) => r.taskLosses[t] ?? null) }))],
    },
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
      series: outputs.map((o) => ({ name: o, values: h.map((r) => r.metrics[o]?.[k] ?? null) })),
    });
  }
  if (h.some((r) => r.score !== undefined)) {
    specs.push({ id: 'score', title: 'Early-stopping score', x, markX: d.metrics.bestEpoch, series: [{ name: 'score', values: h.map((r) => r.score ?? null) }] });
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
    ['backend', m.backend],
    ['training time', `${m.timings.trainSeconds.toFixed(1)} s (+ ${m.timings.preprocessSeconds.toFixed(1)} s preprocessing)`],
  ];
  const charts = curveSpecs(d).map((c) => `<figure>${lineChart(c)}</figure>`);
  let gates: string;
  if (d.gates && Object.keys(d.gates.weights).length) {
    const heat = gateHeatmap(gateMatrix(d.ir, d.gates.weights), { id: 'gates', title: 'Mean gate weight per expert' });
    gates = `<p class="note">Rows are gates, columns experts; each cell is the gate's mean softmax weight on the expert over ${d.gates.rows.toLocaleString('en-US')} rows of ${esc(d.gates.source)}. Grey: the gate does not mix that expert.</p><figure>${heat}</figure>`;
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
<style>${CSS}</style>
</head>
<body>
<header><h1>${esc(d.ir.name)}</h1>${d.ir.doc ? `<p>${esc(d.ir.doc)}</p>` : ''}<p>${esc(d.dir)} · report made ${esc(d.generatedAt)}</p></header>
<main>
<section id="summary"><h2>Run</h2><table><tbody>${summary.map(([k, v]) => `<tr><th>${esc(k!)}</th><td>${esc(v!)}</td></tr>`).join('')}</tbody></table></section>
<section id="final-metrics"><h2>Final metrics (exported epoch, validation data)</h2>${metricsTable(d)}</section>
<section id="curves"><h2>Curves over training</h2><p class="note">The dashed line marks the exported epoch.</p><div class="charts">${charts.join('')}</div></section>
<section id="gates"><h2>Gate usage</h2>${gates}</section>
<section id="architecture"><h2>Architecture</h2>${diagram}</section>
</main>
</body>
</html>
`;
}
