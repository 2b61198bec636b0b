/** `mtl check`: located text diagnostics, the JSON format, exit statuses, YAML/JSON specs. */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { ROOT, SPECS, hasStackTrace, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Write a file into the temporary directory; returns its name (relative to it). */
function write(name: string, text: string | Buffer): string {
  writeFileSync(path.join(tmp.dir, name), text);
  return name;
}

const BROKEN = `model demo
features { categorical user_id hash 100 dim 4 }
labels { click: binary }
input all = concat(user_id)
tower ctr = mlp(8) on alll -> sigmoid
task ctr = ctr loss bce(click)
`;

describe('mtl check', () => {
  it('passes every reference spec without any diagnostic', async () => {
    const r = await runCli(['check', ...SPECS.map((s) => `specs/${s.name}.mtl`)], { cwd: ROOT });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('6 files checked: no problems.\n');
  });

  it('prints FILE:LINE:COL: SEVERITY CODE: message, a code frame and a hint (1-based)', async () => {
    const f = write('broken.mtl', BROKEN);
    const r = await runCli(['check', f], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe("broken.mtl:5:23: error MTL3001: Tower 'ctr' refers to 'alll', which is not declared.");
    // The frame shows the line with the mistake and carets under exactly 'alll' (4 characters).
    const codeLine = lines.findIndex((l) => l.includes('tower ctr = mlp(8) on alll'));
    expect(codeLine).toBeGreaterThan(0);
    const caret = lines[codeLine + 1]!;
    const offsetInFrame = lines[codeLine]!.indexOf('alll');
    expect(caret.indexOf('^')).toBe(offsetInFrame);
    expect(caret.trim().replace(/^\|\s*/, '')).toBe('^^^^');
    expect(r.stdout).toMatch(/hint: did you mean 'all'\?/);
    expect(r.stderr).toBe('1 file checked: 1 error(s), 0 warning(s).\n');
  });

  it('--format json prints one array of {file, code, severity, message, hint?, range} with 0-based, end-exclusive ranges', async () => {
    const f = write('broken2.mtl', BROKEN);
    const r = await runCli(['check', '--format', 'json', f, 'broken.mtl'], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(out).toHaveLength(2);
    expect(out[0]).toEqual({
      file: 'broken2.mtl',
      code: 'MTL3001',
      severity: 'error',
      message: "Tower 'ctr' refers to 'alll', which is not declared.",
      hint: "did you mean 'all'?",
      range: { start: { line: 4, character: 22 }, end: { line: 4, character: 26 } },
    });
    expect(out[1]!.file).toBe('broken.mtl');
    // The range covers exactly the wrong name in the text.
    const line = BROKEN.split('\n')[4]!;
    expect(line.slice(22, 26)).toBe('alll');
  });

  it('--format json prints [] and exits 0 for a clean spec; warnings alone exit 0', async () => {
    const clean = await runCli(['check', '--format', 'json', 'specs/esmm.mtl'], { cwd: ROOT });
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout)).toEqual([]);
    const f = write('warn.mtl', BROKEN.replace('on alll', 'on all').replace('labels { click: binary }', 'labels { click: binary  unused_label: binary }'));
    const warn = await runCli(['check', '--format', 'json', f], { cwd: tmp.dir });
    expect(warn.code).toBe(0);
    const diags = JSON.parse(warn.stdout) as Array<{ code: string; severity: string }>;
    expect(diags.map((d) => [d.code, d.severity])).toEqual([['MTL3016', 'warning']]);
  });

  it('exits 2 with a one-line message on usage errors', async () => {
    const cases: string[][] = [['check', '--frobnicate', 'specs/esmm.mtl'], ['check', 'no/such/file.mtl'], ['check'], ['check', '--format', 'xml', 'specs/esmm.mtl']];
    for (const argv of cases) {
      const r = await runCli(argv, { cwd: ROOT });
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n'), argv.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^mtl check: /);
    }
  });

  it('reports YAML and JSON schema errors at their line and column', async () => {
    const ir = await runCli(['ir', '--yaml', 'specs/esmm.mtl'], { cwd: ROOT });
    expect(ir.code).toBe(0);
    const yamlText = ir.stdout.replace(/^(\s+)dim: 16$/m, '$1dimm: 16');
    const yamlLine = yamlText.split('\n').findIndex((l) => l.includes('dimm:'));
    const y = write('spec.mtl.yaml', yamlText);
    const r = await runCli(['check', '--format', 'json', y], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    const d = (JSON.parse(r.stdout) as Array<{ code: string; range: { start: { line: number; character: number } } }>)[0]!;
    expect(d.code).toBe('MTL2004');
    expect(d.range.start).toEqual({ line: yamlLine, character: yamlText.split('\n')[yamlLine]!.indexOf('dimm') });

    const json = await runCli(['ir', 'specs/esmm.mtl'], { cwd: ROOT });
    const jsonText = json.stdout.replace('"epochs": 3', '"epochs": "three"');
    const jsonLine = jsonText.split('\n').findIndex((l) => l.includes('"three"'));
    const j = write('spec.mtl.json', jsonText);
    const rj = await runCli(['check', j], { cwd: tmp.dir });
    expect(rj.code).toBe(1);
    expect(rj.stdout).toMatch(new RegExp(`^spec\\.mtl\\.json:${jsonLine + 1}:\\d+: error MTL2005: Property 'epochs' of the train settings must be an integer\\.`));
  });

  it('round-trips every reference spec through `mtl ir --yaml` into a clean .mtl.yaml spec', async () => {
    for (const s of SPECS) {
      const ir = await runCli(['ir', '--yaml', s.file], { cwd: ROOT });
      expect(ir.code).toBe(0);
      const y = write(`${s.name}.mtl.yaml`, ir.stdout);
      const r = await runCli(['check', y], { cwd: tmp.dir });
      expect(r.code, `${s.name}: ${r.stdout}`).toBe(0);
      // The YAML spec's IR is the .mtl spec's IR.
      const again = await runCli(['ir', y], { cwd: tmp.dir });
      const first = await runCli(['ir', s.file], { cwd: ROOT });
      expect(JSON.parse(again.stdout)).toEqual(JSON.parse(first.stdout));
    }
  });

  it('ends in diagnostics and exit 1 on hostile input: random bytes, non-UTF-8, a 10 MB file, huge numbers', async () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    const big = 'model big\n' + '# padding comment line that makes the file large\n'.repeat(Math.ceil((10 * 1024 * 1024) / 50)) + 'task t = x loss bce(y\n';
    const inputs: Array<[string, string | Buffer]> = [
      ['random.mtl', bytes],
      ['latin1.mtl', Buffer.from('model caf\xe9\n', 'latin1')],
      ['big.mtl', big],
      ['huge-number.mtl', 'model m\nfeatures { categorical a hash 1' + '0'.repeat(400) + ' dim 4 }\n'],
      ['deep.mtl', 'model m\ninput x = concat(' + '('.repeat(5000) + ')'.repeat(5000) + ')\n'],
      ['empty.mtl', ''],
    ];
    for (const [name, content] of inputs) {
      const f = write(name, content);
      const r = await runCli(['check', '--format', 'json', f], { cwd: tmp.dir });
      expect(r.code, name).toBe(1);
      expect(hasStackTrace(r.stdout + r.stderr), name).toBe(false);
      const diags = JSON.parse(r.stdout) as Array<{ code: string }>;
      expect(diags.length, name).toBeGreaterThan(0);
      expect(diags.some((d) => d.code === 'MTL3999'), name).toBe(false);
    }
  });
});
