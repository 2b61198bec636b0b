/** The `mse` loss: the squared error of the head's value, (p − y)². */
import { defineValueLoss } from './value-loss.js';

/** The `mse` loss definition. */
export const mse = defineValueLoss({
  name: 'mse',
  summary: 'Squared error (p − y)² of the head\'s value.',
  doc: 'Mean squared error on the head\'s value (a linear tower\'s output, the product of two linear towers, or a product of probabilities).',
  warnOnProbability: true,
  tfjs: (tf, p, y) => tf.squaredDifference(p, y),
  f64: (p, y) => [(p - y) * (p - y), 2 * (p - y)],
  python: '(p - y) ** 2',
});
