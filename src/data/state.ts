/**
 * The preprocessing state: everything fitted on the training data that predictions need again
 * (normalisation statistics, vocabularies, table sizes). Plain JSON; saved as preprocess.json beside a model.
 */
import type { ModelIR, Normalization } from '../ir/types.js';

/** The current state version; other versions are rejected with MTL5023. */
export const PREPROCESS_STATE_VERSION = 1 as const;

/** A vocabulary file as fitted: its tokens (row = 1 + index) when small enough, always its digest and size. */
export interface VocabState {
  /** The path as written in the spec (relative to the spec). */
  path: string;
  /** Number of lines (tokens, counting blank lines that map nothing). */
  size: number;
  /** sha256 of the file's bytes, hex. */
  digest: string;
  /** The tokens, unless there are more than {@link MAX_INLINE_TOKENS} (then the file is read again and checked by digest). */
  tokens?: string[];
}

/** State of a categorical, sequence or bucketised numeric feature: how ids map to embedding rows. */
export interface IdsFeatureState {
  kind: 'ids';
  /** hash / vocab (integer ids) / file (vocabulary file) / buckets (bucketised numeric). */
  space: 'hash' | 'vocab' | 'file' | 'buckets';
  /** Rows of the embedding table: hash N → N; vocab N → N + 1; file → lines + 1; buckets B → B + 1. */
  tableSize: number;
  /** The feature whose table is used (itself unless `shares`). */
  owner: string;
  /** Only on the owner of a `vocab "FILE"` space. */
  vocab?: VocabState;
}

/** Statistics of a numeric feature over the training part, in the space it is normalised in (after log1p when `normalize log1p`, raw when bucketised). */
export interface NumericFeatureState {
  kind: 'numeric';
  normalize: Normalization;
  /** Non-missing values seen. */
  count: number;
  /** Missing values seen. */
  missing: number;
  mean: number;
  /** Population standard deviation; 1 when the column is constant or empty (so standardising never divides by 0). */
  std: number;
  min: number;
  max: number;
}

/** Fitted state of one feature. Bucketised numerics have both: `ids` for the table and `stats` for `missing mean`. */
export type FeatureState = IdsFeatureState | NumericFeatureState | (IdsFeatureState & { stats: NumericFeatureState });

/** Counts of a label over the training part (for reports and sanity checks such as "no positives"). */
export interface LabelState {
  count: number;
  /** Sum of the values: the number of positives for binary labels. */
  sum: number;
}

/** The fitted preprocessor. JSON only. */
export interface PreprocessState {
  version: typeof PREPROCESS_STATE_VERSION;
  features: Record<string, FeatureState>;
  /** Training rows used for the statistics. */
  rowsSeen: number;
  /** Bad rows skipped while fitting (with --skip-bad-rows). */
  rowsSkipped: number;
  labels: Record<string, LabelState>;
  /** How the training part was chosen. */
  split: { validSplit: number; seed: number; hasValidFile: boolean };
}

/** Vocabularies up to this many tokens are stored in the state itself, so a model directory is self-contained. */
export const MAX_INLINE_TOKENS = 100_000;

/** The numeric statistics of a feature state, whichever shape it has. */
export function numericStats(s: FeatureState | undefined): NumericFeatureState | undefined {
  if (!s) return undefined;
  if (s.kind === 'numeric') return s;
  return 'stats' in s ? s.stats : undefined;
}

/**
 * Embedding-table sizes by feature name, for every feature that is embedded (categorical, sequence,
 * bucketised numeric). A feature that `shares` another's table reports the owner's size.
 */
export function tableSizes(ir: { features: Array<{ name: string }> }, state: PreprocessState): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of ir.features) {
    const s = state.features[f.name];
    if (s && s.kind === 'ids') {
      const owner = state.features[s.owner];
      out[f.name] = owner && owner.kind === 'ids' ? owner.tableSize : s.tableSize;
    }
  }
  return out;
}

/**
 * The IR with the sizes of its `vocab "FILE"` id spaces filled from the fitted state (a model directory's
 * ir.json does not carry them: they are known once the file is read). Features without a fitted vocabulary
 * keep theirs. Returns a copy; `ir` is not changed.
 */
export function withVocabSizes(ir: ModelIR, state: PreprocessState): ModelIR {
  const copy = structuredClone(ir);
  for (const f of copy.features) {
    if (f.kind === 'numeric' || f.ids.kind !== 'file') continue;
    const s = state.features[f.name];
    const vocab = s && s.kind === 'ids' ? (state.features[s.owner] as IdsFeatureState | undefined)?.vocab ?? s.vocab : undefined;
    if (vocab) f.ids.size = vocab.size;
  }
  return copy;
}
