/**
 * Per-task losses as tfjs ops on tower logits, written to be numerically stable in float32:
 * - bce on one sigmoid tower: sigmoid cross-entropy with logits;
 * - bce on a product head (`ctr * cvr`): log p = Σ log σ(z_i) and log(1 - p) = log1mexp(log p), never
 *   computed from a rounded product (EasyRec PR #76: the rounded product loses the tail and gives NaNs);
 * - mse on a value (a linear tower's output, or a probability);
 * - a masked mean that is exactly 0, with finite gradients, when no row of the batch is in the mask.
 * Float64 references for the tests live here too, so tests and code share one definition.
 */
import * as tf from '@tensorflow/tfjs';

/** log σ(z) = -softplus(-z), stable for any z: min(z, 0) - log1p(exp(-|z|)). */
export function logSigmoid(z: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.minimum(z, 0), tf.log1p(tf.exp(tf.neg(tf.abs(z))))));
}

/** Per-example sigmoid cross-entropy with logits: max(z, 0) - z·y + log1p(exp(-|z|)). */
export function bceWithLogits(z: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))));
}

/** Below this, log(1 - p) is clamped: a = 0 exactly would mean p = 1 and log(1 - p) = -inf. */
const LOG_P_MAX = -1e-30;
/** The switch point of log1mexp (Mächler 2012): log(-expm1(a)) above -ln 2, log1p(-exp(a)) below. */
const LN2 = Math.LN2;

/** log(1 - exp(x)) for x < 0, forward only: each branch gets an input that is safe for it. */
function log1mexpValue(x: tf.Tensor): tf.Tensor {
  const near = tf.greater(x, -LN2);
  const xNear = tf.where(near, x, tf.fill(x.shape, -LN2));
  const xFar = tf.where(near, tf.fill(x.shape, -1), x);
  return tf.where(near, tf.log(tf.neg(tf.expm1(xNear))), tf.log1p(tf.neg(tf.exp(xFar))));
}

/**
 * log(1 - exp(a)) for a ≤ 0, accurate over the whole range (Mächler 2012), with a custom gradient
 * d/da = -1 / expm1(-a): the branch selection (a comparison) has no gradient in tfjs, and a `where`
 * would leak NaN gradients from the branch it discards. `a` is clamped to ≤ -1e-30 (p = 1 exactly).
 */
export const log1mexp: (a: tf.Tensor) => tf.Tensor = tf.customGrad(((a: tf.Tensor, save: tf.GradSaveFunc) => {
  const x = tf.minimum(a, LOG_P_MAX);
  save([x]);
  return {
    value: log1mexpValue(x),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.div(tf.neg(dy), tf.expm1(tf.neg(saved[0]!))),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor) => tf.Tensor;

/** Per-example BCE of a product of sigmoid towers, in log space, from the towers' logits. */
export function productBce(logits: tf.Tensor[], y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const logP = tf.addN(logits.map((z) => logSigmoid(z)));
    const log1mP = log1mexp(logP);
    return tf.neg(tf.add(tf.mul(y, logP), tf.mul(tf.sub(1, y), log1mP)));
  });
}

/** Per-example squared error. */
export function squaredError(prediction: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.squaredDifference(prediction, y));
}

/**
 * Σ loss·mask / max(Σ mask, 1): the mean over the mask's rows, exactly 0 when the batch has none
 * (the per-example losses are finite, so 0·loss = 0 and the gradient is 0, never NaN).
 */
export function maskedMean(perExample: tf.Tensor, mask: Float32Array): tf.Scalar {
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i]!;
  const denominator = Math.max(count, 1);
  return tf.tidy(() => tf.div(tf.sum(tf.mul(perExample, tf.tensor1d(mask))), denominator) as tf.Scalar);
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

// ------------------------------------------------------------------ float64 references (tests)

/** log σ(z) in float64. */
export function logSigmoid64(z: number): number {
  return Math.min(z, 0) - Math.log1p(Math.exp(-Math.abs(z)));
}

/** log(1 - exp(a)) in float64. */
export function log1mexp64(a: number): number {
  return a > -LN2 ? Math.log(-Math.expm1(a)) : Math.log1p(-Math.exp(a));
}

/** BCE of a product of sigmoids with logits `z`, label y, in float64. */
export function productBce64(z: number[], y: number): number {
  const logP = z.reduce((s, v) => s + logSigmoid64(v), 0);
  return -(y * logP + (1 - y) * log1mexp64(logP));
}
