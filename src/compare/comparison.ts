/**
 * Building a {@link Comparison} from the runs read from disk: the metric columns, the best run per column,
 * the settings that differ, the seed groups and their tests.
 */
import { MAXIMISED_METRICS } from '../language/vocabulary.js';
import type { FoundRun } from './find-runs.js';
import { groupTests, MAX_ALL_PAIRS_GROUPS, seedGroups } from './seed-groups.js';
import { differingSettings, runSettings, SETTING_NAMES, type RunSettings } from './settings.js';
import type { ComparedRun, Comparison } from './types.js';

/** A metric column's name: `output.key`, as `--metric` spells it. */
function column(output: string, key: string): string {
  return `${output}.${key}`;
}

/** Every metric column of the runs (final and per-epoch validation metrics), in first-seen order. */
export function metricColumns(runs: readonly FoundRun[]): string[] {
  const cols: string[] = [];
  const add = (ms: Record<string, Record<string, number | null>>): void => {
    for (const [o, keys] of Object.entries(ms)) for (const k of Object.keys(keys)) if (!cols.includes(column(o, k))) cols.push(column(o, k));
  };
  for (const r of runs) {
    add(r.metrics.final);
    for (const h of r.metrics.history) add(h.metrics);
  }
  return cols;
}

/** Whether a higher value of a column is better: the metric function (the key up to `(`, `@`, `/` or the `*` of a weighted metric) decides. */
export function metricDirection(col: string): 'max' | 'min' {
  const key = col.slice(col.indexOf('.') + 1);
  const fn = key.split(/[(@/*]/)[0]!;
  return MAXIMISED_METRICS.includes(fn) ? 'max' : 'min';
}

/** The value of `output.key` in a metric results object. */
function valueOf(ms: Record<string, Record<string, number | null>>, col: string): number | null | undefined {
  const dot = col.indexOf('.');
  return ms[col.slice(0, dot)]?.[col.slice(dot + 1)];
}

/** One run as the comparison shows it. */
function comparedRun(r: FoundRun, settings: RunSettings, cols: readonly string[]): ComparedRun {
  const final: ComparedRun['final'] = {};
  const history: ComparedRun['history'] = {};
  for (const c of cols) {
    const v = valueOf(r.metrics.final, c);
    if (v !== undefined) final[c] = v;
    history[c] = r.metrics.history.map((h) => valueOf(h.metrics, c) ?? null);
  }
  return {
    label: r.label,
    dir: r.dir,
    settings,
    final,
    bestEpoch: r.metrics.bestEpoch,
    epochsRun: r.metrics.history.length,
    epochs: r.metrics.history.map((h) => h.epoch),
    history,
  };
}

/** The indices of the runs with the best defined value of `col` (all of them on a tie). */
function bestRuns(runs: readonly ComparedRun[], col: string, dir: 'max' | 'min'): number[] {
  const vals = runs.map((r) => r.final[col]).map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined));
  const defined = vals.filter((v): v is number => v !== undefined);
  if (!defined.length) return [];
  const best = dir === 'max' ? Math.max(...defined) : Math.min(...defined);
  return vals.flatMap((v, i) => (v === best ? [i] : []));
}

/** Compare `found` (two or more runs) on the metric columns `only` (default: all of them). */
export function buildComparison(found: readonly FoundRun[], only?: readonly string[]): Comparison {
  const cols = only?.length ? [...only] : metricColumns(found);
  const archIds = new Map<string, string>();
  const runs = found.map((r) => comparedRun(r, runSettings(r.ir, r.metrics, archIds), cols));
  const differing = differingSettings(runs.map((r) => r.settings));
  const same: Partial<RunSettings> = {};
  for (const s of SETTING_NAMES) if (!differing.includes(s)) same[s] = runs[0]!.settings[s];
  const direction = Object.fromEntries(cols.map((c) => [c, metricDirection(c)]));
  const best = Object.fromEntries(cols.map((c) => [c, bestRuns(runs, c, direction[c]!)]));
  const groups = seedGroups(runs, cols, differing);
  const tests = groupTests(runs, groups, cols, direction);
  const notes: string[] = [];
  const replicated = groups.filter((g) => g.runs.length >= 2);
  if (!replicated.length) notes.push('No two runs differ only in their seed, so there is no significance test: train each setting with several --seed values.');
  else if (groups.length === 1) notes.push('The runs differ only in their seed: one group, nothing to test it against.');
  else if (replicated.length < 2) notes.push('Only one setting has runs with several seeds: a test needs two such groups.');
  else if (replicated.length > MAX_ALL_PAIRS_GROUPS) notes.push(`${replicated.length} groups have several seeds: each is tested against the group with the best mean, not every pair.`);
  if (found.some((r) => r.ir.nodes.some((n) => n.kind === 'gate'))) {
    notes.push('Gate usage is not compared: a model directory does not record it (mtl report measures it by running the model over data).');
  }
  return { version: 1, runs, metrics: cols, direction, best, differing, same, groups, tests, notes };
}
