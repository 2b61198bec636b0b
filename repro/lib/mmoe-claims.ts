/**
 * The statistics of the MMoE synthetic sweep: per-cell summaries (mean, sd, 95 % CI over seeds) and the
 * paper's four claims (Ma et al., KDD 2018, section 4.3-4.4), each tested by paired comparisons across seeds
 * (a seed fixes the data — weights, sine parameters, inputs — and the initialisation, so runs of one seed
 * differ only in what is compared). Every comparison uses src/compare's paired t-test and the Wilcoxon
 * signed-rank test; p-values are Holm-adjusted within a claim. Pure functions.
 */
import { mean, pairedTTest, sampleSd, studentTQuantile } from '../../src/compare/stats.js';
import { signedRankTest } from './signed-rank.js';
import { MMOE_SYNTH_ARCHS, type MmoeSynthArch } from './specs.js';

/** One training run of the sweep: the per-epoch curves are means over the two tasks. */
export interface MmoeRun {
  correlation: number;
  /** Seeds the data (weights, sines, rows) and the initialisation and batch order. */
  seed: number;
  arch: MmoeSynthArch;
  /** Mean training loss of each epoch (the running mean over its batches, as the paper plots it). */
  trainLoss: number[];
  /** Held-out MSE after each epoch. */
  testMse: number[];
  seconds: number;
}

/** Which number of a run a claim is tested on: the last epoch's training loss or held-out MSE. */
export type SweepMetric = 'train' | 'test';

/** The final value of `metric` in a run (NaN when the run recorded no epoch). */
export function finalValue(run: MmoeRun, metric: SweepMetric): number {
  return (metric === 'train' ? run.trainLoss : run.testMse).at(-1) ?? NaN;
}

/** Mean, sample sd and the t-based 95 % confidence interval of the mean. */
export interface CellSummary {
  n: number;
  mean: number;
  sd: number;
  ci95: [number, number] | null;
}

/** Summarise values (non-finite ones are left out). */
export function summarize(values: readonly number[]): CellSummary {
  const xs = values.filter((x) => Number.isFinite(x));
  const n = xs.length;
  const m = mean(xs);
  const sd = sampleSd(xs);
  const half = n > 1 && Number.isFinite(sd) ? studentTQuantile(0.975, n - 1) * (sd / Math.sqrt(n)) : NaN;
  return { n, mean: m, sd, ci95: Number.isFinite(half) ? [m - half, m + half] : null };
}

/** Holm's step-down adjustment of p-values (null stays null; the order of the input is kept). */
export function holm(ps: ReadonlyArray<number | null>): Array<number | null> {
  const order = ps.map((p, i) => ({ p, i })).filter((x): x is { p: number; i: number } => x.p !== null).sort((a, b) => a.p - b.p);
  const m = order.length;
  const out: Array<number | null> = ps.map(() => null);
  let running = 0;
  order.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    out[i] = running;
  });
  return out;
}

/** Runs indexed by correlation, architecture and seed. */
export type RunIndex = Map<string, MmoeRun>;

const key = (corr: number, arch: string, seed: number): string => `${corr}|${arch}|${seed}`;

/** A correlation as the paper writes it: 0.5, 0.9, 1.0. */
export const fmtCorr = (c: number): string => c.toFixed(1);

/** Index runs for {@link claimTests}. */
export function indexRuns(runs: readonly MmoeRun[]): RunIndex {
  return new Map(runs.map((r) => [key(r.correlation, r.arch, r.seed), r]));
}

/**
 * One paired comparison: is `lower` below `higher` (per seed)? `better` needs a significant difference in
 * that direction to support the claim; `notWorse` supports it unless `lower` is significantly above.
 */
export interface Comparison {
  label: string;
  kind: 'better' | 'notWorse';
  /** Per-seed values expected to be lower, and the values they are paired with. */
  lower: number[];
  higher: number[];
}

/** A tested comparison. */
export interface TestedComparison {
  label: string;
  kind: Comparison['kind'];
  n: number;
  /** mean(lower − higher) and its 95 % CI; negative supports the claim. */
  meanDiff: number;
  ci95: [number, number] | null;
  tP: number | null;
  wilcoxonP: number | null;
  /** Holm-adjusted within the claim. */
  tPHolm: number | null;
  wilcoxonPHolm: number | null;
  outcome: 'supports' | 'contradicts' | 'not significant';
}

/** The paper's claims, by letter. */
export const CLAIMS = {
  a: 'All models do worse as the task correlation falls.',
  b: 'MMoE beats Shared-Bottom, by the most when the correlation is low.',
  c: 'MMoE does at least as well as OMoE (better when the tasks are less correlated).',
  d: "MMoE is more trainable: its final loss varies less across runs than Shared-Bottom's and OMoE's.",
} as const;

/** One claim's letter. */
export type ClaimId = keyof typeof CLAIMS;

/** A claim tested on one metric. */
export interface ClaimResult {
  claim: ClaimId;
  metric: SweepMetric;
  comparisons: TestedComparison[];
  verdict: 'reproduced' | 'not reproduced' | 'inconclusive';
  sentence: string;
}

/** Significance level of every comparison (after Holm). */
export const ALPHA = 0.05;

