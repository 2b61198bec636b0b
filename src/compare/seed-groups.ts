/**
 * Significance across seeds: runs that are identical except for the seed form a group; each metric gets a
 * mean ± sd per group, and two groups are compared with a paired t-test on per-seed differences when they
 * share at least two seeds (the seed fixes initialisation and data order, so a pair isolates the setting
 * that differs), else with Welch's t-test when both have two runs or more.
 */
import { SETTING_NAMES, type SettingName } from './settings.js';
import { mean, pairedTTest, sampleSd, welchTTest } from './stats.js';
import type { ComparedRun, GroupTest, SeedGroup } from './types.js';

/** Above this many testable groups, each group is tested against the best one only, not every pair. */
export const MAX_ALL_PAIRS_GROUPS = 5;

/** Group runs by every setting but the seed; labels name the settings that differ between groups. */
export function seedGroups(runs: readonly ComparedRun[], metrics: readonly string[], differing: readonly SettingName[]): SeedGroup[] {
  const byKey = new Map<string, number[]>();
  runs.forEach((r, i) => {
    const key = SETTING_NAMES.filter((s) => s !== 'seed').map((s) => r.settings[s]).join('\u0000');
    byKey.set(key, [...(byKey.get(key) ?? []), i]);
  });
  const shown = differing.filter((s) => s !== 'seed');
  return [...byKey.values()].map((idx, g) => {
    const first = runs[idx[0]!]!;
    const stats: SeedGroup['stats'] = {};
    for (const m of metrics) {
      const xs = valuesOf(runs, idx, m);
      stats[m] = { mean: xs.length ? mean(xs) : null, sd: xs.length > 1 ? sampleSd(xs) : null, n: xs.length };
    }
    return {
      id: `G${g + 1}`,
      label: shown.length ? shown.map((s) => `${s}=${first.settings[s]}`).join(', ') : 'all settings equal',
      runs: idx,
      seeds: idx.map((i) => Number(runs[i]!.settings.seed)),
      stats,
    };
  });
}

/** The defined final values of metric `m` in runs `idx`. */
function valuesOf(runs: readonly ComparedRun[], idx: readonly number[], m: string): number[] {
  return idx.map((i) => runs[i]!.final[m]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

/** Seed → the mean value of metric `m` over the group's runs with that seed (usually one run). */
function bySeed(runs: readonly ComparedRun[], g: SeedGroup, m: string): Map<number, number> {
  const acc = new Map<number, number[]>();
  for (const i of g.runs) {
    const v = runs[i]!.final[m];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    const seed = Number(runs[i]!.settings.seed);
    acc.set(seed, [...(acc.get(seed) ?? []), v]);
  }
  return new Map([...acc].map(([s, xs]) => [s, mean(xs)]));
}

/** The test of `a − b` on metric `m`, or undefined when neither test has enough runs. */
function testPair(runs: readonly ComparedRun[], a: SeedGroup, b: SeedGroup, m: string): GroupTest | undefined {
  const sa = bySeed(runs, a, m);
  const sb = bySeed(runs, b, m);
  const shared = [...sa.keys()].filter((s) => sb.has(s)).sort((x, y) => x - y);
  if (shared.length >= 2) {
    const r = pairedTTest(shared.map((s) => sa.get(s)!), shared.map((s) => sb.get(s)!));
    return { a: a.id, b: b.id, metric: m, ...r, pairedSeeds: shared };
  }
  const xa = valuesOf(runs, a.runs, m);
  const xb = valuesOf(runs, b.runs, m);
  if (xa.length >= 2 && xb.length >= 2) return { a: a.id, b: b.id, metric: m, ...welchTTest(xa, xb) };
  return undefined;
}

/**
 * The tests between groups for every metric: every pair of groups with two runs or more, or, beyond
 * {@link MAX_ALL_PAIRS_GROUPS} such groups (a large sweep), each against the group with the best mean.
 */
export function groupTests(runs: readonly ComparedRun[], groups: readonly SeedGroup[], metrics: readonly string[], direction: Record<string, 'max' | 'min'>): GroupTest[] {
  const testable = groups.filter((g) => g.runs.length >= 2);
  const out: GroupTest[] = [];
  for (const m of metrics) {
    const pairs: Array<[SeedGroup, SeedGroup]> = [];
    if (testable.length <= MAX_ALL_PAIRS_GROUPS) {
      testable.forEach((a, i) => testable.slice(i + 1).forEach((b) => pairs.push([a, b])));
    } else {
      const sign = direction[m] === 'max' ? 1 : -1;
      const withMean = testable.filter((g) => g.stats[m]?.mean !== null);
      const best = withMean.reduce<SeedGroup | undefined>((b, g) => (!b || sign * g.stats[m]!.mean! > sign * b.stats[m]!.mean! ? g : b), undefined);
      if (best) for (const g of withMean) if (g !== best) pairs.push([best, g]);
    }
    for (const [a, b] of pairs) {
      const t = testPair(runs, a, b, m);
      if (t) out.push(t);
    }
  }
  return out;
}
