/**
 * The statistics of `mtl compare` against reference values (scipy.stats 1.x: t.sf, t.ppf, ttest_rel,
 * ttest_ind(equal_var=False) and their confidence_interval()).
 */
import { describe, expect, it } from 'vitest';
import { logGamma, mean, pairedTTest, regularizedBeta, sampleSd, studentTCdf, studentTQuantile, twoSidedP, welchTTest } from '../../src/compare/stats.js';

describe('Student t distribution', () => {
  it('two-sided p-values match published tables', () => {
    expect(twoSidedP(2.0, 10)).toBeCloseTo(0.07338803477074037, 10);
    expect(twoSidedP(-2.0, 10)).toBeCloseTo(0.07338803477074037, 10);
    expect(twoSidedP(2.262, 9)).toBeCloseTo(0.05001284550245463, 10);
    expect(twoSidedP(0, 5)).toBeCloseTo(1, 12);
    // A tiny p-value keeps its digits (it is not computed as 1 − CDF).
    expect(twoSidedP(8, 30) / 6.265822475700759e-9).toBeCloseTo(1, 8);
  });

  it('the CDF handles fractional degrees of freedom and df = 1 (Cauchy)', () => {
    expect(studentTCdf(-1.5, 4.5)).toBeCloseTo(0.10010954282807676, 10);
    expect(studentTCdf(0.3, 1)).toBeCloseTo(0.5 + Math.atan(0.3) / Math.PI, 12);
    expect(studentTCdf(Infinity, 3)).toBe(1);
  });

  it('the quantile inverts the CDF', () => {
    expect(studentTQuantile(0.975, 9)).toBeCloseTo(2.262157162798205, 9);
    expect(studentTQuantile(0.975, 3)).toBeCloseTo(3.1824463052837078, 9);
    expect(studentTQuantile(0.025, 3)).toBeCloseTo(-3.1824463052837078, 9);
  });

  it('its building blocks: ln Γ and the regularized incomplete beta', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    // I_x(1, 1) = x and I_x(a, 1) = x^a.
    expect(regularizedBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(regularizedBeta(0.6, 3, 1)).toBeCloseTo(0.216, 12);
    expect(regularizedBeta(0.6, 2, 5) + regularizedBeta(0.4, 5, 2)).toBeCloseTo(1, 12);
  });
});

describe('t-tests', () => {
  it('mean and sample standard deviation', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(sampleSd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138089935299395, 12);
    expect(sampleSd([3])).toBeNaN();
  });

  it('paired: differences 1, 2, 2, 3 (mean 2, sd √(2/3)) → t = 4.899 on 3 df', () => {
    const r = pairedTTest([1, 2, 3, 4], [0, 0, 1, 1]);
    expect(r.test).toBe('paired t-test');
    expect(r.n).toBe(4);
    expect(r.meanDiff).toBe(2);
    expect(r.df).toBe(3);
    expect(r.t).toBeCloseTo(4.898979485566356, 10);
    expect(r.p).toBeCloseTo(0.016276603459428555, 10);
    expect(r.ci95![0]).toBeCloseTo(0.7007717363748891, 9);
    expect(r.ci95![1]).toBeCloseTo(3.299228263625111, 9);
  });

  it("Welch: groups 1,2,3 and 4,5,6,7 → t = −4.04 on 4.96 df", () => {
    const r = welchTTest([1, 2, 3], [4, 5, 6, 7]);
    expect(r.test).toBe("Welch's t-test");
    expect(r.n).toEqual([3, 4]);
    expect(r.meanDiff).toBe(-3.5);
    expect(r.df).toBeCloseTo(4.959183673469389, 10);
    expect(r.t).toBeCloseTo(-4.041451884327381, 10);
    expect(r.p).toBeCloseTo(0.01007694334798886, 9);
    expect(r.ci95![0]).toBeCloseTo(-5.731711481338788, 8);
    expect(r.ci95![1]).toBeCloseTo(-1.2682885186612123, 8);
  });

  it('gives no t or p where they are undefined (identical differences, one run per group)', () => {
    const same = pairedTTest([1, 2], [0, 1]);
    expect(same.meanDiff).toBe(1);
    expect([same.t, same.p, same.ci95]).toEqual([null, null, null]);
    const single = welchTTest([1], [2, 3]);
    expect([single.t, single.p]).toEqual([null, null]);
  });
});
