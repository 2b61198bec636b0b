/**
 * The direct step's plan: the part of a model's graph that the training loss depends on, as a list of
 * buffers (matrices of `cols` columns per example) and forward operations over them, with the keys of the
 * weights each operation reads. Built from the IR alone (pure), in the order the core model builds its
 * layers, with the weight names of src/model/tf-model.ts (`tower_t_dense_0/kernel`, `expert_e_3_dense_0/bias`,
 * `gate_g_logits/kernel`, …) so that the step can use the tfjs model's weights in place.
 *
 * Every MLP option of the language is planned: Dense → (batch norm → activation) → (dropout), per layer, as
 * src/model/mlp.ts builds it. A model the plan cannot express keeps the tfjs step, and
 * {@link planDirectStep} says why: a gate whose plugin has no `direct` member (src/plugins/api.ts) or whose
 * binding does not describe what it builds (a weight it names is missing, an auxiliary loss it does not
 * declare), a loss without a direct binding (src/ir/ops), an expert group with no layers.
 */
import type { ExpertsNode, Feature, GateNode, GraphNode, Mlp, ModelIR } from '../../ir/types.js';
import { featureWidth } from '../tf-model.js';
import { isEmbedded } from '../embeddings.js';
import { ACTIVATION_CODES, GRAD_FROM_INPUT } from '../../exec/direct/kernels.js';
import { directLoss } from '../../exec/direct/loss.js';
import { BATCH_NORM } from '../../ir/ops/constants.js';
import { GATE_AUX_LOSSES, GATE_KERNEL_MAX_EXPERTS, GATE_NORMALIZER_CODES } from '../../ir/ops/gate-normalizers.js';
import type { GateDirectBinding, GatePlugin } from '../../plugins/api.js';
import { builtinGate, BUILTIN_PLUGIN_FACTORIES } from '../../plugins/builtin.js';

/** A matrix of `blocks` × [rows, cols] (an expert group's layer output holds one block per expert). */
export interface PlanBuffer {
  /** What it holds, for messages: `feature c1`, `expert group e layer 0`, `gate g weights`. */
  name: string;
  cols: number;
  blocks: number;
  /** True when the loss's gradient must flow into it (anything but a plain numeric feature and saved statistics). */
  needsGrad: boolean;
  /** One row whatever the batch size (per-column statistics), instead of one row per example. */
  fixed?: boolean;
}

/** tfjs-layers' BatchNormalization defaults (src/ir/ops/constants.ts), which src/model/mlp.ts keeps. */
export const BATCH_NORM_EPSILON = BATCH_NORM.epsilon;
/** The moving statistics' momentum (src/ir/ops/constants.ts). */
export const BATCH_NORM_MOMENTUM = BATCH_NORM.momentum;

/**
 * One Dense layer of a stack of `count` parallel blocks (experts), with what follows it: weight keys per
 * block, buffers of `count` blocks.
 */
export interface PlanLayer {
  units: number;
  act: number;
  kernels: string[];
  /** Absent with batch norm (the Dense layer has no bias then). */
  biases?: string[];
  /** The Dense output; without batch norm the activation is applied to it in place. */
  linear: number;
  norm?: {
    gammas: string[];
    betas: string[];
    /** Moving statistics: not trained, updated in place by the forward pass as tfjs-layers does. */
    movingMeans: string[];
    movingVariances: string[];
    /** Normalised values x̂ and per-column 1/sqrt(σ² + ε), kept for the backward pass (training plans only). */
    xhat: number;
    invStd: number;
    /** Normalise with the moving statistics (a prediction plan) instead of the batch's. */
    inference: boolean;
  };
  /**
   * The activation's input when its derivative needs it (gelu, GRAD_FROM_INPUT): `linear` (bias added) or the
   * batch norm's output; the activation is then written to `activated`, a buffer of its own.
   */
  pre?: number;
  /** The activation's output: `linear` without batch norm (in place), else a buffer of its own. */
  activated: number;
  /** Dropout with a seeded mask; `stream` (+ block) keys its random numbers. Training plans only. */
  dropout?: { rate: number; mask: number; stream: number };
  /** What the next layer reads: `activated`, or its dropped-out copy. */
  out: number;
}

