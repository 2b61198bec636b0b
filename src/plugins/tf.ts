/**
 * `mtl/plugin/tf`: the tfjs namespace the compiler uses. A plugin that defines a custom layer class must
 * extend `tf.layers.Layer` from here (a second copy of tfjs has its own class registry, and the saved model
 * would not reload). In `build`, use `ctx.tf`.
 */
export * as tf from '@tensorflow/tfjs';
