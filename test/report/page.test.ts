/**
 * The report's pure parts: axis ticks, line charts, the gate × expert matrix and heatmap, and the page.
 */
import { describe, expect, it } from 'vitest';
import { checkText } from '../../src/check.js';
import type { ModelIR } from '../../src/ir/types.js';
import { curveSpecs, gateExpertLabels, gateHeatmap, gateMatrix, lineChart, niceTicks, renderReportHtml, type ReportData } from '../../src/report/index.js';
import { fakeMetrics, SMALL_CGC } from './fixtures.js';

function cgcIr(): ModelIR {
  const r = checkText(SMALL_CGC, { file: 'small.mtl' });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.ir!;
}

function data(over: Partial<ReportData> = {}): ReportData {
  return { ir: cgcIr(), metrics: fakeMetrics(), dir: '/models/x', generatedAt: '2026-01-02T03:04:05Z', ...over };
}

describe('niceTicks', () => {
  it('covers the range with round steps', () => {
    expect(niceTicks(0.62, 0.94)).toEqual([0.6, 0.7, 0.8, 0.9, 1]);
    expect(niceTicks(0, 10, 6)).toEqual([0, 2, 4, 6, 8, 10]);
  });
  it('widens a flat range instead of dividing by zero', () => {
    const t = niceTicks(0.5, 0.5);
    expect(t[0]).toBeLessThan(0.5);
    expect(t[t.length - 1]).toBeGreaterThan(0.5);
  });
});

describe('lineChart', () => {
  it('draws a point per value and breaks the line at gaps', () => {
    const svg = lineChart({ id: 'c', title: 'T', x: [1, 2, 3, 4], series: [{ name: 'a', values: [1, null, 2, 3] }, { name: 'b', values: [2, 2, 2, 2] }] });
    expect(svg.match(/<circle /g)).toHaveLength(7);
    // a: one segment (3–4; the lone point 1 has no line), b: one segment.
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('data-chart="c"');
  });
  it('says so when nothing was recorded', () => {
    expect(lineChart({ id: 'c', title: 'T', x: [1], series: [{ name: 'a', values: [null] }] })).toContain('no values recorded');
  });
  it('escapes names', () => {
    expect(lineChart({ id: 'c', title: '<b>', x: [1], series: [{ name: 'a&b', values: [1] }] })).not.toMatch(/<b>|a&b/);
  });
});

describe('gate matrix and heatmap', () => {
  it('labels each gate weight with its expert, in the order of `over`', () => {
    const ir = cgcIr();
    expect(gateExpertLabels(ir, 'g_income')).toEqual(['inc[0]', 'shared[0]', 'shared[1]']);
    const m = gateMatrix(ir, { g_income: [0.5, 0.3, 0.2], g_marital: [0.1, 0.6, 0.3] });
    expect(m.experts).toEqual(['shared[0]', 'shared[1]', 'inc[0]', 'mar[0]']);
    expect(m.cells).toEqual([
      [0.3, 0.2, 0.5, null],
      [0.6, 0.3, null, 0.1],
    ]);
    const svg = gateHeatmap(m);
    expect(svg.match(/class="cell"/g)).toHaveLength(6);
    expect(svg.match(/class="cell-off"/g)).toHaveLength(2);
    expect(svg).toContain('data-gate="g_marital" data-expert="mar[0]"');
  });
  it('falls back to positional names when a plugin gate does not line up with its groups', () => {
    const m = gateMatrix(cgcIr(), { g_income: [0.5, 0.5] });
    expect(m.experts).toEqual(['g_income:0', 'g_income:1']);
  });
});

describe('renderReportHtml', () => {
  it('has a loss chart, one chart per metric key, the score chart only with early stopping', () => {
    const ids = curveSpecs(data()).map((c) => c.id);
    expect(ids).toEqual(['loss', 'metric-auc', 'metric-logloss']);
    const loss = curveSpecs(data())[0]!;
    expect(loss.series.map((s) => s.name)).toEqual(['total', 'task income', 'task marital']);
  });
  it('renders every section, escapes the spec text, and needs no script or network', () => {
    const html = renderReportHtml(data({ gates: { weights: { g_income: [0.5, 0.3, 0.2], g_marital: [0.1, 0.6, 0.3] }, rows: 80, source: 'valid.csv' }, diagramSvg: '<?xml version="1.0"?>\n<svg class="diagram-svg"></svg>' }));
    for (const id of ['summary', 'final-metrics', 'curves', 'gates', 'architecture']) expect(html).toContain(`<section id="${id}">`);
    expect(html).toContain('A &lt;small&gt; CGC &amp; friends');
    expect(html).not.toContain('<?xml');
    expect(html).toContain('<svg class="diagram-svg">');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(html.match(/<svg class="chart"/g)).toHaveLength(3);
    expect(html.match(/<svg class="heatmap"/g)).toHaveLength(1);
    expect(html).toContain('<td>income</td><td>auc</td><td class="num">0.8000</td>');
  });
  it('explains a missing heatmap', () => {
    const html = renderReportHtml(data({ gatesNote: 'Gate usage was not measured (--no-gates).' }));
    expect(html).toContain('Gate usage was not measured (--no-gates).');
    expect(html).not.toContain('class="heatmap"');
  });
});
