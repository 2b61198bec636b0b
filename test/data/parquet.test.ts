/**
 * Parquet input (src/data/parquet.ts): the same rows as Parquet and as CSV fit the same state and give the
 * same encoded batches (row numbers aside: a Parquet file has no header line), with every codec, list
 * columns as sequence features, nulls under the spec's missing rules; and problems are reported with the
 * file, the row group, the row and the column.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Feature, Label } from '../../src/ir/types.js';
import { MtlError } from '../../src/diagnostics/error.js';
import { fitPreprocessor, readBatches, type Batch, type DataRef } from '../../src/data/index.js';
import { collect, failure, makeIR, rowNumbers, tempDir, writeData } from './helpers.js';
import { parquetWriteFile } from 'hyparquet-writer';
import { writeParquet, type PqColumn } from './parquet-files.js';

// One feature of each kind the Parquet types feed: strings hashed, 64-bit ids, a list, doubles and integers with nulls.
const features: Feature[] = [
  { kind: 'categorical', name: 'user', ids: { kind: 'hash', size: 100 }, dim: 4 },
  { kind: 'categorical', name: 'item', ids: { kind: 'vocab', size: 10 }, dim: 4 },
  { kind: 'sequence', name: 'hist', ids: { kind: 'vocab', size: 10 }, shares: 'item', pool: 'sum', maxLen: 4, separator: '|' },
  { kind: 'numeric', name: 'price', normalize: 'log1p', missing: 'mean' },
  { kind: 'numeric', name: 'age', normalize: 'none', buckets: [18, 30], dim: 2, missing: 'zero' },
];
// A boolean label, and a string label with a positive value.
const labels: Label[] = [{ name: 'click', type: 'binary' }, { name: 'income', type: 'binary', column: 'inc', positive: ['50000+.'] }];
const ir = makeIR(features, labels, [{ fn: 'gauc', output: 'ctr', groupBy: 'user' }]);
const ROWS = 300;

/** The test rows as typed columns: nulls in price, age and hist, empty lists, 64-bit ids, booleans. */
function columns(): PqColumn[] {
  const idx = Array.from({ length: ROWS }, (_, i) => i);
  return [
    { name: 'user', type: 'STRING', data: idx.map((i) => `u${(i * 37) % 23}`) },
    { name: 'item', type: 'INT64', data: idx.map((i) => BigInt((i * 7) % 12)) },
    { name: 'hist', type: 'LIST', data: idx.map((i) => (i % 11 === 0 ? null : Array.from({ length: i % 5 }, (_, k) => String((i + k) % 10)))) },
    { name: 'price', type: 'DOUBLE', data: idx.map((i) => (i % 13 === 0 ? null : (i % 17) * 1.25)) },
    { name: 'age', type: 'INT32', data: idx.map((i) => (i % 19 === 0 ? null : 10 + (i % 40))) },
    { name: 'click', type: 'BOOLEAN', data: idx.map((i) => i % 3 === 0) },
    { name: 'inc', type: 'STRING', data: idx.map((i) => (i % 4 === 0 ? '50000+.' : '- 50000.')) },
  ];
}

/** The same rows as CSV text, in another column order. */
function csvText(cols: PqColumn[]): string {
  const order = ['inc', 'click', 'age', 'price', 'hist', 'item', 'user'];
  const by = new Map(cols.map((c) => [c.name, c]));
  const cell = (v: unknown): string => (v === null ? '' : Array.isArray(v) ? v.join('|') : String(v));
  const lines = [order.join(',')];
  for (let i = 0; i < ROWS; i++) lines.push(order.map((n) => cell(by.get(n)!.data[i])).join(','));
  return lines.join('\n') + '\n';
}

const fit = (dir: string) => ({ baseDir: dir, validSplit: 0.2, seed: 5, hasValidFile: false });

/** Batches without their row numbers (which differ by the CSV header line). */
function content(batches: Batch[]): unknown[] {
  return batches.map((b) => ({ ...b, rowNumbers: undefined }));
}

