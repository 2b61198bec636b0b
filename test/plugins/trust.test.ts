/**
 * Plugin trust as a user meets it: a hostile spec's `use "./evil.js"` (which writes a marker file when
 * imported) runs no code under check, ir, fmt, graph or compile, yet its gates are still checked from the
 * plugin's manifest; paths and packages outside the spec's project are refused; train runs a plugin
 * inside the project, and one outside it only with --trust-plugins or a trusted folder.
 */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { tempDir } from '../cli/helpers.js';
import { EVIL_MANIFEST, hostileSpec as spec, trainableSpec, writeEvil } from './hostile.js';

const tmp = tempDir('mtl-trust-');
afterAll(() => tmp.cleanup());

let serial = 0;

/** A fresh project folder (with a package.json) holding spec.mtl and evil.js; returns its paths. */
function project(text: (evil: string) => string = () => spec('./evil.js'), opts: { manifest?: boolean } = {}): { dir: string; marker: string; spec: string } {
  const dir = path.join(tmp.dir, `p${++serial}`, 'project');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{"name":"victim","private":true}\n');
  const marker = path.join(dir, '..', 'MARKER');
  writeEvil(path.join(dir, 'evil.js'), marker, opts.manifest ?? true);
  writeFileSync(path.join(dir, 'spec.mtl'), text('./evil.js'));
  return { dir, marker, spec: path.join(dir, 'spec.mtl') };
}

describe('read-only commands on a spec that uses a plugin', () => {
  it('check, ir, fmt, graph and compile run no plugin code, and still report gate parameter errors from the manifest', async () => {
    const p = project(() => spec('./evil.js', 'dims: 4'));
    const check = await runCli(['check', 'spec.mtl'], { cwd: p.dir });
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('spec.mtl:10:26: error MTL4008');
    expect(check.stdout).toContain("did you mean 'dim'");
    const ir = await runCli(['ir', 'spec.mtl'], { cwd: p.dir });
    expect(ir.code).toBe(1);
    expect(ir.stderr).toContain('MTL4008');
    const graph = await runCli(['graph', 'spec.mtl', '-o', 'g.svg'], { cwd: p.dir });
    expect(graph.code).toBe(1);
    expect(graph.stderr).toContain('MTL4008');
    const compile = await runCli(['compile', 'spec.mtl', '-o', 'py'], { cwd: p.dir });
    expect(compile.code).toBe(1);
    expect(compile.stderr).toContain('MTL4008');
    const fmt = await runCli(['fmt', '--check', 'spec.mtl'], { cwd: p.dir });
    expect([0, 1]).toContain(fmt.code);
    expect(existsSync(p.marker)).toBe(false);
  });

  it('accept a valid spec from the manifest, say once per plugin that its own checks did not run, and run them with --trust-plugins', async () => {
    const p = project(() => spec('./evil.js', 'dim: 4', 1));
    const check = await runCli(['check', 'spec.mtl'], { cwd: p.dir });
    expect(check.code, check.stdout).toBe(0);
    expect(check.stdout.match(/info MTL4206/g)).toHaveLength(1);
    expect(check.stdout).toContain("The code of plugin './evil.js' was not run");
    expect(check.stdout).not.toContain('single expert');
    const graph = await runCli(['graph', 'spec.mtl', '-o', 'g.dot'], { cwd: p.dir });
    expect(graph.code, graph.stderr).toBe(0);
    expect(existsSync(p.marker)).toBe(false);

    const trusted = await runCli(['check', 'spec.mtl', '--trust-plugins'], { cwd: p.dir });
    expect(existsSync(p.marker)).toBe(true);
    expect(trusted.stdout).not.toContain('MTL4206');
    // The plugin's own check (a warning on a single expert) ran.
    expect(trusted.stdout).toContain("Gate 'g' attends over a single expert");
  });

  it('report a plugin without a manifest (MTL4204) instead of running it', async () => {
    const p = project(undefined, { manifest: false });
    const check = await runCli(['check', 'spec.mtl'], { cwd: p.dir });
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('spec.mtl:2:5: error MTL4204');
    expect(check.stdout).toContain('--trust-plugins');
    // The gate's type is unknown as a consequence: its hint points at the use line rather than asking for one.
    expect(check.stdout).toContain("spec.mtl:10:10: error MTL3009: Gate 'g' has the unknown type 'evil-gate'.");
    expect(check.stdout).toContain('hint: a `use` plugin was not loaded, see line 2 (MTL4204); this type is probably its');
    expect(existsSync(p.marker)).toBe(false);
  });

  it('report a manifest that is not JSON (MTL4205), and with --trust-plugins one that differs from the code (MTL4207)', async () => {
    const broken = project();
    writeFileSync(path.join(broken.dir, 'evil.mtl-plugin.json'), '{"name": "evil-gate",');
    const r = await runCli(['check', 'spec.mtl'], { cwd: broken.dir });
    expect(r.stdout).toContain(`spec.mtl:2:5: error MTL4205: The manifest of plugin './evil.js' (${path.join(broken.dir, 'evil.mtl-plugin.json')}) cannot be read`);
    expect(existsSync(broken.marker)).toBe(false);
    const drifted = project();
    writeFileSync(path.join(drifted.dir, 'evil.mtl-plugin.json'), JSON.stringify({ ...EVIL_MANIFEST, version: '9.9.9' }));
    const t = await runCli(['check', 'spec.mtl', '--trust-plugins'], { cwd: drifted.dir });
    expect(t.stdout).toContain("spec.mtl:2:5: error MTL4207: The manifest of plugin './evil.js' does not match its code: the manifest says version 9.9.9, the code 1.0.0.");
  });

  it('run the plugin for a spec in a folder listed in MTL_TRUSTED_FOLDERS', async () => {
    const p = project();
    const before = process.env.MTL_TRUSTED_FOLDERS;
    process.env.MTL_TRUSTED_FOLDERS = path.dirname(p.dir);
    try {
      const check = await runCli(['check', 'spec.mtl'], { cwd: p.dir });
      expect(check.code, check.stdout).toBe(0);
    } finally {
      if (before === undefined) delete process.env.MTL_TRUSTED_FOLDERS;
      else process.env.MTL_TRUSTED_FOLDERS = before;
    }
    expect(existsSync(p.marker)).toBe(true);
  });
});