/** A forward operation. Buffers are indices into {@link DirectPlan.buffers}. */
export type PlanOp =
  | { kind: 'feature'; feature: Feature; out: number }
  | { kind: 'concat'; parts: number[]; out: number }
  /** An MLP (count 1: a layer node or a tower, whose last layer is its output unit) or an expert group (count k, every block reading the same input). */
  | { kind: 'dense'; name: string; input: number; count: number; layers: PlanLayer[] }
  | {
      kind: 'gate';
      name: string;
      input: number;
      /** Mixed experts: a buffer and a block in it, in the gate's expert order; empty when only the weights are needed. */
      experts: Array<{ buffer: number; block: number }>;
      /** A code of GATE_NORMALIZER_CODES: 0 softmax, 1 scale · sigmoid, 2 top-k softmax. */
      normalizer: number;
      /** Experts kept per example (top-k; the expert count otherwise). */
      k: number;
      invTemperature: number;
      scale: number;
      kernel: string;
      /** Absent when the gate's logits have no bias (noisy-topk). */
      bias?: string;
      /**
       * Training-time noise (training plans only): the noise layer's kernel, its output U = x·W_noise (whose
       * gradient flows back), the draws ε, and the gate's stream of the generator.
       */
      noise?: { kernel: string; logits: number; eps: number; stream: number };
      /** The importance loss's weight, when the gate declares it (training plans only). */
      importance?: number;
      /** The (noisy) logits h; their gradient buffer also takes the weights' gradient (mixGradAt's dW). */
      logits: number;
      weights: number;
      out: number;
    };

/** The direct step's plan. */
export interface DirectPlan {
  buffers: PlanBuffer[];
  ops: PlanOp[];
  /** Each tower's logit buffer ([rows, 1]), by tower name: the loss reads these. */
  towerLogits: Map<string, number>;
  /** Each gate's weights buffer ([rows, experts]), by gate name (prediction plans: every gate). */
  gateWeights: Map<string, number>;
  /** Every trained weight key the plan reads, with its element count. */
  weights: Map<string, number>;
  /** Batch-norm moving statistics the forward pass updates in place (not trained), with their element counts. */
  statistics: Map<string, number>;
}

/** What {@link planDirectStep} needs besides the IR. */
export interface PlanInput {
  /** The plugin auxiliary losses of the core model (src/model/tf-model.ts `aux`): each must be one its gate's binding declares. */
  auxLosses: ReadonlyArray<{ gate: string; weight: number }>;
  /** Element count of each weight of the core model (trainable or not), by state key. */
  weightSizes: Map<string, number>;
  /** Gate plugins by type (their `direct` member says how the step computes them); default: the first-party gates. */
  gates?: (type: string) => GatePlugin | undefined;
}

/**
 * A plan for training (`train`: batch statistics, dropout, gradients) or for prediction (`predict`: moving
 * statistics, no dropout, no gradients, every tower and every gate's weights).
 */
export type PlanMode = 'train' | 'predict';

/** Build the plan, or say why the model needs the tfjs step. */
export function planDirectStep(ir: ModelIR, input: PlanInput, mode: PlanMode = 'train'): { plan: DirectPlan } | { reason: string } {
  try {
    return { plan: new Planner(ir, input, mode).build() };
  } catch (e) {
    if (e instanceof Unsupported) return { reason: e.message };
    throw e;
  }
}

/** The first-party gates with a direct binding (for the message of a gate without one; any plugin may add one). */
function directBuiltinGates(): string[] {
  return BUILTIN_PLUGIN_FACTORIES.map((f) => f()).filter((p) => p.direct).map((p) => p.name);
}

/** A model feature the direct step does not compute. */
class Unsupported extends Error {}

class Planner {
  private readonly buffers: PlanBuffer[] = [];
  private readonly ops: PlanOp[] = [];
  private readonly values = new Map<string, number>();
  private readonly expertGroups = new Map<string, number>();
  private readonly weights = new Map<string, number>();
  private readonly statistics = new Map<string, number>();
  private readonly towerLogits = new Map<string, number>();
  private readonly gateWeights = new Map<string, number>();
  private readonly features: Map<string, Feature>;
  private readonly nodes: Map<string, GraphNode>;
  private dropoutStreams = 0;
  private noiseStreams = 0;

