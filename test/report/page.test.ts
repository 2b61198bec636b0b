/**
 * The report's pure parts: axis ticks, line charts, the gate × expert matrix and heatmap, and the page.
 */
import { describe, expect, it } from 'vitest';
import { checkText } from '../../src/language/check.js';
import type { ModelIR } from '../../src/ir/types.js';
import { curveSpecs, gateExpertLabels, gateHeatmap, gateMatrix, lineChart, niceTicks, renderReportHtml, tickLabels, type ReportData } from '../../src/report/index.js';
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
  it('covers the range with steps of 1, 2 or 5 × 10^k', () => {
    expect(niceTicks(0.62, 0.94)).toEqual([0.6, 0.7, 0.8, 0.9, 1]);
    expect(niceTicks(0, 10, 6)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(1.5, 1.8)).toEqual([1.5, 1.6, 1.7, 1.8]);
    expect(niceTicks(0.0012, 0.0031)).toEqual([0.001, 0.0015, 0.002, 0.0025, 0.003, 0.0035]);
    for (const [lo, hi] of [[0.3, 0.7], [1.57, 1.77], [12, 977], [0.0012, 0.0031], [-3.2, 4.1]] as const) {
      const t = niceTicks(lo, hi);
      const step = t[1]! - t[0]!;
      const m = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
      expect([1, 2, 5]).toContainEqual(Number(m.toPrecision(6)));
      expect(t[0]).toBeLessThanOrEqual(lo);
      expect(t[t.length - 1]).toBeGreaterThanOrEqual(hi);
    }
  });
  it('handles negative ranges and never prints -0', () => {
    expect(niceTicks(-0.8, -0.1)).toEqual([-0.8, -0.6, -0.4, -0.2, 0]);
    expect(tickLabels(niceTicks(-0.8, -0.1))).toEqual(['-0.8', '-0.6', '-0.4', '-0.2', '0.0']);
    expect(niceTicks(-3, 3, 4)).toEqual([-4, -2, 0, 2, 4]);
  });
  it('widens a flat range instead of dividing by zero', () => {
    const t = niceTicks(0.5, 0.5);
    expect(t[0]).toBeLessThan(0.5);
    expect(t[t.length - 1]).toBeGreaterThan(0.5);
    expect(niceTicks(0, 0)).toEqual([-1, -0.5, 0, 0.5, 1]);
  });
  it('keeps integer axes integer', () => {
    expect(niceTicks(1, 3, 10, 1)).toEqual([1, 2, 3]);
    expect(niceTicks(1, 50, 10, 1)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(niceTicks(1, 4, 10, 1)).toEqual([1, 2, 3, 4]);
  });
  it('labels every tick with the same number of decimals', () => {
    expect(tickLabels([1.5, 1.6, 1.7, 1.8])).toEqual(['1.5', '1.6', '1.7', '1.8']);
    expect(tickLabels([0.001, 0.0015, 0.002])).toEqual(['0.0010', '0.0015', '0.0020']);
    expect(tickLabels([0.6, 0.8, 1])).toEqual(['0.6', '0.8', '1.0']);
    expect(tickLabels([0, 50, 100])).toEqual(['0', '50', '100']);
  });
  it('is the rule every chart axis uses', () => {
    const svg = lineChart({ id: 'c', title: 'T', x: [1, 2, 3], series: [{ name: 'score', values: [1.57, 1.74, 1.77] }] });
    const y = [...svg.matchAll(/class="tick y-tick"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(y).toEqual(tickLabels(niceTicks(1.57, 1.77)));
    const x = [...svg.matchAll(/class="tick x-tick"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(x).toEqual(['1', '2', '3']);
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
    expect(gateExpertLabels(ir, 'g_income')).toEqual(['inc E1', 'shared E1', 'shared E2']);
    const m = gateMatrix(ir, { g_income: [0.5, 0.3, 0.2], g_marital: [0.1, 0.6, 0.3] });
    // Columns in the diagram's order: each task's experts either side of the shared ones.
    expect(m.experts).toEqual(['inc E1', 'shared E1', 'shared E2', 'mar E1']);
    expect(m.cells).toEqual([
      [0.5, 0.3, 0.2, null],
      [null, 0.6, 0.3, 0.1],
    ]);
    const svg = gateHeatmap(m);
    expect(svg.match(/class="cell"/g)).toHaveLength(6);
    expect(svg.match(/class="cell-off"/g)).toHaveLength(2);
    expect(svg).toContain('data-gate="g_marital" data-expert="mar E1"');
  });
  it('names experts as the diagram does: E1… inside a group, with the group name when there are several', async () => {
    const { buildDiagram } = await import('../../src/diagram/model.js');
    const ir = cgcIr();
    const boxes = buildDiagram(ir).nodes.filter((x) => x.experts).map((x) => [x.name, x.experts!.boxes] as const);
    const cols = gateMatrix(ir, { g_income: [0.5, 0.3, 0.2], g_marital: [0.1, 0.6, 0.3] }).experts;
    expect(cols).toEqual(boxes.flatMap(([g, bs]) => bs.map((b) => `${g} ${b}`)));
    // A single group (MMoE): the columns are exactly the diagram's boxes.
    const mmoe = checkText(SMALL_CGC.replace(/experts inc\[1\][^\n]*\n|experts mar\[1\][^\n]*\n/g, '').replace(/over (inc|mar), shared/g, 'over shared'), { file: 'm.mtl' }).ir!;
    expect(gateMatrix(mmoe, { g_income: [0.5, 0.5] }).experts).toEqual(buildDiagram(mmoe).nodes.find((x) => x.experts)!.experts!.boxes);
    expect(gateMatrix(mmoe, { g_income: [0.5, 0.5] }).experts).toEqual(['E1', 'E2']);
  });
  it('orders PLE columns level by level, each level task A, shared, task B', async () => {
    const { readFileSync } = await import('node:fs');
    const ir = checkText(readFileSync(new URL('../../specs/ple.mtl', import.meta.url), 'utf8'), { file: 'ple.mtl' }).ir!;
    const usage = Object.fromEntries(ir.nodes.filter((x) => x.kind === 'gate').map((g) => [g.name, gateExpertLabels(ir, g.name).map(() => 0.1)]));
    const groups = [...new Set(gateMatrix(ir, usage).experts.map((e) => e.split(' ')[0]))];
    expect(groups).toEqual(['income1', 'shared1', 'marital1', 'income2', 'shared2', 'marital2']);
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
  });
  it("puts each task's validation loss (dashed, same colour) next to its training loss", () => {
    const loss = curveSpecs(data())[0]!;
    expect(loss.series.map((s) => s.name)).toEqual(['total (training)', 'income training', 'income validation', 'marital training', 'marital validation']);
    const [, incT, incV, marT, marV] = loss.series;
    expect(incT!.dashed).toBeFalsy();
    expect(incV!.dashed).toBe(true);
    expect(incV!.color).toBe(incT!.color);
    expect(marV!.color).toBe(marT!.color);
    expect(marT!.color).not.toBe(incT!.color);
    // bce → the output's validation logloss (the fixture's income logloss is the epoch's loss).
    expect(incV!.values).toEqual([0.7, 0.5, 0.3]);
    const svg = lineChart(loss);
    expect(svg.match(/<polyline [^>]*data-task="income"[^>]*stroke-dasharray/g)).toHaveLength(1);
  });
  it('pairs an mse task with its validation mse, and draws no dashed line where none was recorded', () => {
    const ir = cgcIr();
    ir.tasks[1]!.loss.type = 'mse';
    const metrics = fakeMetrics();
    for (const r of metrics.history) r.metrics.marital = { mse: r.loss / 4, mae: r.loss / 3 };
    const loss = curveSpecs(data({ ir, metrics }))[0]!;
    expect(loss.series.find((s) => s.name === 'marital validation')!.values).toEqual([0.7 / 4, 0.5 / 4, 0.3 / 4]);
    for (const r of metrics.history) delete r.metrics.income;
    expect(curveSpecs(data({ ir, metrics }))[0]!.series.map((s) => s.name)).not.toContain('income validation');
  });
  it('gives each task one colour in every chart and legend, neutral colours to total and score', () => {
    const metrics = fakeMetrics();
    // Outputs listed in the opposite order of the IR's tasks: the colour must still follow the IR.
    for (const r of metrics.history) r.metrics = { marital: r.metrics.marital!, income: r.metrics.income! };
    for (const [i, r] of metrics.history.entries()) r.score = 1 + i / 10;
    const html = renderReportHtml(data({ metrics }));
    const charts = [...html.matchAll(/<svg class="chart"[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    expect(charts.length).toBe(4);
    const seen = new Map<string, Set<string>>();
    for (const c of charts) {
      for (const m of c.matchAll(/<(?:polyline|line) [^>]*data-task="([^"]+)"[^>]*stroke="([^"]+)"/g)) {
        const set = seen.get(m[1]!) ?? new Set<string>();
        set.add(m[2]!);
        seen.set(m[1]!, set);
      }
    }
    expect([...seen.keys()].sort()).toEqual(['income', 'marital']);
    expect([...seen.get('income')!]).toEqual(['#0072B2']);
    expect([...seen.get('marital')!]).toEqual(['#E69F00']);
    const neutral = [...html.matchAll(/data-series="(total \(training\)|score)"[^>]*stroke="([^"]+)"/g)].map((m) => m[2]);
    expect(neutral.length).toBeGreaterThan(0);
    expect(new Set(neutral)).toEqual(new Set(['#5f6368']));
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
  it('scopes its chart styles so the embedded diagram keeps its own fonts and weights', () => {
    const diagramSvg = '<svg xmlns="http://www.w3.org/2000/svg"><text font-size="12.5" font-weight="bold">income</text></svg>';
    const html = renderReportHtml(data({ diagramSvg }));
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const selectors = [...css.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/([^{}]+)\{/g)].flatMap((m) => m[1]!.split(',').map((x) => x.trim()));
    // Every rule touching SVG content names the report's own chart classes, never bare `svg` or `text`.
    for (const sel of selectors.filter((x) => /^svg\b|\btext\b/.test(x))) expect(sel).toMatch(/^svg\.(chart|heatmap)\b/);
    expect(html).toContain('<div class="diagram"><svg xmlns="http://www.w3.org/2000/svg"><text font-size="12.5" font-weight="bold">income</text>');
    expect(html).not.toMatch(/class="diagram"[^>]*><svg[^>]*class="(chart|heatmap)/);
  });
  it('lays charts out in a responsive grid of scalable SVGs', () => {
    const html = renderReportHtml(data());
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(css).toMatch(/\.charts \{[^}]*display: grid;[^}]*repeat\(auto-fill, minmax\(min\(100%, \d+px\), 1fr\)\)/);
    expect(css).toMatch(/\.charts svg \{[^}]*width: 100%;[^}]*height: auto;/);
    expect(Number(/main \{[^}]*max-width: (\d+)px/.exec(css)![1])).toBeGreaterThanOrEqual(1400);
    for (const svg of html.match(/<svg class="chart"[^>]*>/g)!) expect(svg).toMatch(/viewBox="0 0 \d+ \d+"/);
  });
  it('explains a missing heatmap', () => {
    const html = renderReportHtml(data({ gatesNote: 'Gate usage was not measured (--no-gates).' }));
    expect(html).toContain('Gate usage was not measured (--no-gates).');
    expect(html).not.toContain('class="heatmap"');
  });
});
