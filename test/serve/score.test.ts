/**
 * The scoring library (`mtl/serve`): loadModel(dir).score(rows) equals `mtl predict` on the same rows, bad
 * rows get per-row errors naming the field while the other rows still score the same, and loading verifies
 * the directory against its manifest as predict does.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../cli/helpers.js';
import { ensureDist } from '../e2e/helpers.js';
import { loadModel, type ServingModel } from '../../src/serve/index.js';
import { isMtlError } from '../../src/diagnostics/error.js';
import { directKernels } from '../../src/exec/direct/kernels.js';
import { maxDifference, predictRows, trainTiny, type TinyModel } from './fixture.js';

const tmp = tempDir('mtl-serve-score-');
let tiny: TinyModel;
let model: ServingModel;
let predicted: Array<Record<string, number | null>>;

beforeAll(async () => {
  tiny = await trainTiny(tmp.dir, 'model', 21);
  predicted = await predictRows(tmp.dir, tiny.dir, tiny.data, path.join(tmp.dir, 'pred.jsonl'));
  model = await loadModel(tiny.dir);
}, 120_000);
afterAll(() => {
  model?.dispose();
  tmp.cleanup();
});

describe('loadModel(dir).score(rows)', () => {
  it('equals mtl predict on the same rows', () => {
    const r = model.score(tiny.rows);
    expect(r.errors).toEqual([]);
    expect(r.predictions).toHaveLength(tiny.rows.length);
    expect(Object.keys(r.predictions[0]!).sort()).toEqual(Object.keys(predicted[0]!).sort());
    expect(maxDifference(r.predictions, predicted)).toBeLessThanOrEqual(1e-6);
  });

  it('predicts with the direct forward pass where predict does (the native backend)', () => {
    expect(model.predictor).toBe(directKernels() ? 'direct' : 'saved model');
  });

  it('reads JSON numbers as the same values as their text', () => {
    const rows = tiny.rows.slice(0, 50).map((r) => ({ ...r, price: Number(r.price) }));
    expect(maxDifference(model.score(rows).predictions, predicted.slice(0, 50))).toBeLessThanOrEqual(1e-6);
  });

  it('gives bad rows per-row errors naming the field and scores the others as before', () => {
    const good = tiny.rows.slice(0, 6);
    const rows: unknown[] = [
      good[0],
      { ...good[1], price: 'abc' },
      good[2],
      { item_id: good[3]!.item_id, price: good[3]!.price },
      'not a row',
      { ...good[5], price: -3 },
    ];
    const r = model.score(rows);
    expect(r.errors.map((e) => [e.row, e.field, e.code])).toEqual([
      [1, 'price', 'MTL5003'],
      [3, 'user_id', 'MTL5608'],
      [4, undefined, 'MTL5609'],
      [5, 'price', 'MTL5009'],
    ]);
    expect(r.errors[0]!.message).toContain("'abc' is not a decimal number");
    expect(r.predictions.map((p) => p === null)).toEqual([false, true, false, true, true, true]);
    expect(maxDifference([r.predictions[0]!, r.predictions[2]!], [predicted[0]!, predicted[2]!])).toBeLessThanOrEqual(1e-6);
  });

  it('reads an explicit null as a missing value, as a data file\'s NA (the tiny spec says `missing error`)', () => {
    const r = model.score([{ ...tiny.rows[0], price: null }, { ...tiny.rows[0], price: 'NA' }]);
    expect(r.errors.map((e) => [e.row, e.field, e.code])).toEqual([
      [0, 'price', 'MTL5008'],
      [1, 'price', 'MTL5008'],
    ]);
  });

  it('scores rows whose keys come in different orders, with extra keys or a hidden column, as each row alone', () => {
    const base = tiny.rows.slice(0, 5);
    const reversed = (r: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(r).reverse());
    const hidden = { ...base[4] };
    // A column that is an own but non-enumerable property is present, as `hasOwnProperty` says.
    Object.defineProperty(hidden, 'price', { value: base[4]!.price, enumerable: false });
    const rows: unknown[] = [base[0], reversed(base[1]!), { extra: 1, ...base[2] }, { user_id: base[3]!.user_id, price: base[3]!.price }, hidden, base[0], reversed(base[1]!)];
    const together = model.score(rows);
    const alone = rows.map((r) => model.score([r]));
    expect(together.predictions).toEqual(alone.map((a) => a.predictions[0]));
    expect(together.errors).toEqual(alone.flatMap((a, i) => a.errors.map((e) => ({ ...e, row: i, message: e.message.replace('row 0', `row ${i}`) }))));
    expect(together.errors.map((e) => [e.row, e.field, e.code])).toEqual([[3, 'item_id', 'MTL5608']]);
    expect(maxDifference([together.predictions[1]!, together.predictions[4]!], [predicted[1]!, predicted[4]!])).toBeLessThanOrEqual(1e-6);
  });

  it('returns only the outputs asked for', () => {
    const r = model.score(tiny.rows.slice(0, 2), { outputs: ['ctr'] });
    expect(Object.keys(r.predictions[0]!)).toEqual(['ctr']);
  });

  it('describes its serving contract from ir.json', () => {
    expect(model.contract.name).toBe('tiny');
    expect(model.contract.irHash).toMatch(/^[0-9a-f]{64}$/);
    expect(model.contract.features.map((f) => [f.name, f.kind])).toEqual([
      ['user_id', 'categorical'],
      ['item_id', 'categorical'],
      ['price', 'numeric'],
    ]);
    expect(model.contract.outputs).toEqual(model.outputs);
    expect(model.outputs).toContain('ctcvr');
  });
});

describe('loadModel verification', () => {
  it('refuses a directory whose files differ from the manifest', async () => {
    const bad = path.join(tmp.dir, 'tampered');
    cpSync(tiny.dir, bad, { recursive: true });
    writeFileSync(path.join(bad, 'preprocess.json'), '{"version":1,"features":{}}');
    const e = await loadModel(bad).then(
      (m) => (m.dispose(), undefined),
      (x: unknown) => x,
    );
    expect(isMtlError(e) ? e.diagnostics[0]!.code : e).toBe('MTL5336');
  });
});

describe('the package exports', () => {
  it("resolve 'mtl/serve' and 'mtl/serve/core' to the built library", async () => {
    ensureDist();
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', "const s = await import('mtl/serve'); const c = await import('mtl/serve/core'); console.log(typeof s.loadModel, typeof c.createScorer)"], { cwd: ROOT, encoding: 'utf8' });
    expect(out.trim()).toBe('function function');
  }, 120_000);

  it('keep the scoring core free of Node modules (it bundles for a browser)', async () => {
    const { build } = await import('esbuild');
    const r = await build({ entryPoints: [path.join(ROOT, 'src/serve/score.ts')], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' });
    expect(r.errors).toEqual([]);
    expect(r.outputFiles[0]!.text).toContain('function createScorer');
  });
});
