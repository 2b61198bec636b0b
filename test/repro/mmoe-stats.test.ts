/**
 * The MMoE sweep's statistics (repro/lib): the signed-rank test and erfc against scipy 1.17, Holm's
 * adjustment, the per-cell summary, and the claim verdicts on constructed sweeps whose answer is known.
 */
import { describe, expect, it } from 'vitest';
import { erfc, signedRankTest } from '../../repro/lib/signed-rank.js';
import { absDeviations, claimTests, holm, summarize, verdictOf, type MmoeRun, type TestedComparison } from '../../repro/lib/mmoe-claims.js';
import { MMOE_SYNTH_ARCHS, type MmoeSynthArch } from '../../repro/lib/specs.js';

describe('signedRankTest (scipy.stats.wilcoxon)', () => {
  it('exact distribution for 12 differences without ties', () => {
    const d = [0.12, -0.05, 0.33, 0.21, -0.4, 0.17, 0.09, 0.26, -0.11, 0.3, 0.45, 0.015];
    const r = signedRankTest(d, d.map(() => 0));
    expect(r.method).toBe('exact');
    expect(r.wPlus).toBe(78 - 17); // scipy reports min(W+, W−) = 17
    expect(r.p).toBeCloseTo(0.09228515625, 12);
  });
  it('the exact p of all-positive differences is 2 / 2^n', () => {
    const r = signedRankTest(Array.from({ length: 10 }, (_, i) => (i + 1) * 1e-9), new Array(10).fill(0));
    expect(r.p).toBeCloseTo(0.001953125, 12);
  });
  it('normal approximation with the tie correction when ranks tie (scipy method="approx")', () => {
    const a = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    const b = [2, 1, 5, 3, 7, 5, 9, 6, 11, 12, 13, 11];
    const r = signedRankTest(a, b);
    expect(r.method).toBe('normal');
    expect(r.p).toBeCloseTo(0.14561009539686695, 6);
  });
  it('normal approximation above 50 differences', () => {
    // 60 draws of N(0.2, 1) (numpy default_rng(3)), against 0: scipy gives W+ = 1125, p = 0.12211987290128475.
    const x = [
      2.240919, -2.355665, 0.618099, -0.36777, -0.252649, -0.015597, -1.819986, -0.031932, -0.665213, 3.523, 0.425787, -0.152631, -0.081287, -0.468046, -0.855151,
      -0.190801, 0.681945, -0.038554, 1.157759, 0.000198, 0.22426, 1.745821, 0.745106, -0.305229, 0.017161, 0.740525, 2.135088, -0.06962, -0.043559, 1.202314,
      -0.68646, -0.09172, 1.082539, 0.78035, 0.291517, 0.870104, -2.628162, 1.221307, -0.759645, -1.46862, 0.476446, 0.900545, -0.244767, -0.876406, 0.226125,
      0.147253, 1.605598, 0.947408, 0.393816, 1.311633, -0.005523, -0.7259, 0.784058, 0.782538, -0.014829, -0.582809, 0.429154, -2.293894, 0.890125, 0.691368,
    ];
    const r = signedRankTest(x, new Array(60).fill(0));
    expect(r).toMatchObject({ method: 'normal', wPlus: 1125, n: 60 });
    expect(r.p).toBeCloseTo(0.12211987290128475, 6);
  });
  it('zeros are dropped; no non-zero difference gives no p; unpaired input throws', () => {
    expect(signedRankTest([1, 2, 3], [1, 2, 3])).toMatchObject({ n: 0, p: null });
    expect(signedRankTest([1, 2, 5], [1, 3, 3]).n).toBe(2);
    expect(() => signedRankTest([1], [1, 2])).toThrow(/do not pair/);
  });
  it('erfc matches scipy.special.erfc to 1.2e-7 relative', () => {
    const ref: Array<[number, number]> = [[0, 1], [0.5, 0.4795001221869535], [1, 0.15729920705028516], [2, 0.004677734981047266], [3, 2.2090496998585445e-5], [-1, 1.8427007929497148]];
    for (const [x, want] of ref) expect(Math.abs(erfc(x) - want) / want).toBeLessThan(1.2e-7);
  });
});

describe('holm, summarize, absDeviations', () => {
  it("Holm's step-down keeps order, is monotone and caps at 1; null stays null", () => {
    const adj = holm([0.01, 0.04, null, 0.03, 0.5]);
    // Sorted 0.01, 0.03, 0.04, 0.5 with m = 4: 0.04, 0.09, max(0.09, 0.08) = 0.09, min(1, 0.5) = 0.5.
    expect(adj[0]).toBeCloseTo(0.04, 12);
    expect(adj[3]).toBeCloseTo(0.09, 12);
    expect(adj[1]).toBeCloseTo(0.09, 12);
    expect(adj[2]).toBeNull();
    expect(adj[4]).toBeCloseTo(0.5, 12);
    expect(holm([0.9, 0.8])).toEqual([1, 1]); // 2 × 0.8 caps at 1, and the larger p may not fall below it
  });
  it('summarize: mean, sample sd and the t interval (scipy t.ppf(0.975, 4) = 2.7764451051977934)', () => {
    const s = summarize([1, 2, 3, 4, 5, NaN]);
    expect(s.n).toBe(5);
    expect(s.mean).toBe(3);
    expect(s.sd).toBeCloseTo(Math.sqrt(2.5), 12);
    const half = 2.7764451051977934 * (Math.sqrt(2.5) / Math.sqrt(5));
    expect(s.ci95![0]).toBeCloseTo(3 - half, 8);
    expect(s.ci95![1]).toBeCloseTo(3 + half, 8);
    expect(summarize([7]).ci95).toBeNull();
  });
  it('absDeviations: distance from the median (even and odd counts)', () => {
    expect(absDeviations([1, 5, 3])).toEqual([2, 2, 0]);
    expect(absDeviations([1, 2, 4, 10])).toEqual([2, 1, 1, 7]);
  });
});

