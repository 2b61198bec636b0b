/**
 * MLP blocks of the core model: Dense → (BatchNormalization → Activation) → (Dropout) per layer, each
 * with a stable name under a prefix (`expert_e_3_dense_0`) and its own seeded initialiser, so experts of a
 * group never start equal and a model is reproducible for a seed.
 */
import * as tf from '@tensorflow/tfjs';
import type { Mlp } from '../ir/types.js';
import { deriveSeed } from './seed.js';
import { BATCH_NORM } from '../ir/ops/constants.js';
import { activationDef } from '../ir/ops/index.js';

/** The tfjs-layers activation identifier of the MLP's activation (from its op definition). */
type ActivationId = NonNullable<Parameters<typeof tf.layers.activation>[0]['activation']>;
function tfjsActivation(mlp: Mlp): ActivationId {
  return activationDef(mlp.activation)!.tfjs as ActivationId;
}

/** A seeded Glorot-uniform initialiser for the layer named `name`. */
export function seededGlorot(seed: number, name: string): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform({ seed: deriveSeed(seed, name) });
}

/** Apply the MLP `mlp` to `x`, naming layers `${prefix}_dense_${i}` (and `_bn_`, `_act_`, `_dropout_`). */
export function applyMlp(x: tf.SymbolicTensor, mlp: Mlp, prefix: string, seed: number): tf.SymbolicTensor {
  let h = x;
  mlp.units.forEach((units, i) => {
    const denseName = `${prefix}_dense_${i}`;
    h = tf.layers
      .dense({
        units,
        activation: mlp.batchNorm ? 'linear' : tfjsActivation(mlp),
        useBias: !mlp.batchNorm,
        kernelInitializer: seededGlorot(seed, denseName),
        name: denseName,
      })
      .apply(h) as tf.SymbolicTensor;
    if (mlp.batchNorm) {
      h = tf.layers.batchNormalization({ epsilon: BATCH_NORM.epsilon, momentum: BATCH_NORM.momentum, name: `${prefix}_bn_${i}` }).apply(h) as tf.SymbolicTensor;
      if (mlp.activation !== 'linear') h = tf.layers.activation({ activation: tfjsActivation(mlp), name: `${prefix}_act_${i}` }).apply(h) as tf.SymbolicTensor;
    }
    if (mlp.dropout > 0) h = tf.layers.dropout({ rate: mlp.dropout, name: `${prefix}_dropout_${i}` }).apply(h) as tf.SymbolicTensor;
  });
  return h;
}
