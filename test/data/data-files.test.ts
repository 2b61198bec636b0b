/**
 * Several files per split through a wildcard data path (src/data/glob.ts, multi-source.ts): files of mixed
 * formats and column orders read as one in sorted order, problems named with their own file and row, a
 * pattern matching nothing refused, and the training shuffle uniform across the files.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ModelIR } from '../../src/ir/types.js';
import { MtlError } from '../../src/diagnostics/error.js';
import { fitPreprocessor, readBatches, type DataRef } from '../../src/data/index.js';
import { expandBraces, expandGlob } from '../../src/data/glob.js';
import { collect, failure, makeIR, rowNumbers, tempDir, writeData } from './helpers.js';
import { writeParquet } from './parquet-files.js';

const ir: ModelIR = makeIR(
  [
    { kind: 'categorical', name: 'user', ids: { kind: 'hash', size: 50 }, dim: 2 },
    { kind: 'numeric', name: 'price', normalize: 'standard', missing: 'error' },
  ],
  [{ name: 'y', type: 'binary' }],
);
const fit = (dir: string) => ({ baseDir: dir, validSplit: 0.25, seed: 9, hasValidFile: false });

/** Rows `from`..`to`-1 of the test data: user, price, y. */
function rows(from: number, to: number): Array<[string, number, number]> {
  return Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    return [`u${i % 17}`, (i % 23) * 0.5, i % 3 === 0 ? 1 : 0];
  });
}

const csv = (rs: Array<[string, number, number]>): string => 'y,price,user\n' + rs.map(([u, p, y]) => `${y},${p},${u}`).join('\n') + '\n';

