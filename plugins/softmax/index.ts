/**
 * The first-party `softmax` gate (MMoE, Ma et al. KDD 2018): weights = softmax(Dense(expertCount)(input) / T),
 * output = Σ_i weights_i · expert_i. Written only against the public plugin API (src/plugins/api.ts) and
 * built-in tfjs layers, so a saved model needs no custom layer class to load.
 */
import { definePlugin } from '../../src/plugins/api.js';
import type { JsonValue } from '../../src/ir/types.js';

/** The temperature with its default applied (the one place that knows the default). */
function temperatureOf(params: Record<string, JsonValue>): number {
  return typeof params['temperature'] === 'number' ? params['temperature'] : 1;
}

/** A Python float literal. */
const pyNum = (n: number): string => (Number.isInteger(n) ? `${n}.0` : String(n));

export default definePlugin(() => ({
  name: 'softmax',
  version: '1.0.0',
  description:
    'Mixes the experts with softmax weights computed by one dense layer from the gate input (the MMoE gate). `temperature` divides the logits: below 1 sharpens the mixture, above 1 flattens it.',
  paramsSchema: {
    type: 'object',
    properties: {
      temperature: {
        type: 'number',
        exclusiveMinimum: 0,
        default: 1,
        description: 'Softmax temperature T > 0: the gate logits are divided by T (default 1).',
      },
    },
    additionalProperties: false,
  },
  build(ctx) {
    const { tf, prefix } = ctx;
    const temperature = temperatureOf(ctx.params);
    let logits = tf.layers
      .dense({
        units: ctx.expertCount,
        kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed }),
        name: `${prefix}_logits`,
      })
      .apply(ctx.input) as typeof ctx.input;
    // Rescaling is a built-in layer, so the temperature survives save/load without a custom class.
    if (temperature !== 1) logits = tf.layers.rescaling({ scale: 1 / temperature, name: `${prefix}_temperature` }).apply(logits) as typeof ctx.input;
    const weights = tf.layers.softmax({ name: `${prefix}_softmax` }).apply(logits) as typeof ctx.input;
    // [B, n] · [B, n, d] over the expert axis → [B, d].
    const output = tf.layers.dot({ axes: [1, 1], name: `${prefix}_mix` }).apply([weights, ctx.experts]) as typeof ctx.input;
    return { output, weights };
  },
  direct: (params) => ({ normalizer: 'softmax', temperature: temperatureOf(params), scale: 1 }),
  pytorch: (params, logits) => `torch.softmax(${logits} / ${pyNum(temperatureOf(params))}, dim=1)`,
}));
