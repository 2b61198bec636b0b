/**
 * The words that are not reserved but have a meaning in one context (option words, setting keys and
 * enumerated values). One table, used by the builder (validation, did-you-mean) and by the token
 * table (editor highlighting), so that the two never disagree.
 */
import { ACTIVATION_NAMES, EMBEDDING_OPTIMIZER_NAMES, OPTIMIZER_NAMES, SCHEDULE_NAMES, SCHEDULE_OPTIONS } from '../ir/ops/index.js';

/** Options of a categorical feature. */
export const CATEGORICAL_OPTIONS = ['hash', 'vocab', 'dim', 'column', 'shares'] as const;
/** Options of a sequence feature. */
export const SEQUENCE_OPTIONS = ['hash', 'vocab', 'dim', 'pool', 'max_len', 'sep', 'column', 'shares'] as const;
/** Options of a numeric feature. */
export const NUMERIC_OPTIONS = ['normalize', 'buckets', 'dim', 'missing', 'column'] as const;
/** Options of a label. */
export const LABEL_OPTIONS = ['column', 'positive'] as const;
/** Label types. */
export const LABEL_TYPES = ['binary', 'real'] as const;
/** Option words after `mlp(...)`. */
export const MLP_OPTIONS = ['dropout', 'batchnorm'] as const;
/** Activations of an MLP (the op registry's). */
export const ACTIVATIONS = ACTIVATION_NAMES;
/** Output activations of a tower. */
export const TOWER_OUTPUTS = ['sigmoid', 'linear'] as const;
/** Poolings of a sequence feature. */
export const POOLINGS = ['mean', 'sum', 'max'] as const;
/** Normalisations of a numeric feature. */
export const NORMALIZATIONS = ['none', 'standard', 'minmax', 'log1p'] as const;
/** Word values of a numeric feature's `missing` (a number is also allowed). */
export const MISSING_WORDS = ['error', 'zero', 'mean'] as const;
/** Keys of `train { … }` (`early_stop` and `weight_by` are reserved words, listed for completeness). */
export const TRAIN_KEYS = [
  'optimizer', 'lr', 'batch', 'epochs', 'seed', 'valid_split', 'early_stop', 'mode', 'patience', 'weighting', 'shuffle_buffer',
  'schedule', 'weight_decay', 'embedding_l2', 'clip_norm', 'embedding_optimizer', 'weight_by',
] as const;
/** Learning-rate schedules and their option words (the op registry's), and the units of `every N`. */
export const SCHEDULES = SCHEDULE_NAMES;
export const SCHEDULE_WORDS = SCHEDULE_OPTIONS;
export const EVERY_UNITS = ['epochs', 'steps'] as const;
/** Embedding optimisers (the op registry's). */
export const EMBEDDING_OPTIMIZERS = EMBEDDING_OPTIMIZER_NAMES;
/** Optimizers (the op registry's). */
export const OPTIMIZERS = OPTIMIZER_NAMES;
/** Early-stopping directions. */
export const MODES = ['max', 'min'] as const;
/** Task-loss weightings. */
export const WEIGHTINGS = ['static', 'uncertainty'] as const;
/** Metric functions. */
export const METRIC_FNS = ['auc', 'logloss', 'mse', 'mae', 'gauc'] as const;
/** Metrics for which higher is better (the others are minimised). */
export const MAXIMISED_METRICS: readonly string[] = ['auc', 'gauc'];
/** Keys of a file data source; a synthetic source takes `synth GEN`, `rows N` and any generator parameter. */
export const FILE_DATA_KEYS = ['train', 'valid'] as const;

/** Contextual words that name a setting or option (`hash`, `dim`, `lr`): highlighted as keywords. */
export const OPTION_WORDS: readonly string[] = [
  ...new Set<string>([...CATEGORICAL_OPTIONS, ...SEQUENCE_OPTIONS, ...NUMERIC_OPTIONS, ...LABEL_OPTIONS, ...MLP_OPTIONS, ...TRAIN_KEYS, ...SCHEDULE_WORDS, 'synth', 'rows', ...FILE_DATA_KEYS]),
].sort();
/** Contextual words that name a computation (`relu`, `auc`, `log1p`, `mean`): highlighted as functions. */
export const FUNCTION_WORDS: readonly string[] = [...new Set<string>([...ACTIVATIONS, ...METRIC_FNS, ...POOLINGS, ...NORMALIZATIONS])].sort();
/** Contextual words that are enumerated values (`binary`, `adam`, `max`): highlighted as constants. */
export const VALUE_WORDS: readonly string[] = [...new Set<string>([...LABEL_TYPES, ...MISSING_WORDS, ...OPTIMIZERS, ...MODES, ...WEIGHTINGS, ...SCHEDULES, ...EMBEDDING_OPTIMIZERS, ...EVERY_UNITS])].filter((w) => !FUNCTION_WORDS.includes(w) && !OPTION_WORDS.includes(w)).sort();

/** Every contextual word, for highlighting (deduplicated, sorted). */
export const CONTEXTUAL_WORDS: readonly string[] = [
  ...new Set<string>([
    ...CATEGORICAL_OPTIONS, ...SEQUENCE_OPTIONS, ...NUMERIC_OPTIONS, ...LABEL_OPTIONS, ...LABEL_TYPES,
    ...MLP_OPTIONS, ...ACTIVATIONS, ...POOLINGS, ...NORMALIZATIONS, ...MISSING_WORDS, ...TRAIN_KEYS,
    ...OPTIMIZERS, ...MODES, ...WEIGHTINGS, ...METRIC_FNS, 'synth', 'rows', 'valid',
    ...SCHEDULES, ...SCHEDULE_WORDS, ...EVERY_UNITS, ...EMBEDDING_OPTIMIZERS,
  ]),
].sort();
