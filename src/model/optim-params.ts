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
/**
 * How many of the updates an embedding row missed move its weights when it catches up under the dense-equivalent
 * Adam (rule `adam`, src/model/optim-sparse.ts). Missed update i moves a row by about β1^i/√β2^i of the first one
 * (its momentum decays; its gradient is zero), so after 192 of them what is left of the sum is below 1e-8 of it
 * (0.9^192·10 ≈ 1.6e-8), under float32's resolution (6e-8); the later updates only decay m and v, which is exact.
 */
export const ADAM_CATCH_UP_WINDOW = 192;
