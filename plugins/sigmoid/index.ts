/**
 * The first-party `sigmoid` gate: every expert gets its own weight scale · σ(z_i / T), z = Dense(input),
 * with no competition between experts (the weights need not sum to 1).
 *
 * Why a recommender team uses it: a softmax gate makes experts compete, so in MMoE one task often ends up
 * on one or two experts and the rest go unused or get polarised (the "expert collapse" that CGC/PLE and
 * later work report). Independent sigmoid gates let a task take several experts fully, or turn most of
 * them down, and are the gates of Kuaishou's PEPNet (Gate NU: γ·σ(·) with γ = 2) and of the per-expert
 * gating in DeepSeek-style MoE. Built-in tfjs layers only, so a saved model needs no custom class.
 */
import { definePlugin, type GatePlugin } from '../../src/plugins/api.js';
import type { JsonValue } from '../../src/ir/types.js';

/** The parameters with their defaults applied (the one place that knows the defaults). */
function paramsOf(params: Record<string, JsonValue>): { scale: number; temperature: number } {
  const num = (key: string): number => (typeof params[key] === 'number' ? (params[key] as number) : 1);
  return { scale: num('scale'), temperature: num('temperature') };
}

/** A Python float literal. */
const pyNum = (n: number): string => (Number.isInteger(n) ? `${n}.0` : String(n));

export default definePlugin(
  (): GatePlugin => ({
    name: 'sigmoid',
    version: '1.0.0',
    description:
      'Independent per-expert gates: weight_i = scale · sigmoid(logit_i / temperature), logits from one dense layer on the gate input. ' +
      'Unlike softmax the experts do not compete (the weights need not sum to 1), which avoids MMoE\'s expert collapse; with scale 2 it is the ' +
      'PEPNet gate unit, whose weights start at 1 (sigmoid(0) · 2).',
    paramsSchema: {
      type: 'object',
      properties: {
        scale: {
          type: 'number',
          exclusiveMinimum: 0,
          default: 1,
          description: 'Upper bound of each weight (default 1); PEPNet uses 2, so that an untrained gate passes each expert through unchanged.',
        },
        temperature: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'Temperature T > 0 dividing the logits before the sigmoid (default 1).' },
      },
      additionalProperties: false,
    },
    build(ctx) {
      const { tf, prefix } = ctx;
      const { scale, temperature } = paramsOf(ctx.params);
      let logits = tf.layers
        .dense({ units: ctx.expertCount, kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed }), name: `${prefix}_logits` })
        .apply(ctx.input) as typeof ctx.input;
      if (temperature !== 1) logits = tf.layers.rescaling({ scale: 1 / temperature, name: `${prefix}_temperature` }).apply(logits) as typeof ctx.input;
      let weights = tf.layers.activation({ activation: 'sigmoid', name: `${prefix}_sigmoid` }).apply(logits) as typeof ctx.input;
      if (scale !== 1) weights = tf.layers.rescaling({ scale, name: `${prefix}_scale` }).apply(weights) as typeof ctx.input;
      // [B, n] · [B, n, d] over the expert axis → [B, d].
      const output = tf.layers.dot({ axes: [1, 1], name: `${prefix}_mix` }).apply([weights, ctx.experts]) as typeof ctx.input;
      return { output, weights };
    },
    direct: (params) => ({ normalizer: 'sigmoid', ...paramsOf(params) }),
    pytorch: (params, logits) => {
      const { scale, temperature } = paramsOf(params);
      return `${pyNum(scale)} * torch.sigmoid(${logits} / ${pyNum(temperature)})`;
    },
  }),
);
