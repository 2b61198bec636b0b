/**
 * The public gate-plugin API (`import { definePlugin } from 'mtl/plugin'`).
 *
 * A plugin is a module whose default export is a factory returning a {@link GatePlugin}.
 * The first-party gates in plugins/ use only this file's exports.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Diagnostic, Range } from '../diagnostics/types.js';
import type { GateNode, JsonValue } from '../ir/types.js';
import type { GateAuxLoss, GateNormalizer } from '../ir/ops/gate-normalizers.js';
export { IMPORTANCE_EPSILON } from '../ir/ops/gate-normalizers.js';

/** The tfjs namespace handed to plugins (the same instance the compiler uses: never import your own copy). */
export type Tf = typeof tfType;

/** What `check` receives: the gate as written, the widths around it, and a way to report problems. */
export interface GateCheckContext {
  /** The gate declaration (params already validated against `paramsSchema`). */
  gate: GateNode;
  /** Number of experts mixed (sum of the counts of the `over` groups). */
  expertCount: number;
  /** Width of one expert's output. */
  expertWidth: number;
  /** Width of the gate's input node (`on`). */
  inputWidth: number;
  /**
   * Report a problem. `property` selects the range: "params.k" points at that parameter,
   * omitted points at the gate's type. Codes should be MTL4xxx; default MTL4010. A code of the plugin's own
   * `codes` table needs no message: its templates are filled from `args` (`message`/`hint` still override).
   */
  report(d: { message?: string; hint?: string; severity?: Diagnostic['severity']; property?: string; code?: string; args?: Record<string, string | number> }): void;
}

/** What `build` receives. All tensors are symbolic tfjs-layers tensors. */
export interface GateBuildContext {
  tf: Tf;
  gate: GateNode;
  params: Record<string, JsonValue>;
  /** The gate's input (`on`), shape [batch, inputWidth]. */
  input: tfType.SymbolicTensor;
  /** The experts stacked, shape [batch, expertCount, expertWidth]. */
  experts: tfType.SymbolicTensor;
  expertCount: number;
  expertWidth: number;
  inputWidth: number;
  /** A unique, stable layer-name prefix for this gate (use it for every layer you create). */
  prefix: string;
  /** Seed for initialisers, derived from the training seed and the gate name. */
  seed: number;
  /** Register an auxiliary loss (e.g. load balancing): a symbolic scalar-per-example tensor [batch, 1] added, times `weight`, to the total loss during training. */
  addAuxLoss(loss: tfType.SymbolicTensor, weight: number): void;
}

/** What `build` returns. */
export interface GateBuildResult {
  /** The mixed output, shape [batch, expertWidth]. */
  output: tfType.SymbolicTensor;
  /** Per-example expert weights, shape [batch, expertCount] (for gate-usage reports). */
  weights: tfType.SymbolicTensor;
}

/** A gate type. */
export interface GatePlugin {
  /** The gate type name used in specs (`gate g = NAME over ...`). Letters, digits, '-' and '_'. */
  name: string;
  version: string;
  /** One paragraph; shown on hover and in `mtl plugins`. */
  description: string;
  /** JSON Schema of the gate's parameters (`softmax(temperature: 0.5)`); compiled by ajv at registration. Put a `description` on each property: it is shown on hover. */
  paramsSchema: Record<string, unknown>;
  /** Rules beyond the schema. Report through `ctx.report`; never throw for user mistakes. */
  check?(ctx: GateCheckContext): void;
  /** Build the gate's layers. */
  build(ctx: GateBuildContext): GateBuildResult;
  /** Custom tfjs layer classes this plugin uses; registered (under their `className`) before building or loading a model. Namespace the class names, e.g. "mtl>NoisyTopK". */
  layers?: Array<{ className: string } & (new (...args: never[]) => unknown)>;
  /**
   * Optional: how the direct step (native backend) computes this gate, for a "logits gate" — logits z = x·W (+ b)
   * of the gate input x, by default the Dense layer named `${prefix}_logits` (with bias), weights = a
   * normalisation of z, output = Σ_i weights_i · expert_i — optionally with trainable noise on z and an
   * auxiliary loss (see {@link GateDirectBinding}). Return the binding for these (validated) params and the
   * gate's layer-name prefix (the `prefix` of `build`), or `{ unsupported }` with a reason; without this member
   * the model trains on the tfjs step.
   */
  direct?(params: Record<string, JsonValue>, prefix: string): GateDirectBinding | GateNotSupported;
  /**
   * Optional: the PyTorch target's weights for a logits gate (see `direct`): a Python expression of the
   * tensor named by `logits` ([batch, experts]) giving the weights, e.g. `torch.softmax(logits / 2.0, dim=1)`;
   * or `{ unsupported }`. Without this member `mtl compile --target pytorch` rejects the gate (MTL5400).
   */
  pytorch?(params: Record<string, JsonValue>, logits: string): string | GateNotSupported;
  /**
   * Optional: the diagnostic codes this plugin reports from `check` (MTL4xxx), with message and hint
   * templates (`{name}` placeholders filled from the report's `args`) and docs: the plugin owns its codes.
   */
  codes?: Readonly<Record<string, PluginCode>>;
}

