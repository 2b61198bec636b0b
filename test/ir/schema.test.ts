/** The IR JSON Schema: the shipped file equals the exported object, and it accepts/rejects the right IR. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MODEL_IR_SCHEMA } from '../../src/ir/schema.js';
import { irValidator } from '../../src/validate/ir-validator.js';
import { baseIR } from '../validate/fixtures.js';

describe('the IR schema', () => {
  it('is written out unchanged in schema/mtl-ir.schema.json (regenerate it from src/ir/schema.ts)', () => {
    const shipped = JSON.parse(readFileSync(new URL('../../schema/mtl-ir.schema.json', import.meta.url), 'utf8'));
    expect(shipped).toEqual(JSON.parse(JSON.stringify(MODEL_IR_SCHEMA)));
  });

  it('accepts a full IR with locations, docs and widths', () => {
    const ir = baseIR() as unknown as Record<string, unknown>;
    (ir.features as Array<Record<string, unknown>>)[0]!.width = 8;
    (ir.nodes as Array<Record<string, unknown>>)[0]!.doc = 'all inputs';
    ir.data = { kind: 'synth', generator: 'esmm', rows: 100, params: { noise: [1, { a: null }] } };
    ir.plugins = [{ source: './x.js', loc: { start: { line: 0, character: 0 }, end: { line: 0, character: 3 } } }];
    const v = irValidator();
    expect(v(ir)).toBe(true);
  });

  it('closes every object: unknown properties are errors', () => {
    const v = irValidator();
    const ir = baseIR() as unknown as { nodes: Array<Record<string, unknown>>; train: Record<string, unknown> };
    ir.nodes[1]!.mlp = { ...(ir.nodes[1]!.mlp as object), units2: [1] };
    ir.train.learning_rate = 1;
    expect(v(ir)).toBe(false);
    expect(v.errors!.map((e) => [e.instancePath, e.keyword])).toEqual([
      ['/nodes/1/mlp', 'additionalProperties'],
      ['/train', 'additionalProperties'],
    ]);
  });

  it('selects the branch of a union by kind (one error, from that branch)', () => {
    const v = irValidator();
    const ir = baseIR() as unknown as { nodes: Array<Record<string, unknown>> };
    delete ir.nodes[3]!.over;
    expect(v(ir)).toBe(false);
    expect(v.errors!.map((e) => [e.instancePath, e.keyword, (e.params as { missingProperty?: string }).missingProperty])).toEqual([['/nodes/3', 'required', 'over']]);
  });

  it('requires version 1', () => {
    const v = irValidator();
    expect(v({ ...baseIR(), version: 2 })).toBe(false);
    expect(v.errors![0]!.keyword).toBe('const');
  });

  it('accepts the numeric missing forms and label expressions, and rejects others', () => {
    const v = irValidator();
    for (const missing of ['zero', 'mean', 'error', { value: 3 }]) {
      const ir = baseIR();
      (ir.features[3] as { missing: unknown }).missing = missing;
      expect(v(ir)).toBe(true);
    }
    const bad = baseIR();
    (bad.features[3] as { missing: unknown }).missing = 'median';
    expect(v(bad)).toBe(false);
    const expr = baseIR();
    expr.tasks[0]!.loss.label = { op: 'not', arg: { op: 'or', args: [{ label: 'a' }, { label: 'b' }] } };
    expect(v(expr)).toBe(true);
    (expr.tasks[0]!.loss as { label: unknown }).label = { op: 'xor', args: [] };
    expect(v(expr)).toBe(false);
  });
});
