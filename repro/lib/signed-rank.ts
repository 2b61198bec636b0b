/**
 * The Wilcoxon signed-rank test of paired differences, the rank-based companion of src/compare's paired
 * t-test: the sweep's losses are skewed (a few runs stall), where the t-test's normality assumption is
 * weakest. Matches scipy.stats.wilcoxon (zero_method 'wilcox', no continuity correction, method 'auto'):
 * the exact null distribution up to 50 non-zero differences without ties, else the normal approximation
 * with the tie correction. Pure functions.
 */

/** The result of a signed-rank test; p is null when no difference is non-zero. */
export interface SignedRankResult {
  /** W+: the sum of the ranks of the positive differences. */
  wPlus: number;
  /** Non-zero differences (zeros are dropped, Wilcoxon's rule). */
  n: number;
  /** Two-sided p-value. */
  p: number | null;
  method: 'exact' | 'normal';
}

/** Largest n for which the exact distribution is used (scipy's threshold). */
const EXACT_MAX_N = 50;

/**
 * erfc(x) (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7): enough for p-values, and it keeps
 * small tail probabilities accurate where 1 − erf(x) would cancel to 0.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Average ranks (1-based) of |d|, and the tie-group sizes. */
function absRanks(d: readonly number[]): { ranks: number[]; ties: number[] } {
  const idx = d.map((_, i) => i).sort((a, b) => Math.abs(d[a]!) - Math.abs(d[b]!));
  const ranks = new Array<number>(d.length);
  const ties: number[] = [];
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && Math.abs(d[idx[j + 1]!]!) === Math.abs(d[idx[i]!]!)) j++;
    for (let k = i; k <= j; k++) ranks[idx[k]!] = (i + j) / 2 + 1;
    if (j > i) ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, ties };
}

/** P(W+ = s) for s = 0..n(n+1)/2 under the null (every sign equally likely), by counting subsets of ranks. */
function exactDistribution(n: number): Float64Array {
  const max = (n * (n + 1)) / 2;
  const count = new Float64Array(max + 1);
  count[0] = 1;
  for (let r = 1; r <= n; r++) for (let s = max; s >= r; s--) count[s]! += count[s - r]!;
  const total = 2 ** n;
  return count.map((c) => c / total);
}

/** The two-sided signed-rank test of `a[i] − b[i]` = 0. */
export function signedRankTest(a: readonly number[], b: readonly number[]): SignedRankResult {
  if (a.length !== b.length) throw new Error(`signedRankTest: ${a.length} and ${b.length} values do not pair`);
  const d = a.map((x, i) => x - b[i]!).filter((x) => x !== 0 && Number.isFinite(x));
  const n = d.length;
  const { ranks, ties } = absRanks(d);
  const wPlus = d.reduce((s, x, i) => (x > 0 ? s + ranks[i]! : s), 0);
  if (n === 0) return { wPlus, n, p: null, method: 'exact' };
  if (n <= EXACT_MAX_N && ties.length === 0) {
    const pmf = exactDistribution(n);
    let lower = 0;
    for (let s = 0; s <= wPlus; s++) lower += pmf[s]!;
    let upper = 0;
    for (let s = wPlus; s < pmf.length; s++) upper += pmf[s]!;
    return { wPlus, n, p: Math.min(1, 2 * Math.min(lower, upper)), method: 'exact' };
  }
  const mu = (n * (n + 1)) / 4;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - ties.reduce((s, t) => s + t ** 3 - t, 0) / 48;
  if (!(variance > 0)) return { wPlus, n, p: null, method: 'normal' };
  const z = (wPlus - mu) / Math.sqrt(variance);
  // Two-sided normal tail: 2·Φ(−|z|) = erfc(|z|/√2).
  return { wPlus, n, p: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)), method: 'normal' };
}
