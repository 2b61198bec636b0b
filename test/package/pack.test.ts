/**
 * The published package works: `npm pack` of the built sources, installed into a fresh project (offline: the
 * tarball is extracted into node_modules/mtl and the checkout's dependencies are linked beside it), then each
 * entry point is imported from a plain .mjs file and used. Also: `mtl/plugin` loads only the plugin API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
let project = '';
let pkg = '';

beforeAll(() => {
  // Build dist/ as `npm run build` does; pack without the prepare script (it would also build the addon).
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'pipe' });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mtl-pack-'));
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', tmp], { cwd: root, encoding: 'utf8' });
  const tgz = path.join(tmp, out.trim().split('\n').pop()!);
  project = path.join(tmp, 'project');
  const modules = path.join(project, 'node_modules');
  fs.mkdirSync(modules, { recursive: true });
  execFileSync('tar', ['-xzf', tgz, '-C', modules]);
  pkg = path.join(modules, 'mtl');
  fs.renameSync(path.join(modules, 'package'), pkg);
  const deps = fs.realpathSync(path.join(root, 'node_modules'));
  for (const entry of fs.readdirSync(deps)) {
    if (entry === 'mtl' || entry === '.bin' || entry.startsWith('.')) continue;
    fs.symlinkSync(path.join(deps, entry), path.join(modules, entry));
  }
}, 300_000);

afterAll(() => {
  if (project) fs.rmSync(path.dirname(project), { recursive: true, force: true });
});

/** The files a module imports at run time (relative specifiers, followed through the package), and its bare imports. */
function importGraph(entry: string): { files: Set<string>; bare: Set<string> } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec));
      else bare.add(spec);
    }
  };
  visit(entry);
  return { files, bare };
}

describe('the npm package', () => {
  it('declares entry points and types that exist in the tarball', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8'));
    expect(fs.existsSync(path.join(pkg, manifest.main))).toBe(true);
    expect(fs.existsSync(path.join(pkg, manifest.types))).toBe(true);
    for (const [name, target] of Object.entries(manifest.exports as Record<string, string | { types: string; default: string }>)) {
      const targets = typeof target === 'string' ? [target] : [target.types, target.default];
      for (const t of targets) expect(fs.existsSync(path.join(pkg, t)), `${name}: ${t}`).toBe(true);
    }
    expect(fs.existsSync(path.join(pkg, 'src/targets/pytorch/templates/mtl_ops.py'))).toBe(true);
    expect(fs.existsSync(path.join(pkg, 'native/mtl_ops.h'))).toBe(true);
  });

  it('imports and uses every entry point from a plain .mjs file', () => {
    const script = path.join(project, 'use.mjs');
    fs.writeFileSync(
      script,
      [
        "import { checkText, parseSpec, LOSS_DEFS, createModelRuntime, train, loadArtifact, artifactPredictor } from 'mtl';",
        "import { definePlugin } from 'mtl/plugin';",
        "import { assertGatePluginConformance } from 'mtl/plugin/testing';",
        "import { tf } from 'mtl/plugin/tf';",
        "const spec = 'model m\\nfeatures {\\n  numeric a\\n}\\nlabels {\\n  y: real\\n}\\ninput x = concat(a)\\ntower t = mlp(2) on x -> linear\\ntask t = t loss huber(y)\\n';",
        'const checked = checkText(spec, { file: "m.mtl" });',
        'const bad = checkText(spec.replace("huber", "hubr"), { file: "m.mtl" });',
        'const plugin = definePlugin(() => ({ name: "x", version: "1.0.0", description: "d", paramsSchema: { type: "object" }, build: (ctx) => ctx }))();',
        'console.log(JSON.stringify({',
        '  ir: checked.ir?.name, errors: checked.diagnostics.length, bad: bad.diagnostics.map((d) => d.code),',
        '  parsed: parseSpec(spec).value?.tasks[0].loss.type, losses: LOSS_DEFS.map((d) => d.name), plugin: plugin.name,',
        '  fns: [createModelRuntime, train, loadArtifact, artifactPredictor, assertGatePluginConformance].map((f) => typeof f),',
        '  tf: typeof tf.layers.Layer,',
        '}));',
      ].join('\n'),
    );
    const out = JSON.parse(execFileSync(process.execPath, [script], { cwd: project, encoding: 'utf8' }));
    expect(out).toEqual({
      ir: 'm',
      errors: 0,
      bad: ['MTL3010'],
      parsed: 'huber',
      losses: ['bce', 'mse', 'huber'],
      plugin: 'x',
      fns: ['function', 'function', 'function', 'function', 'function'],
      tf: 'function',
    });
  }, 120_000);

  it('mtl/plugin loads only the plugin API: no tfjs, no conformance harness, no native loader', () => {
    const { files, bare } = importGraph(path.join(pkg, 'dist/src/plugins/index.js'));
    const names = [...files].map((f) => path.relative(pkg, f));
    expect(names.some((n) => n.includes('conformance') || n.includes('native'))).toBe(false);
    expect([...bare]).toEqual([]);
    expect(files.size).toBeLessThanOrEqual(3);
  });
});
