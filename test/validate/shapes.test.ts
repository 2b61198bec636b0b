/** Shape inference: widths of features and nodes, never looping on cycles. */
import { describe, expect, it } from 'vitest';
import type { CategoricalFeature, ExpertsNode, LayerNode } from '../../src/ir/types.js';
import { applyShapes, inferWidths } from '../../src/validate/shapes.js';
import { buildSymbols } from '../../src/validate/symbols.js';
import { baseIR } from './fixtures.js';

describe('shape inference', () => {
  it('infers every width of the fixture', () => {
    const ir = applyShapes(baseIR());
    expect(Object.fromEntries(ir.features.map((f) => [f.name, f.width]))).toEqual({ user_id: 8, item_id: 8, history: 8, price: 1, age: 4 });
    expect(Object.fromEntries(ir.nodes.map((n) => [n.name, n.width]))).toEqual({ all: 29, e: 16, f: 16, g1: 16, g2: 16, ctr: 1, cvr: 1, wt: 1 });
  });

  it('does not modify its input', () => {
    const ir = baseIR();
    const before = JSON.stringify(ir);
    applyShapes(ir);
    expect(JSON.stringify(ir)).toBe(before);
  });

  it('uses the input width for an mlp without units and leaves unknown widths out', () => {
    const ir = baseIR();
    ir.nodes.push({ kind: 'layer', name: 'id', on: 'all', mlp: { units: [], activation: 'relu', dropout: 0, batchNorm: false } } as LayerNode);
    ir.nodes.push({ kind: 'input', name: 'broken', from: ['all', 'nothing'] });
    delete (ir.features[0] as CategoricalFeature).dim;
    const widths = inferWidths(buildSymbols(ir));
    expect(widths.get('id')).toBeUndefined(); // 'all' now lacks user_id's width
    expect(widths.get('broken')).toBeUndefined();
    expect(widths.has('user_id')).toBe(false);
    const out = applyShapes(ir);
    expect('width' in out.features[0]!).toBe(false);
  });

  it('terminates on cycles', () => {
    const ir = baseIR();
    (ir.nodes[1] as ExpertsNode).on = 'g1';
    (ir.nodes[1] as ExpertsNode).mlp.units = [];
    (ir.nodes[3] as { over: string[] }).over = ['e'];
    const widths = inferWidths(buildSymbols(ir));
    expect(widths.get('e')).toBeUndefined();
    expect(widths.get('ctr')).toBe(1);
  });
});
