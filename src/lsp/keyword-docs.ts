/**
 * Hover documentation of every keyword, in one table (also the source of keyword completion
 * details). Kept in step with docs/language.md; a test checks that every reserved and contextual word
 * of the token table has an entry.
 */
import { ALL_OPS, EMBEDDING_OPTIMIZER_DEFS, SCHEDULE_DEFS } from '../ir/ops/index.js';

/** Hover and completion docs of the op registry's losses, activations and optimisers. */
function opDocs(): Record<string, KeywordDoc> {
  const out: Record<string, KeywordDoc> = {};
  for (const d of ALL_OPS) {
    const syntax = d.kind === 'loss' ? `${d.name}(LABELEXPR)` : d.kind === 'optimizer' ? `optimizer ${d.name}` : d.name;
    out[d.name] = { syntax, doc: d.kind === 'activation' ? `${d.summary} An MLP activation.` : d.doc };
  }
  // Schedules and embedding optimisers document the words no other op names (`linear` stays the activation, `adam` the optimiser).
  for (const d of SCHEDULE_DEFS) out[d.name] ??= { syntax: `schedule ${d.name}${d.options.map((o) => ` [${o} …]`).join('')}`, doc: `${d.summary} ${d.doc}` };
  for (const d of EMBEDDING_OPTIMIZER_DEFS) out[d.name] ??= { syntax: `embedding_optimizer ${d.name}`, doc: `${d.summary} Cost: ${d.cost}.` };
  return out;
}

/** One keyword's documentation. */
export interface KeywordDoc {
  /** The form, as in docs/language.md. */
  syntax: string;
  /** One or two sentences. */
  doc: string;
}

