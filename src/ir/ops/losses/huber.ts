/**
 * The `huber` loss (δ = 1): ½(p − y)² when |p − y| ≤ 1, |p − y| − ½ beyond, so that outliers pull linearly
 * instead of quadratically (robust regression, e.g. watch time with a long tail).
 */
import { defineValueLoss } from './value-loss.js';

/** The `huber` loss definition. */
export const huber = defineValueLoss({
  name: 'huber',
  summary: 'Huber loss (δ = 1) of the head\'s value: squared near the label, linear beyond.',
  doc: 'Huber loss with δ = 1 on the head\'s value: ½(p − y)² when |p − y| ≤ 1, else |p − y| − ½. Less sensitive to outlying labels than mse.',
  // With a = |d| and q = min(a, 1): ½q² + (a − q) is ½d² inside and a − ½ outside, and tfjs differentiates it.
  tfjs: (tf, p, y) =>
    tf.tidy(() => {
      const a = tf.abs(tf.sub(p, y));
      const q = tf.minimum(a, 1);
      return tf.add(tf.mul(tf.square(q), 0.5), tf.sub(a, q));
    }),
  f64: (p, y) => {
    const d = p - y;
    const a = Math.abs(d);
    return a <= 1 ? [0.5 * d * d, d] : [a - 0.5, Math.sign(d)];
  },
  python: 'F.huber_loss(p, y, reduction="none", delta=1.0)',
});
