/**
 * `mtl serve` on every reference spec (specs/*.mtl) as a user runs them: each trained with its built-in
 * synthetic data (`mtl train SPEC --rows N`, one epoch), all served by one `mtl serve` process (bin/mtl.js,
 * one --model per spec), and each answering POST /v1/models/NAME/predict on fresh rows of its generator with
 * the scores `mtl predict` writes for the same rows, within 1e-6.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../cli/helpers.js';
import { runCli } from '../cli/run-cli.js';
import { ensureDist, readCsv } from '../e2e/helpers.js';
import { maxDifference, predictRows } from './fixture.js';
import { send, startServe, stopServe, type ServeProcess } from './client.js';

const SPECS = readdirSync(path.join(ROOT, 'specs')).filter((f) => f.endsWith('.mtl')).map((f) => f.replace(/\.mtl$/, ''));
const tmp = tempDir('mtl-serve-specs-');
const models = new Map<string, { rows: Array<Record<string, string>>; predicted: Array<Record<string, number | null>> }>();
let serve: ServeProcess;

beforeAll(async () => {
  ensureDist();
  for (const name of SPECS) {
    const spec = path.join(ROOT, 'specs', `${name}.mtl`);
    const generator = /synth\s+(\w+)/.exec(readFileSync(spec, 'utf8'))![1]!;
    const dir = path.join(tmp.dir, name);
    const train = await runCli(['train', spec, '--rows', '600', '--epochs', '1', '--out', dir], { cwd: tmp.dir });
    expect(train.code, train.stderr).toBe(0);
    // Rows the model never saw: another seed of the spec's generator.
    const data = path.join(tmp.dir, `${name}.csv`);
    expect((await runCli(['data', 'synth', generator, '--rows', '64', '--seed', '99', '--out', data], { cwd: tmp.dir })).code).toBe(0);
    models.set(name, { rows: readCsv(data), predicted: await predictRows(tmp.dir, dir, data, path.join(tmp.dir, `${name}.jsonl`)) });
  }
  serve = await startServe(SPECS.flatMap((name) => ['--model', `${name}=${path.join(tmp.dir, name)}`]));
}, 600_000);
afterAll(async () => {
  await stopServe(serve);
  tmp.cleanup();
});

describe('mtl serve on the reference specs', () => {
  it('covers every reference spec', () => {
    expect(SPECS.sort()).toEqual(['cgc', 'esmm', 'mmoe', 'omoe', 'ple', 'shared-bottom']);
  });

  it.each(SPECS)('%s: answers what mtl predict writes for the same rows (|diff| ≤ 1e-6)', async (name) => {
    const { rows, predicted } = models.get(name)!;
    const a = await send(serve.port, `/v1/models/${name}/predict`, { body: { rows } });
    expect(a.status, a.text.slice(0, 300)).toBe(200);
    expect(a.json.errors).toEqual([]);
    expect(a.json.predictions).toHaveLength(rows.length);
    expect(Object.keys(a.json.predictions[0]).sort()).toEqual(Object.keys(predicted[0]!).sort());
    expect(maxDifference(a.json.predictions, predicted)).toBeLessThanOrEqual(1e-6);
    // One row at a time too (a batch of one: the path a single-row client takes).
    const one = await send(serve.port, `/v1/models/${name}/predict`, { body: { rows: [rows[5]] } });
    expect(maxDifference(one.json.predictions, [predicted[5]!])).toBeLessThanOrEqual(1e-6);
  });
});
