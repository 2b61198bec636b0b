/**
 * The `mtl compare -o page.html` page: one self-contained HTML document (the report's stylesheet and line
 * charts, no script, no network) with the runs table, the settings, the seed groups and tests, and the
 * validation curves of every run overlaid, one chart per metric.
 */
import { esc } from '../report/escape.js';
import { lineChart, type LineChartSpec } from '../report/line-chart.js';
import { REPORT_CSS } from '../report/page.js';
import { seriesColor } from '../report/palette.js';
import { fmt4, formatGroupStat, formatP } from './text.js';
import type { Comparison } from './types.js';

/** Styles of the compare page on top of the report's. */
const EXTRA_CSS = `
td.best { font-weight: 700; }
td.best::after { content: " ★"; color: #E69F00; }
#significance table { margin-top: 12px; }
`;

/**
 * A `<table>` from a header and rows of already-escaped cells; `num[i]` right-aligns column i. A cell that is
 * already a `<td …>` (one with its own class, such as a best value) is used as it is.
 */
function table(cls: string, header: string[], rows: string[][], num: boolean[] = []): string {
  const th = header.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => (c.startsWith('<td') ? c : `<td${num[i] ? ' class="num"' : ''}>${c}</td>`)).join('')}</tr>`).join('');
  return `<table class="${cls}"><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

/** The runs table; the best value of each column is bold with a star. */
function runsTable(c: Comparison): string {
  const rows = c.runs.map((r, i) => [
    `<span style="color:${seriesColor(i)}">■</span> ${esc(r.label)}`,
    ...c.metrics.map((m) => `<td class="num${c.best[m]!.includes(i) ? ' best' : ''}">${fmt4(r.final[m])}</td>`),
    `${r.bestEpoch ?? '-'}/${r.epochsRun}`,
    ...c.differing.map((s) => esc(r.settings[s])),
  ]);
  const num = [false, ...c.metrics.map(() => true), true];
  return table('runs', ['run', ...c.metrics, 'best/epochs', ...c.differing], rows, num);
}

/** The seed groups, their mean ± sd per metric, and the tests between them. */
function significance(c: Comparison): string {
  if (!c.groups.some((g) => g.runs.length >= 2)) return '';
  const groups = table(
    'groups',
    ['group', 'settings', 'n', 'seeds', 'runs'],
    c.groups.map((g) => [g.id, esc(g.label), String(g.runs.length), g.seeds.join(', '), esc(g.runs.map((i) => c.runs[i]!.label).join(', '))]),
    [false, false, true],
  );
  const stats = table(
    'group-stats',
    ['metric', ...c.groups.map((g) => g.id)],
    c.metrics.map((m) => [esc(m), ...c.groups.map((g) => formatGroupStat(g.stats[m]!))]),
    [false, ...c.groups.map(() => true)],
  );
  const tests = c.tests.length
    ? table(
        'tests',
        ['metric', 'groups', 'test', 'n', 'mean diff', '95% CI', 'p'],
        c.tests.map((t) => [
          esc(t.metric),
          `${t.a} − ${t.b}`,
          esc(t.test + (t.pairedSeeds ? ` (seeds ${t.pairedSeeds.join(', ')})` : '')),
          Array.isArray(t.n) ? `${t.n[0]}+${t.n[1]}` : String(t.n),
          t.meanDiff.toFixed(4),
          t.ci95 ? `[${t.ci95[0].toFixed(4)}, ${t.ci95[1].toFixed(4)}]` : 'n/a',
          formatP(t.p),
        ]),
        [false, false, false, true, true, false, true],
      )
    : '';
  return `<section id="significance"><h2>Significance across seeds</h2><p class="note">Runs identical except for the seed form a group. Two groups sharing two seeds or more are compared with a paired t-test on the per-seed differences, others with Welch's t-test; p is two-sided.</p>${groups}${stats}${tests}</section>`;
}

/** One chart per metric column, one line per run (the run's colour is the same on every chart). */
export function compareCurveSpecs(c: Comparison): LineChartSpec[] {
  const x = [...new Set(c.runs.flatMap((r) => r.epochs))].sort((a, b) => a - b);
  return c.metrics.map((m) => ({
    id: `metric-${m}`,
    title: `Validation ${m}`,
    x,
    yLabel: m.slice(m.indexOf('.') + 1),
    series: c.runs.map((r, i) => ({
      name: r.label,
      color: seriesColor(i),
      values: x.map((e) => {
        const at = r.epochs.indexOf(e);
        return at < 0 ? null : (r.history[m]?.[at] ?? null);
      }),
    })),
  }));
}

/** The complete page; `generatedAt` is shown in the header (fixed in tests). */
export function renderComparisonHtml(c: Comparison, generatedAt: string): string {
  const same = Object.entries(c.same).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('');
  const differ = c.differing.length ? c.differing.map((s) => (s === 'architecture' ? 'architecture differs' : s)).join(', ') : 'none';
  const charts = compareCurveSpecs(c).map((s) => `<figure>${lineChart(s)}</figure>`).join('');
  const notes = c.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`mtl compare: ${c.runs.length} runs`)}</title>
<style>${REPORT_CSS}${EXTRA_CSS}</style>
</head>
<body>
<header><h1>Comparing ${c.runs.length} runs</h1><p>${esc(c.runs.map((r) => r.label).join(' · '))} · page made ${esc(generatedAt)}</p></header>
<main>
<section id="runs"><h2>Final validation metrics (exported epoch)</h2>${runsTable(c)}<p class="note">★ best in its column: highest for auc and gauc, lowest for the others.</p></section>
<section id="settings"><h2>Settings</h2><p>Differ: ${esc(differ)}</p>${same ? `<table class="same"><caption>The same in every run</caption><tbody>${same}</tbody></table>` : ''}</section>
${significance(c)}
<section id="curves"><h2>Validation metrics over training</h2><div class="charts">${charts || '<p class="note">No validation metrics were recorded.</p>'}</div></section>
<section id="notes"><h2>Notes</h2>${notes || '<p class="note">None.</p>'}</section>
</main>
</body>
</html>
`;
}