  constructor(
    private readonly ir: ModelIR,
    private readonly input: PlanInput,
    private readonly mode: PlanMode,
  ) {
    this.features = new Map(ir.features.map((f) => [f.name, f]));
    this.nodes = new Map(ir.nodes.map((n) => [n.name, n]));
  }

  build(): DirectPlan {
    for (const task of this.ir.tasks) {
      const loss = directLoss(task.loss.type);
      if (typeof loss !== 'function') throw new Unsupported(`task ${task.name}: ${loss.unsupported}`);
    }
    // What the core model's outputs need: every tower, and every gate's weights, i.e. the gate's input (which may
    // be another gate's mixture). A node no loss depends on gets no gradient, but its forward pass still
    // updates its batch-norm statistics, as the tfjs step's does. (A gate's own weights carry no state, and
    // experts that only an unused mixture reads are not in the core model at all.)
    // A prediction plan also computes the weights of every gate that no tower reads (they are outputs).
    for (const node of this.ir.nodes) if (node.kind === 'tower') this.resolve(node.name);
    for (const node of this.ir.nodes) if (node.kind === 'gate') this.resolve(node.on);
    // An auxiliary loss is in the training loss even when no tower reads its gate's mixture.
    const auxGates = new Set(this.input.auxLosses.map((a) => a.gate));
    for (const node of this.ir.nodes) {
      if (node.kind === 'gate' && !this.values.has(node.name) && (this.mode === 'predict' || auxGates.has(node.name))) this.values.set(node.name, this.gate(node, false));
    }
    return { buffers: this.buffers, ops: this.ops, towerLogits: this.towerLogits, gateWeights: this.gateWeights, weights: this.weights, statistics: this.statistics };
  }

  private buffer(name: string, cols: number, needsGrad: boolean, blocks = 1, fixed = false): number {
    // A prediction plan keeps no gradients.
    this.buffers.push({ name, cols, blocks, needsGrad: needsGrad && this.mode === 'train', ...(fixed ? { fixed } : {}) });
    return this.buffers.length - 1;
  }

  private key(key: string, size: number, into: Map<string, number>): string {
    const have = this.input.weightSizes.get(key);
    if (have === undefined) throw new Error(`internal: the core model has no weight '${key}'`);
    if (have !== size) throw new Error(`internal: weight '${key}' has ${have} values, the plan expects ${size}`);
    into.set(key, size);
    return key;
  }

  /** A weight a plugin's binding names: missing or of another size means the binding does not describe the build. */
  private pluginKey(gate: string, key: string, size: number): string {
    const have = this.input.weightSizes.get(key);
    if (have !== size) {
      throw new Unsupported(`gate ${gate}'s direct binding names the weight '${key}', which its build ${have === undefined ? 'does not create' : `creates with ${have} values, not ${size}`}`);
    }
    return this.key(key, size, this.weights);
  }

  private resolve(name: string): number {
    const done = this.values.get(name);
    if (done !== undefined) return done;
    const f = this.features.get(name);
    let out: number;
    if (f) {
      out = this.buffer(`feature ${f.name}`, featureWidth(f), isEmbedded(f));
      this.ops.push({ kind: 'feature', feature: f, out });
    } else {
      const node = this.nodes.get(name);
      if (!node) throw new Error(`internal: unknown reference '${name}' in a validated IR`);
      out = this.node(node);
    }
    this.values.set(name, out);
    return out;
  }

  private node(node: GraphNode): number {
    switch (node.kind) {
      case 'input': {
        const parts = node.from.map((p) => this.resolve(p));
        if (parts.length === 1) return parts[0]!;
        const cols = parts.reduce((s, p) => s + this.buffers[p]!.cols, 0);
        const out = this.buffer(`input ${node.name}`, cols, parts.some((p) => this.buffers[p]!.needsGrad));
        this.ops.push({ kind: 'concat', parts, out });
        return out;
      }
      case 'layer':
        return this.dense(`layer ${node.name}`, this.resolve(node.on), node.mlp, [`layer_${node.name}`], undefined);
      case 'tower': {
        const out = this.dense(`tower ${node.name}`, this.resolve(node.on), node.mlp, [`tower_${node.name}`], `tower_${node.name}_out`);
        this.towerLogits.set(node.name, out);
        return out;
      }
      case 'gate':
        return this.gate(node);
      case 'experts':
        throw new Error(`internal: expert group '${node.name}' used outside a gate in a validated IR`);
    }
  }

