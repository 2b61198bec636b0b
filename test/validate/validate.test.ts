/** validate(): schema check + rules + shapes, a new IR, files on diagnostics, crashes contained. */
import { describe, expect, it } from 'vitest';
import type { ModelIR } from '../../src/ir/types.js';
import { checkSchema } from '../../src/validate/schema-check.js';
import { validate } from '../../src/validate/validate.js';
import { baseIR, r } from './fixtures.js';

describe('validate', () => {
  it('returns a new IR with widths and leaves the input alone', () => {
    const ir = baseIR();
    const before = JSON.stringify(ir);
    const out = validate(ir, { file: 'demo.mtl' });
    expect(out.diagnostics).toEqual([]);
    expect(out.value).not.toBe(ir);
    expect(out.value.nodes[0]!.width).toBe(29);
    expect(JSON.stringify(ir)).toBe(before);
  });

  it('sets the file on every diagnostic', () => {
    const ir = baseIR();
    ir.tasks = [];
    delete ir.train.earlyStop;
    const out = validate(ir, { file: 'demo.mtl' });
    expect(out.diagnostics.length).toBeGreaterThan(0);
    expect(out.diagnostics.every((d) => d.file === 'demo.mtl')).toBe(true);
  });

  it('never throws on garbage, and reports it', () => {
    for (const junk of [null, 3, [], {}, { version: 1, nodes: 'x', features: [null, 1], tasks: [{ name: 't' }] }]) {
      const out = validate(junk as unknown as ModelIR, {});
      expect(out.diagnostics.length).toBeGreaterThan(0);
      expect(out.diagnostics.filter((d) => d.code === 'MTL3999')).toEqual([]);
    }
  });

  it('contains a crashing rule as MTL3999 naming it (via a registry whose lookups throw)', () => {
    const registry = {
      types: () => {
        throw new Error('boom');
      },
      get: () => undefined,
      validateParams: () => undefined,
    };
    const ir = baseIR();
    ir.nodes[3]!.kind === 'gate' && (ir.nodes[3]!.type = 'nope');
    const out = validate(ir, { registry: registry as never });
    const crash = out.diagnostics.find((d) => d.code === 'MTL3999');
    expect(crash?.message).toBe("Internal error in validation rule 'knownGateType': boom.");
  });
});

describe('checkSchema', () => {
  it('locates errors of a text-built IR through locs', () => {
    const ir = baseIR() as unknown as { nodes: Array<Record<string, unknown>> };
    ir.nodes[1]!.count = 'four';
    const ds = checkSchema(ir, { file: 'x.mtl' });
    expect(ds.map((d) => [d.code, d.message, d.range, d.file])).toEqual([
      ['MTL2005', "Property 'count' of experts 'e' must be an integer.", (ir.nodes[1]!.locs as Record<string, unknown>).count, 'x.mtl'],
    ]);
  });

  it('maps mlp paths to the text builder keys, and falls back to the declaration', () => {
    const ir = baseIR() as unknown as { nodes: Array<{ mlp: Record<string, unknown>; loc: unknown; locs: Record<string, unknown> }> };
    ir.nodes[1]!.mlp.units = [32, 'x'];
    ir.nodes[2]!.mlp.activation = 'relux';
    const ds = checkSchema(ir);
    expect(ds[0]!.range).toEqual(ir.nodes[1]!.locs['units.1']);
    expect(ds[1]!.range).toEqual(ir.nodes[2]!.loc);
    expect(ds[1]!.hint).toContain("did you mean 'relu'?");
  });

  it('leaves a missing task loss to the task-has-loss rule', () => {
    const ir = baseIR();
    delete (ir.tasks[0] as { loss?: unknown }).loss;
    expect(checkSchema(ir)).toEqual([]);
    expect(checkSchema(ir, { deferToRules: false }).map((d) => d.code)).toEqual(['MTL2003']);
  });

  it('reports a wrong IR version as MTL2002', () => {
    const ir = { ...baseIR(), version: 7 };
    const ds = checkSchema(ir);
    expect(ds.map((d) => [d.code, d.range])).toEqual([['MTL2002', r(0, 0, 10)]]);
  });
});
