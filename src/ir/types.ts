/**
 * The IR: the JSON contract between the front ends (.mtl text, .mtl.yaml, .mtl.json), the validator,
 * the compilers (tfjs, pytorch) and the tools (lsp, graph, report).
 *
 * Rules:
 * - Plain JSON: `JSON.parse(JSON.stringify(ir))` deep-equals `ir`. No `undefined` values are written
 *   (optional properties are omitted), no class instances, no Maps.
 * - References are by name. A name is unique across features, labels, nodes and tasks, except that a
 *   task may carry the name of the single tower it heads (`task ctr = ctr ...`): then both are one output.
 * - Every declaration may carry `loc` (the whole declaration) and `locs` (per-property ranges), 0-based
 *   and end-exclusive. `locs` keys are property paths: "name", "on", "over.1", "features.0",
 *   "units.2", "type", "params.temperature", "head.1", "label", "mask", ... A YAML/JSON spec has
 *   ranges of its own (mapped from the YAML document); a hand-built IR may have none.
 * - `width` fields are filled by shape inference during validation (absent before).
 */
import type { ActivationName, EmbeddingOptimizerName, OptimizerName, ScheduleName } from './ops/index.js';
import type { Range } from '../diagnostics/types.js';

/** The current IR version. Bump on any incompatible change; the loader rejects other versions with MTL2xxx. */
export const IR_VERSION = 1 as const;

/** Source locations attached to a declaration. */
export interface Located {
  /** Range of the whole declaration. */
  loc?: Range;
  /** Ranges of individual properties, keyed by property path ("name", "over.1", "params.k"). */
  locs?: Record<string, Range>;
  /** Docstring written before the declaration (shown on hover). */
  doc?: string;
}

/** A JSON value, as allowed in plugin parameters. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

// ---------------------------------------------------------------- features

/** How missing values of a numeric column are filled. */
export type NumericMissing = 'error' | 'zero' | 'mean' | { value: number };

/** Numeric normalisation, with statistics computed from the training data. */
export type Normalization = 'none' | 'standard' | 'minmax' | 'log1p';

/**
 * Where the rows of a categorical table come from:
 * - `hash`: any string, row = fnv1a32(utf8(value)) mod `size` (see src/data/hash.ts); a missing value hashes "".
 * - `vocab`: integer ids 0..size-1 in the data; row = id + 1; missing or out-of-range ids use row 0 (OOV).
 * - `file`: a vocabulary file (one token per line, relative to the spec); row = 1 + line index; OOV row 0.
 */
export type IdSpace =
  | { kind: 'hash'; size: number }
  | { kind: 'vocab'; size: number }
  | { kind: 'file'; path: string; size?: number /* filled when the file is read */ };

/** A categorical id column embedded through a table. */
export interface CategoricalFeature extends Located {
  kind: 'categorical';
  name: string;
  /** Column in the data; defaults to `name`. */
  column?: string;
  ids: IdSpace;
  /** Embedding dimension. Required unless `shares` is set (then it is the shared table's). */
  dim?: number;
  /** Name of another categorical or sequence feature whose embedding table this one uses. */
  shares?: string;
  width?: number;
}

/** A real-valued column, normalised, or bucketised into an embedding. */
export interface NumericFeature extends Located {
  kind: 'numeric';
  name: string;
  column?: string;
  normalize: Normalization;
  /** Bucket boundaries (ascending). When set, the value is bucketised and embedded with `dim`. */
  buckets?: number[];
  dim?: number;
  missing: NumericMissing;
  width?: number;
}

/** Pooling of a sequence's embeddings. */
export type Pooling = 'mean' | 'sum' | 'max';

/** A multi-valued column (e.g. "12|7|33"), embedded and pooled. */
export interface SequenceFeature extends Located {
  kind: 'sequence';
  name: string;
  column?: string;
  ids: IdSpace;
  dim?: number;
  shares?: string;
  pool: Pooling;
  /** Keep at most the first `maxLen` values. */
  maxLen: number;
  /** Separator between values in the column; default "|". */
  separator: string;
  width?: number;
}

