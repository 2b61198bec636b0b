/**
 * The direct step's losses and their gradients with respect to the tower logits, in float64, with the
 * semantics of the tfjs step (src/model/model-runtime.ts taskLoss):
 * - each loss's per-example value and gradient come from its definition in the op registry (src/ir/ops/losses);
 * - the weighted mean Σ w·ℓ / Σ w, w = mask × sample weights (src/ir/ops/losses/weighted-mean.ts; exactly 0
 *   on a batch without weight), the task weights and Kendall et al.'s
 *   uncertainty weighting Σ w_t·exp(−s_t)·L_t + s_t.
 * Pure functions of plain arrays, so tests check them against finite differences.
 */
import { lossDef, isNotSupported, type DirectRowLoss } from '../../ir/ops/index.js';
import { weightedMeanDenominator } from '../../ir/ops/losses/weighted-mean.js';

/** One task's inputs: its head's logits (one array per tower, `n` values each), labels and row weights (mask × sample weights). */
export interface TaskInput {
  /** A loss of the op registry whose definition has a direct binding (the planner checked). */
  loss: string;
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

/** The direct binding of the loss named `name`, or the reason the direct step cannot compute it. */
export function directLoss(name: string): DirectRowLoss | { unsupported: string } {
  const def = lossDef(name);
  if (!def) return { unsupported: `the loss '${name}' is not registered` };
  return isNotSupported(def.direct) ? { unsupported: `the ${name} loss has no direct-step binding: ${def.direct.unsupported}` } : def.direct;
}

/** The weighted mean Σ w·ℓ / Σ w of a task's per-example loss and its gradient with respect to each head logit. */
export function taskLoss(t: TaskInput, n: number): TaskLoss {
  const row = directLoss(t.loss);
  if (typeof row !== 'function') throw new Error(`internal: ${row.unsupported}`);
  const denominator = weightedMeanDenominator(t.mask.subarray(0, n));
  const k = t.logits.length;
  const dLogits = t.logits.map(() => new Float64Array(n));
  const z = new Float64Array(k);
  const dz = new Float64Array(k);
  let sum = 0;
  for (let b = 0; b < n; b++) {
    const m = t.mask[b]!;
    const scale = m / denominator;
    for (let i = 0; i < k; i++) z[i] = t.logits[i]![b]!;
    dz.fill(0);
    const l = row(z, t.y[b]!, t.sigmoidHead, dz);
    for (let i = 0; i < k; i++) dLogits[i]![b] = scale * dz[i]!;
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
