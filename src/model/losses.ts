/**
 * The task-loss reductions of the tfjs step (the weighted masked mean and Kendall et al.'s uncertainty weighting),
 * and the per-example losses of the op registry (src/ir/ops/losses) bound to this package's tfjs instance,
 * for callers and tests that use them directly. The losses themselves are defined once, in src/ir/ops.
 */
import * as tf from '@tensorflow/tfjs';
import { bceWithLogitsTf, productBceTf } from '../ir/ops/losses/bce.js';
import { log1mexpTf, logSigmoidTf } from '../ir/ops/losses/log-space.js';
import { weightedMeanDenominator } from '../ir/ops/losses/weighted-mean.js';

export { log1mexp64, logSigmoid64 } from '../ir/ops/losses/log-space.js';
export { productBce64 } from '../ir/ops/losses/bce.js';

/** log σ(z) = -softplus(-z), stable for any z (src/ir/ops/losses/log-space.ts). */
export function logSigmoid(z: tf.Tensor): tf.Tensor {
  return logSigmoidTf(tf, z);
}

/** Per-example sigmoid cross-entropy with logits (the `bce` op on one tower). */
export function bceWithLogits(z: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return bceWithLogitsTf(tf, z, y);
}

/** log(1 - exp(a)) for a ≤ 0 with a stable custom gradient (src/ir/ops/losses/log-space.ts). */
export function log1mexp(a: tf.Tensor): tf.Tensor {
  return log1mexpTf(tf, a);
}

/** Per-example BCE of a product of sigmoid towers, in log space (the `bce` op on a product head). */
export function productBce(logits: tf.Tensor[], y: tf.Tensor): tf.Tensor {
  return productBceTf(tf, logits, y);
}

/** Per-example squared error. */
export function squaredError(prediction: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.squaredDifference(prediction, y));
}

/**
 * Σ loss·w / Σ w with w = mask × sample weight (src/ir/ops/losses/weighted-mean.ts): the weighted
 * mean over the mask's rows, exactly 0 when the batch has no row of positive weight (the per-example losses
 * are finite, so 0·loss = 0 and the gradient is 0, never NaN).
 */
export function maskedMean(perExample: tf.Tensor, weights: Float32Array): tf.Scalar {
  const denominator = weightedMeanDenominator(weights);
  return tf.tidy(() => tf.div(tf.sum(tf.mul(perExample, tf.tensor1d(weights))), denominator) as tf.Scalar);
}

/**
 * Kendall et al. (2018) uncertainty weighting, in the regression form used for every task:
 * Σ_t w_t·exp(-s_t)·L_t + s_t, with s_t = log σ_t² learned. The classification form (no ½, s_t/2) differs
 * only by constants that the learned s_t absorbs, so one form keeps the mixed bce/mse case simple.
 */
export function uncertaintyWeighted(taskLosses: tf.Scalar[], weights: number[], logVars: tf.Tensor[]): tf.Scalar {
  return tf.tidy(() =>
    tf.addN(taskLosses.map((loss, t) => tf.add(tf.mul(tf.mul(tf.exp(tf.neg(logVars[t]!)), loss), weights[t]!), logVars[t]!))).reshape([]) as tf.Scalar,
  );
}