/** Any input feature. */
export type Feature = CategoricalFeature | NumericFeature | SequenceFeature;

// ---------------------------------------------------------------- labels

/**
 * A label column. `binary` labels are 0/1; a column whose values are not 0/1 may list the
 * strings that count as positive (`positive: ["50000+."]`, every other value is 0).
 */
export interface Label extends Located {
  name: string;
  type: 'binary' | 'real';
  column?: string;
  positive?: string[];
}

/** A boolean/real expression over labels: `click & buy`, `!click`, `click | cart`. */
export type LabelExpr =
  | { label: string; loc?: Range }
  | { op: 'and' | 'or'; args: LabelExpr[]; loc?: Range }
  | { op: 'not'; arg: LabelExpr; loc?: Range };

// ---------------------------------------------------------------- graph nodes

/** A multi-layer perceptron: Dense layers of `units` with `activation`, optional dropout and batch norm. */
export interface Mlp {
  units: number[];
  /** An activation of the op registry (src/ir/ops/activations.ts). */
  activation: ActivationName;
  dropout: number;
  batchNorm: boolean;
}

/** Concatenation of features (and/or other nodes) into one vector. */
export interface InputNode extends Located {
  kind: 'input';
  name: string;
  /** Feature or node names, concatenated in order. */
  from: string[];
  width?: number;
}

/** A plain MLP block on a node (e.g. the shared bottom of Shared-Bottom). */
export interface LayerNode extends Located {
  kind: 'layer';
  name: string;
  on: string;
  mlp: Mlp;
  width?: number;
}

/** `count` independently initialised experts, each an MLP on `on`. Only gates may consume an expert group. */
export interface ExpertsNode extends Located {
  kind: 'experts';
  name: string;
  count: number;
  on: string;
  mlp: Mlp;
  /** Width of one expert's output. */
  width?: number;
}

/** A gate of a plugin type mixing the experts of `over` with weights computed from `on`. */
export interface GateNode extends Located {
  kind: 'gate';
  name: string;
  /** Plugin gate type, e.g. "softmax", "noisy-topk". */
  type: string;
  params: Record<string, JsonValue>;
  over: string[];
  on: string;
  /** Width of the mixed output (= the experts' width). */
  width?: number;
}

/** A tower: an MLP on any node, ending in one unit with `output` activation. A named model output. */
export interface TowerNode extends Located {
  kind: 'tower';
  name: string;
  on: string;
  mlp: Mlp;
  output: 'sigmoid' | 'linear';
  /** Always 1. */
  width?: number;
}

/** Any node of the graph. */
export type GraphNode = InputNode | LayerNode | ExpertsNode | GateNode | TowerNode;

// ---------------------------------------------------------------- tasks, metrics, training

/** A task: a head (one tower or a product of towers), a loss, a weight and an optional mask. A named model output. */
export interface Task extends Located {
  name: string;
  /** Tower names; more than one means the product of their outputs (`ctr * cvr`). */
  head: string[];
  loss: { type: string; label: LabelExpr };
  weight: number;
  /** Loss and default metrics only on rows where this expression is 1. */
  mask?: LabelExpr;
  /**
   * `weight_by COL`: a data column of non-negative per-row weights for this task's loss, multiplied with the
   * spec-wide `train.weightBy` when both are set (docs/language.md, "Sample weights").
   */
  weightBy?: string;
}

/** Metric functions. */
export type MetricFn = 'auc' | 'logloss' | 'mse' | 'mae' | 'gauc';

/** A metric on a model output (tower or task), against a label, optionally masked / grouped. */
export interface Metric extends Located {
  fn: MetricFn;
  output: string;
  /** Defaults to the label of the task that the output is (or that the output is the single head of). */
  label?: LabelExpr;
  mask?: LabelExpr;
  /** gauc only: the column to group by (usually the user id). */
  groupBy?: string;
  /** `weight_by COL`: the metric weights each row by this data column (weighted AUC, logloss, mse, mae, gauc). */
  weightBy?: string;
}

