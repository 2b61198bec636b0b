/**
 * Evaluation metrics on whole prediction sets (not averaged over batches): exact AUC with tied scores
 * (average ranks, O(n log n)), clipped logloss, MSE, MAE and GAUC (impression-weighted mean of per-group
 * AUCs over groups that have both classes).
 *
 * A metric that is undefined (no rows, or a single class for AUC/GAUC) is `null`, never NaN, so callers
 * can warn and report it. NaN predictions (a diverged model) do give NaN.
 */
import type { MetricFn } from '../ir/types.js';

/** Probabilities are clipped to [EPS, 1 − EPS] in logloss, so one confident mistake costs ~16, not Infinity. */
export const LOGLOSS_EPS = 1e-7;

/** Optional row mask (rows with mask 1 count; > 0.5 is taken as 1) and group keys (gauc). */
export interface MetricOptions {
  mask?: Float32Array;
  groups?: string[];
}

/** Indices of the rows that count. */
function selectedRows(n: number, mask: Float32Array | undefined): Uint32Array {
  if (!mask) return Uint32Array.from({ length: n }, (_, i) => i);
  let k = 0;
  for (let i = 0; i < n; i++) if (mask[i]! > 0.5) k++;
  const out = new Uint32Array(k);
  k = 0;
  for (let i = 0; i < n; i++) if (mask[i]! > 0.5) out[k++] = i;
  return out;
}

/**
 * AUC of the rows `idx`: the probability that a random positive scores above a random negative, ties
 * counting one half (Mann–Whitney U with average ranks). Null with a single class or no rows.
 */
export function aucOf(pred: Float32Array, label: Float32Array, idx: Uint32Array): number | null {
  const n = idx.length;
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const p = pred[idx[i]!]!;
    if (p !== p) return Number.NaN;
    if (label[idx[i]!]! > 0.5) pos++;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return null;
  const order = idx.slice().sort((a, b) => pred[a]! - pred[b]!);
  let rankSum = 0; // sum of the (1-based, tie-averaged) ranks of the positives
  for (let i = 0; i < n; ) {
    let j = i + 1;
    const v = pred[order[i]!]!;
    while (j < n && pred[order[j]!]! === v) j++;
    const avgRank = (i + 1 + j) / 2; // ranks i+1 .. j
    for (let k = i; k < j; k++) if (label[order[k]!]! > 0.5) rankSum += avgRank;
    i = j;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Impression-weighted mean AUC over groups that have both classes; null when no group has both. */
function gaucOf(pred: Float32Array, label: Float32Array, idx: Uint32Array, groups: string[]): number | null {
  const byGroup = new Map<string, number[]>();
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i]!;
    const g = groups[r] ?? '';
    let list = byGroup.get(g);
    if (!list) byGroup.set(g, (list = []));
    list.push(r);
  }
  let weighted = 0;
  let weight = 0;
  for (const rows of byGroup.values()) {
    const auc = aucOf(pred, label, Uint32Array.from(rows));
    if (auc === null) continue;
    weighted += auc * rows.length;
    weight += rows.length;
  }
  return weight > 0 ? weighted / weight : null;
}

/**
 * Compute a metric over all rows (or the rows with mask 1). Labels of auc/gauc/logloss are binary
 * (> 0.5 is positive for AUC; logloss uses the value as given). gauc needs `groups` (one key per row).
 */
export function computeMetric(fn: MetricFn, pred: Float32Array, label: Float32Array, opts: MetricOptions = {}): number | null {
  const n = Math.min(pred.length, label.length);
  const idx = selectedRows(n, opts.mask);
  switch (fn) {
    case 'auc':
      return aucOf(pred, label, idx);
    case 'gauc':
      if (!opts.groups) throw new Error('internal: gauc needs the group keys of the rows');
      return gaucOf(pred, label, idx, opts.groups);
    case 'logloss': {
      if (idx.length === 0) return null;
      let sum = 0;
      for (let i = 0; i < idx.length; i++) {
        const r = idx[i]!;
        const p = Math.min(Math.max(pred[r]!, LOGLOSS_EPS), 1 - LOGLOSS_EPS);
        const y = label[r]!;
        sum -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
      }
      return sum / idx.length;
    }
    case 'mse':
    case 'mae': {
      if (idx.length === 0) return null;
      let sum = 0;
      for (let i = 0; i < idx.length; i++) {
        const d = pred[idx[i]!]! - label[idx[i]!]!;
        sum += fn === 'mse' ? d * d : Math.abs(d);
      }
      return sum / idx.length;
    }
    default:
      throw new Error(`internal: unknown metric '${String(fn)}'`);
  }
}