describe('use sources outside the spec\'s project', () => {
  it('refuses an absolute path (MTL4201), a path out of the project (MTL4202) and a symlink that escapes it (MTL4202)', async () => {
    const p = project();
    const outside = path.join(p.dir, '..', 'outside', 'evil.js');
    writeEvil(outside, p.marker);
    writeFileSync(path.join(p.dir, 'abs.mtl'), spec(outside));
    writeFileSync(path.join(p.dir, 'up.mtl'), spec('../outside/evil.js'));
    mkdirSync(path.join(p.dir, 'sub', 'deeper'), { recursive: true });
    writeFileSync(path.join(p.dir, 'sub', 'deeper', 'upup.mtl'), spec('../../../outside/evil.js'));
    symlinkSync(outside, path.join(p.dir, 'link.js'));
    writeFileSync(path.join(p.dir, 'link.mtl'), spec('./link.js'));

    const abs = await runCli(['check', 'abs.mtl'], { cwd: p.dir });
    expect(abs.stdout).toContain('abs.mtl:2:5: error MTL4201');
    expect(abs.stdout).toContain(`The plugin path '${outside}' is absolute`);
    for (const [file, source] of [['up.mtl', '../outside/evil.js'], ['sub/deeper/upup.mtl', '../../../outside/evil.js']] as const) {
      const r = await runCli(['check', file], { cwd: p.dir });
      expect(r.stdout).toContain(`${file}:2:5: error MTL4202: The plugin path '${source}' leads outside the spec's project`);
    }
    const link = await runCli(['check', 'link.mtl'], { cwd: p.dir });
    expect(link.stdout).toContain('link.mtl:2:5: error MTL4202');
    expect(link.stdout).toContain('through a symbolic link');
    // train refuses them too without consent.
    const train = await runCli(['train', 'up.mtl', '--out', 'model'], { cwd: p.dir });
    expect(train.code).toBe(1);
    expect(train.stderr).toContain('MTL4202');
    expect(existsSync(p.marker)).toBe(false);
  });

  it('refuses a package found only in a node_modules above the project (MTL4203), and takes one installed in the project', async () => {
    const p = project(() => spec('evil-pkg'));
    const above = path.join(p.dir, '..', 'node_modules', 'evil-pkg');
    mkdirSync(above, { recursive: true });
    writeFileSync(path.join(above, 'package.json'), JSON.stringify({ name: 'evil-pkg', version: '1.0.0', type: 'module', main: 'index.js', mtl: EVIL_MANIFEST }));
    writeEvil(path.join(above, 'index.js'), p.marker, false);
    const r = await runCli(['check', 'spec.mtl'], { cwd: p.dir });
    expect(r.stdout).toContain("spec.mtl:2:5: error MTL4203: The plugin package 'evil-pkg' is not installed inside the spec's project");
    expect(r.stdout).toContain('npm install evil-pkg');
    expect(existsSync(p.marker)).toBe(false);

    const inside = path.join(p.dir, 'node_modules', 'evil-pkg');
    mkdirSync(path.join(inside, 'dist'), { recursive: true });
    // The manifest is the package.json's "mtl" field, at the package root above its entry file.
    writeFileSync(path.join(inside, 'package.json'), JSON.stringify({ name: 'evil-pkg', version: '1.0.0', type: 'module', main: 'dist/index.js', mtl: EVIL_MANIFEST }));
    writeEvil(path.join(inside, 'dist', 'index.js'), p.marker, false);
    const ok = await runCli(['check', 'spec.mtl'], { cwd: p.dir });
    expect(ok.code, ok.stdout).toBe(0);
    expect(existsSync(p.marker)).toBe(false);
  });
});

/** The trainable spec with its gate from `source`. */
const trainSpec = (source: string): string => trainableSpec('evil-gate(dim: 2)', `use "${source}"\n`);

describe('train', () => {
  it('runs a plugin inside the spec\'s project', async () => {
    const p = project(() => trainSpec('./evil.js'));
    const r = await runCli(['train', 'spec.mtl', '--out', 'model', '--backend', 'cpu'], { cwd: p.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('mtl train: running gate plugin code: evil-gate from ./evil.js\n');
    expect(existsSync(p.marker)).toBe(true);
  });

  it('runs a plugin from outside the project only with --trust-plugins', async () => {
    const p = project();
    const outside = path.join(p.dir, '..', 'shared', 'gate.js');
    writeEvil(outside, p.marker);
    writeFileSync(path.join(p.dir, 'spec.mtl'), trainSpec('../shared/gate.js'));
    const refused = await runCli(['train', 'spec.mtl', '--out', 'model', '--backend', 'cpu'], { cwd: p.dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('spec.mtl:2:5: error MTL4202');
    expect(existsSync(p.marker)).toBe(false);
    const r = await runCli(['train', 'spec.mtl', '--out', 'model', '--backend', 'cpu', '--trust-plugins'], { cwd: p.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(p.marker)).toBe(true);
  });
});