  /**
   * The MLP `mlp` on `input` for each prefix (one per block: `expert_e_3`), named as src/model/mlp.ts names
   * its layers, plus a linear output unit `outName` (towers). Returns the last layer's output.
   */
  private dense(what: string, input: number, mlp: Mlp, prefixes: string[], outName: string | undefined): number {
    const act = ACTIVATION_CODES[mlp.activation];
    if (act === undefined) throw new Unsupported(`${what} uses the ${mlp.activation} activation`);
    const count = prefixes.length;
    const layers: PlanLayer[] = [];
    let fanIn = this.buffers[input]!.cols;
    mlp.units.forEach((units, i) => {
      const names = (part: string) => prefixes.map((p) => `${p}_${part}_${i}`);
      const linear = this.buffer(`${what} layer ${i}`, units, true, count);
      const kernels = names('dense').map((k) => this.key(`${k}/kernel`, fanIn * units, this.weights));
      const layer: PlanLayer = { units, act, kernels, linear, activated: linear, out: linear };
      if (mlp.batchNorm) {
        const bn = names('bn');
        const inference = this.mode === 'predict';
        layer.norm = {
          gammas: bn.map((k) => this.key(`${k}/gamma`, units, this.weights)),
          betas: bn.map((k) => this.key(`${k}/beta`, units, this.weights)),
          movingMeans: bn.map((k) => this.key(`${k}/moving_mean`, units, this.statistics)),
          movingVariances: bn.map((k) => this.key(`${k}/moving_variance`, units, this.statistics)),
          xhat: inference ? -1 : this.buffer(`${what} layer ${i} normalised`, units, false, count),
          invStd: inference ? -1 : this.buffer(`${what} layer ${i} 1/std`, units, false, count, true),
          inference,
        };
        layer.activated = this.buffer(`${what} layer ${i} activation`, units, true, count);
      } else {
        layer.biases = names('dense').map((k) => this.key(`${k}/bias`, units, this.weights));
      }
      if (GRAD_FROM_INPUT.has(mlp.activation)) {
        layer.pre = layer.activated;
        layer.activated = this.buffer(`${what} layer ${i} ${mlp.activation}`, units, true, count);
      }
      layer.out = layer.activated;
      if (mlp.dropout > 0 && this.mode === 'train') {
        layer.dropout = { rate: mlp.dropout, mask: this.buffer(`${what} layer ${i} dropout mask`, units, false, count), stream: this.dropoutStreams };
        this.dropoutStreams += count;
        layer.out = this.buffer(`${what} layer ${i} dropout`, units, true, count);
      }
      layers.push(layer);
      fanIn = units;
    });
    if (outName) {
      const linear = this.buffer(`${what} logit`, 1, true);
      layers.push({ units: 1, act: ACTIVATION_CODES.linear!, kernels: [this.key(`${outName}/kernel`, fanIn, this.weights)], biases: [this.key(`${outName}/bias`, 1, this.weights)], linear, activated: linear, out: linear });
    }
    if (layers.length === 0) {
      if (count > 1) throw new Unsupported(`${what} has no layers`);
      return input;
    }
    this.ops.push({ kind: 'dense', name: what, input, count, layers });
    return layers[layers.length - 1]!.out;
  }

  /** An expert group's last-layer buffer (one block per expert), computed once for every gate that mixes it. */
  private experts(node: ExpertsNode): number {
    const done = this.expertGroups.get(node.name);
    if (done !== undefined) return done;
    const prefixes = Array.from({ length: node.count }, (_, i) => `expert_${node.name}_${i}`);
    const out = this.dense(`expert group ${node.name}`, this.resolve(node.on), node.mlp, prefixes, undefined);
    this.expertGroups.set(node.name, out);
    return out;
  }

