/**
 * Log-space helpers of the probability losses, in tfjs (taking the tfjs namespace, see ../types.ts) and in
 * float64 (the direct step and the tests' references): log σ(z) and log(1 − exp(a)) (Mächler 2012).
 */
import type * as tfType from '@tensorflow/tfjs';
import { LN2, LOG_P_MAX } from '../constants.js';
import type { Tf } from '../types.js';

/** log σ(z) = −softplus(−z), stable for any z: min(z, 0) − log1p(exp(−|z|)). */
export function logSigmoidTf(tf: Tf, z: tfType.Tensor): tfType.Tensor {
  return tf.tidy(() => tf.sub(tf.minimum(z, 0), tf.log1p(tf.exp(tf.neg(tf.abs(z))))));
}

/** log(1 − exp(x)) for x < 0, forward only: each branch gets an input that is safe for it. */
function log1mexpValue(tf: Tf, x: tfType.Tensor): tfType.Tensor {
  const near = tf.greater(x, -LN2);
  const xNear = tf.where(near, x, tf.fill(x.shape, -LN2));
  const xFar = tf.where(near, tf.fill(x.shape, -1), x);
  return tf.where(near, tf.log(tf.neg(tf.expm1(xNear))), tf.log1p(tf.neg(tf.exp(xFar))));
}

/** One customGrad function per tfjs instance (customGrad binds to the instance's engine). */
const log1mexpByTf = new WeakMap<Tf, (a: tfType.Tensor) => tfType.Tensor>();

/**
 * log(1 − exp(a)) for a ≤ 0, accurate over the whole range, with a custom gradient d/da = −1 / expm1(−a):
 * the branch selection (a comparison) has no gradient in tfjs, and a `where` would leak NaN gradients from
 * the branch it discards. `a` is clamped to ≤ LOG_P_MAX (p = 1 exactly).
 */
export function log1mexpTf(tf: Tf, a: tfType.Tensor): tfType.Tensor {
  let fn = log1mexpByTf.get(tf);
  if (!fn) {
    fn = tf.customGrad(((x0: tfType.Tensor, save: tfType.GradSaveFunc) => {
      const x = tf.minimum(x0, LOG_P_MAX);
      save([x]);
      return {
        value: log1mexpValue(tf, x),
        gradFunc: (dy: tfType.Tensor, saved: tfType.Tensor[]) => tf.div(tf.neg(dy), tf.expm1(tf.neg(saved[0]!))),
      };
    }) as unknown as Parameters<Tf['customGrad']>[0]) as unknown as (a: tfType.Tensor) => tfType.Tensor;
    log1mexpByTf.set(tf, fn);
  }
  return fn(a);
}

/** log σ(z) in float64. */
export function logSigmoid64(z: number): number {
  return Math.min(z, 0) - Math.log1p(Math.exp(-Math.abs(z)));
}

/** log(1 − exp(a)) in float64. */
export function log1mexp64(a: number): number {
  return a > -LN2 ? Math.log(-Math.expm1(a)) : Math.log1p(-Math.exp(a));
}

/** σ(z) in float64, without overflow for large |z|. */
export function sigmoid64(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
