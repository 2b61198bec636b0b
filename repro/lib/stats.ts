/**
 * Small statistics for the reproduction tables: ROC AUC (ties averaged), mean and sample standard
 * deviation, and number formatting. Pure functions.
 */

/** ROC AUC of `scores` against 0/1 `labels`, over rows where `keep` (if given) is true; null when one class is absent. */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>, keep?: ArrayLike<boolean | number>): number | null {
  const idx: number[] = [];
  for (let i = 0; i < scores.length; i++) if ((!keep || keep[i]) && Number.isFinite(scores[i]!)) idx.push(i);
  idx.sort((a, b) => scores[a]! - scores[b]!);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    const rank = (i + j) / 2 + 1; // average rank of the tie group
    for (let k = i; k <= j; k++) if (labels[idx[k]!]! > 0.5) (pos++, (rankSum += rank));
    i = j + 1;
  }
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) return null;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Mean of `xs` over rows where `keep` (if given) is true. */
export function mean(xs: ArrayLike<number>, keep?: ArrayLike<boolean | number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < xs.length; i++) if (!keep || keep[i]) (s += xs[i]!), n++;
  return n ? s / n : NaN;
}

/** Mean and sample standard deviation (0 for a single value) of the finite values. */
export function meanStd(xs: ReadonlyArray<number | null>): { mean: number; std: number; n: number } {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return { mean: NaN, std: NaN, n: 0 };
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  const varS = v.length > 1 ? v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1) : 0;
  return { mean: m, std: Math.sqrt(varS), n: v.length };
}

/** `0.9412 ± 0.0013` (or just the mean for one run); `n/a` when nothing was measured. */
export function fmtMeanStd(xs: ReadonlyArray<number | null>, digits = 4): string {
  const { mean: m, std, n } = meanStd(xs);
  if (n === 0) return 'n/a';
  return n > 1 ? `${m.toFixed(digits)} ± ${std.toFixed(digits)}` : m.toFixed(digits);
}
