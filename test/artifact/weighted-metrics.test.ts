/**
 * Weighted metrics (`weight_by`): weighted AUC against a brute-force pairwise sum, weighted logloss/mse/mae
 * against their definitions, unit weights equal to the unweighted metrics, integer weights equal to repeated
 * rows, and the metric plan's keys (`auc*COL`) for weighted tasks and `metric … weight_by COL` lines.
 */
import { describe, expect, it } from 'vitest';
import { computeMetric, LOGLOSS_EPS } from '../../src/artifact/metrics.js';
import { metricPlan } from '../../src/artifact/metric-plan.js';
import { MetricAccumulator } from '../../src/artifact/metric-eval.js';
import { evalLabelExpr } from '../../src/model/labels.js';
import { mulberry32 } from '../../src/model/seed.js';
import { esmmIR } from '../model/fixtures.js';
import type { Batch } from '../../src/data/types.js';

/** Σ over positive i, negative j of w_i·w_j·([s_i > s_j] + ½[s_i = s_j]) / (W₊·W₋): the definition, O(n²). */
function bruteAuc(pred: Float32Array, label: Float32Array, w: Float32Array): number | null {
  let area = 0;
  let pos = 0;
  let neg = 0;
  for (let i = 0; i < pred.length; i++) (label[i]! > 0.5 ? (pos += w[i]!) : (neg += w[i]!));
  if (pos === 0 || neg === 0) return null;
  for (let i = 0; i < pred.length; i++) {
    if (!(label[i]! > 0.5)) continue;
    for (let j = 0; j < pred.length; j++) {
      if (label[j]! > 0.5) continue;
      area += w[i]! * w[j]! * (pred[i]! > pred[j]! ? 1 : pred[i]! === pred[j]! ? 0.5 : 0);
    }
  }
  return area / (pos * neg);
}

/** n rows with scores on a coarse grid (many ties), labels and weights (some 0), from `seed`. */
function sample(n: number, seed: number): { pred: Float32Array; label: Float32Array; w: Float32Array } {
  const rand = mulberry32(seed);
  const pred = Float32Array.from({ length: n }, () => Math.round(rand() * 10) / 10);
  const label = Float32Array.from(pred, (p) => (rand() < 0.2 + 0.6 * p ? 1 : 0));
  const w = Float32Array.from({ length: n }, () => (rand() < 0.15 ? 0 : Math.round(rand() * 40) / 8));
  return { pred, label, w };
}

