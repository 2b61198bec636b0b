import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Feature, Label } from '../../src/ir/types.js';
import type { Diagnostic } from '../../src/diagnostics/types.js';
import { fitPreprocessor, readBatches, tableSizes, fnv1a32, isValidationRow, type DataRef, type PreprocessState } from '../../src/data/index.js';
import { collect, makeIR, rowNumbers, tempDir, writeData } from './helpers.js';

const features: Feature[] = [
  { kind: 'categorical', name: 'user', ids: { kind: 'hash', size: 100 }, dim: 4 },
  { kind: 'categorical', name: 'item', ids: { kind: 'vocab', size: 10 }, dim: 4 },
  { kind: 'categorical', name: 'city', ids: { kind: 'file', path: 'cities.txt' }, dim: 2 },
  { kind: 'sequence', name: 'hist', ids: { kind: 'vocab', size: 10 }, shares: 'item', pool: 'mean', maxLen: 3, separator: '|' },
  { kind: 'numeric', name: 'price', normalize: 'standard', missing: 'mean' },
  { kind: 'numeric', name: 'age', normalize: 'none', buckets: [18, 30], dim: 2, missing: 'zero' },
];
const labels: Label[] = [
  { name: 'click', type: 'binary' },
  { name: 'income', type: 'binary', column: 'inc', positive: ['50000+.'] },
];
const ir = makeIR(features, labels, [{ fn: 'gauc', output: 'ctr', groupBy: 'user' }]);
const header = 'user,item,city,hist,price,age,click,inc';
const rows = [
  'u1,3,paris,1|2|3|4,10,17,1,50000+.',
  'u2,9,rome,,20,18,0,- 50000.',
  'u1,10,oslo,7,NA,45,true,50000+.',
  'u3,x,,2|,30,,0.0,x',
];
const text = `${header}\n${rows.join('\n')}\n`;

function setup(): { dir: string; opts: { baseDir: string; validSplit: number; seed: number; hasValidFile: boolean } } {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'cities.txt'), 'paris\nrome\n');
  return { dir, opts: { baseDir: dir, validSplit: 0, seed: 1, hasValidFile: false } };
}

