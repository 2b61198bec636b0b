/**
 * Axis ticks for every chart of the report: one "nice numbers" rule (steps of 1, 2 or 5 × 10^k) and labels
 * that all carry the same number of decimals, so an axis never reads 1.5, 1.6, 1.75.
 */

/** The smallest step of the form 1, 2 or 5 × 10^k that is at least `raw` (and at least `minStep`). */
export function niceStep(raw: number, minStep = 0): number {
  const want = Math.max(raw, minStep, 1e-12);
  const mag = 10 ** Math.floor(Math.log10(want));
  // 1e-12 of slack: 0.3 / 3 is 0.09999999999999999, which should still pick 0.1.
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= want * (1 - 1e-12)) ?? 10 * mag;
  return Math.max(step, minStep);
}

/**
 * Ticks covering [lo, hi] with about `count` of them, every one a multiple of a {@link niceStep}; the first is at
 * or below `lo`, the last at or above `hi`. A flat range is widened first (no division by zero). `minStep`
 * keeps integer axes (epochs) from getting fractional ticks.
 */
export function niceTicks(lo: number, hi: number, count = 5, minStep = 0): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo > hi) [lo, hi] = [hi, lo];
  if (hi - lo < 1e-12) {
    const pad = Math.abs(lo) > 1e-12 ? Math.abs(lo) * 0.05 : 1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep((hi - lo) / Math.max(1, count - 1), minStep);
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const ticks: number[] = [];
  // Multiples of the step computed one by one (not by repeated addition, which drifts), rounded to drop
  // binary noise, and `+ 0` so that no tick is -0.
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toPrecision(12)) + 0);
  return ticks;
}

/** How many decimals the labels of ticks `step` apart need: 0.05 → 2, 0.5 → 1, 2 → 0. */
export function tickDecimals(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  for (let d = 0; d < 12; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-6) return d;
  return 12;
}

/** Labels of evenly spaced ticks, all with the same number of decimals (the one the step needs). */
export function tickLabels(ticks: number[]): string[] {
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 1;
  const d = tickDecimals(Number(step.toPrecision(12)));
  return ticks.map((t) => (Math.abs(t) < step * 1e-9 ? 0 : t).toFixed(d));
}
