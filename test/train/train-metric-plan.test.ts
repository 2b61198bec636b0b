import { describe, expect, it } from 'vitest';
import { earlyStopTerms, evaluateEarlyStop, metricPlan, printLabelExpr } from '../../src/artifact/metric-plan.js';
import type { LabelExpr, ModelIR } from '../../src/ir/types.js';
import { fakeIr } from './train-fakes.js';

const L = (label: string): LabelExpr => ({ label });

describe('printLabelExpr', () => {
  it('prints with minimal parentheses', () => {
    expect(printLabelExpr({ op: 'and', args: [L('click'), L('buy')] })).toBe('click&buy');
    expect(printLabelExpr({ op: 'and', args: [{ op: 'or', args: [L('a'), L('b')] }, L('c')] })).toBe('(a|b)&c');
    expect(printLabelExpr({ op: 'or', args: [{ op: 'and', args: [L('a'), L('b')] }, L('c')] })).toBe('a&b|c');
    expect(printLabelExpr({ op: 'not', arg: { op: 'and', args: [L('a'), L('b')] } })).toBe('!(a&b)');
    expect(printLabelExpr({ op: 'not', arg: L('a') })).toBe('!a');
  });
});

describe('metricPlan', () => {
  it('gives each task its defaults and keys spec metrics by how they differ', () => {
    const ir = fakeIr();
    ir.tasks.push({ name: 'cvr_clicked', head: ['cvr'], loss: { type: 'bce', label: L('buy') }, weight: 1, mask: L('click') });
    ir.metrics = [
      { fn: 'auc', output: 'cvr', label: L('buy'), mask: L('click') }, // same as cvr_clicked's default → deduplicated
      { fn: 'auc', output: 'cvr' }, // default label buy, but not masked → @all
      { fn: 'auc', output: 'ctr', mask: L('buy') },
      { fn: 'auc', output: 'ctr', label: L('buy') },
      { fn: 'gauc', output: 'ctr', groupBy: 'user_id' },
      { fn: 'mse', output: 'ctcvr', label: L('click'), mask: L('click') },
    ];
    const keys = metricPlan(ir).map((p) => `${p.output}.${p.key}`);
    expect(keys).toEqual([
      'ctr.auc',
      'ctr.logloss',
      'ctcvr.auc',
      'ctcvr.logloss',
      'cvr_clicked.auc',
      'cvr_clicked.logloss',
      'cvr.auc',
      'cvr.auc@all',
      'ctr.auc@buy',
      'ctr.auc(buy)',
      'ctr.gauc/user_id',
      'ctcvr.mse(click)@click',
    ]);
    const cvr = metricPlan(ir).find((p) => p.output === 'cvr' && p.key === 'auc')!;
    expect(cvr.mask).toEqual(L('click'));
    expect(cvr.label).toEqual(L('buy'));
  });

  it('shows the label for an output that no task heads', () => {
    const ir = fakeIr();
    const keys = metricPlan(ir).map((p) => `${p.output}.${p.key}`);
    expect(keys).toContain('cvr.auc(buy)@click');
  });

  it('uses mse and mae for mse tasks and adds early-stopping metrics', () => {
    const ir: ModelIR = fakeIr();
    ir.labels.push({ name: 'watch', type: 'real' });
    ir.tasks = [{ name: 'cvr', head: ['cvr'], loss: { type: 'mse', label: L('watch') }, weight: 1 }];
    ir.metrics = [];
    ir.train.earlyStop = { terms: [{ coef: 1, metric: { fn: 'logloss', output: 'ctr', label: L('click') } }], mode: 'min', patience: 1 };
    expect(metricPlan(ir).map((p) => `${p.output}.${p.key}`)).toEqual(['cvr.mse', 'cvr.mae', 'ctr.logloss(click)']);
  });
});

describe('evaluateEarlyStop', () => {
  const ir = fakeIr();
  ir.train.earlyStop = {
    terms: [
      { coef: 2, metric: { fn: 'auc', output: 'ctr' } },
      { coef: -1, metric: { fn: 'logloss', output: 'ctr' } },
    ],
    mode: 'max',
    patience: 1,
  };
  const terms = earlyStopTerms(ir);

  it('computes the weighted sum', () => {
    expect(terms.map((t) => t.key)).toEqual(['auc', 'logloss']);
    const r = evaluateEarlyStop(terms, { ctr: { auc: 0.75, logloss: 0.5 } });
    expect(r.value).toBeCloseTo(1.0);
    expect(r.diagnostics).toEqual([]);
  });

  it('is null with a warning when a term is null, never NaN', () => {
    const r = evaluateEarlyStop(terms, { ctr: { auc: null, logloss: 0.5 } }, { epoch: 3 });
    expect(r.value).toBeNull();
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]!.code).toBe('MTL5306');
    expect(r.diagnostics[0]!.severity).toBe('warning');
    expect(r.diagnostics[0]!.message).toContain('epoch 3');
    expect(r.diagnostics[0]!.message).toContain('2 * auc(ctr)');
  });
});
