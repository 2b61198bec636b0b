/**
 * Parquet and several files per split with the real binary: a model trained on the rows as Parquet parts
 * (a quoted wildcard) equals the model trained on the same rows as one CSV file, predictions from Parquet
 * equal predictions from CSV, a wildcard in the spec's data block works, and a damaged Parquet file stops
 * the run with its MTL code and no stack trace.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, tempDir } from '../cli/helpers.js';
import { BIN, ensureDist, runBin } from './helpers.js';
import { writeTinySpec } from './tiny.js';
import { writeParquet, type PqColumn } from '../data/parquet-files.js';

const tmp = tempDir('mtl-e2e-parquet-');
afterAll(() => tmp.cleanup());
const dir = tmp.dir;
const ROWS = 1200;

/** The tiny spec's columns for rows from..to-1 (deterministic). */
function columns(from: number, to: number): PqColumn[] {
  const idx = Array.from({ length: to - from }, (_, k) => from + k);
  return [
    { name: 'user_id', type: 'INT64', data: idx.map((i) => BigInt((i * 31) % 97)) },
    { name: 'item_id', type: 'STRING', data: idx.map((i) => `i${(i * 17) % 53}`) },
    { name: 'price', type: 'DOUBLE', data: idx.map((i) => (i % 29) * 1.5) },
    { name: 'click', type: 'BOOLEAN', data: idx.map((i) => (i * 31) % 97 < 40) },
    { name: 'buy', type: 'INT32', data: idx.map((i) => ((i * 31) % 97 < 40 && i % 3 === 0 ? 1 : 0)) },
  ];
}

function csvOf(cols: PqColumn[]): string {
  const n = cols[0]!.data.length;
  const lines = [cols.map((c) => c.name).join(',')];
  for (let i = 0; i < n; i++) lines.push(cols.map((c) => (c.type === 'BOOLEAN' ? (c.data[i] ? 1 : 0) : String(c.data[i]))).join(','));
  return lines.join('\n') + '\n';
}

let spec = '';
beforeAll(() => {
  ensureDist();
  spec = writeTinySpec(dir);
  mkdirSync(path.join(dir, 'parts'));
  writeParquet(path.join(dir, 'parts', 'a.parquet'), columns(0, 700), { rowGroupSize: 256, codec: 'ZSTD' });
  writeParquet(path.join(dir, 'parts', 'b.parquet'), columns(700, ROWS), { rowGroupSize: 256 });
  writeFileSync(path.join(dir, 'all.csv'), csvOf(columns(0, ROWS)));
}, 300_000);

describe('mtl with Parquet data', () => {
  it('trains on Parquet parts exactly as on the same rows in one CSV file, and predicts the same from either', async () => {
    const a = await runBin(['train', spec, '--data', 'parts/*.parquet', '--out', 'run-pq'], { cwd: dir });
    expect(a.code, a.stderr).toBe(0);
    const b = await runBin(['train', spec, '--data', 'all.csv', '--out', 'run-csv'], { cwd: dir });
    expect(b.code).toBe(0);
    // The same losses and validation metrics every epoch (timings aside): the same batches in the same order.
    const history = (run: string) =>
      (JSON.parse(readFileSync(path.join(dir, run, 'metrics.json'), 'utf8')) as { history: Array<Record<string, unknown>> }).history.map((e) => [e.loss, e.taskLosses, e.metrics, e.samples]);
    expect(history('run-pq')).toEqual(history('run-csv'));
    expect(history('run-pq').length).toBe(2);
    for (const [run, data, out] of [['run-pq', 'parts/*.parquet', 'p1.csv'], ['run-pq', 'all.csv', 'p2.csv']] as const) {
      const p = await runBin(['predict', run, '--data', data, '--out', out], { cwd: dir });
      expect(p.code, p.stderr).toBe(0);
    }
    const p1 = readFileSync(path.join(dir, 'p1.csv'), 'utf8');
    expect(p1.split('\n').length).toBe(ROWS + 2);
    expect(p1).toBe(readFileSync(path.join(dir, 'p2.csv'), 'utf8'));
    // --keep copies the column row by row across the files (row numbers start again in each file).
    const k = await runBin(['predict', 'run-pq', '--data', 'parts/*.parquet', '--keep', 'item_id', '--out', 'p3.csv'], { cwd: dir });
    expect(k.code, k.stderr).toBe(0);
    const kept = readFileSync(path.join(dir, 'p3.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    expect(kept).toEqual(columns(0, ROWS)[1]!.data);
    // A file the wildcard matches is an input: --force does not let the output replace it.
    const before = readFileSync(path.join(dir, 'parts', 'a.parquet'));
    const over = await runBin(['predict', 'run-pq', '--data', 'parts/*.parquet', '--out', 'parts/a.parquet', '--force'], { cwd: dir });
    expect(over.code).not.toBe(0);
    expect(over.stderr).toContain('MTL5332');
    expect(readFileSync(path.join(dir, 'parts', 'a.parquet')).equals(before)).toBe(true);
  }, 300_000);

  it('reads a wildcard in the spec data block, and stops on a damaged file with its code', async () => {
    const text = readFileSync(spec, 'utf8').replace('train {', 'data { train "parts/*.parquet" }\n\ntrain {');
    writeFileSync(path.join(dir, 'glob.mtl'), text);
    const ok = await runBin(['train', 'glob.mtl', '--out', 'run-glob', '--epochs', '1'], { cwd: dir });
    expect(ok.code, ok.stderr).toBe(0);
    writeFileSync(path.join(dir, 'parts', 'c.parquet'), readFileSync(path.join(dir, 'parts', 'b.parquet')).subarray(0, 500));
    const bad = await runBin(['train', 'glob.mtl', '--out', 'run-bad'], { cwd: dir });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('MTL5080');
    expect(bad.stderr).toContain('c.parquet is not a readable Parquet file');
    expect(hasStackTrace(bad.stderr)).toBe(false);
    const none = await runBin(['train', spec, '--data', 'nothing/*.parquet', '--out', 'run-none'], { cwd: dir });
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('MTL5083');
    expect(BIN).toContain('mtl.js');
  }, 300_000);
});
