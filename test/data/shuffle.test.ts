/**
 * Shuffle quality on a file in a meaningful order (sorted by a column, as a data set split by time is):
 * every epoch's training order must be unrelated to the file's, differ between epochs, and repeat for a seed.
 * Also the streaming shuffle of a bounded buffer (the same quality through a temporary file), the resolution of `shuffle_buffer`, and the label sample
 * the output biases start from.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fitPreprocessor, readBatches, type DataRef } from '../../src/data/index.js';
import { shufflePlan, encodedRowBytes } from '../../src/data/shuffle-buffer.js';
import { LabelReservoir } from '../../src/data/label-sample.js';
import { towerPriors } from '../../src/train/tower-priors.js';
import { evalLabelExpr } from '../../src/model/labels.js';
import type { ModelIR } from '../../src/ir/types.js';
import { collect, failure, makeIR, rowNumbers, tempDir, writeData } from './helpers.js';
import { MtlError } from '../../src/diagnostics/error.js';

const ROWS = 5000;
const BATCH = 16;

/** Spearman's rank correlation of two sequences of distinct values (Pearson's on their ranks). */
function spearman(x: number[], y: number[]): number {
  const ranks = (v: number[]): number[] => {
    const order = v.map((_, i) => i).sort((a, b) => v[a]! - v[b]!);
    const r = new Array<number>(v.length);
    order.forEach((i, k) => (r[i] = k));
    return r;
  };
  const rx = ranks(x);
  const ry = ranks(y);
  const n = x.length;
  const mean = (n - 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (rx[i]! - mean) * (ry[i]! - mean);
    sxx += (rx[i]! - mean) ** 2;
    syy += (ry[i]! - mean) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** A CSV sorted by `ts`, with a label that flips from 0 to 1 half-way (a drifting rate, as in time-split data). */
function sortedFile(dir: string): DataRef {
  const lines = ['ts,user,y'];
  for (let i = 0; i < ROWS; i++) lines.push(`${1_600_000_000 + i * 60},u${(i * 7919) % 97},${i < ROWS / 2 ? 0 : 1}`);
  return { kind: 'file', path: writeData(dir, 'sorted.csv', lines.join('\n') + '\n') };
}

const IR: ModelIR = {
  ...makeIR([{ kind: 'categorical', name: 'user', ids: { kind: 'hash', size: 64 }, dim: 2 }], [{ name: 'y', type: 'binary' }]),
  nodes: [
    { kind: 'input', name: 'all', from: ['user'] },
    { kind: 'tower', name: 'like', on: 'all', mlp: { units: [2], activation: 'relu', dropout: 0, batchNorm: false }, output: 'sigmoid' },
  ],
  tasks: [{ name: 'like', head: ['like'], loss: { type: 'bce', label: { label: 'y' } }, weight: 1 }],
};

describe('training shuffle', () => {
  it('on a file sorted by a column: no rank correlation with the file order, new order each epoch, same order for a seed', async () => {
    const dir = tempDir();
    const ref = sortedFile(dir);
    const fit = { baseDir: dir, validSplit: 0.1, seed: 11, hasValidFile: false };
    const state = await fitPreprocessor(IR, ref, fit);
    const order = async (epoch: number, seed = 11): Promise<number[]> =>
      rowNumbers(await collect(readBatches(IR, state, ref, { ...fit, seed, batchSize: BATCH, part: 'train', shuffle: true, epoch })));
    const inFile = rowNumbers(await collect(readBatches(IR, state, ref, { ...fit, batchSize: BATCH, part: 'train' })));
    expect(inFile.length).toBeGreaterThan(4000);
    const epochs = [await order(1), await order(2), await order(3)];
    for (const e of epochs) {
      // The same rows, each once...
      expect([...e].sort((a, b) => a - b)).toEqual(inFile);
      // ...in an order unrelated to the file's: file position (the row number) against training position.
      expect(Math.abs(spearman(e, e.map((_, i) => i)))).toBeLessThan(0.05);
    }
    expect(epochs[1]).not.toEqual(epochs[0]);
    expect(epochs[2]).not.toEqual(epochs[1]);
    // The orders of two epochs are unrelated to each other too.
    const pos = new Map(epochs[0]!.map((r, i) => [r, i]));
    expect(Math.abs(spearman(epochs[1]!.map((r) => pos.get(r)!), epochs[1]!.map((_, i) => i)))).toBeLessThan(0.05);
    // Repeatable: the same seed and epoch give the same order (a resumed epoch replays it); another seed does not.
    expect(await order(2)).toEqual(epochs[1]);
    expect(await order(1, 12)).not.toEqual(epochs[0]);
  });

  it('with `shuffle_buffer N`, streams through a temporary file: uniform over the whole part, repeatable, same batches as in memory', async () => {
    const dir = tempDir();
    const ref = sortedFile(dir);
    const fit = { baseDir: dir, validSplit: 0.1, seed: 3, hasValidFile: false };
    const state = await fitPreprocessor(IR, ref, fit);
    const read = (epoch: number, shuffleRows?: number) => collect(readBatches(IR, state, ref, { ...fit, batchSize: BATCH, part: 'train', shuffle: true, epoch, ...(shuffleRows !== undefined ? { shuffleRows } : {}) }));
    const inFile = rowNumbers(await collect(readBatches(IR, state, ref, { ...fit, batchSize: BATCH, part: 'train' })));
    const held = await read(1);
    const before = readdirSync(tmpdir()).filter((f) => f.startsWith('mtl-shuffle-')).length;
    // 500 rows (rounded up to 512, whole batches) of about 4,500: nine buckets.
    const epochs = [await read(1, 500), await read(2, 500)];
    for (const e of epochs) {
      const rows = rowNumbers(e);
      expect([...rows].sort((a, b) => a - b)).toEqual(inFile);
      // File position against training position: no correlation, though only a ninth of the part is in memory at a time.
      expect(Math.abs(spearman(rows, rows.map((_, i) => i)))).toBeLessThan(0.05);
      // Rows of both halves of the sorted file in the first buckets' batches: not one block of consecutive rows.
      const first = rows.slice(0, 512);
      expect(first.filter((r) => r < 2500).length).toBeGreaterThan(150);
      expect(first.filter((r) => r >= 2500).length).toBeGreaterThan(150);
      // The same batches as the in-memory shuffle: all full but the last.
      expect(e.map((b) => b.size)).toEqual(held.map((b) => b.size));
    }
    expect(rowNumbers(epochs[1]!)).not.toEqual(rowNumbers(epochs[0]!));
    expect(rowNumbers(await read(2, 500))).toEqual(rowNumbers(epochs[1]!));
    // The encoded columns travel through the file intact: the labels of each row are those of the file.
    const b = epochs[0]![0]!;
    for (let i = 0; i < b.size; i++) expect(b.labels.y![i]).toBe(b.rowNumbers[i]! - 2 < ROWS / 2 ? 0 : 1);
    // The temporary files are removed at the end of each epoch.
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('mtl-shuffle-')).length).toBe(before);
  });

  it('with `shuffle_buffer N`, stops with MTL5084 naming the folder when the temporary file cannot be created', async () => {
    const dir = tempDir();
    const ref = sortedFile(dir);
    const fit = { baseDir: dir, validSplit: 0, seed: 3, hasValidFile: false };
    const state = await fitPreprocessor(IR, ref, fit);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = path.join(dir, 'missing');
    try {
      const e = (await failure(readBatches(IR, state, ref, { ...fit, batchSize: BATCH, part: 'train', shuffle: true, shuffleRows: 500, epoch: 1 }))) as MtlError;
      expect(e).toBeInstanceOf(MtlError);
      expect(e.diagnostics[0]!.message).toBe(`Cannot write the shuffle's temporary files in ${path.join(dir, 'missing')}: no such folder.`);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  it('resolves `shuffle_buffer`: all when the part fits the memory budget, bounded to what fits otherwise, N as given', () => {
    expect(shufflePlan(undefined, 1000, 100, 1e6)).toEqual({ rows: Infinity });
    expect(shufflePlan('all', 1000, 100, 1e5)).toEqual({ rows: Infinity });
    expect(shufflePlan('all', 1000, 100, 5e4)).toEqual({ rows: 500, bounded: { partRows: 1000, partBytes: 1e5 } });
    expect(shufflePlan(300, 1000, 100, 1e9)).toEqual({ rows: 300 });
    // One id, one label and the row number: 12 bytes a row.
    expect(encodedRowBytes(IR)).toBe(12);
  });
});

describe('base rates for the output biases', () => {
  it('come from a uniform sample of the whole training part: a file sorted by label gives logit(overall rate), not logit(0)', async () => {
    const dir = tempDir();
    const ref = sortedFile(dir);
    const sample = new LabelReservoir(1000, 5);
    const state = await fitPreprocessor(IR, ref, { baseDir: dir, validSplit: 0.1, seed: 5, hasValidFile: false, labelSample: sample });
    const rate = state.labels.y!.sum / state.labels.y!.count;
    expect(rate).toBeGreaterThan(0.45);
    expect(rate).toBeLessThan(0.55);
    const rows = sample.rows();
    expect(rows.size).toBe(1000);
    const bias = towerPriors(IR, [rows], evalLabelExpr).like!;
    // The first 1000 rows are all 0 (logit ≈ -9.2); a uniform sample of 1000 has a rate within ±0.05 of the overall one.
    const logit = (p: number): number => Math.log(p / (1 - p));
    expect(Math.abs(bias - logit(rate))).toBeLessThan(0.2);
    // Deterministic for a seed.
    const again = new LabelReservoir(1000, 5);
    await fitPreprocessor(IR, ref, { baseDir: dir, validSplit: 0.1, seed: 5, hasValidFile: false, labelSample: again });
    expect(Array.from(again.rows().labels.y!)).toEqual(Array.from(rows.labels.y!));
  });

  it('keep every row while there are fewer rows than the sample size', () => {
    const s = new LabelReservoir(10, 1);
    s.begin(['a', 'b']);
    for (let i = 0; i < 4; i++) s.offer([i, 10 * i]);
    expect(s.rows()).toEqual({ size: 4, labels: { a: Float32Array.from([0, 1, 2, 3]), b: Float32Array.from([0, 10, 20, 30]) } });
  });
});
