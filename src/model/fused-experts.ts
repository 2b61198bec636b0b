/**
 * Expert fusion: an expert group's k MLPs on the same input computed together — the first layer as ONE
 * wide matMul ([B, d] · [d, k·u₀]) and every further layer as ONE batched matMul ([k, B, uᵢ₋₁] ·
 * [k, uᵢ₋₁, uᵢ]) — instead of 2k small matMuls, k reshapes and a concatenation (and their gradients).
 * The weights stay per expert, with the shapes and initialisers of the unfused Dense layers, and are
 * concatenated / stacked inside the step (cheap copies), so a fused model's state, checkpoints and
 * export are those of the unfused one: {@link stateKey} maps the fused weight names back.
 * Only for groups without batch norm or dropout (those keep the per-expert layers).
 */
import * as tf from '@tensorflow/tfjs';
import type { ExpertsNode, Mlp } from '../ir/types.js';

type Activation = Mlp['activation'];
import { seededGlorot } from './mlp.js';

/** Activations the fused layer computes (the same functions tfjs-layers applies). */
const ACTIVATIONS: Partial<Record<Activation, (x: tf.Tensor) => tf.Tensor>> = {
  relu: (x) => tf.relu(x),
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  elu: (x) => tf.elu(x),
  selu: (x) => tf.selu(x),
  linear: (x) => x,
};

/** True when a group can be fused (several experts, no batch norm, no dropout, a supported activation). */
export function canFuse(node: ExpertsNode): boolean {
  return node.count > 1 && !node.mlp.batchNorm && node.mlp.dropout === 0 && ACTIVATIONS[node.mlp.activation] !== undefined;
}

/** Name of the fused layer of a group. */
export function fusedLayerName(group: string): string {
  return `expert_${group}_fused`;
}

const FUSED_WEIGHT = /^expert_(.+)_fused\/(\d+)_dense_(\d+)_(kernel|bias)$/;

/** The state key of a weight: a fused weight's unfused name (`expert_e_3_dense_0/kernel`), else the name itself. */
export function stateKey(originalName: string): string {
  const m = FUSED_WEIGHT.exec(originalName);
  return m ? `expert_${m[1]}_${m[2]}_dense_${m[3]}/${m[4]}` : originalName;
}

/** Configuration of {@link FusedExperts}. */
interface FusedExpertsArgs {
  name: string;
  group: string;
  count: number;
  units: number[];
  activation: Activation;
  seed: number;
}

/** The fused expert group: [batch, d] → [batch, count, lastUnits]. */
export class FusedExperts extends tf.layers.Layer {
  static readonly className = 'MtlFusedExperts';
  private readonly cfg: FusedExpertsArgs;
  private kernels: tf.LayerVariable[][] = [];
  private biases: tf.LayerVariable[][] = [];

  constructor(args: FusedExpertsArgs) {
    super({ name: args.name });
    this.cfg = args;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const { count, units, group, seed } = this.cfg;
    this.kernels = units.map(() => []);
    this.biases = units.map(() => []);
    // Per expert, per layer, kernel then bias: the order (and the seeded initialisers) of the unfused layers.
    for (let i = 0; i < count; i++) {
      let fanIn = shape[shape.length - 1] as number;
      units.forEach((u, j) => {
        const init = seededGlorot(seed, `expert_${group}_${i}_dense_${j}`);
        this.kernels[j]!.push(this.addWeight(`${i}_dense_${j}_kernel`, [fanIn, u], 'float32', init));
        this.biases[j]!.push(this.addWeight(`${i}_dense_${j}_bias`, [u], 'float32', tf.initializers.zeros()));
        fanIn = u;
      });
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0]!, this.cfg.count, this.cfg.units[this.cfg.units.length - 1]!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor2D;
      const { count, units } = this.cfg;
      const act = ACTIVATIONS[this.cfg.activation]!;
      const batch = x.shape[0];
      const u0 = units[0]!;
      // Layer 0: one wide matMul over the concatenated kernels.
      const w0 = tf.concat(this.kernels[0]!.map((k) => k.read()), 1);
      const b0 = tf.concat(this.biases[0]!.map((b) => b.read()), 0);
      let h: tf.Tensor = act(tf.add(tf.matMul(x, w0), b0));
      if (units.length === 1) return tf.reshape(h, [batch, count, u0]);
      // [B, k·u0] → [k, B, u0], then one batched matMul per further layer.
      h = tf.transpose(tf.reshape(h, [batch, count, u0]), [1, 0, 2]);
      for (let j = 1; j < units.length; j++) {
        const w = tf.stack(this.kernels[j]!.map((k) => k.read()));
        const b = tf.reshape(tf.stack(this.biases[j]!.map((v) => v.read())), [count, 1, units[j]!]);
        h = act(tf.add(tf.matMul(h as tf.Tensor3D, w as tf.Tensor3D), b));
      }
      return tf.transpose(h, [1, 0, 2]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), group: this.cfg.group, count: this.cfg.count, units: this.cfg.units, activation: this.cfg.activation, seed: this.cfg.seed };
  }
}

/** Apply a fused expert group to `on`: [batch, count, lastUnits]. */
export function applyFusedExperts(on: tf.SymbolicTensor, node: ExpertsNode, seed: number): tf.SymbolicTensor {
  return new FusedExperts({
    name: fusedLayerName(node.name),
    group: node.name,
    count: node.count,
    units: node.mlp.units,
    activation: node.mlp.activation,
    seed,
  }).apply(on) as tf.SymbolicTensor;
}
