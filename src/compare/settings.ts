/**
 * The settings of a run that `mtl compare` sets side by side, as display strings, and which of them differ.
 *
 * The IR is summarised by an *architecture hash*: {@link irHash} of the spec without its name, its data block
 * and the settings that `mtl train` can override (those are compared one by one, from metrics.json, because
 * ir.json keeps the spec's values, not the overrides). Two runs of one spec with `--lr 0.01` and
 * `--lr 0.001` thus have the same architecture and differ in `lr` only.
 */
import type { ModelIR } from '../ir/types.js';
import { irHash } from '../artifact/ir-hash.js';
import type { DataRef } from '../artifact/runtime-deps.js';
import { describeBackend, type MetricsFile } from '../artifact/run-record.js';

/** The compared settings, in column order. `seed` is the one that seed groups ignore. */
export const SETTING_NAMES = ['spec', 'architecture', 'data', 'optimizer', 'lr', 'batch', 'epochs', 'valid split', 'seed', 'backend', 'parameters'] as const;

/** One of {@link SETTING_NAMES}. */
export type SettingName = (typeof SETTING_NAMES)[number];

/** A run's settings as display strings. */
export type RunSettings = Record<SettingName, string>;

/** The hash of everything in the IR that is not the name, the data or an overridable setting. */
export function architectureHash(ir: ModelIR): string {
  const { optimizer: _o, lr: _l, batch: _b, epochs: _e, seed: _s, validSplit: _v, ...rest } = ir.train;
  const { data: _d, ...spec } = ir;
  return irHash({ ...spec, name: '', train: rest as ModelIR['train'] });
}

/**
 * The data a run trained on. A synthetic generator's seed is left out: `mtl train --seed` re-seeds it, and
 * runs that differ only in the seed must still count as one configuration.
 */
function describeData(ref: DataRef | undefined): string {
  if (!ref) return 'unknown';
  return ref.kind === 'file' ? ref.path : `synth ${ref.generator} (${ref.rows} rows)`;
}

/**
 * The settings of a run. `archIds` maps architecture hashes to short names (`arch 1`, `arch 2`, … in order of
 * first appearance), filled as runs are added, so the table shows which runs share an architecture.
 */
export function runSettings(ir: ModelIR, m: MetricsFile, archIds: Map<string, string>): RunSettings {
  const hash = architectureHash(ir);
  if (!archIds.has(hash)) archIds.set(hash, `arch ${archIds.size + 1}`);
  // metrics.json of old runs may lack `settings`: the spec's own values are then what trained.
  const s = m.settings ?? ir.train;
  return {
    spec: ir.name,
    architecture: archIds.get(hash)!,
    data: describeData(m.data?.train) + (m.data?.valid ? `, valid ${describeData(m.data.valid)}` : ''),
    optimizer: s.optimizer,
    lr: String(s.lr),
    batch: String(s.batch),
    epochs: String(s.epochs),
    'valid split': m.data?.valid ? 'file' : String(s.validSplit),
    seed: String(m.seed ?? s.seed),
    backend: describeBackend(m),
    parameters: String(m.parameterCount),
  };
}

/** The settings whose value is not the same in every run, in column order. */
export function differingSettings(all: readonly RunSettings[]): SettingName[] {
  return SETTING_NAMES.filter((name) => new Set(all.map((s) => s[name])).size > 1);
}
