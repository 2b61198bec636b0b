/**
 * Colours of the report: a colour-blind-friendly categorical palette (Okabe–Ito) for lines, and a
 * sequential white→blue scale for heatmap cells.
 */

/** Categorical colours, cycled by series index. */
export const SERIES_COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

/** The colour of series `i`. */
export function seriesColor(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length]!;
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