/** Test comparisons together (Holm within the list) and give each an outcome: both tests must agree. */
export function testComparisons(list: readonly Comparison[]): TestedComparison[] {
  const raw = list.map((c) => ({ c, t: pairedTTest(c.lower, c.higher), w: signedRankTest(c.lower, c.higher) }));
  const tH = holm(raw.map((r) => r.t.p));
  const wH = holm(raw.map((r) => r.w.p));
  return raw.map(({ c, t, w }, i) => {
    const significant = (tH[i] ?? 1) < ALPHA && (wH[i] ?? 1) < ALPHA;
    const outcome: TestedComparison['outcome'] = !significant ? (c.kind === 'notWorse' ? 'supports' : 'not significant') : t.meanDiff < 0 ? 'supports' : 'contradicts';
    return { label: c.label, kind: c.kind, n: c.lower.length, meanDiff: t.meanDiff, ci95: t.ci95, tP: t.p, wilcoxonP: w.p, tPHolm: tH[i] ?? null, wilcoxonPHolm: wH[i] ?? null, outcome };
  });
}

/** The verdict of a claim from its comparisons: all support → reproduced; any contradicts → not; else inconclusive. */
export function verdictOf(tested: readonly TestedComparison[]): ClaimResult['verdict'] {
  if (tested.length > 0 && tested.every((t) => t.outcome === 'supports')) return 'reproduced';
  if (tested.some((t) => t.outcome === 'contradicts')) return 'not reproduced';
  return 'inconclusive';
}

const LABEL: Record<MmoeSynthArch, string> = { 'shared-bottom': 'Shared-Bottom', omoe: 'OMoE', mmoe: 'MMoE' };

/** Per-seed values of one cell, for the seeds that every cell has (so that comparisons pair). */
function cellValues(idx: RunIndex, seeds: readonly number[], corr: number, arch: MmoeSynthArch, metric: SweepMetric): number[] {
  return seeds.map((s) => finalValue(idx.get(key(corr, arch, s))!, metric));
}

/** Absolute deviations from the cell's median: a paired test on them compares spreads (Brown–Forsythe's idea). */
export function absDeviations(xs: readonly number[]): number[] {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return xs.map((x) => Math.abs(x - mid));
}

/** The comparisons of claim `id` on `metric` over `correlations` (ascending) and the `seeds` every cell has. */
export function claimComparisons(id: ClaimId, idx: RunIndex, correlations: readonly number[], seeds: readonly number[], metric: SweepMetric): Comparison[] {
  const v = (corr: number, arch: MmoeSynthArch): number[] => cellValues(idx, seeds, corr, arch, metric);
  const lo = correlations[0]!;
  const hi = correlations[correlations.length - 1]!;
  const out: Comparison[] = [];
  if (id === 'a') {
    for (const arch of MMOE_SYNTH_ARCHS) {
      for (let i = 1; i < correlations.length; i++) {
        const [c0, c1] = [correlations[i - 1]!, correlations[i]!];
        out.push({ label: `${LABEL[arch]}: loss at ${fmtCorr(c1)} < at ${fmtCorr(c0)}`, kind: 'better', lower: v(c1, arch), higher: v(c0, arch) });
      }
    }
  } else if (id === 'b') {
    for (const c of correlations) out.push({ label: `at ${fmtCorr(c)}: MMoE < Shared-Bottom`, kind: 'better', lower: v(c, 'mmoe'), higher: v(c, 'shared-bottom') });
    const gap = (c: number): number[] => v(c, 'mmoe').map((x, i) => x - v(c, 'shared-bottom')[i]!);
    out.push({ label: `MMoE − Shared-Bottom at ${fmtCorr(lo)} < at ${fmtCorr(hi)}`, kind: 'better', lower: gap(lo), higher: gap(hi) });
  } else if (id === 'c') {
    for (const c of correlations) out.push({ label: `at ${fmtCorr(c)}: MMoE ${c < 1 ? '<' : '≤'} OMoE`, kind: c < 1 ? 'better' : 'notWorse', lower: v(c, 'mmoe'), higher: v(c, 'omoe') });
  } else {
    for (const c of correlations) {
      for (const other of ['shared-bottom', 'omoe'] as const) {
        out.push({ label: `at ${fmtCorr(c)}: spread of MMoE < of ${LABEL[other]}`, kind: 'better', lower: absDeviations(v(c, 'mmoe')), higher: absDeviations(v(c, other)) });
      }
    }
  }
  return out;
}

/** The seeds that every (correlation, architecture) cell has. */
export function commonSeeds(runs: readonly MmoeRun[], correlations: readonly number[]): number[] {
  const idx = indexRuns(runs);
  const seeds = [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b);
  return seeds.filter((s) => correlations.every((c) => MMOE_SYNTH_ARCHS.every((a) => idx.has(key(c, a, s)))));
}

/** Test every claim on `metric`. */
export function claimTests(runs: readonly MmoeRun[], correlations: readonly number[], metric: SweepMetric): ClaimResult[] {
  const corrs = [...correlations].sort((a, b) => a - b);
  const seeds = commonSeeds(runs, corrs);
  const idx = indexRuns(runs);
  return (Object.keys(CLAIMS) as ClaimId[]).map((claim) => {
    const tested = testComparisons(claimComparisons(claim, idx, corrs, seeds, metric));
    const verdict = verdictOf(tested);
    const count = (o: TestedComparison['outcome']): number => tested.filter((t) => t.outcome === o).length;
    const against = tested.filter((t) => t.outcome === 'contradicts').map((t) => t.label);
    const sentence =
      `${verdict[0]!.toUpperCase()}${verdict.slice(1)} on ${metric === 'train' ? 'final training loss' : 'held-out MSE'} (${seeds.length} paired seeds): ` +
      `${count('supports')} of ${tested.length} comparisons support it` +
      (against.length ? `, ${against.length} contradict it (${against.join('; ')})` : '') +
      (count('not significant') ? `, ${count('not significant')} not significant at ${ALPHA} after Holm` : '') +
      '.';
    return { claim, metric, comparisons: tested, verdict, sentence };
  });
}