  /** A gate: its weights, and (`mixes`) its mixture of the experts, which is its value. */
  private gate(node: GateNode, mixes = true): number {
    const plugin = (this.input.gates ?? builtinGate)(node.type);
    const prefix = `gate_${node.name}`;
    const binding = plugin?.direct?.(node.params, prefix);
    if (!binding || 'unsupported' in binding) {
      const names = directBuiltinGates();
      const list = `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
      const why = binding ? binding.unsupported : `the direct step computes the ${list} gates and any gate plugin that declares \`direct\``;
      throw new Unsupported(`gate ${node.name} is of type '${node.type}' (${why})`);
    }
    const normalizer = GATE_NORMALIZER_CODES[binding.normalizer];
    if (normalizer === undefined) throw new Unsupported(`gate ${node.name}'s direct binding has the unknown normaliser '${binding.normalizer}'`);
    const experts: Array<{ buffer: number; block: number }> = [];
    let n = 0;
    let width = 0;
    for (const group of node.over) {
      const g = this.nodes.get(group);
      if (!g || g.kind !== 'experts') throw new Error(`internal: gate '${node.name}' mixes '${group}', which is not an expert group`);
      n += g.count;
      width = g.width ?? g.mlp.units[g.mlp.units.length - 1]!;
      if (!mixes) continue;
      const buffer = this.experts(g);
      for (let i = 0; i < g.count; i++) experts.push({ buffer, block: i });
    }
    const aux = this.auxLoss(node, binding);
    if ((binding.normalizer === 'topk' || aux !== undefined) && n > GATE_KERNEL_MAX_EXPERTS) {
      throw new Unsupported(`gate ${node.name} mixes ${n} experts; the direct step's top-k and auxiliary-loss kernels take at most ${GATE_KERNEL_MAX_EXPERTS}`);
    }
    const input = this.resolve(node.on);
    const fanIn = this.buffers[input]!.cols;
    const names = binding.weights ?? { kernel: `${prefix}_logits/kernel`, bias: `${prefix}_logits/bias` };
    if (binding.noise && !binding.weights?.noise) throw new Unsupported(`gate ${node.name}'s direct binding asks for noise but names no \`weights.noise\` kernel`);
    const out = this.buffer(`gate ${node.name}`, width, true);
    const weights = this.buffer(`gate ${node.name} weights`, n, true);
    this.gateWeights.set(node.name, weights);
    const kernel = this.pluginKey(node.name, names.kernel, fanIn * n);
    const bias = names.bias === undefined ? undefined : this.pluginKey(node.name, names.bias, n);
    // The noise weights are trained only where noise is drawn: in training (the tfjs layer adds none at prediction).
    const noiseKernel = binding.noise && this.mode === 'train' ? this.pluginKey(node.name, binding.weights!.noise!, fanIn * n) : undefined;
    this.ops.push({
      kind: 'gate',
      name: node.name,
      input,
      experts,
      normalizer,
      k: binding.normalizer === 'topk' ? Math.max(1, Math.min(binding.k ?? n, n)) : n,
      invTemperature: 1 / binding.temperature,
      scale: binding.normalizer === 'sigmoid' ? binding.scale : 1,
      kernel,
      ...(bias ? { bias } : {}),
      ...(noiseKernel
        ? { noise: { kernel: noiseKernel, logits: this.buffer(`gate ${node.name} noise logits`, n, true), eps: this.buffer(`gate ${node.name} noise`, n, false), stream: this.noiseStreams++ } }
        : {}),
      ...(aux !== undefined && this.mode === 'train' ? { importance: aux } : {}),
      logits: this.buffer(`gate ${node.name} logits`, n, true),
      weights,
      out,
    });
    return out;
  }

  /**
   * The weight of the auxiliary loss a gate's binding declares, checked against the ones its build added to the
   * core model (the same count, kind and weight), or undefined when it has none.
   */
  private auxLoss(node: GateNode, binding: GateDirectBinding): number | undefined {
    const added = this.input.auxLosses.filter((a) => a.gate === node.name);
    const declared = binding.auxLoss;
    if (added.length > (declared ? 1 : 0)) throw new Unsupported(`gate ${node.name}'s plugin adds an auxiliary loss its direct binding does not declare`);
    if (!declared) return undefined;
    if (!(GATE_AUX_LOSSES as readonly string[]).includes(declared.kind)) throw new Unsupported(`gate ${node.name}'s direct binding declares the unknown auxiliary loss '${declared.kind}'`);
    if (added.length === 0 || added[0]!.weight !== declared.weight) {
      throw new Unsupported(`gate ${node.name}'s direct binding declares an auxiliary loss of weight ${declared.weight}, but its build added ${added.length === 0 ? 'none' : `one of weight ${added[0]!.weight}`}`);
    }
    return declared.weight;
  }
}
