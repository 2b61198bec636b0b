/**
 * Colours of the report: a colour-blind-friendly categorical palette (Okabe–Ito) for lines, and a
 * sequential white→blue scale for heatmap cells. A task keeps one colour on every chart of the page
 * (see {@link taskColors}), so a reader can follow it from chart to chart without reading legends.
 */
import type { ModelIR } from '../ir/types.js';

/** Categorical colours, cycled by series index; yellow and black come last (yellow is faint on white). */
export const SERIES_COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

/** The neutral colour of lines that belong to no task: the total loss and the early-stopping score. */
export const NEUTRAL_COLOR = '#5f6368';

/** The colour of series `i`. */
export function seriesColor(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length]!;
}

/**
 * One colour per task, assigned once in the IR's task order; an output that is a task's only head (metrics
 * are recorded per output) takes that task's colour, so `income` is the same blue in every chart.
 */
export function taskColors(ir: ModelIR): Map<string, string> {
  const colors = new Map<string, string>();
  ir.tasks.forEach((t, i) => {
    const c = seriesColor(i);
    colors.set(t.name, c);
    const head = t.head[0];
    if (t.head.length === 1 && head !== undefined && !colors.has(head)) colors.set(head, c);
  });
  return colors;
}

/**
 * The colour of a named line: its task's colour, else (an output the IR does not name as a task) the next
 * unused palette colour, remembered in `colors` so it too stays the same across charts.
 */
export function colorOf(colors: Map<string, string>, name: string): string {
  const known = colors.get(name);
  if (known) return known;
  const c = seriesColor(new Set(colors.values()).size);
  colors.set(name, c);
  return c;
}

/** A white→dark-blue colour for `t` in [0, 1] (clamped). */
export function heatColor(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const lerp = (a: number, b: number): number => Math.round(a + (b - a) * x);
  return `rgb(${lerp(247, 8)},${lerp(251, 48)},${lerp(255, 107)})`;
}

/** Text colour readable on {@link heatColor}(t). */
export function heatTextColor(t: number): string {
  return t > 0.55 ? '#ffffff' : '#1a1a1a';
}
