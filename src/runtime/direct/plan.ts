/**
 * The direct step's plan: the part of a model's graph that the training loss depends on, as a list of
 * buffers (matrices of `cols` columns per example) and forward operations over them, with the keys of the
 * weights each operation reads. Built from the IR alone (pure), in the order the core model builds its
 * layers, with the weight names of src/compile/graph.ts (`tower_t_dense_0/kernel`, `expert_e_3_dense_0/bias`,
 * `gate_g_logits/kernel`, …) so that the step can use the tfjs model's weights in place.
 *
 * A model the plan cannot express keeps the tfjs step, and {@link planDirectStep} says why: batch norm,
 * dropout, a gelu activation, a gate type other than the first-party `softmax` and `sigmoid`, a plugin's
 * auxiliary loss.
 */
import type { ExpertsNode, Feature, GateNode, GraphNode, Mlp, ModelIR, TowerNode } from '../../ir/types.js';
import { featureWidth } from '../../compile/graph.js';
import { isEmbedded } from '../embeddings.js';
import { ACTIVATION_CODES } from './kernels.js';

/** A matrix of `blocks` × [rows, cols] (an expert group's layer output holds one block per expert). */
export interface PlanBuffer {
  /** What it holds, for messages: `feature c1`, `expert e layer 0`, `gate g weights`. */
  name: string;
  cols: number;
  blocks: number;
  /** True when the loss's gradient must flow into it (anything but a plain numeric feature). */
  needsGrad: boolean;
}

/** One Dense layer: kernel [in, units] and bias [units] by state key, then an activation code. */
export interface PlanDense {
  kernel: string;
  bias: string;
  units: number;
  act: number;
  /** The layer's output buffer. */
  out: number;
}

/** A forward operation. Buffers are indices into {@link DirectPlan.buffers}. */
export type PlanOp =
  | { kind: 'feature'; feature: Feature; out: number }
  | { kind: 'concat'; parts: number[]; out: number }
  | { kind: 'mlp'; input: number; layers: PlanDense[] }
  | { kind: 'experts'; input: number; count: number; layers: Array<{ kernels: string[]; biases: string[]; units: number; act: number; out: number }> }
  | {
      kind: 'gate';
      name: string;
      input: number;
      /** Mixed experts: a buffer and a block in it, in the gate's expert order. */
      experts: Array<{ buffer: number; block: number }>;
      /** 0 softmax, 1 scale · sigmoid. */
      normalizer: 0 | 1;
      invTemperature: number;
      scale: number;
      kernel: string;
      bias: string;
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
  /** Every weight key the plan reads, with its element count. */
  weights: Map<string, number>;
}

/** What {@link planDirectStep} needs besides the IR. */
export interface PlanInput {
  /** Number of plugin auxiliary losses in the core model (any → no plan). */
  auxLosses: number;
  /** Element count of each trainable weight of the core model, by state key. */
  weightSizes: Map<string, number>;
}

/** Build the plan, or say why the model needs the tfjs step. */
export function planDirectStep(ir: ModelIR, input: PlanInput): { plan: DirectPlan } | { reason: string } {
  try {
    return { plan: new Planner(ir, input).build() };
  } catch (e) {
    if (e instanceof Unsupported) return { reason: e.message };
    throw e;
  }
}

/** A model feature the direct step does not compute. */
class Unsupported extends Error {}

const GATE_NORMALIZERS: Record<string, 0 | 1> = { softmax: 0, sigmoid: 1 };

class Planner {
  private readonly buffers: PlanBuffer[] = [];
  private readonly ops: PlanOp[] = [];
  private readonly values = new Map<string, number>();
  private readonly expertGroups = new Map<string, number>();
  private readonly weights = new Map<string, number>();
  private readonly towerLogits = new Map<string, number>();
  private readonly features: Map<string, Feature>;
  private readonly nodes: Map<string, GraphNode>;

  constructor(
    private readonly ir: ModelIR,
    private readonly input: PlanInput,
  ) {
    this.features = new Map(ir.features.map((f) => [f.name, f]));
    this.nodes = new Map(ir.nodes.map((n) => [n.name, n]));
  }

  build(): DirectPlan {
    if (this.input.auxLosses > 0) throw new Unsupported('a gate plugin adds an auxiliary loss');
    // Towers in IR order, as the core model builds them; only what a task's head needs is computed.
    const heads = new Set(this.ir.tasks.flatMap((t) => t.head));
    for (const node of this.ir.nodes) if (node.kind === 'tower' && heads.has(node.name)) this.resolve(node.name);
    return { buffers: this.buffers, ops: this.ops, towerLogits: this.towerLogits, weights: this.weights };
  }

  private buffer(name: string, cols: number, needsGrad: boolean, blocks = 1): number {
    this.buffers.push({ name, cols, blocks, needsGrad });
    return this.buffers.length - 1;
  }

