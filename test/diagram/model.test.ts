import { describe, expect, it } from 'vitest';
import { buildDiagram, expertBoxes, FEATURES_CLUSTER } from '../../src/diagram/model.js';
import type { ModelIR } from '../../src/ir/types.js';
import { esmm, mmoe, ple, sharedBottom } from './fixtures.js';

const texts = (d: ReturnType<typeof buildDiagram>, id: string): string[] =>
  d.nodes.find((n) => n.id === id)?.lines.map((l) => l.text) ?? [];

describe('buildDiagram', () => {
  it('draws MMoE as features, a concat, one expert group, a gate and a tower per task', () => {
    const d = buildDiagram(mmoe());
    const kinds = d.nodes.map((n) => n.kind);
    expect(kinds.filter((k) => k === 'feature')).toHaveLength(4);
    expect(kinds.filter((k) => k === 'gate')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'tower')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'task')).toHaveLength(2);
    const e = d.nodes.find((n) => n.id === 'node:e')!;
    expect(e.lines[0]!.text).toBe('e[8]');
    expect(e.experts).toEqual({ count: 8, boxes: ['E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7', 'E8'] });
    expect(d.nodes.filter((n) => n.cluster === FEATURES_CLUSTER).map((n) => n.name)).toEqual(['age', 'education', 'occupation', 'hours']);
    expect(d.clusters).toEqual([{ id: FEATURES_CLUSTER, label: 'features' }]);
  });

  it('marks gate inputs as dashed-kind edges and mixed experts as mix edges', () => {
    const d = buildDiagram(mmoe());
    const into = (t: string) => d.edges.filter((x) => x.target === t).map((x) => `${x.source}/${x.kind}`).sort();
    expect(into('node:g_income')).toEqual(['node:all/gate-input', 'node:e/mix']);
    expect(into('node:e')).toEqual(['node:all/data']);
    expect(into('task:marital')).toEqual(['node:marital/head']);
    expect(into('node:all')).toHaveLength(4);
  });

  it('folds features sharing an embedding into one table node with both names', () => {
    const d = buildDiagram(esmm());
    const table = d.nodes.find((n) => n.kind === 'table')!;
    expect(table.id).toBe('table:item_id');
    expect(table.members).toEqual(['item_id', 'history']);
    expect(table.lines[0]!.text).toBe('item_id + history');
    expect(d.nodes.some((n) => n.id === 'feature:history')).toBe(false);
    // Two features of one table feeding one concat make a single arrow.
    expect(d.edges.filter((e) => e.source === 'table:item_id')).toHaveLength(1);
  });

  it('writes task heads with their product, loss, mask and weight', () => {
    expect(texts(buildDiagram(esmm()), 'task:ctcvr')).toEqual(['ctcvr', '= ctr × cvr', 'bce(click & buy)']);
    expect(texts(buildDiagram(sharedBottom()), 'task:cvr')).toEqual(['cvr', 'bce(buy)', 'where click']);
    expect(texts(buildDiagram(mmoe()), 'task:marital')).toEqual(['marital', 'bce(never_married)', 'weight 0.5']);
    const d = buildDiagram(esmm());
    expect(d.edges.filter((e) => e.target === 'task:ctcvr').map((e) => e.source)).toEqual(['node:ctr', 'node:cvr']);
  });

  it('keeps PLE level 2 experts fed by level 1 gates', () => {
    const d = buildDiagram(ple());
    expect(d.edges.find((e) => e.target === 'node:shared2')?.source).toBe('node:shared_g1');
    expect(d.edges.filter((e) => e.target === 'node:shared_g1' && e.kind === 'mix')).toHaveLength(3);
  });

  it('elides experts beyond the limit but keeps the count visible', () => {
    expect(expertBoxes(16, 8)).toEqual(['E1', 'E2', 'E3', 'E4', 'E5', 'E6', '…', 'E16']);
    expect(expertBoxes(3, 8)).toEqual(['E1', 'E2', 'E3']);
    expect(expertBoxes(0, 8)).toEqual([]);
    const d = buildDiagram(mmoe(16));
    expect(d.nodes.find((n) => n.id === 'node:e')!.lines[0]!.text).toBe('e[16]');
  });

  it('leaves out arrows to unknown names instead of failing', () => {
    const ir: ModelIR = mmoe();
    ir.nodes.push({ kind: 'gate', name: 'g_bad', type: 'softmax', params: {}, over: ['nope'], on: 'missing' });
    ir.tasks.push({ name: 't', head: ['ghost'], loss: { type: 'bce', label: { label: 'x' } }, weight: 1 });
    const d = buildDiagram(ir);
    expect(d.nodes.some((n) => n.id === 'node:g_bad')).toBe(true);
    expect(d.edges.some((e) => e.target === 'node:g_bad' || e.target === 'task:t')).toBe(false);
    for (const e of d.edges) {
      expect(d.nodes.some((n) => n.id === e.source)).toBe(true);
      expect(d.nodes.some((n) => n.id === e.target)).toBe(true);
    }
  });
});