describe('Parquet files', () => {
  it('fit the same state and give the same batches as the same rows in CSV, with every codec and row groups', async () => {
    const dir = tempDir();
    const cols = columns();
    const csv: DataRef = { kind: 'file', path: writeData(dir, 'd.csv', csvText(cols)) };
    const csvState = await fitPreprocessor(ir, csv, fit(dir));
    const read = (ref: DataRef, state: typeof csvState, part: 'train' | 'valid', shuffle = false) =>
      collect(readBatches(ir, state, ref, { ...fit(dir), batchSize: 32, part, shuffle, epoch: 2 }));
    const csvTrain = await read(csv, csvState, 'train');
    const csvValid = await read(csv, csvState, 'valid');
    const csvShuffled = await read(csv, csvState, 'train', true);
    expect(csvTrain.length).toBeGreaterThan(5);
    for (const codec of ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'ZSTD'] as const) {
      const file = writeParquet(path.join(dir, `d-${codec}.parquet`), cols, { codec, rowGroupSize: 64 });
      const pq: DataRef = { kind: 'file', path: file };
      const state = await fitPreprocessor(ir, pq, fit(dir));
      expect(state, codec).toEqual(csvState);
      const train = await read(pq, state, 'train');
      expect(content(train), codec).toEqual(content(csvTrain));
      expect(rowNumbers(train).map((r) => r + 1)).toEqual(rowNumbers(csvTrain));
      expect(content(await read(pq, state, 'valid'))).toEqual(content(csvValid));
      // The same seeded shuffle: the same rows in the same order.
      const shuffled = await read(pq, state, 'train', true);
      expect(rowNumbers(shuffled).map((r) => r + 1)).toEqual(rowNumbers(csvShuffled));
    }
  });

  it('read a list column as a sequence feature: elements are ids, an empty list or a null is an empty sequence', async () => {
    const dir = tempDir();
    const seqIr = makeIR([{ kind: 'sequence', name: 'hist', ids: { kind: 'vocab', size: 10 }, pool: 'sum', maxLen: 3, separator: '|', dim: 2 }]);
    const file = writeParquet(path.join(dir, 'l.parquet'), [{ name: 'hist', type: 'LIST', data: [['1', '2'], [], null, ['9', '3', '4', '5']] }]);
    const ref: DataRef = { kind: 'file', path: file };
    const state = await fitPreprocessor(seqIr, ref, { ...fit(dir), validSplit: 0, needLabels: false });
    const [b] = await collect(readBatches(seqIr, state, ref, { ...fit(dir), validSplit: 0, batchSize: 10, part: 'all', needLabels: false }));
    const seq = b!.features.hist as Extract<Batch['features'][string], { kind: 'seq' }>;
    // vocab N: id + 1; sum pooling weights 1 on real positions; at most maxLen (3) ids are kept.
    expect(Array.from(seq.rows)).toEqual([2, 3, 0, 0, 0, 0, 0, 0, 0, 10, 4, 5]);
    expect(Array.from(seq.weights)).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    expect(Array.from(b!.rowNumbers)).toEqual([1, 2, 3, 4]);
  });

  it('report a bad value with the file, row group, row and column', async () => {
    const dir = tempDir();
    const cols = columns();
    // Row 150 (0-based 149, in the third row group of 64 rows) has text in the numeric column.
    const price = cols.find((c) => c.name === 'price')!;
    const bad = { ...price, type: 'STRING' as const, data: price.data.map((v, i) => (i === 149 ? 'cheap' : v === null ? null : String(v))) };
    const file = writeParquet(path.join(dir, 'bad.parquet'), cols.map((c) => (c.name === 'price' ? bad : c)), { rowGroupSize: 64 });
    const e = await failure(fitPreprocessor(ir, { kind: 'file', path: file }, { ...fit(dir), validSplit: 0 }));
    expect(e).toBeInstanceOf(MtlError);
    const d = (e as MtlError).diagnostics[0]!;
    expect(d.code).toBe('MTL5003');
    expect(d.message).toBe("bad.parquet (row group 3 of 5) row 150, column 'price': 'cheap' is not a decimal number.");
    expect(d.file).toBe(file);
    // With --skip-bad-rows, the row is skipped and counted instead.
    const warnings: string[] = [];
    const state = await fitPreprocessor(ir, { kind: 'file', path: file }, { ...fit(dir), validSplit: 0, skipBadRows: true, onWarning: (w) => warnings.push(`${w.code} ${w.message}`) });
    expect(state.rowsSkipped).toBe(1);
    expect(warnings[0]).toContain("first: MTL5003 bad.parquet (row group 3 of 5) row 150, column 'price'");
  });

  it('report a null label with its row group and row', async () => {
    const dir = tempDir();
    const cols = columns().map((c) => (c.name === 'click' ? { ...c, data: c.data.map((v, i) => (i === 70 ? null : v)) } : c));
    const file = writeParquet(path.join(dir, 'nl.parquet'), cols, { rowGroupSize: 64 });
    const e = (await failure(fitPreprocessor(ir, { kind: 'file', path: file }, { ...fit(dir), validSplit: 0 }))) as MtlError;
    expect(e.diagnostics[0]!.code).toBe('MTL5010');
    expect(e.diagnostics[0]!.message).toContain('nl.parquet (row group 2 of 5) row 71');
  });

  it('name a missing column with a did-you-mean over the file schema', async () => {
    const dir = tempDir();
    const cols = columns().map((c) => (c.name === 'price' ? { ...c, name: 'prices' } : c));
    const file = writeParquet(path.join(dir, 'm.parquet'), cols);
    const e = (await failure(fitPreprocessor(ir, { kind: 'file', path: file }, fit(dir)))) as MtlError;
    expect(e.diagnostics[0]!.code).toBe('MTL5002');
    expect(e.diagnostics[0]!.message).toBe("m.parquet has no column 'price' (needed by feature 'price').");
    expect(e.diagnostics[0]!.hint).toContain("Did you mean 'prices'?");
  });

  it('refuse a list column for a feature that is not a sequence (MTL5082)', async () => {
    const dir = tempDir();
    const cols = columns().map((c) => (c.name === 'user' ? { ...c, type: 'LIST' as const, data: c.data.map((u) => [u]) } : c));
    const file = writeParquet(path.join(dir, 'lst.parquet'), cols);
    const e = (await failure(fitPreprocessor(ir, { kind: 'file', path: file }, fit(dir)))) as MtlError;
    expect(e.diagnostics[0]!.code).toBe('MTL5082');
    expect(e.diagnostics[0]!.message).toBe("lst.parquet: column 'user' (needed by feature 'user') is a list: only a `sequence` feature reads a list column.");
  });

  it('refuse a struct column (MTL5082) and a file without rows (MTL5001)', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'struct.parquet');
    parquetWriteFile({
      filename: file,
      schema: [
        { name: 'root', num_children: 2 },
        { name: 'user', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
        { name: 'price', repetition_type: 'OPTIONAL', num_children: 1 },
        { name: 'amount', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
      ],
      columnData: [{ name: 'user', data: ['a'] }, { name: 'price', data: [{ amount: 1 }] as never }],
    });
    const oneIr = makeIR([{ kind: 'numeric', name: 'price', normalize: 'none', missing: 'zero' }]);
    const s = (await failure(fitPreprocessor(oneIr, { kind: 'file', path: file }, { ...fit(dir), needLabels: false }))) as MtlError;
    expect(s.diagnostics[0]!.message).toBe("struct.parquet: column 'price' (needed by feature 'price') is a struct (group of columns): mtl reads columns of numbers, strings, booleans, or lists of them.");
    const empty = path.join(dir, 'empty.parquet');
    parquetWriteFile({ filename: empty, columnData: [{ name: 'price', data: [], type: 'DOUBLE' }] });
    const z = (await failure(fitPreprocessor(oneIr, { kind: 'file', path: empty }, { ...fit(dir), needLabels: false }))) as MtlError;
    expect(z.diagnostics[0]!.code).toBe('MTL5001');
    expect(z.diagnostics[0]!.message).toBe('empty.parquet has no rows.');
  });

  it('report a truncated file, a text file named .parquet and a damaged row group as MTL codes', async () => {
    const dir = tempDir();
    const file = writeParquet(path.join(dir, 'ok.parquet'), columns(), { rowGroupSize: 64, codec: 'GZIP' });
    const bytes = readFileSync(file);
    const truncated = path.join(dir, 'truncated.parquet');
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 100));
    const t = (await failure(fitPreprocessor(ir, { kind: 'file', path: truncated }, fit(dir)))) as MtlError;
    expect(t).toBeInstanceOf(MtlError);
    expect(t.diagnostics[0]!.code).toBe('MTL5080');
    expect(t.diagnostics[0]!.message).toMatch(/^truncated\.parquet is not a readable Parquet file: .+\.$/);
    const text = writeData(dir, 'text.parquet', 'a,b\n1,2\n');
    const x = (await failure(fitPreprocessor(ir, { kind: 'file', path: text }, fit(dir)))) as MtlError;
    expect(x.diagnostics[0]!.code).toBe('MTL5080');
    // Garble the compressed pages of the data (after the 4 magic bytes, before the footer): a row group fails.
    const damaged = Buffer.from(bytes);
    for (let i = 8; i < damaged.length / 2; i++) damaged[i] = (damaged[i]! * 31 + 7) & 0xff;
    const dmg = path.join(dir, 'damaged.parquet');
    writeFileSync(dmg, damaged);
    const r = (await failure(fitPreprocessor(ir, { kind: 'file', path: dmg }, fit(dir)))) as MtlError;
    expect(r).toBeInstanceOf(MtlError);
    expect(r.diagnostics[0]!.code).toBe('MTL5081');
    expect(r.diagnostics[0]!.message).toMatch(/^damaged\.parquet row group 1 of 5 \(rows 1 to 64\) cannot be read: .+\.$/);
  });
});
