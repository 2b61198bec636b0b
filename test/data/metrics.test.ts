import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeMetric } from '../../src/artifact/metrics.js';
import { evalLabelExpr } from '../../src/model/labels.js';

const f = (xs: number[]) => Float32Array.from(xs);

/** O(n²) AUC by pair counting, ties counting one half. */
function pairAuc(p: number[], y: number[]): number | null {
  let num = 0;
  let den = 0;
  for (let i = 0; i < p.length; i++)
    for (let j = 0; j < p.length; j++)
      if (y[i] === 1 && y[j] === 0) {
        den++;
        num += p[i]! > p[j]! ? 1 : p[i] === p[j] ? 0.5 : 0;
      }
  return den ? num / den : null;
}

describe('computeMetric', () => {
  it('auc with ties, by hand', () => {
    // positives 0.8, 0.5; negatives 0.5, 0.2: pairs (0.8>0.5)=1, (0.8>0.2)=1, (0.5=0.5)=0.5, (0.5>0.2)=1 → 3.5/4
    expect(computeMetric('auc', f([0.8, 0.5, 0.5, 0.2]), f([1, 1, 0, 0]))).toBe(0.875);
    expect(computeMetric('auc', f([0.5, 0.5, 0.5]), f([1, 0, 0]))).toBe(0.5);
    expect(computeMetric('auc', f([0.1, 0.9]), f([1, 0]))).toBe(0);
  });
  it('auc equals pair counting on random data with many ties', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.boolean()), { minLength: 1, maxLength: 40 }), (rows) => {
        const p = rows.map((r) => r[0] / 5);
        const y = rows.map((r) => (r[1] ? 1 : 0));
        const got = computeMetric('auc', f(p), f(y));
        const want = pairAuc(p, y);
        if (want === null) expect(got).toBeNull();
        else expect(got).toBeCloseTo(want, 10);
      }),
      { numRuns: 300 },
    );
  });
  it('one class, empty sets and masks give null, never NaN', () => {
    expect(computeMetric('auc', f([0.1, 0.2]), f([1, 1]))).toBeNull();
    expect(computeMetric('auc', f([]), f([]))).toBeNull();
    expect(computeMetric('logloss', f([0.5]), f([1]), { mask: f([0]) })).toBeNull();
    expect(computeMetric('mse', f([]), f([]))).toBeNull();
    expect(computeMetric('gauc', f([0.1, 0.2]), f([1, 0]), { groups: ['a', 'b'] })).toBeNull();
  });
  it('masked auc uses only rows with mask 1', () => {
    expect(computeMetric('auc', f([0.9, 0.1, 0.8, 0.7]), f([1, 0, 0, 1]), { mask: f([1, 1, 0, 0]) })).toBe(1);
  });
  it('logloss with clipping, mse, mae', () => {
    expect(computeMetric('logloss', f([0.8, 0.4]), f([1, 0]))).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 6);
    expect(computeMetric('logloss', f([0, 1]), f([1, 0]))).toBeCloseTo(-Math.log(1e-7), 4);
    expect(computeMetric('mse', f([1, 2, 3]), f([1, 0, 6]))).toBeCloseTo(13 / 3, 6);
    expect(computeMetric('mae', f([1, 2, 3]), f([1, 0, 6]))).toBeCloseTo(5 / 3, 6);
  });
  it('gauc: impression-weighted mean over groups with both classes', () => {
    const pred = f([0.9, 0.1, 0.5, 0.2, 0.6, 0.7, 0.3]);
    const label = f([1, 0, 0, 1, 1, 1, 0]);
    const groups = ['a', 'a', 'b', 'b', 'b', 'c', 'c'];
    // a: auc 1 (2 rows); b: positives 0.2, 0.6 vs negative 0.5 → 0.5 (3 rows); c: 1 (2 rows) → (2 + 1.5 + 2) / 7
    expect(computeMetric('gauc', pred, label, { groups })).toBeCloseTo(5.5 / 7, 10);
    // groups with one class are left out entirely (weights too)
    expect(computeMetric('gauc', f([0.9, 0.1, 0.5]), f([1, 0, 1]), { groups: ['a', 'a', 'z'] })).toBe(1);
  });
});

describe('evalLabelExpr', () => {
  const labels = { click: f([1, 1, 0, 0]), buy: f([1, 0, 0, 0]), cart: f([0, 1, 1, 0]) };
  it('and, or, not over 0/1 labels', () => {
    expect(Array.from(evalLabelExpr({ op: 'and', args: [{ label: 'click' }, { label: 'buy' }] }, labels, 4))).toEqual([1, 0, 0, 0]);
    expect(Array.from(evalLabelExpr({ op: 'or', args: [{ label: 'buy' }, { label: 'cart' }] }, labels, 4))).toEqual([1, 1, 1, 0]);
    expect(Array.from(evalLabelExpr({ op: 'not', arg: { label: 'click' } }, labels, 4))).toEqual([0, 0, 1, 1]);
    expect(Array.from(evalLabelExpr({ label: 'click' }, labels, 2))).toEqual([1, 1]);
  });
});
