/**
 * The `bce` loss, numerically stable in float32 (EasyRec PR #76: a rounded product of probabilities loses
 * the tail and gives NaNs):
 * - on one sigmoid tower: sigmoid cross-entropy with logits, max(z, 0) − z·y + log1p(exp(−|z|));
 * - on a product head (`ctr * cvr`): log p = Σ log σ(z_i) and log(1 − p) = log1mexp(log p), in log space.
 */
import type * as tfType from '@tensorflow/tfjs';
import { LOG_P_MAX } from '../constants.js';
import type { LossDef, Tf } from '../types.js';
import { log1mexp64, log1mexpTf, logSigmoid64, logSigmoidTf, sigmoid64 } from './log-space.js';

/** Per-example sigmoid cross-entropy with logits: max(z, 0) − z·y + log1p(exp(−|z|)). */
export function bceWithLogitsTf(tf: Tf, z: tfType.Tensor, y: tfType.Tensor): tfType.Tensor {
  return tf.tidy(() => tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))));
}

/** Per-example BCE of a product of sigmoid towers, in log space, from the towers' logits. */
export function productBceTf(tf: Tf, logits: tfType.Tensor[], y: tfType.Tensor): tfType.Tensor {
  return tf.tidy(() => {
    const logP = tf.addN(logits.map((z) => logSigmoidTf(tf, z)));
    const log1mP = log1mexpTf(tf, logP);
    return tf.neg(tf.add(tf.mul(y, logP), tf.mul(tf.sub(1, y), log1mP)));
  });
}

/** BCE of a product of sigmoids with logits `z`, label y, in float64 (the tests' reference). */
export function productBce64(z: number[], y: number): number {
  const logP = z.reduce((s, v) => s + logSigmoid64(v), 0);
  return -(y * logP + (1 - y) * log1mexp64(logP));
}

/** The `bce` loss definition. */
export const bce: LossDef = {
  kind: 'loss',
  name: 'bce',
  summary: 'Binary cross-entropy of a probability (one sigmoid tower or a product of them).',
  doc: 'Binary cross-entropy on a binary label: sigmoid cross-entropy with logits on one sigmoid tower; on a product head (`ctr * cvr`) computed in log space, never from the rounded product.',
  binaryLabel: true,
  needsProbability: true,
  warnOnProbability: false,
  defaultMetrics: ['auc', 'logloss'],
  prior: 'rate',
  tfjs: (tf, head, y) => (head.logits.length === 1 ? bceWithLogitsTf(tf, head.logits[0]!, y) : productBceTf(tf, head.logits, y)),
  direct: (z, y, _sigmoidHead, dz) => {
    const k = z.length;
    if (k === 1) {
      const z0 = z[0]!;
      dz[0] = sigmoid64(z0) - y;
      return Math.max(z0, 0) - z0 * y + Math.log1p(Math.exp(-Math.abs(z0)));
    }
    let logP = 0;
    for (let i = 0; i < k; i++) logP += logSigmoid64(z[i]!);
    const x = Math.min(logP, LOG_P_MAX);
    // No gradient through the clamp, as tf.minimum's.
    const dLog1m = logP <= LOG_P_MAX ? -1 / Math.expm1(-x) : 0;
    const dLogP = -(y + (1 - y) * dLog1m);
    for (let i = 0; i < k; i++) dz[i] = dLogP * sigmoid64(-z[i]!);
    return -(y * logP + (1 - y) * log1mexp64(x));
  },
  pytorch: [
    'def log1mexp(a):',
    '    """log(1 - exp(a)) for a <= 0, accurate everywhere (Mächler 2012); each branch gets a safe input."""',
    '    x = torch.clamp(a, max=LOG_P_MAX)',
    '    near = x > -LN2',
    '    near_value = torch.log(-torch.expm1(torch.where(near, x, torch.full_like(x, -LN2))))',
    '    far_value = torch.log1p(-torch.exp(torch.where(near, torch.full_like(x, -1.0), x)))',
    '    return torch.where(near, near_value, far_value)',
    '',
    '',
    'def loss_bce(objective, head, logits, y):',
    '    """Sigmoid cross-entropy with logits; on a product head, in log space."""',
    '    if len(head) == 1:',
    '        return F.binary_cross_entropy_with_logits(logits[head[0]], y, reduction="none")',
    '    log_p = sum(F.logsigmoid(logits[t]) for t in head)',
    '    return -(y * log_p + (1.0 - y) * log1mexp(log_p))',
  ].join('\n'),
};
