/**
 * Optimiser hyper-parameters shared by the dense (tfjs) and sparse (embedding) optimisers, equal to
 * tfjs' defaults (tf.train.adam / tf.train.adagrad) so a model behaves as a hand-written tfjs one would.
 */

/** Adam β1. */
export const ADAM_BETA1 = 0.9;
/** Adam β2. */
export const ADAM_BETA2 = 0.999;
/** Adam ε (tfjs' backend epsilon). */
export const ADAM_EPSILON = 1e-7;
/** Adagrad's initial accumulator value (tfjs' default). */
export const ADAGRAD_INITIAL = 0.1;
/** Adagrad ε. */
export const ADAGRAD_EPSILON = 1e-7;
