/**
 * A loss on the head's value p (a regression loss): the definition gives only ℓ(p, y) and ∂ℓ/∂p in each
 * target; this helper adds the head's value and its chain rule, identical for every such loss:
 * - linear head towers: p = z₀ (or z₀·z₁ for a product of two linear towers);
 * - sigmoid head towers: p = Π σ(z_i) = exp(Σ log σ(z_i)), ∂p/∂z_i = p·σ(−z_i).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { MetricFn } from '../../types.js';
import type { LossDef, NotSupported, Tf, TfjsHead } from '../types.js';
import { logSigmoid64, sigmoid64 } from './log-space.js';

/** What a value loss defines. */
export interface ValueLossSpec {
  name: string;
  summary: string;
  doc: string;
  defaultMetrics?: readonly MetricFn[];
  /** Warn (MTL3024) when the head is a probability. */
  warnOnProbability?: boolean;
  /** ℓ(p, y) per example in tfjs. */
  tfjs(tf: Tf, p: tfType.Tensor, y: tfType.Tensor): tfType.Tensor;
  /** [ℓ(p, y), ∂ℓ/∂p] in float64 (the direct step), or why the direct step does not run it. */
  f64: ((p: number, y: number) => [number, number]) | NotSupported;
  /** ℓ as a Python expression of the tensors `p` and `y` (PyTorch target), or why not supported. */
  python: string | NotSupported;
}

/** The head's value as a tfjs tensor [batch]. */
export function headValueTf(tf: Tf, head: TfjsHead): tfType.Tensor {
  const z = head.logits;
  if (!head.sigmoidHead) return z.length === 1 ? z[0]! : tf.mul(z[0]!, z[1]!);
  return tf.exp(tf.addN(z.map((l) => tf.neg(tf.softplus(tf.neg(l))))));
}

/** A full {@link LossDef} from a value loss. */
export function defineValueLoss(spec: ValueLossSpec): LossDef {
  const { f64, python } = spec;
  return {
    kind: 'loss',
    name: spec.name,
    summary: spec.summary,
    doc: spec.doc,
    binaryLabel: false,
    needsProbability: false,
    warnOnProbability: spec.warnOnProbability ?? false,
    defaultMetrics: spec.defaultMetrics ?? ['mse', 'mae'],
    prior: 'mean',
    tfjs: (tf, head, y) => spec.tfjs(tf, headValueTf(tf, head), y),
    direct:
      typeof f64 === 'function'
        ? (z, y, sigmoidHead, dz) => {
            const k = z.length;
            if (!sigmoidHead) {
              const z0 = z[0]!;
              const z1 = k > 1 ? z[1]! : 1;
              const [l, dp] = f64(z0 * z1, y);
              dz[0] = dp * z1;
              if (k > 1) dz[1] = dp * z0;
              return l;
            }
            let logP = 0;
            for (let i = 0; i < k; i++) logP += logSigmoid64(z[i]!);
            const p = Math.exp(logP);
            const [l, dp] = f64(p, y);
            for (let i = 0; i < k; i++) dz[i] = dp * p * sigmoid64(-z[i]!);
            return l;
          }
        : f64,
    pytorch:
      typeof python === 'string'
        ? [`def loss_${spec.name}(objective, head, logits, y):`, `    """${spec.summary}"""`, `    p = objective.head_value(head, logits)`, `    return ${python}`].join('\n')
        : python,
  };
}
