/**
 * The serving tests' fixture: the tiny spec (test/e2e/tiny.ts) trained on `mtl data synth esmm` data, with
 * the data's rows as a client would send them, and `mtl predict`'s scores of those rows.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { readCsv } from '../e2e/helpers.js';
import { writeTinySpec } from '../e2e/tiny.js';

/** A trained tiny model and its data. */
export interface TinyModel {
  dir: string;
  data: string;
  /** The data file's rows (CSV text values, as `mtl predict` reads them). */
  rows: Array<Record<string, string>>;
}

/** Train the tiny spec into `work/NAME` on 2,000 synthetic rows of `seed` (train seed `trainSeed`). */
export async function trainTiny(work: string, name: string, seed: number, trainSeed = 7): Promise<TinyModel> {
  const spec = writeTinySpec(work);
  const data = path.join(work, `${name}.csv`);
  expect((await runCli(['data', 'synth', 'esmm', '--rows', '2000', '--seed', String(seed), '--out', data], { cwd: work })).code).toBe(0);
  const dir = path.join(work, name);
  const r = await runCli(['train', spec, '--data', data, '--out', dir, '--seed', String(trainSeed), '--epochs', '1'], { cwd: work });
  expect(r.code, r.stderr).toBe(0);
  return { dir, data, rows: readCsv(data) };
}

/** `mtl predict DIR --data FILE` as JSON Lines records (output → score). */
export async function predictRows(work: string, dir: string, data: string, out: string): Promise<Array<Record<string, number | null>>> {
  const r = await runCli(['predict', dir, '--data', data, '--out', out, '--force'], { cwd: work });
  expect(r.code, r.stderr).toBe(0);
  return readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number | null>);
}

/** Largest |a − b| over every output of every row (Infinity when a row or output is missing). */
export function maxDifference(a: ReadonlyArray<Record<string, number | null> | null>, b: ReadonlyArray<Record<string, number | null>>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  b.forEach((row, i) => {
    for (const [k, v] of Object.entries(row)) {
      const x = a[i]?.[k];
      if (typeof x !== 'number' || typeof v !== 'number') return void (worst = Infinity);
      worst = Math.max(worst, Math.abs(x - v));
    }
  });
  return worst;
}
