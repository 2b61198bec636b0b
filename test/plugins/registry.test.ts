/** The plugin registry: registration checks, parameter validation. */
import { describe, expect, it } from 'vitest';
import type { GatePlugin } from '../../src/plugins/api.js';
import { PluginRegistry } from '../../src/plugins/registry.js';
import { createDefaultRegistry } from '../../src/plugins/load.js';

const LOC = { start: { line: 2, character: 0 }, end: { line: 2, character: 12 } };

/** A fake gate plugin (build is never called here). */
function fake(overrides: Partial<GatePlugin> & Record<string, unknown> = {}): GatePlugin {
  return {
    name: 'topk',
    version: '0.1.0',
    description: 'Keeps the k best experts.',
    paramsSchema: {
      type: 'object',
      properties: { k: { type: 'integer', minimum: 1 }, mode: { enum: ['hard', 'soft'] } },
      required: ['k'],
      additionalProperties: false,
    },
    build: () => {
      throw new Error('not built in these tests');
    },
    ...overrides,
  } as GatePlugin;
}

describe('PluginRegistry', () => {
  it('registers a valid plugin and finds it by type', () => {
    const reg = new PluginRegistry();
    expect(reg.register(fake(), './topk.js', LOC)).toEqual([]);
    expect(reg.types()).toEqual(['topk']);
    expect(reg.get('topk')).toMatchObject({ source: './topk.js', loc: LOC });
    expect(reg.get('nope')).toBeUndefined();
  });

  it('reports missing and ill-typed fields as MTL4004 at the use declaration', () => {
    const reg = new PluginRegistry();
    const ds = reg.register(fake({ name: 3 as never, version: undefined as never, build: 'no' as never }), './bad.js', LOC);
    expect(ds.map((d) => [d.code, d.message, d.range])).toEqual([
      ['MTL4004', "The plugin from './bad.js' is invalid: 'name' must be a string.", LOC],
      ['MTL4004', "The plugin from './bad.js' is invalid: 'version' must be a string.", LOC],
      ['MTL4004', "The plugin from './bad.js' is invalid: 'build' must be a function.", LOC],
    ]);
    expect(reg.types()).toEqual([]);
    expect(reg.register(null as never, './null.js').map((d) => d.code)).toEqual(['MTL4004']);
    expect(reg.register(fake({ name: 'has space' }), './x.js').map((d) => d.code)).toEqual(['MTL4004']);
  });

  it('reports a parameter schema that does not compile as MTL4005', () => {
    const reg = new PluginRegistry();
    const ds = reg.register(fake({ paramsSchema: { type: 'objekt' } }), './x.js', LOC);
    expect(ds.map((d) => d.code)).toEqual(['MTL4005']);
    expect(ds[0]!.message).toMatch(/^The parameter schema of gate plugin 'topk' does not compile: /);
    expect(reg.get('topk')).toBeUndefined();
  });

  it('reports a duplicate name as MTL4006, pointing at the first', () => {
    const reg = new PluginRegistry();
    reg.register(fake(), './a.js', LOC);
    const second = { start: { line: 3, character: 0 }, end: { line: 3, character: 9 } };
    const [d] = reg.register(fake(), './b.js', second);
    expect(d).toMatchObject({ code: 'MTL4006', range: second, message: "A gate plugin named 'topk' is already loaded (from './a.js')." });
    expect(d!.related?.[0]?.range).toEqual(LOC);
    expect(reg.get('topk')?.source).toBe('./a.js');
  });

  it('validates parameters into issues keyed by property', () => {
    const reg = new PluginRegistry();
    reg.register(fake(), 'x');
    expect(reg.validateParams('topk', { k: 2 })).toEqual([]);
    expect(reg.validateParams('unknown', {})).toBeUndefined();
    expect(reg.validateParams('topk', { k: 'two', mode: 'hrad', kk: 1 })).toEqual([
      { property: 'params.kk', message: "'kk' is not a parameter of this gate", hint: "did you mean 'k'?", keyword: 'additionalProperties' },
      { property: 'params.k', message: "parameter 'k' must be an integer", keyword: 'type' },
      { property: 'params.mode', message: "parameter 'mode' must be equal to one of the allowed values", hint: 'allowed: "hard", "soft"', keyword: 'enum' },
    ]);
    expect(reg.validateParams('topk', {})).toEqual([{ property: 'params', message: "the required parameter 'k' is missing", keyword: 'required' }]);
    expect(reg.validateParams('topk', [])?.[0]?.property).toBe('params');
  });

  it('creates the default registry with the first-party softmax gate', () => {
    const reg = createDefaultRegistry();
    expect(reg.types()).toContain('softmax');
    expect(reg.get('softmax')?.source).toBe('builtin');
    expect(reg.validateParams('softmax', { temperature: 0.5 })).toEqual([]);
    expect(reg.validateParams('softmax', { temperature: 0 })?.map((i) => i.property)).toEqual(['params.temperature']);
  });
});
