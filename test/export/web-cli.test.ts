/**
 * `mtl export --format web` on the command line: what the folder holds, the output guard (a foreign
 * directory is refused and kept, --force replaces it, an earlier export is replaced without it), model
 * directories that do not verify, and unknown formats — each a located diagnostic, never a stack trace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { hasStackTrace, tempDir } from '../cli/helpers.js';
import { runCli } from '../cli/run-cli.js';
import { trainTiny, type TinyModel } from '../serve/fixture.js';
import { writeManifest } from '../../src/artifact/manifest.js';
import { irHash } from '../../src/artifact/ir-hash.js';
import type { ModelIR } from '../../src/ir/types.js';

const tmp = tempDir('mtl-web-cli-');
let tiny: TinyModel;

beforeAll(async () => {
  tiny = await trainTiny(tmp.dir, 'model', 5);
}, 120_000);
afterAll(() => tmp.cleanup());

/** Run `mtl export ARGS` in the temporary folder. */
const exportCli = (...args: string[]) => runCli(['export', ...args], { cwd: tmp.dir });

describe('mtl export --format web', () => {
  it('writes the page, the bundled runtime, the wasm binaries, the verified model files and a manifest', async () => {
    const r = await exportCli('model', '--format', 'web', '-o', 'site');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^exported model as web: a static page of 11 files; wrote site\/\n/);
    const site = path.join(tmp.dir, 'site');
    expect(readdirSync(site).sort()).toEqual(['README.txt', 'index.html', 'model', 'mtl-artifact.json', 'mtl-web.js', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm']);
    for (const f of ['model.json', 'weights.bin', 'ir.json', 'preprocess.json']) {
      expect(readFileSync(path.join(site, 'model', f)).equals(readFileSync(path.join(tiny.dir, f))), f).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(path.join(site, 'mtl-artifact.json'), 'utf8')) as { kind: string; files: Record<string, string> };
    expect(manifest.kind).toBe('web-export');
    expect(Object.keys(manifest.files)).toHaveLength(10);
    for (const [f, sha] of Object.entries(manifest.files)) expect(createHash('sha256').update(readFileSync(path.join(site, f))).digest('hex'), f).toBe(sha);
    const html = readFileSync(path.join(site, 'index.html'), 'utf8');
    expect(html).toContain('<script src="mtl-web.js"></script>');
    expect(html).toContain('<code>user_id,item_id,price</code>');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const bundle = readFileSync(path.join(site, 'mtl-web.js'), 'utf8');
    expect(bundle).not.toMatch(/\brequire\(["']node:/);
    expect(readFileSync(path.join(site, 'README.txt'), 'utf8')).toContain('python3 -m http.server');
  }, 120_000);

  it('replaces its own earlier export without --force', async () => {
    const r = await exportCli('model', '--format', 'web', '-o', 'site');
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  it('refuses a directory holding files mtl did not write, keeps them, and replaces it with --force', async () => {
    const dir = path.join(tmp.dir, 'mine');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'notes.txt'), 'keep me');
    const r = await exportCli('model', '--format', 'web', '-o', 'mine');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('MTL5330');
    expect(r.stderr).toContain('notes.txt');
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('keep me');
    const forced = await exportCli('model', '--format', 'web', '-o', 'mine', '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'notes.txt'))).toBe(false);
    expect(existsSync(path.join(dir, 'index.html'))).toBe(true);
  }, 120_000);

  it('refuses another kind of mtl output and the model directory itself, even with --force', async () => {
    cpSync(tiny.dir, path.join(tmp.dir, 'model-copy'), { recursive: true });
    const other = await exportCli('model', '--format', 'web', '-o', 'model-copy');
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('MTL5331');
    expect(existsSync(path.join(tmp.dir, 'model-copy', 'weights.bin'))).toBe(true);
    const inside = await exportCli('model', '--format', 'web', '-o', 'model/site', '--force');
    expect(inside.code).toBe(1);
    expect(inside.stderr).toContain('MTL5332');
    expect(existsSync(path.join(tiny.dir, 'site'))).toBe(false);
    const over = await exportCli('model', '--format', 'web', '-o', 'model', '--force');
    expect(over.code).toBe(1);
    expect(over.stderr).toContain('MTL5332');
    expect(existsSync(path.join(tiny.dir, 'weights.bin'))).toBe(true);
  });

  it('refuses a model directory that does not verify, naming the file, and writes nothing', async () => {
    const bad = path.join(tmp.dir, 'tampered');
    cpSync(tiny.dir, bad, { recursive: true });
    const weights = readFileSync(path.join(bad, 'weights.bin'));
    weights[10] = weights[10]! ^ 1;
    writeFileSync(path.join(bad, 'weights.bin'), weights);
    const r = await exportCli('tampered', '--format', 'web', '-o', 'out-tampered');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('MTL5336');
    expect(r.stderr).toContain(path.join(bad, 'weights.bin'));
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(existsSync(path.join(tmp.dir, 'out-tampered'))).toBe(false);
    expect(readdirSync(tmp.dir).filter((n) => n.includes('out-tampered'))).toEqual([]);
  }, 60_000);

  it('refuses a model directory without a manifest (MTL5753) and a missing one (MTL5303)', async () => {
    const bare = path.join(tmp.dir, 'bare');
    cpSync(tiny.dir, bare, { recursive: true });
    rmSync(path.join(bare, 'mtl-artifact.json'));
    const r = await exportCli('bare', '--format', 'web', '-o', 'out-bare');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('MTL5753');
    expect(r.stderr).toContain('mtl-artifact.json');
    expect(existsSync(path.join(tmp.dir, 'out-bare'))).toBe(false);
    const missing = await exportCli('nope', '--format', 'web', '-o', 'out-nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('MTL5303');
    expect(missing.stderr).toContain('nope');
    expect(hasStackTrace(missing.stderr)).toBe(false);
  }, 60_000);

  it('refuses a model whose saved layers need a third-party plugin (MTL5751), naming the class', async () => {
    // What a model trained with a third-party gate plugin looks like: a layer class tfjs and the first-party
    // plugins do not know, in a directory whose manifest is intact.
    const foreign = path.join(tmp.dir, 'foreign');
    cpSync(tiny.dir, foreign, { recursive: true });
    const modelJson = readFileSync(path.join(foreign, 'model.json'), 'utf8');
    writeFileSync(path.join(foreign, 'model.json'), modelJson.replace('"class_name":"Dense"', '"class_name":"MyMoEGateLayer"'));
    const ir = JSON.parse(readFileSync(path.join(foreign, 'ir.json'), 'utf8')) as ModelIR;
    await writeManifest(foreign, 'model', { irHash: irHash(ir) });
    const r = await exportCli('foreign', '--format', 'web', '-o', 'out-foreign');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('MTL5751');
    expect(r.stderr).toContain("'MyMoEGateLayer'");
    expect(existsSync(path.join(tmp.dir, 'out-foreign'))).toBe(false);
  });

  it('names the formats for an unknown --format (MTL5750) and needs --format and -o', async () => {
    const r = await exportCli('model', '--format', 'tflite', '-o', 'x');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('MTL5750');
    expect(r.stderr).toContain("Unknown export format 'tflite'");
    expect(r.stderr).toMatch(/The formats are: web\b/);
    expect(existsSync(path.join(tmp.dir, 'x'))).toBe(false);
    expect((await exportCli('model', '-o', 'x')).code).toBe(2);
    expect((await exportCli('model', '--format', 'web')).code).toBe(2);
    expect((await exportCli('--format', 'web', '-o', 'x')).code).toBe(2);
  });

  it('lists the formats in its help', async () => {
    const r = await exportCli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}--format web {10}a static page/m);
  });
});
