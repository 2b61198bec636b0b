/**
 * The `mtl>NoisyTopK` tfjs layer: noisy top-k gating (Shazeer et al. 2017, eq. 3-5).
 *
 *   H(x)_i = (x·W_g)_i + ε_i · softplus((x·W_noise)_i)   (ε ~ N(0, 1), training only)
 *   G(x)   = softmax(KeepTopK(H(x) / T, k))              (the others set to -∞: weight exactly 0)
 *
 * A custom layer (not a stack of built-ins) because top-k masking has no built-in layer and tfjs has no
 * gradient for TopK: the mask is computed under `customGrad` with a zero gradient, so the gradient flows
 * only through the kept logits, as in the paper. Weights are created in `build()` and every setting is
 * in `getConfig()`, so a saved model reloads (once the class is registered) with identical predictions.
 */
import * as tf from '@tensorflow/tfjs';

/** Constructor arguments of {@link NoisyTopKLayer}; also its serialised config. */
export interface NoisyTopKArgs {
  /** Number of experts (the layer's output width). */
  experts: number;
  /** Experts kept per example. */
  k: number;
  /** Add trainable Gaussian noise to the logits during training. */
  noise: boolean;
  /** Temperature dividing the logits before the softmax. */
  temperature: number;
  /** Seed of the kernel initialiser and of the noise sequence. */
  seed: number;
  name?: string;
  trainable?: boolean;
}

type Kwargs = Record<string, unknown>;

/** Default layer names: tfjs would derive one from the class name, whose '>' is not valid in a weight name. */
let unnamed = 0;

/**
 * A 0/1 mask of the k largest entries of each row of `logits` [batch, n]. Its gradient is zero: which
 * experts are kept is a discrete choice (tfjs registers no gradient for TopK, so without `customGrad`
 * training would throw).
 */
function topKMask(logits: tf.Tensor2D, k: number): tf.Tensor2D {
  const n = logits.shape[1];
  const masked = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor;
    const { indices } = tf.topk(x, k);
    const value = tf.sum(tf.oneHot(tf.cast(indices, 'int32') as tf.Tensor2D, n), 1);
    return { value, gradFunc: () => tf.zerosLike(x) };
  });
  return masked(logits) as tf.Tensor2D;
}

/** Noisy top-k gate weights [batch, experts] from the gate input [batch, width]. */
export class NoisyTopKLayer extends tf.layers.Layer {
  /** The registered (namespaced) class name: the key in a saved model.json. */
  static className = 'mtl>NoisyTopK';
  readonly experts: number;
  readonly k: number;
  readonly noise: boolean;
  readonly temperature: number;
  readonly seed: number;
  private gateKernel: tf.LayerVariable | undefined;
  private noiseKernel: tf.LayerVariable | undefined;
  /** Training calls so far: each draws fresh noise from `seed + calls`, so a run is reproducible without repeating one draw. */
  private calls = 0;

  constructor(args: NoisyTopKArgs) {
    super({ name: args.name ?? `noisy_topk_${++unnamed}`, trainable: args.trainable ?? true });
    this.experts = args.experts;
    this.k = Math.max(1, Math.min(args.k, args.experts));
    this.noise = args.noise;
    this.temperature = args.temperature;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const width = shape[shape.length - 1] as number;
    this.gateKernel = this.addWeight('gate_kernel', [width, this.experts], 'float32', tf.initializers.glorotUniform({ seed: this.seed }));
    // Zero noise weights as in the paper: the noise starts at softplus(0) ≈ 0.69 and is learnt from there.
    if (this.noise) this.noiseKernel = this.addWeight('noise_kernel', [width, this.experts], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0] ?? null, this.experts];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor2D;
    const training = kwargs['training'] === true;
    const drawSeed = training && this.noise ? this.seed + ++this.calls : 0;
    return tf.tidy(() => {
      let logits: tf.Tensor2D = tf.matMul(x, this.gateKernel!.read() as tf.Tensor2D);
      if (training && this.noise) {
        const std = tf.softplus(tf.matMul(x, this.noiseKernel!.read() as tf.Tensor2D));
        logits = tf.add(logits, tf.mul(tf.randomNormal(logits.shape, 0, 1, 'float32', drawSeed), std));
      }
      if (this.temperature !== 1) logits = tf.div(logits, this.temperature);
      if (this.k >= this.experts) return tf.softmax(logits);
      const keep = tf.cast(topKMask(logits, this.k), 'bool');
      return tf.softmax(tf.where(keep, logits, tf.fill(logits.shape, -Infinity)));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), experts: this.experts, k: this.k, noise: this.noise, temperature: this.temperature, seed: this.seed };
  }
}