describe('several data files', () => {
  it('read CSV, gzipped JSON Lines and Parquet parts in sorted order, as one file with all the rows would be', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'parts'));
    // Written out of order; the names sort as part-1 < part-2 < part-3.
    writeParquet(path.join(dir, 'parts', 'part-3.parquet'), [
      { name: 'price', type: 'DOUBLE', data: rows(200, 300).map((r) => r[1]) },
      { name: 'user', type: 'STRING', data: rows(200, 300).map((r) => r[0]) },
      { name: 'y', type: 'INT32', data: rows(200, 300).map((r) => r[2]) },
    ]);
    writeData(dir, 'parts/part-1.csv', csv(rows(0, 120)));
    writeData(dir, 'parts/part-2.jsonl.gz', rows(120, 200).map(([u, p, y]) => JSON.stringify({ user: u, y, price: p })).join('\n') + '\n');
    writeData(dir, 'parts/notes.txt', 'not data\n');
    const all: DataRef = { kind: 'file', path: writeData(dir, 'all.csv', csv(rows(0, 300))) };
    const glob: DataRef = { kind: 'file', path: path.join(dir, 'parts', 'part-*') };
    expect((await expandGlob(glob.path)).map((f) => path.basename(f))).toEqual(['part-1.csv', 'part-2.jsonl.gz', 'part-3.parquet']);

    const state = await fitPreprocessor(ir, glob, fit(dir));
    expect(state).toEqual(await fitPreprocessor(ir, all, fit(dir)));
    const read = (ref: DataRef, part: 'train' | 'valid') => collect(readBatches(ir, state, ref, { ...fit(dir), batchSize: 64, part }));
    for (const part of ['train', 'valid'] as const) {
      const a = await read(glob, part);
      const b = await read(all, part);
      expect(a.map((x) => ({ ...x, rowNumbers: undefined }))).toEqual(b.map((x) => ({ ...x, rowNumbers: undefined })));
    }
    // Row numbers are per file: CSV lines (header = 1), JSON Lines lines, Parquet rows.
    const numbers = rowNumbers(await collect(readBatches(ir, state, glob, { ...fit(dir), validSplit: 0, batchSize: 64, part: 'all' })));
    expect(numbers.slice(118, 123)).toEqual([120, 121, 1, 2, 3]);
    expect(numbers.slice(198, 202)).toEqual([79, 80, 1, 2]);
  });

  it('shuffle uniformly across the files: no rank correlation between position in the set and training position', async () => {
    const dir = tempDir();
    // Four files, sorted by label across the set: the first two all 0, the last two all 1.
    for (let f = 0; f < 4; f++) writeData(dir, `s${f}.csv`, 'user,price,y\n' + Array.from({ length: 1000 }, (_, i) => `u${i % 7},${i % 5},${f < 2 ? 0 : 1}`).join('\n') + '\n');
    const ref: DataRef = { kind: 'file', path: path.join(dir, 's?.csv') };
    const state = await fitPreprocessor(ir, ref, { ...fit(dir), validSplit: 0 });
    for (const shuffleRows of [undefined, 400]) {
      const batches = await collect(readBatches(ir, state, ref, { ...fit(dir), validSplit: 0, batchSize: 50, part: 'train', shuffle: true, epoch: 1, ...(shuffleRows ? { shuffleRows } : {}) }));
      const labels = batches.flatMap((b) => Array.from(b.labels.y!));
      expect(labels.length).toBe(4000);
      // Each quarter of the epoch holds about half positives (a file-by-file order would give 0, 0, 1, 1).
      for (let q = 0; q < 4; q++) {
        const mean = labels.slice(q * 1000, (q + 1) * 1000).reduce((s, v) => s + v, 0) / 1000;
        expect(Math.abs(mean - 0.5), `quarter ${q}, buffer ${shuffleRows}`).toBeLessThan(0.08);
      }
    }
  });

  it('name the file and its own row for a bad value or a missing column in a later file', async () => {
    const dir = tempDir();
    writeData(dir, 'a.csv', csv(rows(0, 10)));
    writeData(dir, 'b.csv', 'user,price,y\nu1,1,0\nu2,oops,1\n');
    const e = (await failure(fitPreprocessor(ir, { kind: 'file', path: path.join(dir, '*.csv') }, { ...fit(dir), validSplit: 0 }))) as MtlError;
    expect(e).toBeInstanceOf(MtlError);
    expect(e.diagnostics[0]!.message).toBe("b.csv row 3, column 'price': 'oops' is not a decimal number.");
    expect(e.diagnostics[0]!.file).toBe(path.join(dir, 'b.csv'));
    writeData(dir, 'b.csv', 'user,cost,y\nu1,1,0\n');
    const m = (await failure(fitPreprocessor(ir, { kind: 'file', path: path.join(dir, '{a,b}.csv') }, { ...fit(dir), validSplit: 0 }))) as MtlError;
    expect(m.diagnostics[0]!.code).toBe('MTL5002');
    expect(m.diagnostics[0]!.message).toBe("b.csv has no column 'price' (needed by feature 'price').");
  });

  it('refuse a pattern that matches no file (MTL5083), and read a file whose name has a wildcard character as itself', async () => {
    const dir = tempDir();
    const e = (await failure(fitPreprocessor(ir, { kind: 'file', path: path.join(dir, 'nothing-*.parquet') }, fit(dir)))) as MtlError;
    expect(e.diagnostics[0]!.code).toBe('MTL5083');
    expect(e.diagnostics[0]!.message).toBe(`The data path '${path.join(dir, 'nothing-*.parquet')}' matches no file.`);
    const odd = writeData(dir, 'data[1].csv', csv(rows(0, 10)));
    expect((await fitPreprocessor(ir, { kind: 'file', path: odd }, { ...fit(dir), validSplit: 0 })).rowsSeen).toBe(10);
  });

  it('expand braces, classes, ** and skip hidden files and folders', async () => {
    expect(expandBraces('a/{x,y{1,2}}/b')).toEqual(['a/x/b', 'a/y1/b', 'a/y2/b']);
    const dir = tempDir();
    for (const f of ['d/2024/01.csv', 'd/2024/02.csv', 'd/2025/x/03.csv', 'd/.hidden/04.csv', 'd/2024/.05.csv', 'd/top.csv']) {
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      writeFileSync(path.join(dir, f), 'a\n');
    }
    const rel = async (p: string) => (await expandGlob(path.join(dir, p))).map((f) => path.relative(dir, f));
    expect(await rel('d/**/*.csv')).toEqual(['d/2024/01.csv', 'd/2024/02.csv', 'd/2025/x/03.csv', 'd/top.csv']);
    expect(await rel('d/202[4]/0?.csv')).toEqual(['d/2024/01.csv', 'd/2024/02.csv']);
    expect(await rel('d/202[!4]/*')).toEqual([]);
  });
});
