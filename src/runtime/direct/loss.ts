/**
 * The direct step's losses and their gradients with respect to the tower logits, in float64, with the
 * semantics of the tfjs step (src/compile/runtime.ts taskLoss and src/runtime/losses.ts):
 * - bce on one tower: sigmoid cross-entropy with logits; on a product head: log-space BCE of Π σ(z_k),
 *   log(1 − p) by log1mexp with log p clamped to ≤ −1e-30 (no gradient through the clamp, as tf.minimum);
 * - mse on a value: a linear tower's output, the product of the first two linear towers, or Π σ(z_k);
 * - the masked mean (exactly 0 on a batch without rows in the mask), the task weights and Kendall et al.'s
 *   uncertainty weighting Σ w_t·exp(−s_t)·L_t + s_t.
 * Pure functions of plain arrays, so tests check them against finite differences.
 */
import { log1mexp64, logSigmoid64 } from '../losses.js';

/** log p is clamped to at most this before log(1 − p) (src/runtime/losses.ts LOG_P_MAX). */
const LOG_P_MAX = -1e-30;

/** One task's inputs: its head's logits (one array per tower, `n` values each), labels and mask. */
export interface TaskInput {
  loss: 'bce' | 'mse';
  /** True when every head tower ends in a sigmoid. */
  sigmoidHead: boolean;
  logits: Float32Array[];
  y: Float32Array;
  mask: Float32Array;
  weight: number;
}

/** A task's masked-mean loss and ∂L_task/∂z for each head tower (before the task's weight). */
export interface TaskLoss {
  loss: number;
  dLogits: Float64Array[];
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** The masked mean of a task's per-example loss and its gradient with respect to each head logit. */
export function taskLoss(t: TaskInput, n: number): TaskLoss {
  let count = 0;
  for (let b = 0; b < n; b++) count += t.mask[b]!;
  const denominator = Math.max(count, 1);
  const k = t.logits.length;
  const dLogits = t.logits.map(() => new Float64Array(n));
  let sum = 0;
  for (let b = 0; b < n; b++) {
    const m = t.mask[b]!;
    const y = t.y[b]!;
    const scale = m / denominator;
    let l: number;
    if (t.loss === 'bce' && k === 1) {
      const z = t.logits[0]![b]!;
      l = Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
      dLogits[0]![b] = scale * (sigmoid(z) - y);
    } else if (t.loss === 'bce') {
      let logP = 0;
      for (let i = 0; i < k; i++) logP += logSigmoid64(t.logits[i]![b]!);
      const x = Math.min(logP, LOG_P_MAX);
      l = -(y * logP + (1 - y) * log1mexp64(x));
      const dLog1m = logP <= LOG_P_MAX ? -1 / Math.expm1(-x) : 0;
      const dLogP = -(y + (1 - y) * dLog1m);
      for (let i = 0; i < k; i++) dLogits[i]![b] = scale * dLogP * sigmoid(-t.logits[i]![b]!);
    } else if (!t.sigmoidHead) {
      const z0 = t.logits[0]![b]!;
      const z1 = k > 1 ? t.logits[1]![b]! : 1;
      const p = z0 * z1;
      l = (p - y) * (p - y);
      const dp = 2 * (p - y) * scale;
      dLogits[0]![b] = dp * z1;
      if (k > 1) dLogits[1]![b] = dp * z0;
    } else {
      let logP = 0;
      for (let i = 0; i < k; i++) logP += logSigmoid64(t.logits[i]![b]!);
      const p = Math.exp(logP);
      l = (p - y) * (p - y);
      const dp = 2 * (p - y) * scale;
      for (let i = 0; i < k; i++) dLogits[i]![b] = dp * p * sigmoid(-t.logits[i]![b]!);
    }
    sum += l * m;
  }
  return { loss: sum / denominator, dLogits };
}

/** The total loss and the factor each task's gradient is multiplied by; with `logVars`, also ∂total/∂s_t. */
export function combineTaskLosses(losses: number[], weights: number[], logVars?: number[]): { total: number; factors: number[]; dLogVars: number[] } {
  if (!logVars) {
    return { total: losses.reduce((s, l, t) => s + l * weights[t]!, 0), factors: weights.slice(), dLogVars: [] };
  }
  let total = 0;
  const factors: number[] = [];
  const dLogVars: number[] = [];
  losses.forEach((l, t) => {
    const precision = Math.exp(-logVars[t]!);
    total += precision * l * weights[t]! + logVars[t]!;
    factors.push(precision * weights[t]!);
    dLogVars.push(1 - precision * l * weights[t]!);
  });
  return { total, factors, dLogVars };
}
