/**
 * Evaluation metrics on whole prediction sets (not averaged over batches): exact AUC with tied scores
 * (average ranks, O(n log n)), clipped logloss, MSE, MAE and GAUC (impression-weighted mean of per-group
 * AUCs over groups that have both classes); each optionally weighted by per-row sample weights (`weight_by`).
 *
 * A metric that is undefined (no rows, or a single class for AUC/GAUC) is `null`, never NaN, so callers
 * can warn and report it. NaN predictions (a diverged model) do give NaN.
 */
import type { MetricFn } from '../ir/types.js';

/** Probabilities are clipped to [EPS, 1 − EPS] in logloss, so one confident mistake costs ~16, not Infinity. */
export const LOGLOSS_EPS = 1e-7;

/** Optional row mask (rows with mask 1 count; > 0.5 is taken as 1), group keys (gauc) and row weights. */
export interface MetricOptions {
  mask?: Float32Array;
  groups?: string[];
  /** Sample weights (≥ 0): each row counts this much (`weight_by`); absent, every row counts 1. */
  weights?: Float32Array;
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

/**
 * Weighted AUC of the rows `idx`: Σ w_i·w_j·([s_i > s_j] + ½[s_i = s_j]) over positive i and negative j,
 * divided by (Σ positive weight)·(Σ negative weight); with every weight 1 it is {@link aucOf}. One sort, then
 * each block of tied scores adds its positive weight times the negative weight below it (plus half its own).
 * Null when either class has no weight.
 */
export function weightedAucOf(pred: Float32Array, label: Float32Array, weights: Float32Array, idx: Uint32Array): number | null {
  const n = idx.length;
  let posW = 0;
  let negW = 0;
  for (let i = 0; i < n; i++) {
    const r = idx[i]!;
    if (pred[r]! !== pred[r]!) return Number.NaN;
    if (label[r]! > 0.5) posW += weights[r]!;
    else negW += weights[r]!;
  }
  if (!(posW > 0) || !(negW > 0)) return null;
  const order = idx.slice().sort((a, b) => pred[a]! - pred[b]!);
  let negBelow = 0;
  let area = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    let blockPos = 0;
    let blockNeg = 0;
    const v = pred[order[i]!]!;
    for (; j < n && pred[order[j]!]! === v; j++) {
      const r = order[j]!;
      if (label[r]! > 0.5) blockPos += weights[r]!;
      else blockNeg += weights[r]!;
    }
    area += blockPos * (negBelow + blockNeg / 2);
    negBelow += blockNeg;
    i = j;
  }
  return area / (posW * negW);
}

/**
 * Mean AUC over groups that have both classes, each group counting its rows (its total weight when `weights`
 * is given, each group's AUC then weighted too); null when no group has both classes.
 */
function gaucOf(pred: Float32Array, label: Float32Array, idx: Uint32Array, groups: string[], weights?: Float32Array): number | null {
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
    const groupIdx = Uint32Array.from(rows);
    const auc = weights ? weightedAucOf(pred, label, weights, groupIdx) : aucOf(pred, label, groupIdx);
    if (auc === null) continue;
    const size = weights ? rows.reduce((sum, r) => sum + weights[r]!, 0) : rows.length;
    weighted += auc * size;
    weight += size;
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
  const w = opts.weights;
  // The mean of a per-row value: Σ w·v / Σ w (Σ v / rows without weights); null without rows or weight.
  const mean = (value: (r: number) => number): number | null => {
    let sum = 0;
    let total = 0;
    for (let i = 0; i < idx.length; i++) {
      const r = idx[i]!;
      const wr = w ? w[r]! : 1;
      if (wr === 0) continue;
      sum += wr * value(r);
      total += wr;
    }
    return total > 0 ? sum / total : null;
  };
  switch (fn) {
    case 'auc':
      return w ? weightedAucOf(pred, label, w, idx) : aucOf(pred, label, idx);
    case 'gauc':
      if (!opts.groups) throw new Error('internal: gauc needs the group keys of the rows');
      return gaucOf(pred, label, idx, opts.groups, w);
    case 'logloss':
      return mean((r) => {
        const p = Math.min(Math.max(pred[r]!, LOGLOSS_EPS), 1 - LOGLOSS_EPS);
        const y = label[r]!;
        return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
      });
    case 'mse':
      return mean((r) => (pred[r]! - label[r]!) ** 2);
    case 'mae':
      return mean((r) => Math.abs(pred[r]! - label[r]!));
    default:
      throw new Error(`internal: unknown metric '${String(fn)}'`);
  }
}