  private weight(key: string, size: number): string {
    const have = this.input.weightSizes.get(key);
    if (have === undefined) throw new Error(`internal: the core model has no weight '${key}'`);
    if (have !== size) throw new Error(`internal: weight '${key}' has ${have} values, the plan expects ${size}`);
    this.weights.set(key, size);
    return key;
  }

  private activation(mlp: Mlp, where: string): number {
    if (mlp.batchNorm) throw new Unsupported(`${where} uses batch norm`);
    if (mlp.dropout > 0) throw new Unsupported(`${where} uses dropout`);
    const act = ACTIVATION_CODES[mlp.activation];
    if (act === undefined) throw new Unsupported(`${where} uses the ${mlp.activation} activation`);
    return act;
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
        return this.mlp(this.resolve(node.on), node.mlp, `layer_${node.name}`, `layer ${node.name}`, undefined);
      case 'tower':
        return this.tower(node);
      case 'gate':
        return this.gate(node);
      case 'experts':
        throw new Error(`internal: expert group '${node.name}' used outside a gate in a validated IR`);
    }
  }

  /** Dense layers `${prefix}_dense_i`, plus an output unit when `outName` is given; returns the last output. */
  private mlp(input: number, mlp: Mlp, prefix: string, what: string, outName: string | undefined): number {
    const act = this.activation(mlp, what);
    const layers: PlanDense[] = [];
    let fanIn = this.buffers[input]!.cols;
    mlp.units.forEach((units, i) => {
      const name = `${prefix}_dense_${i}`;
      layers.push({ kernel: this.weight(`${name}/kernel`, fanIn * units), bias: this.weight(`${name}/bias`, units), units, act, out: this.buffer(`${what} layer ${i}`, units, true) });
      fanIn = units;
    });
    if (outName) layers.push({ kernel: this.weight(`${outName}/kernel`, fanIn), bias: this.weight(`${outName}/bias`, 1), units: 1, act: ACTIVATION_CODES.linear!, out: this.buffer(`${what} logit`, 1, true) });
    if (layers.length === 0) return input;
    this.ops.push({ kind: 'mlp', input, layers });
    return layers[layers.length - 1]!.out;
  }

  private tower(node: TowerNode): number {
    const out = this.mlp(this.resolve(node.on), node.mlp, `tower_${node.name}`, `tower ${node.name}`, `tower_${node.name}_out`);
    this.towerLogits.set(node.name, out);
    return out;
  }

  /** An expert group's last-layer buffer (one block per expert), computed once for every gate that mixes it. */
  private experts(node: ExpertsNode): number {
    const done = this.expertGroups.get(node.name);
    if (done !== undefined) return done;
    const act = this.activation(node.mlp, `expert group ${node.name}`);
    const input = this.resolve(node.on);
    let fanIn = this.buffers[input]!.cols;
    const layers = node.mlp.units.map((units, j) => {
      const keys = Array.from({ length: node.count }, (_, i) => `expert_${node.name}_${i}_dense_${j}`);
      const layer = {
        kernels: keys.map((k) => this.weight(`${k}/kernel`, fanIn * units)),
        biases: keys.map((k) => this.weight(`${k}/bias`, units)),
        units,
        act,
        out: this.buffer(`expert group ${node.name} layer ${j}`, units, true, node.count),
      };
      fanIn = units;
      return layer;
    });
    if (layers.length === 0) throw new Unsupported(`expert group ${node.name} has no layers`);
    this.ops.push({ kind: 'experts', input, count: node.count, layers });
    const out = layers[layers.length - 1]!.out;
    this.expertGroups.set(node.name, out);
    return out;
  }

  private gate(node: GateNode): number {
    const normalizer = GATE_NORMALIZERS[node.type];
    if (normalizer === undefined) throw new Unsupported(`gate ${node.name} is of type '${node.type}' (the direct step computes softmax and sigmoid gates)`);
    const experts: Array<{ buffer: number; block: number }> = [];
    for (const group of node.over) {
      const g = this.nodes.get(group);
      if (!g || g.kind !== 'experts') throw new Error(`internal: gate '${node.name}' mixes '${group}', which is not an expert group`);
      const buffer = this.experts(g);
      for (let i = 0; i < g.count; i++) experts.push({ buffer, block: i });
    }
    const input = this.resolve(node.on);
    const width = this.buffers[experts[0]!.buffer]!.cols;
    const n = experts.length;
    const number = (key: string): number => (typeof node.params[key] === 'number' ? (node.params[key] as number) : 1);
    const prefix = `gate_${node.name}_logits`;
    const out = this.buffer(`gate ${node.name}`, width, true);
    this.ops.push({
      kind: 'gate',
      name: node.name,
      input,
      experts,
      normalizer,
      invTemperature: 1 / number('temperature'),
      scale: normalizer === 1 ? number('scale') : 1,
      kernel: this.weight(`${prefix}/kernel`, this.buffers[input]!.cols * n),
      bias: this.weight(`${prefix}/bias`, n),
      logits: this.buffer(`gate ${node.name} logits`, n, true),
      weights: this.buffer(`gate ${node.name} weights`, n, true),
      out,
    });
    return out;
  }
}