describe('weighted metrics', () => {
  it('weighted AUC equals the brute-force pairwise sum, with ties, zero weights and a mask', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const { pred, label, w } = sample(5 + seed * 7, seed);
      expect(computeMetric('auc', pred, label, { weights: w })!, `seed ${seed}`).toBeCloseTo(bruteAuc(pred, label, w)!, 10);
      const mask = Float32Array.from(pred, (_, i) => (i % 3 === 0 ? 0 : 1));
      const masked = Float32Array.from(w, (x, i) => x * mask[i]!);
      expect(computeMetric('auc', pred, label, { weights: w, mask })!).toBeCloseTo(bruteAuc(pred, label, masked)!, 10);
    }
  });

  it('unit weights give exactly the unweighted metrics; a class without weight gives null', () => {
    const { pred, label } = sample(200, 3);
    const ones = new Float32Array(200).fill(1);
    for (const fn of ['auc', 'logloss', 'mse', 'mae'] as const) expect(computeMetric(fn, pred, label, { weights: ones })).toBeCloseTo(computeMetric(fn, pred, label)!, 12);
    const noPositiveWeight = Float32Array.from(label, (y) => (y > 0.5 ? 0 : 1));
    expect(computeMetric('auc', pred, label, { weights: noPositiveWeight })).toBeNull();
    expect(computeMetric('logloss', pred, label, { weights: new Float32Array(200) })).toBeNull();
  });

  it('integer weights k equal each row repeated k times (auc, logloss, mse, mae, gauc)', () => {
    const { pred, label } = sample(60, 9);
    const rand = mulberry32(4);
    const k = Float32Array.from({ length: 60 }, () => Math.floor(rand() * 4));
    const groups = Array.from({ length: 60 }, (_, i) => `g${i % 4}`);
    const idx = Array.from({ length: 60 }, (_, i) => i).flatMap((i) => Array(k[i]!).fill(i) as number[]);
    const rp = Float32Array.from(idx, (i) => pred[i]!);
    const rl = Float32Array.from(idx, (i) => label[i]!);
    for (const fn of ['auc', 'logloss', 'mse', 'mae'] as const) expect(computeMetric(fn, pred, label, { weights: k }), fn).toBeCloseTo(computeMetric(fn, rp, rl)!, 10);
    expect(computeMetric('gauc', pred, label, { weights: k, groups })).toBeCloseTo(computeMetric('gauc', rp, rl, { groups: idx.map((i) => groups[i]!) })!, 10);
  });

  it('weighted logloss is Σ w·ℓ / Σ w with the clipped probability', () => {
    const pred = Float32Array.of(0.9, 0.2, 1, 0.5);
    const label = Float32Array.of(1, 0, 0, 1);
    const w = Float32Array.of(2, 0.5, 1, 0);
    const l = (p: number, y: number): number => -(y * Math.log(Math.min(Math.max(p, LOGLOSS_EPS), 1 - LOGLOSS_EPS)) + (1 - y) * Math.log(1 - Math.min(Math.max(p, LOGLOSS_EPS), 1 - LOGLOSS_EPS)));
    const expected = (2 * l(0.9, 1) + 0.5 * l(Math.fround(0.2), 0) + 1 * l(1, 0)) / 3.5;
    expect(computeMetric('logloss', pred, label, { weights: w })).toBeCloseTo(expected, 6);
  });

  it('plans weighted defaults for a weighted task and a key per metric weight_by line; the accumulator weighs rows', () => {
    const ir = esmmIR();
    ir.train.weightBy = 'iw';
    ir.tasks[2]!.weightBy = 'delay';
    ir.metrics = [{ fn: 'auc', output: 'ctcvr', weightBy: 'value' }];
    const plan = metricPlan(ir);
    const keys = plan.map((p) => `${p.output}:${p.key}`);
    expect(keys).toEqual([
      'ctr:auc', 'ctr:auc*iw', 'ctr:logloss', 'ctr:logloss*iw',
      'ctcvr:auc', 'ctcvr:auc*iw', 'ctcvr:logloss', 'ctcvr:logloss*iw',
      'cvr_clicked:auc', 'cvr_clicked:auc*iw*delay', 'cvr_clicked:logloss', 'cvr_clicked:logloss*iw*delay',
      'ctcvr:auc*value',
    ]);
    expect(plan.find((p) => p.key === 'auc*iw*delay')!.weights).toEqual(['iw', 'delay']);
    const acc = new MetricAccumulator(ir, plan, { computeMetric, evalLabelExpr });
    const batch: Batch = {
      size: 4,
      features: {},
      labels: { click: Float32Array.of(1, 0, 1, 0), buy: Float32Array.of(1, 0, 0, 0) },
      weights: { iw: Float32Array.of(1, 2, 3, 4), delay: Float32Array.of(1, 1, 1, 1), value: Float32Array.of(5, 1, 1, 1) },
      groups: {},
      rowNumbers: Int32Array.of(2, 3, 4, 5),
    };
    acc.add(batch, { ctr: Float32Array.of(0.9, 0.2, 0.3, 0.4), cvr: Float32Array.of(0.5, 0.5, 0.5, 0.5), ctcvr: Float32Array.of(0.6, 0.1, 0.2, 0.3) });
    const { value } = acc.finish('test data');
    // ctr: positives rows 0 (w 1, s .9) and 2 (w 3, s .3); negatives rows 1 (w 2, s .2) and 3 (w 4, s .4).
    expect(value['ctr']!['auc*iw']).toBeCloseTo((1 * 2 + 1 * 4 + 3 * 2) / (4 * 6), 10);
    expect(value['ctr']!['auc']).toBeCloseTo(3 / 4, 10);
  });
});
