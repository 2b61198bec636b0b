import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { bceWithLogits, log1mexp, log1mexp64, logSigmoid64, maskedMean, productBce, productBce64, uncertaintyWeighted } from '../../src/model/losses.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** |got - want| within a relative tolerance suited to float32, with an absolute floor. */
function close(got: number, want: number, rel = 2e-5, abs = 1e-6): void {
  expect(Number.isFinite(got)).toBe(true);
  expect(Math.abs(got - want)).toBeLessThanOrEqual(Math.max(abs, rel * Math.abs(want)));
}

describe('losses', () => {
  it('sigmoid cross-entropy with logits matches float64', () => {
    const z = [-50, -8, -1, 0, 0.5, 3, 17, 60];
    for (const y of [0, 1]) {
      const got = bceWithLogits(tf.tensor1d(z), tf.fill([z.length], y)).dataSync();
      z.forEach((v, i) => close(got[i]!, -(y * logSigmoid64(v) + (1 - y) * logSigmoid64(-v))));
    }
  });

  it('log1mexp is accurate on both sides of -ln 2', () => {
    const a = [-1e-20, -1e-7, -0.01, -0.5, -Math.LN2, -0.7, -3, -30, -90];
    const got = log1mexp(tf.tensor1d(a)).dataSync();
    // float32 rounding of the input itself bounds the attainable accuracy near 0.
    a.forEach((v, i) => close(got[i]!, log1mexp64(Math.fround(v)), 1e-5));
  });

  it('product BCE in log space matches a float64 reference, with p near 0 and near 1', () => {
    const heads = [
      [0, 0],
      [2, -1],
      [-20, -20], // p ≈ 4e-18
      [-60, 3], // p ≈ 1e-26
      [12, 12], // p ≈ 1 - 1.2e-5
      [30, 30], // p ≈ 1 - 1.9e-13: a rounded product would give log(1 - p) = -inf
      [16, 25, 20], // three towers
    ];
    for (const y of [0, 1]) {
      for (const z of heads) {
        const logits = z.map((v) => tf.tensor1d([v]));
        const got = productBce(logits, tf.tensor1d([y])).dataSync()[0]!;
        close(got, productBce64(z, y), 5e-5);
      }
    }
  });

  it('product BCE keeps gradients finite at the extremes', () => {
    for (const z of [
      [200, 200],
      [-200, -200],
      [0, 0],
      [30, 30],
    ]) {
      for (const y of [0, 1]) {
        const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(productBce([a, b], tf.tensor1d([y]))))([tf.tensor1d([z[0]!]), tf.tensor1d([z[1]!])]);
        for (const g of grads) expect(Number.isFinite(g.dataSync()[0]!)).toBe(true);
      }
    }
    // ∂/∂a of -log(1 - σ(a)σ(b)) at a = b = 0: σ'(0)·σ(0)/(1 - σ(0)²) = 0.25·0.5/0.75.
    const g = tf.grad((a: tf.Tensor) => tf.sum(productBce([a, tf.tensor1d([0])], tf.tensor1d([0]))))(tf.tensor1d([0])).dataSync()[0]!;
    close(g, (0.25 * 0.5) / 0.75);
  });

  it('masked mean is exactly 0, with zero finite gradients, when no row is in the mask', () => {
    const loss = tf.tensor1d([0.3, 2, 5]);
    expect(maskedMean(loss, new Float32Array([0, 0, 0])).dataSync()[0]).toBe(0);
    close(maskedMean(loss, new Float32Array([1, 0, 1])).dataSync()[0]!, 2.65);
    const g = tf.grad((z: tf.Tensor) => maskedMean(bceWithLogits(z, tf.tensor1d([1, 0, 1])), new Float32Array(3)))(tf.tensor1d([100, -100, 0])).dataSync();
    expect(Array.from(g)).toEqual([0, 0, 0]);
  });

  it('uncertainty weighting is Σ w·exp(-s)·L + s', () => {
    const total = uncertaintyWeighted([tf.scalar(2), tf.scalar(0.5)], [1, 3], [tf.scalar(0.7), tf.scalar(-0.2)]).dataSync()[0]!;
    close(total, Math.exp(-0.7) * 2 + 0.7 + 3 * Math.exp(0.2) * 0.5 - 0.2);
  });
});
