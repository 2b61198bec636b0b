/**
 * The manifests shipped with the first-party plugins and the example plugin say what their code says
 * (an untrusted check goes by the manifest, so a drifted one would accept what train then rejects),
 * and a drifted or malformed manifest is reported.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PluginFactory } from '../../src/plugins/api.js';
import { manifestDrift, PluginRegistry } from '../../src/plugins/registry.js';
import softmax from '../../plugins/softmax/index.js';
import noisyTopK from '../../plugins/noisy-topk/index.js';
import sigmoid from '../../plugins/sigmoid/index.js';
// @ts-expect-error: the example is plain JavaScript without declarations.
import expertAttention from '../../plugins/examples/expert-attention/index.js';
import { ROOT } from '../cli/helpers.js';

const PLUGINS: Array<[string, PluginFactory]> = [['softmax', softmax], ['noisy-topk', noisyTopK], ['sigmoid', sigmoid], ['examples/expert-attention', expertAttention as PluginFactory]];
const manifestOf = (dir: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(ROOT, 'plugins', dir, 'mtl-plugin.json'), 'utf8')) as Record<string, unknown>;

describe('plugin manifests', () => {
  it.each(PLUGINS)('plugins/%s/mtl-plugin.json matches its code', (dir, factory) => {
    const plugin = factory();
    const manifest = manifestOf(dir);
    expect(manifestDrift(manifest, plugin)).toBeUndefined();
    expect(manifest.description).toBe(plugin.description);
  });

  it('reports a manifest that differs from the code (MTL4207) and registers nothing', () => {
    const registry = new PluginRegistry();
    const manifest = { ...manifestOf('softmax'), paramsSchema: { type: 'object', properties: {} } };
    const ds = registry.register(softmax(), './softmax.js', undefined, manifest);
    expect(ds.map((d) => [d.code, d.message])).toEqual([['MTL4207', "The manifest of plugin './softmax.js' does not match its code: the manifest's 'paramsSchema' differs from the code's."]]);
    expect(registry.get('softmax')).toBeUndefined();
    // Key order does not matter.
    const reordered = Object.fromEntries(Object.entries(manifestOf('softmax')).reverse());
    expect(new PluginRegistry().register(softmax(), './softmax.js', undefined, reordered)).toEqual([]);
  });

  it('registers a manifest as a plugin without code, and rejects a malformed one field by field (MTL4004)', () => {
    const registry = new PluginRegistry();
    expect(registry.declare(manifestOf('sigmoid'), './sigmoid.js')).toEqual([]);
    expect(registry.get('sigmoid')?.plugin).toBeUndefined();
    expect(registry.gatePlugins()).toEqual([]);
    expect(registry.validateParams('sigmoid', { nope: 1 })?.map((i) => i.property)).toEqual(['params.nope']);
    const bad = registry.declare({ name: '1bad', paramsSchema: [] }, './bad.js');
    expect(bad.map((d) => d.code)).toEqual(['MTL4004', 'MTL4004', 'MTL4004', 'MTL4004']);
    expect(bad[0]!.message).toContain("manifest: 'name' ('1bad') must start with a letter");
    expect(registry.declare('not an object', './x.js').map((d) => d.message)).toEqual(["The plugin from './x.js' is invalid: its manifest is not a JSON object."]);
    let deep: Record<string, unknown> = { type: 'object' };
    for (let i = 0; i < 40; i++) deep = { type: 'object', properties: { x: deep } };
    const tooDeep = registry.declare({ ...manifestOf('softmax'), name: 'deep', paramsSchema: deep }, './deep.js');
    expect(tooDeep.map((d) => d.message)).toEqual(["The plugin from './deep.js' is invalid: manifest: 'paramsSchema' nests deeper than 32 levels."]);
  });
});
