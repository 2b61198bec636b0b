/**
 * The statistics of `mtl compare`: mean and sample standard deviation, Student's t distribution (CDF and
 * quantile, via the regularized incomplete beta function) and the paired and Welch t-tests.
 * Written here rather than taken from a package: it is ~100 lines and the CLI must not grow a
 * dependency for it. Values match scipy.stats to ~1e-10 (test/compare/stats.test.ts).
 */

/** The arithmetic mean; NaN for no values. */
export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN;
}

/** The sample standard deviation (n − 1 in the denominator); NaN below two values. */
export function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: ~15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x); // reflection
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of the incomplete beta function (modified Lentz), valid for x < (a+1)/(a+b+2). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    // Even step.
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    // Odd step.
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b), for 0 ≤ x ≤ 1 and a, b > 0. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (!(x > 0)) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast only on one side of the mean; use the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) on the other.
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(x, a, b)) / a : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom (df > 0, not necessarily whole: Welch's df is not). */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5); // P(T > |t|)
  return t > 0 ? 1 - tail : tail;
}

/** The two-sided p-value P(|T| ≥ |t|). */
export function twoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (!Number.isFinite(t)) return 0;
  // Directly from the beta function, not 2·(1 − CDF), which would lose the digits of tiny p-values.
  return regularizedBeta(df / (df + t * t), df / 2, 0.5);
}

/** The t with P(T ≤ t) = p (0 < p < 1), by bisection on {@link studentTCdf}: the CDF is monotone, so this cannot diverge. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) return NaN;
  let lo = -1;
  let hi = 1;
  while (studentTCdf(lo, df) > p) lo *= 2;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(lo)); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The result of a t-test of "mean difference = 0"; t, p and the interval are null when undefined (too few values, no spread). */
export interface TTestResult {
  test: 'paired t-test' | "Welch's t-test";
  /** The estimated difference (first − second). */
  meanDiff: number;
  /** Its 95% confidence interval. */
  ci95: [number, number] | null;
  t: number | null;
  df: number | null;
  p: number | null;
  /** Pairs (paired) or the two group sizes (Welch). */
  n: number | [number, number];
}

/** t, df, p and the 95% interval from a difference, its standard error and the degrees of freedom. */
function fromStandardError(diff: number, se: number, df: number): Pick<TTestResult, 't' | 'df' | 'p' | 'ci95'> {
  if (!(se > 0) || !(df > 0) || !Number.isFinite(se)) return { t: null, df: Number.isFinite(df) && df > 0 ? df : null, p: null, ci95: null };
  const t = diff / se;
  const q = studentTQuantile(0.975, df);
  return { t, df, p: twoSidedP(t, df), ci95: [diff - q * se, diff + q * se] };
}

/**
 * The paired t-test of `a[i] − b[i]` (the runs of one seed in two groups): the mean difference, its 95% CI
 * and the two-sided p-value, with n − 1 degrees of freedom. Needs two pairs; equal differences give no t.
 */
export function pairedTTest(a: readonly number[], b: readonly number[]): TTestResult {
  if (a.length !== b.length) throw new Error(`pairedTTest: ${a.length} and ${b.length} values do not pair`);
  const d = a.map((x, i) => x - b[i]!);
  const n = d.length;
  const diff = mean(d);
  return { test: 'paired t-test', meanDiff: diff, n, ...fromStandardError(diff, sampleSd(d) / Math.sqrt(n), n - 1) };
}

/**
 * Welch's t-test of mean(a) − mean(b) for independent groups with possibly unequal variances
 * (Welch–Satterthwaite degrees of freedom). Needs two values in each group.
 */
export function welchTTest(a: readonly number[], b: readonly number[]): TTestResult {
  const va = sampleSd(a) ** 2 / a.length;
  const vb = sampleSd(b) ** 2 / b.length;
  const diff = mean(a) - mean(b);
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  return { test: "Welch's t-test", meanDiff: diff, n: [a.length, b.length], ...fromStandardError(diff, Math.sqrt(va + vb), df) };
}