/** Documentation of every keyword of the language. */
export const KEYWORD_DOCS: Readonly<Record<string, KeywordDoc>> = Object.freeze({
  // The ops document themselves (src/ir/ops); the entries below override where a word means more (sigmoid, mse).
  ...opDocs(),
  // declarations
  model: { syntax: 'model NAME ["doc"]', doc: 'Names the model; exactly one, first. An optional string is the model\'s docstring.' },
  use: { syntax: 'use "SOURCE"', doc: 'Loads a gate plugin: a path relative to the spec (`./x.js`) or an npm package name. May repeat.' },
  data: { syntax: 'data { synth GEN [rows N] ... } | data { train "PATH" [valid "PATH"] }', doc: 'Default training data for `mtl train` when no `--data` is given: CSV, TSV, JSON Lines (plain or .gz) or Parquet. Paths are relative to the spec; a wildcard (`"parts/*.parquet"`) reads every file it matches, in sorted order.' },
  features: { syntax: 'features { FEATURE... }', doc: 'The input features: `categorical`, `sequence` and `numeric` columns.' },
  labels: { syntax: 'labels { NAME: binary|real [column "COL"] [positive "V", ...] ... }', doc: 'The label columns that losses, masks and metrics refer to.' },
  input: { syntax: 'input NAME = concat(A, B, ...)', doc: 'Concatenates features and/or nodes into one vector.' },
  layer: { syntax: 'layer NAME = MLP on NODE', doc: 'A plain MLP block on a node, e.g. the shared bottom of a Shared-Bottom model.' },
  experts: { syntax: 'experts NAME[COUNT] = MLP on NODE', doc: 'COUNT independently initialised experts, each an MLP on NODE. Only gates may consume an expert group.' },
  gate: { syntax: 'gate NAME = TYPE[(KEY: VALUE, ...)] over EXPERTS, ... on NODE', doc: 'Mixes the experts of the `over` groups with weights computed from `on`. TYPE is a gate plugin (e.g. `softmax`).' },
  tower: { syntax: 'tower NAME = MLP on NODE -> sigmoid|linear', doc: 'A named model output of width 1: an MLP followed by one output unit.' },
  task: { syntax: 'task NAME = TOWER [* TOWER]... loss LOSS(LABELEXPR) [weight W] [where LABELEXPR]', doc: 'A named output with a loss. A product of towers (`ctr * cvr`) models ESMM\'s CTCVR.' },
  metric: { syntax: 'metric FN(OUTPUT [, LABELEXPR]) [by COLUMN] [where LABELEXPR]', doc: 'An evaluation metric on a tower or task: auc, logloss, mse, mae, gauc.' },
  train: { syntax: 'train { KEY VALUE ... }', doc: 'Training settings (optimizer, lr, batch, epochs, seed, valid_split, early_stop, weighting, shuffle_buffer, schedule, weight_decay, embedding_l2, clip_norm, embedding_optimizer); in `data { train "PATH" }` the training file.' },
  // data block
  synth: { syntax: 'synth GEN [rows N] [KEY VALUE]...', doc: 'A built-in synthetic data generator (e.g. `esmm`).' },
  rows: { syntax: 'rows N', doc: 'Number of synthetic rows to generate.' },
  valid: { syntax: 'valid "PATH"', doc: 'The validation data file (relative to the spec).' },
  // features
  categorical: { syntax: 'categorical NAME (hash N | vocab N | vocab "FILE") dim D [column "COL"] [shares OTHER]', doc: 'A categorical id column embedded through a table.' },
  sequence: { syntax: 'sequence NAME (hash N | vocab N | vocab "FILE") dim D pool mean|sum|max max_len L [sep "S"] [column "COL"] [shares OTHER]', doc: 'A multi-valued column (e.g. "12|7|33"), embedded and pooled.' },
  numeric: { syntax: 'numeric NAME [normalize none|standard|minmax|log1p] [buckets [B1, ...] dim D] [missing error|zero|mean|NUMBER] [column "COL"]', doc: 'A real-valued column, normalised, or bucketised into an embedding.' },
  hash: { syntax: 'hash N', doc: 'Any string value, hashed (fnv1a32) into N rows.' },
  vocab: { syntax: 'vocab N | vocab "FILE"', doc: 'Integer ids 0..N-1 (row = id + 1, row 0 for out-of-vocabulary), or a vocabulary file with one token per line.' },
  dim: { syntax: 'dim D', doc: 'Embedding dimension.' },
  column: { syntax: 'column "COL"', doc: 'The data column; defaults to the declared name.' },
  shares: { syntax: 'shares OTHER', doc: 'Use the embedding table (and id space) of another categorical or sequence feature.' },
  pool: { syntax: 'pool mean|sum|max', doc: 'How a sequence\'s embeddings are pooled into one vector.' },
  max_len: { syntax: 'max_len L', doc: 'Keep at most the first L values of a sequence.' },
  sep: { syntax: 'sep "S"', doc: 'The separator between a sequence\'s values; default "|".' },
  normalize: { syntax: 'normalize none|standard|minmax|log1p', doc: 'Numeric normalisation, with statistics computed from the training data.' },
  buckets: { syntax: 'buckets [B1, B2, ...] dim D', doc: 'Ascending bucket boundaries: the value is bucketised and embedded with `dim`.' },
  missing: { syntax: 'missing error|zero|mean|NUMBER', doc: 'How missing numeric values are filled.' },
  none: { syntax: 'normalize none', doc: 'No normalisation.' },
  standard: { syntax: 'normalize standard', doc: 'Subtract the mean, divide by the standard deviation.' },
  minmax: { syntax: 'normalize minmax', doc: 'Scale to [0, 1] by the training minimum and maximum.' },
  log1p: { syntax: 'normalize log1p', doc: 'log(1 + x), for heavy-tailed non-negative values such as prices.' },
  error: { syntax: 'missing error', doc: 'A missing value is a data error.' },
  zero: { syntax: 'missing zero', doc: 'A missing value counts as 0.' },
  mean: { syntax: 'pool mean | missing mean', doc: 'Average pooling of a sequence; or fill a missing numeric value with the training mean.' },
  sum: { syntax: 'pool sum', doc: 'Sum pooling of a sequence.' },
  max: { syntax: 'pool max | mode max', doc: 'Max pooling of a sequence; or an early-stop metric that should grow.' },
  // labels
  binary: { syntax: 'NAME: binary', doc: 'A 0/1 label (or any column with `positive` values listed).' },
  real: { syntax: 'NAME: real', doc: 'A real-valued label (for mse/mae losses).' },
  positive: { syntax: 'positive "V", "W"', doc: 'The column values that count as 1; every other value is 0.' },
  // graph
  concat: { syntax: 'concat(A, B, ...)', doc: 'Concatenates features and/or nodes in order.' },
  mlp: { syntax: 'mlp(U1, U2, ...) [ACTIVATION] [dropout P] [batchnorm]', doc: 'Dense layers of the given widths, with an activation (relu by default), optional dropout and batch normalisation.' },
  on: { syntax: 'on NODE', doc: 'The node (or feature) this block reads from.' },
  over: { syntax: 'over EXPERTS, ...', doc: 'The expert groups a gate mixes.' },
  dropout: { syntax: 'dropout P', doc: 'Dropout rate after each hidden layer.' },
  batchnorm: { syntax: 'batchnorm', doc: 'Batch normalisation after each hidden layer.' },
  sigmoid: { syntax: 'sigmoid', doc: 'Logistic activation; as a tower output (`-> sigmoid`), a probability.' },
  linear: { syntax: 'linear', doc: 'No activation; as a tower output (`-> linear`), a real value.' },
  // tasks and metrics
  loss: { syntax: 'loss LOSS(LABELEXPR)', doc: 'The task\'s loss against a label expression, e.g. `bce(click & buy)`.' },
  mse: { syntax: 'mse(LABELEXPR) | metric mse(OUTPUT)', doc: 'Mean squared error.' },
  mae: { syntax: 'mae(LABELEXPR) | metric mae(OUTPUT)', doc: 'Mean absolute error.' },
  weight: { syntax: 'weight W', doc: 'The task\'s loss weight (default 1).' },
  where: { syntax: 'where LABELEXPR', doc: 'Restricts the loss and metrics to rows where the label expression is 1 (e.g. CVR on clicked rows).' },
  auc: { syntax: 'auc(OUTPUT [, LABELEXPR])', doc: 'Area under the ROC curve.' },
  logloss: { syntax: 'logloss(OUTPUT [, LABELEXPR])', doc: 'Mean binary cross-entropy.' },
  gauc: { syntax: 'gauc(OUTPUT) by COLUMN', doc: 'Group AUC: per-group AUC (e.g. per user) weighted by group size.' },
  by: { syntax: 'by COLUMN', doc: 'The column that groups rows for gauc (usually the user id).' },
  // train block
  optimizer: { syntax: 'optimizer adam|adagrad|sgd', doc: 'The optimiser (default adam).' },
  lr: { syntax: 'lr X', doc: 'Learning rate (default 0.001).' },
  batch: { syntax: 'batch N', doc: 'Batch size (default 512).' },
  epochs: { syntax: 'epochs N', doc: 'Number of passes over the training data (default 3).' },
  seed: { syntax: 'seed N', doc: 'Random seed for initialisation, shuffling and splitting (default 42).' },
  shuffle_buffer: { syntax: 'shuffle_buffer N|all', doc: 'Rows held for the shuffle each epoch: `all` (the default) permutes every training row in memory; N permutes every row too, through a temporary file holding about N rows at a time (data too large for memory).' },
  valid_split: { syntax: 'valid_split F', doc: 'Fraction of training rows held out for validation when no validation file is given (default 0.1).' },
  early_stop: { syntax: 'early_stop [COEF *] FN(OUTPUT) [+|- ...] [patience N] [mode max|min]', doc: 'Stop when the metric expression has not improved for `patience` epochs.' },
  weight_by: {
    syntax: 'weight_by COLUMN',
    doc: 'Sample weights from a data column (finite, ≥ 0): in `train { }` for every task; on a task, multiplied with the train block\'s; on a metric, a weighted metric. A task\'s loss is Σ w·loss / Σ w over the batch.',
  },
  patience: { syntax: 'patience N', doc: 'Epochs without improvement before early stopping.' },
  mode: { syntax: 'mode max|min', doc: 'Whether the early-stop expression should grow (max) or shrink (min).' },
  min: { syntax: 'mode min', doc: 'The early-stop expression should shrink (e.g. a loss).' },
  weighting: { syntax: 'weighting static|uncertainty', doc: 'How task losses are combined: the tasks\' weights, or learned uncertainty weights (Kendall et al. 2018).' },
  static: { syntax: 'weighting static', doc: 'Weighted sum of task losses with the tasks\' weights (the default).' },
  uncertainty: { syntax: 'weighting uncertainty', doc: 'Learned per-task log-variances weight the losses (Kendall et al. 2018).' },
  schedule: { syntax: 'schedule constant|linear|cosine|step [warmup N] [min_lr X] [every N epochs|steps] [gamma X]', doc: 'The learning-rate schedule: an optional linear warm-up over N updates, then constant, linear or cosine decay to min_lr over the run, or ×gamma every N epochs or steps.' },
  warmup: { syntax: 'warmup N', doc: 'Linear warm-up over the first N updates (batches): lr·(k+1)/N.' },
  min_lr: { syntax: 'min_lr X', doc: 'Where linear and cosine decay end, and the floor of step decay (default 0).' },
  every: { syntax: 'every N epochs|steps', doc: 'The step schedule\'s interval: multiply lr by gamma every N epochs or N updates.' },
  steps: { syntax: 'every N steps', doc: 'The step schedule\'s interval in updates (batches).' },
  gamma: { syntax: 'gamma X', doc: 'The step schedule\'s factor per interval, in (0, 1] (default 0.1).' },
  weight_decay: { syntax: 'weight_decay X', doc: 'Decoupled (AdamW-style) weight decay of the dense weights: w ← w·(1 − lr·X) before each update. Embedding tables are not decayed (see embedding_l2).' },
  embedding_l2: { syntax: 'embedding_l2 X', doc: 'L2 on embedding rows: X·w is added to the gradient of each row the batch touched (TorchRec\'s L2 mode); untouched rows are not shrunk.' },
  clip_norm: { syntax: 'clip_norm X', doc: 'Clip the global gradient norm (dense and embedding rows together) to X, as torch.nn.utils.clip_grad_norm_.' },
  embedding_optimizer: { syntax: 'embedding_optimizer lazy_adam|adam|adagrad|rowwise_adagrad', doc: 'The embedding tables\' optimiser (default: the dense optimiser\'s rule; under `optimizer adam` that is `adam`, dense Adam\'s result at the cost of the rows a batch reads). `lazy_adam` is TF LazyAdam / torch SparseAdam: cheapest, rare ids learn slower.' },
  true: { syntax: 'true', doc: 'Boolean true.' },
  false: { syntax: 'false', doc: 'Boolean false.' },
});

/** Markdown for a keyword's hover, or undefined for a non-keyword. */
export function keywordHover(word: string): string | undefined {
  const d = Object.prototype.hasOwnProperty.call(KEYWORD_DOCS, word) ? KEYWORD_DOCS[word] : undefined;
  if (!d) return undefined;
  return `**${word}** (keyword)\n\n\`\`\`mtl\n${d.syntax}\n\`\`\`\n\n${d.doc}`;
}