/** The default export of a plugin module. */
export type PluginFactory = () => GatePlugin;

/** Identity helper that gives plugin authors type checking: `export default definePlugin(() => ({ ... }))`. */
export function definePlugin(factory: PluginFactory): PluginFactory {
  return factory;
}

/**
 * What a plugin declares as data (its `mtl-plugin.json`, or the `"mtl"` field of its package.json):
 * enough to check gate types and parameters without running the plugin's code.
 */
export type PluginManifest = Pick<GatePlugin, 'name' | 'version' | 'description' | 'paramsSchema'>;

/** Where a registered plugin came from (for messages and hover). */
export interface LoadedPlugin {
  /** The plugin's declaration (from its manifest, or taken from its code). */
  manifest: PluginManifest;
  /** The plugin's code; absent when only its manifest was read (its code is not trusted to run). */
  plugin?: GatePlugin;
  /** The `use` source or the --plugin argument, or "builtin". */
  source: string;
  /** The range of the `use` declaration, when it came from a spec. */
  loc?: Range;
}

/**
 * What a gate's `direct` member returns: how the direct step's kernels compute the gate. The binding must
 * describe what `build` builds (test it with the conformance kit, mtl/plugin/testing, which trains both steps):
 *
 *   z = x·W (+ b)                                  the logits (`weights.kernel`, `weights.bias`)
 *   h = z + ε ⊙ softplus(x·W_noise)                 with `noise`, in training only; ε ~ N(0, 1), seeded
 *   weights = normalizer(h / temperature)           softmax, scale · sigmoid, or softmax over the top k
 *   loss += auxLoss.weight · auxLoss(weights)       with `auxLoss`, the loss `build` adds with ctx.addAuxLoss
 */
export interface GateDirectBinding {
  /**
   * softmax(h / temperature); scale · sigmoid(h / temperature); or `topk`: softmax over each example's `k`
   * largest h / temperature, exactly 0 for the other experts, whose logits then get no gradient (ties as
   * tfjs's TopK: the larger value, then the lower expert index).
   */
  normalizer: GateNormalizer;
  temperature: number;
  /** The sigmoid normaliser's upper bound (1 for softmax and topk). */
  scale: number;
  /** `topk`: the experts kept per example (1 ≤ k; above the number of experts mixed it keeps them all). */
  k?: number;
  /**
   * Trainable Gaussian noise on the logits in training (Shazeer et al. 2017, eq. 4): h = z + ε ⊙ softplus(x·W_noise),
   * W_noise the `weights.noise` kernel (no bias). The direct step draws ε from a counter-based generator keyed
   * by the run's seed, the step number and the gate, so a run and its resumption draw the same noise; it is
   * not the stream tfjs's `tf.randomNormal` draws. Never at prediction time.
   */
  noise?: boolean;
  /**
   * Where the gate's weights are in the model built by `build`, as `layer/weight` names (as tfjs names
   * them: the layer's name, then the name given to `addWeight`). Default: `${prefix}_logits/kernel` and
   * `${prefix}_logits/bias` (a Dense layer). Given, only the named weights exist: no `bias`, no bias.
   */
  weights?: { kernel: string; bias?: string; noise?: string };
  /**
   * The auxiliary loss `build` registers with ctx.addAuxLoss (the same weight), which the kernels then compute:
   * `importance` is CV(Σ_batch weights)² = var / (mean² + ε), the loss of the `noisy-topk` gate's
   * `balance_weight`. A gate that adds an auxiliary loss its binding does not declare keeps the tfjs step.
   */
  auxLoss?: { kind: GateAuxLoss; weight: number };
}

/** A target that does not run this gate, with the reason shown to the user. */
export interface GateNotSupported {
  unsupported: string;
}

/** A diagnostic code a plugin owns (see `GatePlugin.codes`). */
export interface PluginCode {
  severity: Diagnostic['severity'];
  /** A short title, e.g. "top-k above the expert count". */
  title: string;
  /** Message template: one sentence naming the gate, with `{name}` placeholders. */
  message: string;
  /** Optional hint template: how to fix it. */
  hint?: string;
  /** When it fires and how to fix it (docs). */
  doc: string;
}
