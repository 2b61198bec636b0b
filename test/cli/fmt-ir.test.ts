/** `mtl fmt` (canonical form, --write, --check, comments, idempotence) and `mtl ir` (JSON, --yaml). */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { ROOT, SPECS, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** The comment texts of a spec (what must survive formatting). */
function comments(text: string): string[] {
  return text.split('\n').flatMap((l) => {
    const m = /(?:^|\s)(#.*|\/\/.*)$/.exec(l);
    return m ? [m[1]!.trim()] : [];
  });
}

describe('mtl fmt', () => {
  it.each(SPECS)('$name: canonical, idempotent, keeps comments and the IR', async ({ name, file, text }) => {
    const once = await runCli(['fmt', file], { cwd: ROOT });
    expect(once.code).toBe(0);
    const f = path.join(tmp.dir, `${name}.mtl`);
    writeFileSync(f, once.stdout);
    const twice = await runCli(['fmt', f], { cwd: ROOT });
    expect(twice.stdout).toBe(once.stdout);
    expect(comments(once.stdout)).toEqual(comments(text));
    const irA = await runCli(['ir', file], { cwd: ROOT });
    const irB = await runCli(['ir', f], { cwd: ROOT });
    expect(JSON.parse(irB.stdout)).toEqual(JSON.parse(irA.stdout));
    const check = await runCli(['fmt', '--check', f], { cwd: ROOT });
    expect(check.code).toBe(0);
  });

  it('--check exits 1 on an unformatted file and --write rewrites it atomically', async () => {
    const f = path.join(tmp.dir, 'messy.mtl');
    const messy = 'model   m   # the model\nfeatures {categorical a hash 10 dim 2}\nlabels{y:binary}\ninput all=concat(a)\ntower t=mlp(4) on all->sigmoid\ntask t=t loss bce(y)\n';
    writeFileSync(f, messy);
    const check = await runCli(['fmt', '--check', 'messy.mtl'], { cwd: tmp.dir });
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/messy\.mtl: not formatted/);
    expect(readFileSync(f, 'utf8')).toBe(messy);
    const before = new Set(readdirSync(tmp.dir));
    const write = await runCli(['fmt', '--write', 'messy.mtl'], { cwd: tmp.dir });
    expect(write.code).toBe(0);
    expect(write.stdout).toBe('');
    // No temporary file is left behind, and the content is the canonical form.
    expect(new Set(readdirSync(tmp.dir))).toEqual(before);
    const printed = await runCli(['fmt', 'messy.mtl'], { cwd: tmp.dir });
    expect(readFileSync(f, 'utf8')).toBe(printed.stdout);
    expect(printed.stdout).toContain('# the model');
    expect((await runCli(['fmt', '--check', 'messy.mtl'], { cwd: tmp.dir })).code).toBe(0);
  });

  it('leaves a file with errors untouched and exits 1; usage errors exit 2', async () => {
    const f = path.join(tmp.dir, 'bad.mtl');
    writeFileSync(f, 'model m\ntower t = mlp(4 on x\n');
    const r = await runCli(['fmt', '--write', 'bad.mtl'], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.mtl:2:\d+: error MTL1010/);
    expect(readFileSync(f, 'utf8')).toBe('model m\ntower t = mlp(4 on x\n');
    expect((await runCli(['fmt', '--write', '--check', 'bad.mtl'], { cwd: tmp.dir })).code).toBe(2);
    expect((await runCli(['fmt', 'missing.mtl'], { cwd: tmp.dir })).code).toBe(2);
  });
});

describe('mtl ir', () => {
  it('prints the validated IR with widths as JSON, and the same IR as YAML', async () => {
    const json = await runCli(['ir', 'specs/mmoe.mtl'], { cwd: ROOT });
    expect(json.code).toBe(0);
    const ir = JSON.parse(json.stdout) as { name: string; nodes: Array<{ name: string; width: number }>; tasks: Array<{ name: string }> };
    expect(ir.name).toBe('mmoe');
    expect(ir.tasks.map((t) => t.name)).toEqual(['income', 'marital']);
    expect(ir.nodes.find((n) => n.name === 'e')!.width).toBe(16);
    expect(json.stdout).not.toContain('"loc"');
    const yaml = await runCli(['ir', '--yaml', 'specs/mmoe.mtl'], { cwd: ROOT });
    expect(parseYaml(yaml.stdout)).toEqual(ir);
  });

  it('prints nothing and exits 1 for a spec with errors', async () => {
    const f = path.join(tmp.dir, 'err.mtl');
    writeFileSync(f, 'model m\ntask t = x loss bce(y)\n');
    const r = await runCli(['ir', 'err.mtl'], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/err\.mtl:2:\d+: error MTL3001/);
  });
});