/** A deterministic pseudo-random number in [0, 1) from integers (so constructed sweeps need no RNG state). */
function hash01(...k: number[]): number {
  let h = 2166136261;
  for (const x of k) h = Math.imul(h ^ (x * 2654435761), 16777619) >>> 0;
  return (h % 100000) / 100000;
}

/** A constructed sweep: final losses from `loss(corr, arch, seed)`, curves of two epochs ending there. */
function sweep(loss: (corr: number, arch: MmoeSynthArch, seed: number) => number, seeds = 30): MmoeRun[] {
  const runs: MmoeRun[] = [];
  for (const corr of [0.5, 0.9, 1]) {
    for (let seed = 1; seed <= seeds; seed++) {
      for (const arch of MMOE_SYNTH_ARCHS) {
        const v = loss(corr, arch, seed);
        runs.push({ correlation: corr, seed, arch, trainLoss: [v * 3, v], testMse: [v * 3, v * 1.5], seconds: 1 });
      }
    }
  }
  return runs;
}

const verdicts = (runs: MmoeRun[]): Record<string, string> => Object.fromEntries(claimTests(runs, [0.5, 0.9, 1], 'train').map((c) => [c.claim, c.verdict]));

describe('claim verdicts', () => {
  it("a sweep shaped like the paper's figure 4 and 5 reproduces all four claims", () => {
    // Loss falls with correlation; MMoE's gain over Shared-Bottom is largest at 0.5; OMoE sits between; MMoE's runs vary least.
    const base: Record<number, number> = { 0.5: 0.5, 0.9: 0.4, 1: 0.3 };
    const extra: Record<MmoeSynthArch, Record<number, number>> = { 'shared-bottom': { 0.5: 0.2, 0.9: 0.1, 1: 0.05 }, omoe: { 0.5: 0.1, 0.9: 0.05, 1: 0 }, mmoe: { 0.5: 0, 0.9: 0, 1: 0 } };
    const spread: Record<MmoeSynthArch, number> = { 'shared-bottom': 0.2, omoe: 0.2, mmoe: 0.02 };
    const runs = sweep((c, a, s) => base[c]! + extra[a][c]! + spread[a] * (hash01(s, 1) - 0.5));
    expect(verdicts(runs)).toEqual({ a: 'reproduced', b: 'reproduced', c: 'reproduced', d: 'reproduced' });
  });
  it('Shared-Bottom better than MMoE everywhere: (b) is not reproduced', () => {
    const runs = sweep((c, a, s) => 1 - c / 2 + (a === 'shared-bottom' ? 0 : 0.1) + 0.05 * hash01(s, c * 10, a.length));
    const b = claimTests(runs, [0.5, 0.9, 1], 'train').find((x) => x.claim === 'b')!;
    expect(b.verdict).toBe('not reproduced');
    expect(b.comparisons.filter((x) => x.outcome === 'contradicts')).toHaveLength(3);
    expect(b.sentence).toMatch(/^Not reproduced on final training loss \(30 paired seeds\): .*contradict it \(at 0\.5: MMoE < Shared-Bottom/);
  });
  it('pure noise with no effect: every claim is inconclusive except the ≤ part of (c)', () => {
    const runs = sweep((c, a, s) => hash01(s, c * 10, a.length));
    const r = claimTests(runs, [0.5, 0.9, 1], 'test');
    expect(r.map((x) => x.verdict)).toEqual(['inconclusive', 'inconclusive', 'inconclusive', 'inconclusive']);
    expect(r.find((x) => x.claim === 'c')!.comparisons.find((x) => x.kind === 'notWorse')!.outcome).toBe('supports');
  });
  it('only seeds present in every cell are paired', () => {
    const runs = sweep((c, a, s) => hash01(s, c, a.length)).filter((r) => !(r.seed === 3 && r.arch === 'omoe' && r.correlation === 0.9));
    expect(claimTests(runs, [0.5, 0.9, 1], 'train')[0]!.comparisons[0]!.n).toBe(29);
  });
  it('verdictOf: all support, any contradicts, otherwise inconclusive', () => {
    const t = (outcome: TestedComparison['outcome']): TestedComparison => ({ label: '', kind: 'better', n: 30, meanDiff: 0, ci95: null, tP: null, wilcoxonP: null, tPHolm: null, wilcoxonPHolm: null, outcome });
    expect(verdictOf([t('supports'), t('supports')])).toBe('reproduced');
    expect(verdictOf([t('supports'), t('contradicts')])).toBe('not reproduced');
    expect(verdictOf([t('supports'), t('not significant')])).toBe('inconclusive');
    expect(verdictOf([])).toBe('inconclusive');
  });
});
