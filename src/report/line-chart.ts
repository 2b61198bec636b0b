/**
 * A small line chart drawn as inline SVG (no library, no script): epochs on x, one polyline per series,
 * a dot per value, gaps where a value is undefined, and an optional marker at the best epoch.
 */
import { esc, n } from './escape.js';
import { seriesColor } from './palette.js';
import { niceTicks, tickLabels } from './ticks.js';

/** One line of a chart: `values[i]` belongs to `x[i]`; null leaves a gap. */
export interface Series {
  name: string;
  values: Array<number | null>;
  /** The line's colour (the page gives each task one colour); default: the palette by position. */
  color?: string;
  /** Draw the line dashed (validation next to a solid training line). */
  dashed?: boolean;
  /** The task or output the line belongs to, written as `data-task` (tests check its colour is the same everywhere). */
  task?: string;
}

/** What {@link lineChart} draws. */
export interface LineChartSpec {
  /** A stable id, written as `data-chart` (tests and styling find charts by it). */
  id: string;
  title: string;
  /** The x values (epochs), shared by all series. */
  x: number[];
  series: Series[];
  /** Draw a dashed vertical line at this x (the exported epoch). */
  markX?: number | null;
  yLabel?: string;
  width?: number;
  height?: number;
}

/** The chart as an `<svg class="chart">` element string. */
export function lineChart(spec: LineChartSpec): string {
  const W = spec.width ?? 440;
  const H = spec.height ?? 250;
  const m = { left: 58, right: 16, top: 30, bottom: 48 };
  const legendRows = Math.ceil(spec.series.length / 3);
  const plotH = H - m.top - m.bottom - legendRows * 16;
  const plotW = W - m.left - m.right;
  const finite = spec.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const parts: string[] = [];
  parts.push(`<svg class="chart" data-chart="${esc(spec.id)}" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(spec.title)}">`);
  parts.push(`<text class="chart-title" x="${m.left}" y="18">${esc(spec.title)}</text>`);
  if (finite.length === 0 || spec.x.length === 0) {
    parts.push(`<text class="empty" x="${W / 2}" y="${H / 2}" text-anchor="middle">no values recorded</text></svg>`);
    return parts.join('');
  }
  const ticks = niceTicks(Math.min(...finite), Math.max(...finite));
  const labels = tickLabels(ticks);
  const yLo = ticks[0]!;
  const yHi = ticks[ticks.length - 1]!;
  const xLo = Math.min(...spec.x);
  const xHi = Math.max(...spec.x);
  const px = (x: number): number => m.left + (xHi === xLo ? plotW / 2 : ((x - xLo) / (xHi - xLo)) * plotW);
  const py = (y: number): number => m.top + plotH - ((y - yLo) / (yHi - yLo || 1)) * plotH;
  // Grid and y axis.
  ticks.forEach((t, i) => {
    parts.push(`<line class="grid" x1="${m.left}" x2="${m.left + plotW}" y1="${n(py(t))}" y2="${n(py(t))}"/>`);
    parts.push(`<text class="tick y-tick" x="${m.left - 6}" y="${n(py(t) + 4)}" text-anchor="end">${labels[i]}</text>`);
  });
  // x axis: the same tick rule, whole epochs only, inside the recorded range.
  const xTicks = niceTicks(xLo, xHi, 10, 1).filter((t) => t >= xLo && t <= xHi);
  const xLabels = tickLabels(xTicks);
  xTicks.forEach((x, i) => {
    parts.push(`<text class="tick x-tick" x="${n(px(x))}" y="${m.top + plotH + 16}" text-anchor="middle">${xLabels[i]}</text>`);
  });
  parts.push(`<line class="axis" x1="${m.left}" x2="${m.left + plotW}" y1="${m.top + plotH}" y2="${m.top + plotH}"/>`);
  parts.push(`<text class="axis-label" x="${m.left + plotW / 2}" y="${m.top + plotH + 32}" text-anchor="middle">epoch</text>`);
  if (spec.yLabel) parts.push(`<text class="axis-label" transform="translate(14 ${n(m.top + plotH / 2)}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`);
  if (spec.markX !== undefined && spec.markX !== null && spec.x.includes(spec.markX)) {
    parts.push(`<line class="best" x1="${n(px(spec.markX))}" x2="${n(px(spec.markX))}" y1="${m.top}" y2="${m.top + plotH}"><title>exported epoch ${spec.markX}</title></line>`);
  }
  // Series: polylines broken at gaps, a dot per value with a tooltip.
  const colorOfSeries = (s: Series, si: number): string => s.color ?? seriesColor(si);
  const lineAttrs = (s: Series, si: number): string =>
    `data-series="${esc(s.name)}"${s.task !== undefined ? ` data-task="${esc(s.task)}"` : ''} stroke="${colorOfSeries(s, si)}"${s.dashed ? ' stroke-dasharray="6 4"' : ''}`;
  spec.series.forEach((s, si) => {
    const color = colorOfSeries(s, si);
    let run: string[] = [];
    const flush = (): void => {
      if (run.length > 1) parts.push(`<polyline class="line" ${lineAttrs(s, si)} fill="none" stroke-width="2" points="${run.join(' ')}"/>`);
      run = [];
    };
    s.values.forEach((v, i) => {
      const x = spec.x[i];
      if (v === null || !Number.isFinite(v) || x === undefined) return flush();
      run.push(`${n(px(x))},${n(py(v))}`);
    });
    flush();
    s.values.forEach((v, i) => {
      const x = spec.x[i];
      if (v === null || !Number.isFinite(v) || x === undefined) return;
      // Dashed (validation) lines get hollow points, so they read apart from the solid line where they meet.
      const fill = s.dashed ? `fill="#fff" stroke="${color}" stroke-width="1.5"` : `fill="${color}"`;
      parts.push(`<circle class="point" cx="${n(px(x))}" cy="${n(py(v))}" r="3" ${fill}><title>${esc(s.name)}, epoch ${x}: ${v.toPrecision(5)}</title></circle>`);
    });
  });
  // Legend under the plot, three entries per row.
  const colW = plotW / 3;
  spec.series.forEach((s, si) => {
    const lx = m.left + (si % 3) * colW;
    const ly = m.top + plotH + 54 + Math.floor(si / 3) * 16;
    parts.push(`<g class="legend"><line x1="${n(lx)}" x2="${n(lx + 18)}" y1="${ly - 7}" y2="${ly - 7}" stroke-width="2.5" ${lineAttrs(s, si)}/><text x="${n(lx + 22)}" y="${ly - 3}">${esc(s.name)}</text></g>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
