/**
 * What `mtl compare` computes, as plain data: rendered as a terminal table (text.ts), a page (page.ts) or
 * printed as JSON as it is (`--format json`), so all three show the same numbers.
 */
import type { RunSettings, SettingName } from './settings.js';
import type { TTestResult } from './stats.js';

/** One compared run. */
export interface ComparedRun {
  label: string;
  dir: string;
  settings: RunSettings;
  /** Final validation metrics by column (`output.key`); null where undefined, absent where not recorded. */
  final: Record<string, number | null>;
  bestEpoch: number | null;
  epochsRun: number;
  /** Validation metrics per epoch: `history[column][i]` belongs to `epochs[i]`. */
  epochs: number[];
  history: Record<string, Array<number | null>>;
}

/** Mean, sample sd (null below two values) and count of one metric over a group's runs. */
export interface GroupStat {
  mean: number | null;
  sd: number | null;
  n: number;
}

/** Runs identical except for the seed. */
export interface SeedGroup {
  /** `G1`, `G2`, … in order of first appearance. */
  id: string;
  /** The group's values of the settings that differ between groups, e.g. `lr=0.01`. */
  label: string;
  /** Indices into {@link Comparison.runs}. */
  runs: number[];
  seeds: number[];
  stats: Record<string, GroupStat>;
}

/** A t-test of `a − b` on one metric. */
export interface GroupTest extends TTestResult {
  a: string;
  b: string;
  metric: string;
  /** The seeds the runs were paired on (paired test only). */
  pairedSeeds?: number[];
}

/** Everything `mtl compare` reports. */
export interface Comparison {
  version: 1;
  runs: ComparedRun[];
  /** Metric columns (`output.key`), in first-seen order. */
  metrics: string[];
  /** Whether a higher or a lower value is better, per column. */
  direction: Record<string, 'max' | 'min'>;
  /** The runs (indices) with the best final value, per column; several on a tie, none without values. */
  best: Record<string, number[]>;
  /** The settings that differ between runs. */
  differing: SettingName[];
  /** The settings every run shares, with their value. */
  same: Partial<RunSettings>;
  groups: SeedGroup[];
  tests: GroupTest[];
  /** Why something is not shown (no seed replicates, gate usage not recorded, …). */
  notes: string[];
}