/** A term of an early-stopping expression: `coef * fn(output)`. */
export interface MetricTerm {
  coef: number;
  metric: Metric;
}

/** Training settings; every one is overridable from the command line. */
export interface TrainSettings extends Located {
  /** An optimiser of the op registry (src/ir/ops/optimizers.ts). */
  optimizer: OptimizerName;
  lr: number;
  batch: number;
  epochs: number;
  seed: number;
  /** Fraction of the training data held out for validation when no validation file is given. */
  validSplit: number;
  earlyStop?: { terms: MetricTerm[]; mode: 'max' | 'min'; patience: number };
  /** static: the tasks' weights; uncertainty: learned log-variances (Kendall et al. 2018). */
  weighting: 'static' | 'uncertainty';
  /**
   * Rows of the training shuffle (docs/data.md, "Shuffling"): `all` (the default when absent) permutes every
   * training row each epoch in memory; N permutes every row through a temporary file holding about N rows at
   * a time, for data too large for memory.
   */
  shuffleBuffer?: 'all' | number;
  /** The learning-rate schedule (absent: the constant `lr`); docs/optimisation.md, "Optimisation recipes". */
  schedule?: LrSchedule;
  /** Decoupled (AdamW-style) weight decay of the dense weights: w ← w·(1 − lr·λ) before each update. */
  weightDecay?: number;
  /** L2 on embedding rows: λ·w is added to the gradient of each row a batch touches (TorchRec's L2 mode). */
  embeddingL2?: number;
  /** Global gradient-norm clipping over every gradient (dense and embedding rows), as clip_grad_norm_. */
  clipNorm?: number;
  /** The embedding tables' optimiser (absent: the sparse variant of `optimizer`). */
  embeddingOptimizer?: EmbeddingOptimizerName;
  /** `weight_by COL`: a data column of non-negative per-row weights applied to every task's loss (sample weights). */
  weightBy?: string;
}

/** `schedule TYPE [warmup N] [min_lr X] [every N epochs|steps] [gamma X]` (src/ir/ops/schedules.ts). */
export interface LrSchedule {
  type: ScheduleName;
  /** Warm-up updates (default 0). */
  warmup?: number;
  /** Floor of the decay (default 0). */
  minLr?: number;
  /** `step`: the interval length, in `everyUnit`s. */
  every?: number;
  everyUnit?: 'epochs' | 'steps';
  /** `step`: the factor per interval (default 0.1). */
  gamma?: number;
}

/** Where training data comes from when `--data` is not given. Paths are relative to the spec file. */
export type DataSource =
  | { kind: 'file'; train: string; valid?: string }
  | { kind: 'synth'; generator: string; rows: number; params: Record<string, JsonValue> };

/** A plugin the spec uses: an npm package name or a path relative to the spec. */
export interface PluginRef {
  source: string;
  loc?: Range;
}

/** A whole model spec. */
export interface ModelIR extends Located {
  version: typeof IR_VERSION;
  name: string;
  plugins: PluginRef[];
  data?: DataSource & Located;
  features: Feature[];
  labels: Label[];
  nodes: GraphNode[];
  tasks: Task[];
  metrics: Metric[];
  train: TrainSettings;
}

/** Defaults used by the builders when a setting is omitted. */
export const DEFAULT_TRAIN: Omit<TrainSettings, 'loc' | 'locs' | 'doc' | 'earlyStop'> = {
  optimizer: 'adam',
  lr: 0.001,
  batch: 512,
  epochs: 3,
  seed: 42,
  validSplit: 0.1,
  weighting: 'static',
};

/**
 * What a numeric feature does with a missing value when the spec does not say: report it (MTL5008).
 * Guessing a fill value silently would change scores without anyone deciding it (docs/data.md).
 */
export const DEFAULT_MISSING: NumericMissing = 'error';

/** Default MLP settings. */
export const DEFAULT_MLP: Omit<Mlp, 'units'> = { activation: 'relu', dropout: 0, batchNorm: false };
