/**
 * Building a comparison from hand-made runs (no training): metric columns and directions, the best marks,
 * the settings that differ, seed groups, and which test each pair of groups gets (reference values from
 * scipy.stats ttest_rel / ttest_ind(equal_var=False)).
 */
import { describe, expect, it } from 'vitest';
import { checkText } from '../../src/language/check.js';
import { buildComparison, metricDirection, renderComparisonText, type FoundRun } from '../../src/compare/index.js';
import type { ModelIR } from '../../src/ir/types.js';
import { fakeMetrics, SMALL_CGC } from '../report/fixtures.js';

function ir(text = SMALL_CGC): ModelIR {
  const r = checkText(text, { file: 'small.mtl' });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.ir!;
}

/** A run of the small CGC with lr `lr`, seed `seed` and final income AUC `auc`. */
function run(label: string, lr: number, seed: number, auc: number, spec = ir()): FoundRun {
  const m = fakeMetrics();
  m.seed = seed;
  m.settings = { ...m.settings, lr, seed };
  m.final = { income: { auc, logloss: 1 - auc }, marital: { auc: 0.9, logloss: null } };
  return { label, dir: `/runs/${label}`, ir: spec, metrics: m };
}

describe('metric direction', () => {
  it('follows MAXIMISED_METRICS: auc and gauc up (whatever the decoration), the rest down', () => {
    expect(metricDirection('ctr.auc')).toBe('max');
    expect(metricDirection('ctr.auc(buy)@click')).toBe('max');
    expect(metricDirection('ctr.gauc/user_id')).toBe('max');
    expect(metricDirection('ctr.auc*instance_weight')).toBe('max');
    expect(metricDirection('ctr.logloss*iw*delay')).toBe('min');
    expect(metricDirection('ctr.logloss')).toBe('min');
    expect(metricDirection('price.mae')).toBe('min');
  });
});

describe('buildComparison', () => {
  // A: lr 0.01 on seeds 1-3; B: lr 0.02 on seeds 4-5 (no seed shared with A); C: lr 0.03 on seeds 1-3.
  const runs = [
    run('a1', 0.01, 1, 0.8), run('a2', 0.01, 2, 0.82), run('a3', 0.01, 3, 0.81),
    run('b4', 0.02, 4, 0.7), run('b5', 0.02, 5, 0.74),
    run('c1', 0.03, 1, 0.78), run('c2', 0.03, 2, 0.81), run('c3', 0.03, 3, 0.785),
  ];
  const c = buildComparison(runs);

  it('has a column per output.key, the best run marked by the direction, and the differing settings', () => {
    expect(c.metrics).toEqual(['income.auc', 'income.logloss', 'marital.auc', 'marital.logloss']);
    expect(c.best['income.auc']).toEqual([1]); // 0.82, highest
    expect(c.best['income.logloss']).toEqual([1]); // 0.18, lowest
    expect(c.best['marital.auc']).toEqual([0, 1, 2, 3, 4, 5, 6, 7]); // a tie marks every run
    expect(c.best['marital.logloss']).toEqual([]); // never defined
    expect(c.differing).toEqual(['lr', 'seed']);
    expect(c.same.spec).toBe('small_cgc');
    expect(c.same.architecture).toBe('arch 1');
  });

  it('groups runs identical except for the seed, with mean ± sd and n', () => {
    expect(c.groups.map((g) => [g.id, g.label, g.runs, g.seeds])).toEqual([
      ['G1', 'lr=0.01', [0, 1, 2], [1, 2, 3]],
      ['G2', 'lr=0.02', [3, 4], [4, 5]],
      ['G3', 'lr=0.03', [5, 6, 7], [1, 2, 3]],
    ]);
    const s = c.groups[1]!.stats['income.auc']!;
    expect(s.n).toBe(2);
    expect(s.mean).toBeCloseTo(0.72, 12);
    expect(s.sd).toBeCloseTo(Math.sqrt(0.0008), 12);
    expect(c.groups[0]!.stats['marital.logloss']).toEqual({ mean: null, sd: null, n: 0 });
  });

  it('pairs groups that share seeds, uses Welch for the others', () => {
    const auc = c.tests.filter((t) => t.metric === 'income.auc');
    expect(auc.map((t) => [t.a, t.b, t.test])).toEqual([
      ['G1', 'G2', "Welch's t-test"],
      ['G1', 'G3', 'paired t-test'],
      ['G2', 'G3', "Welch's t-test"],
    ]);
    const welch = auc[0]!;
    expect(welch.t).toBeCloseTo(4.323460152737354, 8);
    expect(welch.df).toBeCloseTo(1.1695501730103788, 8);
    expect(welch.p).toBeCloseTo(0.11691712045894247, 8);
    const paired = auc[1]!;
    expect(paired.pairedSeeds).toEqual([1, 2, 3]);
    expect(paired.n).toBe(3);
    expect(paired.t).toBeCloseTo(4.157609203101458, 8);
    expect(paired.p).toBeCloseTo(0.05327073759374351, 8);
    expect(paired.ci95![0]).toBeCloseTo(-0.0006395818346506509, 8);
    expect(paired.ci95![1]).toBeCloseTo(0.03730624850131728, 8);
    // No test on a metric no run defines.
    expect(c.tests.some((t) => t.metric === 'marital.logloss')).toBe(false);
  });

  it('says gate usage is not compared when the models have gates', () => {
    expect(c.notes.join(' ')).toMatch(/Gate usage is not compared/);
  });

  it('tells an architecture change from a renamed spec, and says when there is nothing to test', () => {
    const wider = ir(SMALL_CGC.replace('tower income  = mlp(4)', 'tower income  = mlp(6)'));
    const renamed = ir(SMALL_CGC.replace('model small_cgc', 'model other_name'));
    const d = buildComparison([run('x', 0.01, 1, 0.8), run('y', 0.01, 1, 0.8, wider), run('z', 0.01, 1, 0.8, renamed)]);
    expect(d.differing).toEqual(['spec', 'architecture']);
    expect(d.runs.map((r) => r.settings.architecture)).toEqual(['arch 1', 'arch 2', 'arch 1']);
    expect(d.groups).toHaveLength(3);
    expect(d.tests).toEqual([]);
    expect(d.notes.join(' ')).toMatch(/No two runs differ only in their seed/);
    expect(renderComparisonText(d)).toMatch(/Settings that differ: spec, architecture \(architecture differs\)/);
  });

  it('restricts the columns to the --metric list', () => {
    const only = buildComparison(runs, ['income.auc']);
    expect(only.metrics).toEqual(['income.auc']);
    expect(Object.keys(only.runs[0]!.final)).toEqual(['income.auc']);
    expect(new Set(only.tests.map((t) => t.metric))).toEqual(new Set(['income.auc']));
  });
});
