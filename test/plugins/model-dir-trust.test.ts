/**
 * A model directory is data: `mtl predict`, `eval` and `report` never import a plugin that the directory's
 * ir.json names (a model directory from elsewhere would otherwise run its `payload.js`). A gate type that
 * only such a plugin could load (its own layer class) is an MTL4208 error naming --plugin.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { tempDir } from '../cli/helpers.js';
import { trainableSpec } from './hostile.js';
import { writeManifest } from '../../src/artifact/manifest.js';
import { irHash } from '../../src/artifact/ir-hash.js';
import type { ModelIR } from '../../src/ir/types.js';

const tmp = tempDir('mtl-model-trust-');
afterAll(() => tmp.cleanup());
const at = (...p: string[]): string => path.join(tmp.dir, ...p);
const MARKER = at('MARKER');

const SPEC = trainableSpec('softmax');

/** Copy the trained model to `name`, with its ir.json edited by `edit`, and a payload.js beside ir.json. */
function hostileCopy(name: string, edit: (ir: { plugins: unknown[]; nodes: Array<Record<string, unknown>> }) => void): string {
  const dir = at(name);
  cpSync(at('model'), dir, { recursive: true });
  const irFile = path.join(dir, 'ir.json');
  const ir = JSON.parse(readFileSync(irFile, 'utf8')) as { plugins: unknown[]; nodes: Array<Record<string, unknown>> };
  edit(ir);
  writeFileSync(irFile, JSON.stringify(ir));
  writeFileSync(path.join(dir, 'payload.js'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(MARKER)}, 'payload ran');\nexport default () => ({ name: 'payload-gate' });\n`);
  return dir;
}

/**
 * A hostile copy whose integrity manifest is rewritten to match (a manifest is a checksum, not a
 * signature: whoever crafts a directory can seal it), so the trust rules, not the integrity check, are tested.
 */
async function sealedHostileCopy(name: string, edit: (ir: { plugins: unknown[]; nodes: Array<Record<string, unknown>> }) => void): Promise<string> {
  const dir = hostileCopy(name, edit);
  const ir = JSON.parse(readFileSync(path.join(dir, 'ir.json'), 'utf8')) as ModelIR;
  await writeManifest(dir, 'model', { irHash: irHash(ir) });
  return dir;
}

/** The ir.json edit: its gate becomes type `payload-gate`, which only the listed ./payload.js provides. */
function payloadGate(ir: { plugins: unknown[]; nodes: Array<Record<string, unknown>> }): void {
  ir.plugins = [{ source: './payload.js' }];
  ir.nodes.find((n) => n.kind === 'gate')!.type = 'payload-gate';
}

beforeAll(async () => {
  writeFileSync(at('trainable.mtl'), SPEC);
  const t = await runCli(['train', 'trainable.mtl', '--out', 'model', '--backend', 'cpu'], { cwd: tmp.dir });
  expect(t.code, t.stderr).toBe(0);
  const s = await runCli(['data', 'synth', 'census', '--rows', '50', '--out', 'score.csv'], { cwd: tmp.dir });
  expect(s.code, s.stderr).toBe(0);
});

describe('a model directory whose ir.json names a plugin', () => {
  it('is scored, evaluated and reported without running the plugin when the model does not need it', async () => {
    const dir = await sealedHostileCopy('listed', (ir) => { ir.plugins = [{ source: './payload.js' }]; });
    const p = await runCli(['predict', dir, '--data', 'score.csv', '--out', 'p.csv', '--backend', 'cpu'], { cwd: tmp.dir });
    expect(p.code, p.stderr).toBe(0);
    const e = await runCli(['eval', dir, '--data', 'score.csv', '--backend', 'cpu'], { cwd: tmp.dir });
    expect(e.code, e.stderr).toBe(0);
    const r = await runCli(['report', dir, '-o', 'r.html', '--data', 'score.csv', '--backend', 'cpu'], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(MARKER)).toBe(false);
  });

  it('runs a gate whose plugin is absent from its saved tfjs layers, without running the plugin', async () => {
    const dir = await sealedHostileCopy('builtin-layers', payloadGate);
    const p = await runCli(['predict', dir, '--data', 'score.csv', '--out', 'p3.csv', '--backend', 'cpu'], { cwd: tmp.dir });
    expect(p.code, p.stderr).toBe(0);
    expect(existsSync(MARKER)).toBe(false);
  });

  it('is refused with MTL4208 (pass --plugin) when its saved layers need that plugin, still without running it', async () => {
    const dir = await sealedHostileCopy('needs', payloadGate);
    // The gate's softmax layer becomes a class only the plugin could register.
    const modelFile = path.join(dir, 'model.json');
    const model = readFileSync(modelFile, 'utf8');
    expect(model).toContain('"class_name":"Softmax"');
    writeFileSync(modelFile, model.replace('"class_name":"Softmax"', '"class_name":"mtl>PayloadGate"'));
    const ir = JSON.parse(readFileSync(path.join(dir, 'ir.json'), 'utf8')) as ModelIR;
    await writeManifest(dir, 'model', { irHash: irHash(ir) });
    for (const argv of [
      ['predict', dir, '--data', 'score.csv', '--out', 'p2.csv', '--backend', 'cpu'],
      ['eval', dir, '--data', 'score.csv', '--backend', 'cpu'],
      ['report', dir, '-o', 'r2.html', '--backend', 'cpu'],
    ]) {
      const r = await runCli(argv, { cwd: tmp.dir });
      expect(r.code, argv[0]).toBe(1);
      expect(r.stderr).toContain("error MTL4208: The model needs the plugin of gate type 'payload-gate' (its saved layers use 'mtl>PayloadGate'), which is not built in and no --plugin provides; its ir.json lists './payload.js'");
      expect(r.stderr).toContain('pass --plugin PATH to load it');
    }
    expect(existsSync(MARKER)).toBe(false);
    expect(existsSync(at('p2.csv'))).toBe(false);
  });
});
