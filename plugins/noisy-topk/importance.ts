/**
 * The `mtl>ImportanceLoss` tfjs layer: the importance loss of Shazeer et al. 2017 (eq. 6),
 * CV(Importance(X))², where Importance(X) = Σ_x G(x) sums each expert's gate weight over the batch.
 * It is 0 when every expert gets the same total weight and grows as the gate favours a few experts.
 * A batch statistic, returned repeated on every row ([batch, 1]) because the compiler's auxiliary
 * losses are per example and averaged over the batch.
 */
import * as tf from '@tensorflow/tfjs';
import { IMPORTANCE_EPSILON } from '../../src/plugins/api.js';

/** Constructor arguments of {@link ImportanceLossLayer}. */
export interface ImportanceLossArgs {
  name?: string;
}

/** Default layer names: tfjs would derive one from the class name, whose '>' is not valid in a weight name. */
let unnamed = 0;

/** Squared coefficient of variation of the per-expert weight sums, [batch, experts] → [batch, 1]. */
export class ImportanceLossLayer extends tf.layers.Layer {
  /** The registered (namespaced) class name. */
  static className = 'mtl>ImportanceLoss';

  constructor(args: ImportanceLossArgs = {}) {
    super({ name: args.name ?? `importance_loss_${++unnamed}`, trainable: false });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0] ?? null, 1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const w = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor2D;
    return tf.tidy(() => {
      const importance = tf.sum(w, 0);
      const { mean, variance } = tf.moments(importance);
      const cv2 = tf.div(variance, tf.add(tf.square(mean), IMPORTANCE_EPSILON));
      return tf.mul(tf.onesLike(tf.slice(w, [0, 0], [-1, 1])), cv2);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig() };
  }
}
