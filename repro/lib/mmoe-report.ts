/**
 * The MMoE sweep's report: per-cell tables (mean ± sd and 95 % CI over seeds) of final training loss and
 * held-out MSE, the claims with their tests and verdicts, and the loss curves averaged over seeds (a
 * markdown table and one SVG per correlation, drawn with src/report's line chart). Pure functions.
 */
import { lineChart, type Series } from '../../src/report/line-chart.js';
import { SERIES_COLORS } from '../../src/report/palette.js';
import { CLAIMS, claimTests, commonSeeds, finalValue, fmtCorr, summarize, type CellSummary, type ClaimResult, type MmoeRun, type SweepMetric } from './mmoe-claims.js';
import type { MmoeSweepResults } from './mmoe-sweep.js';
import { MMOE_SYNTH_ARCHS, type MmoeSynthArch } from './specs.js';

const LABEL: Record<MmoeSynthArch, string> = { 'shared-bottom': 'Shared-Bottom', omoe: 'OMoE', mmoe: 'MMoE' };
const METRIC: Record<SweepMetric, string> = { train: 'final training loss', test: 'held-out MSE' };

/** `0.1234 ± 0.0456 [0.1100, 0.1368]`. */
export function fmtCell(s: CellSummary, digits = 4): string {
  if (s.n === 0) return 'n/a';
  const ci = s.ci95 ? ` [${s.ci95[0].toFixed(digits)}, ${s.ci95[1].toFixed(digits)}]` : '';
  return `${s.mean.toFixed(digits)} ± ${Number.isFinite(s.sd) ? s.sd.toFixed(digits) : 'n/a'}${ci}`;
}

/** A p-value for a table: 2 significant digits, `< 1e-6` below that. */
export function fmtP(p: number | null): string {
  if (p === null) return 'n/a';
  return p < 1e-6 ? '< 1e-6' : p.toPrecision(2);
}

/** The runs of one cell. */
function cell(runs: readonly MmoeRun[], corr: number, arch: MmoeSynthArch): MmoeRun[] {
  return runs.filter((r) => r.correlation === corr && r.arch === arch);
}

/** The per-cell table of one metric: a row per model, a column per correlation. */
export function cellTable(res: MmoeSweepResults, metric: SweepMetric): string {
  const corrs = res.config.correlations;
  const head = `| model | ${corrs.map((c) => `correlation ${fmtCorr(c)}`).join(' | ')} |`;
  const sep = `|---|${corrs.map(() => '---').join('|')}|`;
  const rows = MMOE_SYNTH_ARCHS.map((a) => `| ${LABEL[a]} | ${corrs.map((c) => fmtCell(summarize(cell(res.runs, c, a).map((r) => finalValue(r, metric))))).join(' | ')} |`);
  return [head, sep, ...rows].join('\n');
}

/** The verdicts: one row per claim and metric. */
export function claimsTable(results: readonly ClaimResult[]): string {
  const rows = results.map((r) => `| (${r.claim}) ${CLAIMS[r.claim]} | ${METRIC[r.metric]} | **${r.verdict}** | ${r.sentence} |`);
  return ['| claim | tested on | verdict | evidence |', '|---|---|---|---|', ...rows].join('\n');
}

