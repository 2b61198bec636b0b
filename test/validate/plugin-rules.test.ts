/** The plugin-dependent rules with a fake plugin: its `check` runs with the gate's widths, and cannot crash validation. */
import { describe, expect, it } from 'vitest';
import type { GateCheckContext, GatePlugin } from '../../src/plugins/api.js';
import { PluginRegistry } from '../../src/plugins/registry.js';
import { validate } from '../../src/validate/validate.js';
import { baseIR } from './fixtures.js';

function registryWith(check: (ctx: GateCheckContext) => void): PluginRegistry {
  const reg = new PluginRegistry();
  const plugin: GatePlugin = {
    name: 'softmax',
    version: '1',
    description: 'fake',
    paramsSchema: { type: 'object', properties: { temperature: { type: 'number' } }, additionalProperties: false },
    check,
    build: () => {
      throw new Error('unused');
    },
  };
  expect(reg.register(plugin, 'test')).toEqual([]);
  return reg;
}

describe('gate-plugin-check', () => {
  it('calls check with the expert count and widths, and maps reports to the property', () => {
    const seen: Array<[string, number, number, number]> = [];
    const registry = registryWith((ctx) => {
      seen.push([ctx.gate.name, ctx.expertCount, ctx.expertWidth, ctx.inputWidth]);
      if (ctx.gate.name === 'g2') ctx.report({ message: 'Temperature too low for 4 experts.', hint: 'use 1', property: 'params.temperature' });
      if (ctx.gate.name === 'g1') ctx.report({ message: 'Just saying.', severity: 'warning', code: 'MTL4099' });
    });
    const ir = baseIR();
    const ds = validate(ir, { registry }).diagnostics;
    expect(seen).toEqual([
      ['g1', 6, 16, 29],
      ['g2', 4, 16, 29],
    ]);
    expect(ds.map((d) => [d.code, d.severity, d.message, d.range, d.hint])).toEqual([
      ['MTL4099', 'warning', 'Just saying.', ir.nodes[3]!.locs!.type, undefined],
      ['MTL4010', 'error', 'Temperature too low for 4 experts.', ir.nodes[4]!.locs!['params.temperature'], 'use 1'],
    ]);
  });

  it('turns a throwing check into MTL4011', () => {
    const registry = registryWith(() => {
      throw new Error('oops');
    });
    const ds = validate(baseIR(), { registry }).diagnostics;
    expect(ds.map((d) => d.message)).toEqual([
      "The check of gate plugin 'softmax' threw on gate 'g1': oops.",
      "The check of gate plugin 'softmax' threw on gate 'g2': oops.",
    ]);
  });

  it('does not run check on a gate whose parameters are invalid', () => {
    let calls = 0;
    const registry = registryWith(() => void calls++);
    const ir = baseIR();
    (ir.nodes[4] as { params: object }).params = { temperature: 'x' };
    const ds = validate(ir, { registry }).diagnostics;
    expect(ds.map((d) => d.code)).toEqual(['MTL4008']);
    expect(calls).toBe(1);
  });
});