describe('reading and preprocessing', () => {
  it('reads csv, csv.gz, tsv, jsonl, jsonl.gz and sniffed files to identical batches', async () => {
    const { dir, opts } = setup();
    const jsonl = rows
      .map((r) => r.split(','))
      .map((f) => JSON.stringify({ user: f[0], item: f[1] === 'x' ? 'x' : Number(f[1]), city: f[2], hist: f[3], price: f[4] === 'NA' ? null : Number(f[4]), age: f[5] === '' ? null : Number(f[5]), click: f[6], inc: f[7] }))
      .join('\n');
    const refs: DataRef[] = [
      { kind: 'file', path: writeData(dir, 'd.csv', text) },
      { kind: 'file', path: writeData(dir, 'd.csv.gz', text) },
      { kind: 'file', path: writeData(dir, 'd.tsv', text.replace(/,/g, '\t')) },
      { kind: 'file', path: writeData(dir, 'd.jsonl', jsonl + '\n') },
      { kind: 'file', path: writeData(dir, 'd.ndjson.gz', jsonl) },
      { kind: 'file', path: writeData(dir, 'd.data', text) },
    ];
    const results = [];
    for (const ref of refs) {
      const state = await fitPreprocessor(ir, ref, opts);
      const batches = await collect(readBatches(ir, state, ref, { ...opts, batchSize: 3, part: 'all' }));
      results.push({ state, batches });
    }
    const [csv] = results;
    expect(csv!.batches.map((b) => b.size)).toEqual([3, 1]);
    for (const r of results.slice(1)) {
      expect(r.state).toEqual(csv!.state);
      expect(r.batches.map((b) => [b.features, b.labels, b.groups])).toEqual(csv!.batches.map((b) => [b.features, b.labels, b.groups]));
    }
    // CSV rows are numbered by line with the header as line 1; JSON Lines by line.
    expect(rowNumbers(csv!.batches)).toEqual([2, 3, 4, 5]);
    expect(rowNumbers(results[3]!.batches)).toEqual([1, 2, 3, 4]);
  });

  it('maps ids, sequences, numerics, buckets, labels and groups as documented', async () => {
    const { dir, opts } = setup();
    const ref: DataRef = { kind: 'file', path: writeData(dir, 'd.csv', text) };
    const warnings: Diagnostic[] = [];
    const state = await fitPreprocessor(ir, ref, opts);
    const [b] = await collect(readBatches(ir, state, ref, { ...opts, batchSize: 10, part: 'all', onWarning: (d) => warnings.push(d) }));
    const ids = (name: string) => Array.from((b!.features[name] as { rows: Int32Array }).rows);
    expect(ids('user')).toEqual(['u1', 'u2', 'u1', 'u3'].map((u) => fnv1a32(u) % 100));
    expect(ids('item')).toEqual([4, 10, 0, 0]); // id v → v + 1; 10 is out of range, 'x' is not an id
    expect(ids('city')).toEqual([1, 2, 0, 0]); // token → 1 + line; OOV and missing → 0
    expect(ids('age')).toEqual([0, 1, 2, 0]); // boundaries <= value; missing zero → 0 → bucket 0
    const hist = b!.features.hist as { rows: Int32Array; weights: Float32Array; maxLen: number };
    expect(hist.maxLen).toBe(3);
    expect(Array.from(hist.rows)).toEqual([2, 3, 4, 0, 0, 0, 8, 0, 0, 3, 0, 0]);
    expect(Array.from(hist.weights).map((w) => +w.toFixed(4))).toEqual([0.3333, 0.3333, 0.3333, 0, 0, 0, 1, 0, 0, 1, 0, 0]);
    // price: mean 20, population std sqrt(200/3) over the three present values; the missing one gets the mean → 0.
    const sd = Math.sqrt(200 / 3);
    const price = Array.from((b!.features.price as { values: Float32Array }).values);
    expect(price.map((v) => +v.toFixed(5))).toEqual([-10 / sd, 0, 0, 10 / sd].map((v) => +v.toFixed(5)));
    expect(Array.from(b!.labels.click!)).toEqual([1, 0, 1, 0]);
    expect(Array.from(b!.labels.income!)).toEqual([1, 0, 1, 0]);
    expect(b!.groups).toEqual({ user: ['u1', 'u2', 'u1', 'u3'] });
    expect(state.features.price).toMatchObject({ kind: 'numeric', count: 3, missing: 1, mean: 20, min: 10, max: 30 });
    expect(state.labels).toEqual({ click: { count: 4, sum: 2 }, income: { count: 4, sum: 2 } });
    expect(tableSizes(ir, state)).toEqual({ user: 100, item: 11, city: 3, hist: 11, age: 3 });
    // One warning per vocab feature with a count; hist shares item's space (4 values, 1 OOV: '7' is fine, '2|' has an empty part).
    // Then one per numeric feature whose missing values were filled, with the count and the value (MTL5085).
    expect(warnings.map((w) => [w.code, w.message])).toEqual([
      ['MTL5041', "2 of 4 values of feature 'item' in d.csv were missing or outside its vocabulary; they use row 0."],
      ['MTL5041', "2 of 4 values of feature 'city' in d.csv were missing or outside its vocabulary; they use row 0."],
      ['MTL5085', "1 of 4 values of feature 'price' in d.csv were missing; they were filled with the training mean 20 (`missing mean`)."],
      ['MTL5085', "1 of 4 values of feature 'age' in d.csv were missing; they were filled with 0 (`missing zero`)."],
    ]);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('names the part of the file a pass read in its end-of-pass warnings, so the training and validation counts are told apart', async () => {
    const { dir, opts } = setup();
    // The rows three times over: each part gets some with out-of-vocabulary ids and missing numbers.
    const ref: DataRef = { kind: 'file', path: writeData(dir, 'd.csv', `${header}\n${[...rows, ...rows, ...rows].join('\n')}\n`) };
    const split = { ...opts, validSplit: 0.5, seed: 3 };
    const state = await fitPreprocessor(ir, ref, split);
    const said = async (part: 'train' | 'valid'): Promise<string[]> => {
      const warnings: Diagnostic[] = [];
      await collect(readBatches(ir, state, ref, { ...split, batchSize: 10, part, onWarning: (d) => warnings.push(d) }));
      return warnings.map((w) => w.message);
    };
    const train = await said('train');
    const valid = await said('valid');
    expect(train.length).toBeGreaterThan(0);
    expect(valid.length).toBeGreaterThan(0);
    for (const m of train) expect(m).toContain(' in the training part of d.csv ');
    for (const m of valid) expect(m).toContain(' in the validation part (valid_split 0.5) of d.csv ');
  });

  it('gives max pooling padded with the first id and weight 1; sum pooling weight 1', async () => {
    const { dir, opts } = setup();
    const f: Feature[] = [
      { kind: 'sequence', name: 'mx', column: 'hist', ids: { kind: 'vocab', size: 10 }, pool: 'max', maxLen: 3, separator: '|', dim: 2 },
      { kind: 'sequence', name: 'sm', column: 'hist', ids: { kind: 'vocab', size: 10 }, pool: 'sum', maxLen: 3, separator: '|', dim: 2 },
    ];
    const ir2 = makeIR(f);
    const ref: DataRef = { kind: 'file', path: writeData(dir, 's.csv', 'hist\n5|6\n\n""\n') };
    const state = await fitPreprocessor(ir2, ref, opts);
    const [b] = await collect(readBatches(ir2, state, ref, { ...opts, batchSize: 4, part: 'all' }));
    const mx = b!.features.mx as { rows: Int32Array; weights: Float32Array };
    const sm = b!.features.sm as { rows: Int32Array; weights: Float32Array };
    expect(Array.from(mx.rows)).toEqual([6, 7, 6, 0, 0, 0]);
    expect(Array.from(mx.weights)).toEqual([1, 1, 1, 0, 0, 0]);
    expect(Array.from(sm.rows)).toEqual([6, 7, 0, 0, 0, 0]);
    expect(Array.from(sm.weights)).toEqual([1, 1, 0, 0, 0, 0]);
  });

  it('normalises with statistics of the training part only (standard, minmax, log1p)', async () => {
    const { dir } = setup();
    const f: Feature[] = [
      { kind: 'numeric', name: 'a', normalize: 'standard', missing: 'error' },
      { kind: 'numeric', name: 'b', column: 'a', normalize: 'minmax', missing: 'error' },
      { kind: 'numeric', name: 'c', column: 'a', normalize: 'log1p', missing: 'error' },
    ];
    const ir2 = makeIR(f);
    const values = Array.from({ length: 200 }, (_, i) => i);
    const ref: DataRef = { kind: 'file', path: writeData(dir, 'n.csv', `a\n${values.join('\n')}\n`) };
    const opts = { baseDir: dir, validSplit: 0.3, seed: 7, hasValidFile: false };
    const state = await fitPreprocessor(ir2, ref, opts);
    const train = values.filter((_, i) => !isValidationRow(i, 7, 0.3));
    expect(train.length).toBeGreaterThan(100);
    expect(train.length).toBeLessThan(180);
    const mean = train.reduce((x, y) => x + y, 0) / train.length;
    const std = Math.sqrt(train.reduce((x, y) => x + (y - mean) ** 2, 0) / train.length);
    expect(state.rowsSeen).toBe(train.length);
    expect(state.features.a).toMatchObject({ count: train.length, min: Math.min(...train), max: Math.max(...train) });
    expect((state.features.a as { mean: number }).mean).toBeCloseTo(mean, 9);
    expect((state.features.a as { std: number }).std).toBeCloseTo(std, 9);
    const logs = train.map((v) => Math.log1p(v));
    expect((state.features.c as { mean: number }).mean).toBeCloseTo(logs.reduce((x, y) => x + y, 0) / logs.length, 9);
    const valid = await collect(readBatches(ir2, state, ref, { ...opts, batchSize: 1000, part: 'valid' }));
    const rowsV = rowNumbers(valid).map((r) => r - 2);
    expect(rowsV).toEqual(values.filter((_, i) => isValidationRow(i, 7, 0.3)));
    const a = Array.from((valid[0]!.features.a as { values: Float32Array }).values);
    const b = Array.from((valid[0]!.features.b as { values: Float32Array }).values);
    const c = Array.from((valid[0]!.features.c as { values: Float32Array }).values);
    rowsV.forEach((v, i) => {
      expect(a[i]).toBeCloseTo((v - mean) / std, 5);
      expect(b[i]).toBeCloseTo((v - Math.min(...train)) / (Math.max(...train) - Math.min(...train)), 5);
      expect(c[i]).toBeCloseTo(Math.log1p(v), 5);
    });
  });

  it('splits deterministically and disjointly, and shuffles deterministically by seed and epoch', async () => {
    const { dir } = setup();
    const ir2 = makeIR([{ kind: 'categorical', name: 'id', ids: { kind: 'hash', size: 1000 }, dim: 2 }]);
    const ref: DataRef = { kind: 'file', path: writeData(dir, 'ids.csv', `id\n${Array.from({ length: 1000 }, (_, i) => i).join('\n')}\n`) };
    const opts = { baseDir: dir, validSplit: 0.2, seed: 3, hasValidFile: false };
    const state: PreprocessState = await fitPreprocessor(ir2, ref, opts);
    const read = async (part: 'train' | 'valid' | 'all', extra: { shuffle?: boolean; epoch?: number; seed?: number } = {}) =>
      rowNumbers(await collect(readBatches(ir2, state, ref, { ...opts, batchSize: 16, part, ...extra })));
    const train = await read('train');
    const valid = await read('valid');
    expect(valid.length).toBeGreaterThan(150);
    expect(valid.length).toBeLessThan(250);
    expect(train.length + valid.length).toBe(1000);
    expect(new Set([...train, ...valid]).size).toBe(1000);
    expect(await read('valid')).toEqual(valid);
    expect(await read('all')).toEqual(Array.from({ length: 1000 }, (_, i) => i + 2));
    const s1 = await read('train', { shuffle: true, epoch: 0 });
    expect(s1).not.toEqual(train);
    expect([...s1].sort((x, y) => x - y)).toEqual(train);
    expect(await read('train', { shuffle: true, epoch: 0 })).toEqual(s1);
    expect(await read('train', { shuffle: true, epoch: 1 })).not.toEqual(s1);
    // The split follows the seed.
    const other = rowNumbers(await collect(readBatches(ir2, state, ref, { ...opts, seed: 4, batchSize: 16, part: 'valid' })));
    expect(other).not.toEqual(valid);
  });

  it('treats every row as training data when there is a separate validation file', async () => {
    const { dir } = setup();
    const ir2 = makeIR([{ kind: 'numeric', name: 'x', normalize: 'standard', missing: 'error' }]);
    const ref: DataRef = { kind: 'file', path: writeData(dir, 'x.csv', 'x\n1\n2\n3\n4\n') };
    const state = await fitPreprocessor(ir2, ref, { baseDir: dir, validSplit: 0.5, seed: 1, hasValidFile: true });
    expect(state.rowsSeen).toBe(4);
    expect(state.split).toEqual({ validSplit: 0.5, seed: 1, hasValidFile: true });
  });

  it('does not need label or group columns when needLabels is false', async () => {
    const { dir, opts } = setup();
    const ref: DataRef = { kind: 'file', path: writeData(dir, 'p.csv', 'user,item,city,hist,price,age\nu1,1,rome,1,5,3\n') };
    const train: DataRef = { kind: 'file', path: writeData(dir, 't.csv', text) };
    const state = await fitPreprocessor(ir, train, opts);
    const [b] = await collect(readBatches(ir, state, ref, { ...opts, batchSize: 8, part: 'all', needLabels: false }));
    expect(b!.size).toBe(1);
    expect(b!.labels).toEqual({});
    expect(b!.groups).toEqual({});
    expect(Array.from((b!.features.city as { rows: Int32Array }).rows)).toEqual([2]);
  });

  it('reads built-in data like a file', async () => {
    const ir2 = makeIR(
      [
        { kind: 'categorical', name: 'user_id', ids: { kind: 'hash', size: 500 }, dim: 4 },
        { kind: 'sequence', name: 'history', ids: { kind: 'hash', size: 500 }, pool: 'mean', maxLen: 5, separator: '|', dim: 4 },
        { kind: 'numeric', name: 'price', normalize: 'log1p', missing: 'error' },
      ],
      [{ name: 'click', type: 'binary' }, { name: 'buy', type: 'binary' }],
    );
    const ref: DataRef = { kind: 'synth', generator: 'esmm', rows: 300, params: {}, seed: 5 };
    const opts = { baseDir: '.', validSplit: 0.1, seed: 5, hasValidFile: false };
    const state = await fitPreprocessor(ir2, ref, opts);
    const batches = await collect(readBatches(ir2, state, ref, { ...opts, batchSize: 64, part: 'train' }));
    expect(batches.reduce((n, b) => n + b.size, 0)).toBe(state.rowsSeen);
    expect(state.rowsSeen).toBeGreaterThan(240);
    expect((state.features.price as { min: number }).min).toBeGreaterThan(0);
  });
});
