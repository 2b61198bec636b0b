/**
 * The first-party `noisy-topk` gate (Shazeer et al. 2017, "Outrageously Large Neural Networks: The
 * Sparsely-Gated Mixture-of-Experts Layer"): each example keeps only its k best experts, chosen from
 * logits perturbed by trainable Gaussian noise during training, with the importance (CV²) load-balancing
 * loss as an option. Written against the public plugin API; its two custom layers are listed in `layers`
 * so that a saved model reloads. `direct` tells the direct step (src/model/direct) how to train it with the C
 * kernels: top-k normaliser, the layer's two kernels by name, the noise and the importance loss.
 */
import { definePlugin, type GatePlugin } from '../../src/plugins/api.js';
import type { JsonValue } from '../../src/ir/types.js';
import { NoisyTopKLayer } from './layer.js';
import { ImportanceLossLayer } from './importance.js';
import { NOISY_TOPK_CODES } from './codes.js';

/** The parameters with their defaults applied. */
export interface NoisyTopKParams {
  k: number;
  noise: boolean;
  balanceWeight: number;
  temperature: number;
}

/** The name of the gate's NoisyTopK layer (its weights are `NAME/gate_kernel` and `NAME/noise_kernel`). */
const layerName = (prefix: string): string => `${prefix}_noisy_topk`;

/** Read the (schema-validated) parameters, filling the defaults. */
export function noisyTopKParams(params: Record<string, JsonValue>): NoisyTopKParams {
  const num = (key: string, fallback: number): number => (typeof params[key] === 'number' ? (params[key] as number) : fallback);
  return {
    k: num('k', 2),
    noise: typeof params['noise'] === 'boolean' ? params['noise'] : true,
    balanceWeight: num('balance_weight', 0),
    temperature: num('temperature', 1),
  };
}

export default definePlugin(
  (): GatePlugin => ({
    name: 'noisy-topk',
    version: '1.0.0',
    description:
      'Sparse mixture (Shazeer et al. 2017): each example keeps its `k` best experts and mixes them with softmax weights; the other experts get weight exactly 0. ' +
      'During training, trainable Gaussian noise is added to the logits (`noise`) so that every expert gets tried, and `balance_weight` > 0 adds the ' +
      'importance (CV²) loss that keeps the experts equally used. Use it to grow the number of experts without growing the cost per example.',
    paramsSchema: {
      type: 'object',
      properties: {
        k: { type: 'integer', minimum: 1, default: 2, description: 'Experts kept per example (default 2); at most the number of experts mixed.' },
        noise: {
          type: 'boolean',
          default: true,
          description: 'Add Gaussian noise with a learnt, input-dependent scale softplus(x·W_noise) to the logits, in training only (default true).',
        },
        balance_weight: {
          type: 'number',
          minimum: 0,
          default: 0,
          description: 'Weight of the importance loss CV(Σ_batch weights)² added to the training loss; 0 turns it off (default 0). The paper uses 0.1.',
        },
        temperature: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'Softmax temperature T > 0 dividing the logits (default 1).' },
      },
      additionalProperties: false,
    },
    check(ctx) {
      const { k } = noisyTopKParams(ctx.gate.params ?? {});
      if (k > ctx.expertCount) {
        ctx.report({ code: 'MTL4101', property: 'params.k', args: { name: ctx.gate.name, k, count: ctx.expertCount } });
      } else if (k === ctx.expertCount && ctx.expertCount > 1) {
        ctx.report({ code: 'MTL4102', property: 'params.k', args: { name: ctx.gate.name, k, count: ctx.expertCount } });
      }
    },
    build(ctx) {
      const { tf, prefix } = ctx;
      const p = noisyTopKParams(ctx.params);
      const weights = new NoisyTopKLayer({
        experts: ctx.expertCount,
        k: p.k,
        noise: p.noise,
        temperature: p.temperature,
        seed: ctx.seed,
        name: layerName(prefix),
      }).apply(ctx.input) as typeof ctx.input;
      if (p.balanceWeight > 0) {
        ctx.addAuxLoss(new ImportanceLossLayer({ name: `${prefix}_importance` }).apply(weights) as typeof ctx.input, p.balanceWeight);
      }
      // [B, n] · [B, n, d] over the expert axis → [B, d]; the dropped experts have weight 0.
      const output = tf.layers.dot({ axes: [1, 1], name: `${prefix}_mix` }).apply([weights, ctx.experts]) as typeof ctx.input;
      return { output, weights };
    },
    direct(params, prefix) {
      const p = noisyTopKParams(params);
      const layer = layerName(prefix);
      return {
        normalizer: 'topk',
        k: p.k,
        temperature: p.temperature,
        scale: 1,
        noise: p.noise,
        // NoisyTopKLayer's weights (no bias; the noise kernel exists only with noise).
        weights: { kernel: `${layer}/gate_kernel`, ...(p.noise ? { noise: `${layer}/noise_kernel` } : {}) },
        ...(p.balanceWeight > 0 ? { auxLoss: { kind: 'importance' as const, weight: p.balanceWeight } } : {}),
      };
    },
    layers: [NoisyTopKLayer, ImportanceLossLayer],
    codes: NOISY_TOPK_CODES,
  }),
);
