/** Loading plugins from `use` sources: relative paths, packages, and every way a module can be broken. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlugins } from '../../src/plugins/load.js';
import { PluginRegistry } from '../../src/plugins/registry.js';

const LOC = { start: { line: 1, character: 0 }, end: { line: 1, character: 20 } };
let dir: string;

const PLUGIN = (name: string) => `export default () => ({
  name: ${JSON.stringify(name)}, version: '1.0.0', description: 'test gate',
  paramsSchema: { type: 'object', properties: { k: { type: 'integer' } }, additionalProperties: false },
  build() { throw new Error('unused'); },
});
`;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mtl-plugins-'));
  mkdirSync(path.join(dir, 'sub'));
  writeFileSync(path.join(dir, 'sub', 'good.mjs'), PLUGIN('good-gate'));
  writeFileSync(path.join(dir, 'no-default.mjs'), 'export const plugin = 1;\n');
  writeFileSync(path.join(dir, 'object-default.mjs'), 'export default { name: "x", build() {} };\n');
  writeFileSync(path.join(dir, 'throws.mjs'), 'export default () => { throw new Error("factory exploded"); };\n');
  writeFileSync(path.join(dir, 'syntax.mjs'), 'export default () => ({ name: \n');
  writeFileSync(path.join(dir, 'invalid.mjs'), 'export default () => ({ name: "bad" });\n');
  const pkg = path.join(dir, 'node_modules', 'mtl-gate-pkg');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'mtl-gate-pkg', version: '1.0.0', main: 'index.mjs' }));
  writeFileSync(path.join(pkg, 'index.mjs'), PLUGIN('pkg-gate'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

// These tests are about running plugin modules, so they trust them (`any`); confinement and manifests are in trust.test.ts.
const load = async (source: string, registry = new PluginRegistry()) => ({ registry, diagnostics: await loadPlugins([{ source, loc: LOC }], { baseDir: dir, registry, trust: 'any' }) });

describe('loadPlugins', () => {
  it('loads a plugin by a path relative to the spec directory', async () => {
    const { registry, diagnostics } = await load('./sub/good.mjs');
    expect(diagnostics).toEqual([]);
    expect(registry.get('good-gate')).toMatchObject({ source: './sub/good.mjs', loc: LOC });
  });

  it('loads a plugin package installed next to the spec', async () => {
    const { registry, diagnostics } = await load('mtl-gate-pkg');
    expect(diagnostics).toEqual([]);
    expect(registry.types()).toEqual(['pkg-gate']);
  });

  it('reports a missing file or package as MTL4001 at the use declaration', async () => {
    const file = await load('./nope.mjs');
    expect(file.diagnostics.map((d) => [d.code, d.message, d.range])).toEqual([['MTL4001', "The plugin module './nope.mjs' was not found.", LOC]]);
    expect(file.diagnostics[0]!.hint).toContain(path.join(dir, 'nope.mjs'));
    const pkg = await load('no-such-package-xyz');
    expect(pkg.diagnostics.map((d) => d.code)).toEqual(['MTL4001']);
    expect(pkg.diagnostics[0]!.hint).toContain('install it');
    const folder = await load('./sub');
    expect(folder.diagnostics.map((d) => d.code)).toEqual(['MTL4001']);
    expect(folder.diagnostics[0]!.hint).toContain('is a folder; name the plugin\'s module file, e.g. "./sub/index.js"');
  });

  it('reports a module without a default factory as MTL4002', async () => {
    expect((await load('./no-default.mjs')).diagnostics.map((d) => d.code)).toEqual(['MTL4002']);
    const obj = await load('./object-default.mjs');
    expect(obj.diagnostics.map((d) => d.code)).toEqual(['MTL4002']);
    expect(obj.diagnostics[0]!.hint).toContain('definePlugin');
  });

  it('reports a throwing factory as MTL4003, a broken module as MTL4007, an invalid plugin as MTL4004', async () => {
    const threw = await load('./throws.mjs');
    expect(threw.diagnostics.map((d) => [d.code, d.message])).toEqual([['MTL4003', "The factory of plugin './throws.mjs' threw: factory exploded."]]);
    expect((await load('./syntax.mjs')).diagnostics.map((d) => d.code)).toEqual(['MTL4007']);
    expect((await load('./invalid.mjs')).diagnostics.map((d) => d.code)).toEqual(['MTL4004', 'MTL4004', 'MTL4004', 'MTL4004']);
  });

  it('reports loading the same plugin twice as a duplicate', async () => {
    const registry = new PluginRegistry();
    const ds = await loadPlugins([{ source: './sub/good.mjs' }, { source: './sub/../sub/good.mjs', loc: LOC }], { baseDir: dir, registry, trust: 'any' });
    expect(ds.map((d) => [d.code, d.range])).toEqual([['MTL4006', LOC]]);
  });
});