/** Every comparison behind the verdicts. */
export function comparisonsTable(results: readonly ClaimResult[]): string {
  const rows = results.flatMap((r) =>
    r.comparisons.map((c) => {
      const ci = c.ci95 ? ` [${c.ci95[0].toFixed(4)}, ${c.ci95[1].toFixed(4)}]` : '';
      return `| (${r.claim}) | ${METRIC[r.metric]} | ${c.label} | ${c.n} | ${c.meanDiff.toFixed(4)}${ci} | ${fmtP(c.tP)} (${fmtP(c.tPHolm)}) | ${fmtP(c.wilcoxonP)} (${fmtP(c.wilcoxonPHolm)}) | ${c.outcome} |`;
    }),
  );
  return [
    '| claim | metric | comparison (lower is better) | pairs | mean difference [95 % CI] | paired t p (Holm) | Wilcoxon p (Holm) | outcome |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** The mean over seeds of a cell's curve, epoch by epoch. */
export function meanCurve(runs: readonly MmoeRun[], metric: SweepMetric): number[] {
  const curves = runs.map((r) => (metric === 'train' ? r.trainLoss : r.testMse));
  const epochs = Math.max(0, ...curves.map((c) => c.length));
  return Array.from({ length: epochs }, (_, e) => summarize(curves.map((c) => c[e] ?? NaN)).mean);
}

/** Epochs shown in the curve table: the first two, every quarter, and the last. */
function shownEpochs(epochs: number): number[] {
  const q = [1, 2, ...[0.25, 0.5, 0.75].map((f) => Math.round(f * epochs)), epochs];
  return [...new Set(q)].filter((e) => e >= 1 && e <= epochs).sort((a, b) => a - b);
}

/** Mean training loss (and held-out MSE) by epoch, per correlation and model. */
export function curveTable(res: MmoeSweepResults): string {
  const shown = shownEpochs(res.config.epochs);
  const head = `| correlation | model | ${shown.map((e) => `epoch ${e}`).join(' | ')} |`;
  const sep = `|---|---|${shown.map(() => '---').join('|')}|`;
  const rows = res.config.correlations.flatMap((c) =>
    MMOE_SYNTH_ARCHS.map((a) => {
      const runs = cell(res.runs, c, a);
      const tr = meanCurve(runs, 'train');
      const te = meanCurve(runs, 'test');
      return `| ${fmtCorr(c)} | ${LABEL[a]} | ${shown.map((e) => `${tr[e - 1]?.toFixed(3) ?? 'n/a'} / ${te[e - 1]?.toFixed(3) ?? 'n/a'}`).join(' | ')} |`;
    }),
  );
  return [head, sep, ...rows].join('\n');
}

// A standalone SVG has no page stylesheet: the axis and grid rules of src/report's page, inlined.
const SVG_STYLE = '<style>text{font:11px system-ui,sans-serif;fill:#333}.chart-title{font-size:13px;font-weight:600}.grid{stroke:#ececec}.axis{stroke:#999}</style>';

/** One SVG per correlation: log10 of the mean training loss (solid) and held-out MSE (dashed) by epoch. */
export function curveSvgs(res: MmoeSweepResults): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of res.config.correlations) {
    const series: Series[] = MMOE_SYNTH_ARCHS.flatMap((a, i) => {
      const runs = cell(res.runs, c, a);
      const log = (xs: number[]): Array<number | null> => xs.map((x) => (x > 0 ? Math.log10(x) : null));
      return [
        { name: `${LABEL[a]} training`, values: log(meanCurve(runs, 'train')), color: SERIES_COLORS[i]! },
        { name: `${LABEL[a]} held-out`, values: log(meanCurve(runs, 'test')), color: SERIES_COLORS[i]!, dashed: true },
      ];
    });
    const x = Array.from({ length: res.config.epochs }, (_, e) => e + 1);
    const n = cell(res.runs, c, 'mmoe').length;
    const svg = lineChart({ id: `mmoe-p${fmtCorr(c)}`, title: `Correlation ${fmtCorr(c)}: mean over ${n} seeds`, x, series, yLabel: 'log10 loss', width: 560, height: 320 });
    out[`mmoe-curves-p${fmtCorr(c)}.svg`] = svg.replace(/^(<svg[^>]*>)/, `$1${SVG_STYLE}`);
  }
  return out;
}

/** The markdown section of the sweep (without the command stamp, which the caller adds). */
export function mmoeMarkdown(res: MmoeSweepResults, svgPrefix: string): string {
  const c = res.config;
  const train = Math.round(c.rows * c.trainShare);
  const claims = [...claimTests(res.runs, c.correlations, 'train'), ...claimTests(res.runs, c.correlations, 'test')].sort((a, b) => a.claim.localeCompare(b.claim));
  const svgs = Object.keys(curveSvgs(res));
  return [
    `### MMoE synthetic data (Ma et al. 2018, section 4): ${commonSeeds(res.runs, c.correlations).length} seeds per cell, ${train.toLocaleString('en-US')} training / ${(c.rows - train).toLocaleString('en-US')} held-out rows, ${c.epochs} epochs, backend ${res.backend}`,
    '',
    res.backendNote ? `Backend: ${res.backendNote}.\n` : '',
    `Training time summed over runs: ${(res.runs.reduce((s, r) => s + r.seconds, 0) / 60).toFixed(1)} min (${res.config.workers === 0 ? 'in-process' : `${res.config.workers} worker process(es)`})` +
      (res.journalJobs ? `; ${res.journalJobs} of ${res.runs.length / MMOE_SYNTH_ARCHS.length} jobs were read from the journal of an earlier invocation, so the wall time below is not the sweep's.` : '.'),
    '',
    'Each seed generates its own data (weights, sine parameters, rows) and initialises the models; the three models of a seed share both. Values are the mean over the two tasks; cells: mean ± sd [95 % CI of the mean]. Lower is better.',
    '',
    '#### Final training loss (the last epoch\'s mean over its batches, as the paper plots it)',
    '',
    cellTable(res, 'train'),
    '',
    '#### Held-out MSE (the exported last-epoch model on the held-out rows)',
    '',
    cellTable(res, 'test'),
    '',
    '#### The paper\'s claims',
    '',
    `A comparison supports a claim when the paired t-test and the Wilcoxon signed-rank test both reject "no difference" at 0.05 after Holm's adjustment within the claim, in the claimed direction; "≤" comparisons support it unless the difference is significant the other way. A claim is reproduced when all its comparisons support it, not reproduced when one contradicts it, inconclusive otherwise. Spread (claim d) is compared through each run's absolute deviation from its cell's median.`,
    '',
    claimsTable(claims),
    '',
    '<details><summary>Every comparison</summary>',
    '',
    comparisonsTable(claims),
    '',
    '</details>',
    '',
    '#### Loss curves, mean over seeds (training loss / held-out MSE)',
    '',
    curveTable(res),
    '',
    svgs.map((f) => `![${f}](${svgPrefix}${f})`).join('\n'),
    '',
  ].join('\n');
}
