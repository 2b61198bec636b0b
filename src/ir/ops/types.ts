/**
 * The shapes of op definitions: one object per loss, activation and optimiser, holding everything every
 * stage needs about it (name, validation constraints, tfjs implementation, direct-step binding, PyTorch
 * emission, default metrics, docs and completion text). The registry (./index.ts) is the only list of names.
 *
 * Implementations take the tfjs namespace as an argument instead of importing it, so that reading the
 * registry (the validator, the language server, `mtl check`) never loads tfjs.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { MetricFn } from '../types.js';

/** The tfjs namespace an implementation runs on (the compiler's instance). */
export type Tf = typeof tfType;

/** An explicit "this target does not run this op", with the reason shown to the user. */
export interface NotSupported {
  unsupported: string;
}

/** True when a binding is the explicit {@link NotSupported}. */
export function isNotSupported(x: unknown): x is NotSupported {
  return typeof x === 'object' && x !== null && typeof (x as NotSupported).unsupported === 'string';
}

/** Docs and editor text of an op. */
export interface OpDocs {
  /** One sentence: the completion item's detail and the docs table's description. */
  summary: string;
  /** The formula or longer explanation (completion documentation, docs page). */
  doc: string;
}

/** A task head as the tfjs step sees it: one logit tensor [batch] per head tower. */
export interface TfjsHead {
  logits: tfType.Tensor[];
  /** True when every head tower ends in a sigmoid. */
  sigmoidHead: boolean;
}

/**
 * The direct step's per-row loss: the loss of one example from its head's logits `z` (one per head tower)
 * and its label `y`, writing ∂loss/∂z_i into `dz` (float64, before the mask and the mean).
 */
export type DirectRowLoss = (z: Float64Array, y: number, sigmoidHead: boolean, dz: Float64Array) => number;

/** A task loss. */
export interface LossDef extends OpDocs {
  kind: 'loss';
  /** The name written in specs: `loss NAME(label)`. */
  name: string;
  /** Validation: the label must be binary (MTL3006). */
  binaryLabel: boolean;
  /** Validation: a single linear tower is an error (MTL3025); the loss needs a probability. */
  needsProbability: boolean;
  /** Validation: a head of sigmoid towers is suspicious (warning MTL3024). */
  warnOnProbability: boolean;
  /** The metrics a task with this loss reports when the spec names none. */
  defaultMetrics: readonly MetricFn[];
  /**
   * The initial output bias from the label mean (src/train/tower-priors.ts): `rate` sets a sigmoid
   * tower's logit to the label rate (and solves product heads), `mean` sets a linear tower's bias to the mean.
   */
  prior?: 'rate' | 'mean';
  /** The per-example loss [batch] on the tfjs graph (differentiated by tfjs). */
  tfjs(tf: Tf, head: TfjsHead, y: tfType.Tensor): tfType.Tensor;
  /** The direct step's float64 loss and gradient, or why the direct step does not run it. */
  direct: DirectRowLoss | NotSupported;
  /**
   * PyTorch emission: the source of `def loss_NAME(objective, head, logits, y):` returning the per-example
   * loss (it may define helpers before it), written into the generated mtl_ops.py; or why not supported.
   */
  pytorch: string | NotSupported;
}

/** An MLP activation. */
export interface ActivationDef extends OpDocs {
  kind: 'activation';
  name: string;
  /** The tfjs-layers activation identifier. */
  tfjs: string;
  /**
   * The C kernels' activation code (native/mtl_ops.h is generated from it), or why the direct step does not run
   * it. `gradFromInput`: its derivative needs its input, not only its output (gelu), so the direct step keeps the
   * pre-activation and hands it to actGradAt.
   */
  direct: { code: number; gradFromInput?: boolean } | NotSupported;
  /** PyTorch: an expression of a function of one tensor (`F.relu`). */
  pytorch: string;
}

/** A dense optimiser (embedding tables use the sparse variant of the same rule). */
export interface OptimizerDef extends OpDocs {
  kind: 'optimizer';
  name: string;
  /** The direct step and the tfjs step share the JS optimisers (src/model/optim-dense.ts, optim-sparse.ts). */
  runtime: 'optimDense';
  /** PyTorch: the torch.optim class the generated train.py uses. */
  pytorch: string;
}

/** Any op definition. */
export type OpDef = LossDef | ActivationDef | OptimizerDef;

/**
 * Where a learning-rate schedule is evaluated: the run's length in optimiser updates and the updates per
 * epoch (to turn `every N epochs` into updates), with the spec's schedule settings.
 */
export interface ScheduleContext {
  /** The base learning rate (`lr`). */
  lr: number;
  /** Updates of the whole run: epochs × updates per epoch. */
  totalSteps: number;
  /** Updates per epoch (batches of the training part). */
  stepsPerEpoch: number;
  /** Linear warm-up length in updates (0: none). */
  warmup: number;
  /** The floor the decay ends at (linear, cosine) or never goes below (step). */
  minLr: number;
  /** `step`: the decay interval in updates. */
  everySteps: number;
  /** `step`: the factor per interval. */
  gamma: number;
}

/** A learning-rate schedule of `train { schedule NAME … }`. */
export interface ScheduleDef extends OpDocs {
  kind: 'schedule';
  name: string;
  /** The option words this schedule takes after its name (`warmup`, `min_lr`, `every`, `gamma`). */
  options: readonly string[];
  /** Options that must be given. */
  required: readonly string[];
  /**
   * The learning rate of update `k` after the warm-up (k counts updates from the warm-up's end, 0-based;
   * `span` = totalSteps − warmup, at least 1). The warm-up itself is the registry's (scheduleLr).
   */
  decay(k: number, span: number, c: ScheduleContext): number;
  /** PyTorch: the same decay as a Python expression of `k`, `span` and `c` (a dict with ScheduleContext's keys). */
  pytorch: string;
}

/** An embedding-table optimiser of `train { embedding_optimizer NAME }`. */
export interface EmbeddingOptimizerDef extends OpDocs {
  kind: 'embedding_optimizer';
  name: string;
  /** The cost of one update, for the docs' trade-off table. */
  cost: string;
}
