import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as path from 'node:path';
import type { Feature, Label } from '../../src/ir/types.js';
import type { Diagnostic } from '../../src/diagnostics/types.js';
import { isMtlError, type MtlError } from '../../src/diagnostics/error.js';
import { fitPreprocessor, readBatches, type DataRef } from '../../src/data/index.js';
import { collect, failure, makeIR, tempDir, writeData } from './helpers.js';

const features: Feature[] = [
  { kind: 'categorical', name: 'user', ids: { kind: 'hash', size: 10 }, dim: 2 },
  { kind: 'numeric', name: 'price', normalize: 'log1p', missing: 'error' },
];
const labels: Label[] = [
  { name: 'click', type: 'binary' },
  { name: 'watch', type: 'real' },
];
const ir = makeIR(features, labels);
const header = 'user,price,click,watch';
const good = 'u,1,0,0.5';

async function fitError(text: string, name = 'train.csv'): Promise<Diagnostic> {
  const dir = tempDir();
  const ref: DataRef = { kind: 'file', path: writeData(dir, name, text) };
  const e = await failure(fitPreprocessor(ir, ref, { baseDir: dir, validSplit: 0, seed: 1, hasValidFile: false }));
  expect(isMtlError(e), String(e)).toBe(true);
  return (e as MtlError).diagnostics[0]!;
}

describe('bad rows', () => {
  it('text in a numeric column: code, row, column and field offset', async () => {
    const d = await fitError(`${header}\n${good}\n${good}\nuu,abc,1,2\n`);
    expect(d.code).toBe('MTL5003');
    expect(d.message).toBe("train.csv row 4, column 'price': 'abc' is not a decimal number.");
    expect(d.hint).toBe('Numbers are written like -12.5 or 1e-3 (no hex, Infinity or thousands separators): clean the value, or pass --skip-bad-rows.');
    expect(d.range).toEqual({ start: { line: 3, character: 3 }, end: { line: 3, character: 6 } });
    expect(d.file!.endsWith('train.csv')).toBe(true);
  });
  it('a binary label outside {0,1}', async () => {
    const d = await fitError(`${header}\n${good}\n"u,x",2,yes,1\n`);
    expect(d.code).toBe('MTL5004');
    expect(d.message).toBe("train.csv row 3, column 'click': 'yes' is not a binary label (0/1, true/false).");
    expect(d.range.start).toEqual({ line: 2, character: 8 }); // offset within the quoted line
  });
  it('a ragged line', async () => {
    const d = await fitError(`${header}\n${good}\nu,1,0\n`);
    expect(d.code).toBe('MTL5005');
    expect(d.message).toBe('train.csv row 3 has 3 fields, but the header has 4.');
    expect(d.range.start.line).toBe(2);
  });
  it('invalid JSON and a non-object on a JSON Lines line', async () => {
    const rec = JSON.stringify({ user: 'u', price: 1, click: 0, watch: 1 });
    const d = await fitError(`${rec}\n${rec}\n{"user": \n`, 'train.jsonl');
    expect(d.code).toBe('MTL5006');
    expect(d.message).toMatch(/^train\.jsonl row 3 is not a JSON object: /);
    expect(d.range.start.line).toBe(2);
    const d2 = await fitError(`${rec}\n[1]\n`, 'train.jsonl');
    expect(d2.message).toBe('train.jsonl row 2 is not a JSON object: it is an array.');
  });
  it('a missing value with `missing error`, a missing label, a negative value under log1p, a bad real label', async () => {
    const d = await fitError(`${header}\n${good}\nu,NA,0,1\n`);
    expect(d.code).toBe('MTL5008');
    expect(d.message).toBe("train.csv row 3, column 'price' has no value, and feature 'price' says `missing error`.");
    expect((await fitError(`${header}\nu,1,,1\n`)).message).toBe("train.csv row 2, column 'click' has no value for label 'click'.");
    const neg = await fitError(`${header}\nu,-3,0,1\n`);
    expect([neg.code, neg.range.start]).toEqual(['MTL5009', { line: 1, character: 2 }]);
    const real = await fitError(`${header}\nu,3,0,fast\n`);
    expect([real.code, real.message]).toEqual(['MTL5011', "train.csv row 2, column 'watch': 'fast' is not a decimal number (label 'watch' is real)."]);
  });
  it('an unclosed quote', async () => {
    const d = await fitError(`${header}\n${good}\nu,"1,0,1\n`);
    expect([d.code, d.range.start.line]).toEqual(['MTL5012', 2]);
  });
  it('a missing column names the column, its user, the header and a suggestion', async () => {
    const d = await fitError(`user,prize,click,watch\n${good}\n`);
    expect(d.code).toBe('MTL5002');
    expect(d.message).toBe("train.csv has no column 'price' (needed by feature 'price').");
    expect(d.hint).toBe("Did you mean 'prize'? Its columns are: user, prize, click, watch.");
  });
  it('empty files: no bytes, only blank lines, a header without rows', async () => {
    expect((await fitError('')).message).toBe('train.csv is empty.');
    expect((await fitError('\n\n')).message).toBe('train.csv has no header and no rows.');
    const d = await fitError(`${header}\n`);
    expect([d.code, d.message]).toEqual(['MTL5001', 'train.csv has a header but no rows.']);
  });
  it('a file that does not exist', async () => {
    const e = await failure(fitPreprocessor(ir, { kind: 'file', path: '/nonexistent/x.csv' }, { baseDir: '.', validSplit: 0, seed: 1, hasValidFile: false }));
    expect((e as MtlError).diagnostics[0]!.code).toBe('MTL5000');
    expect((e as MtlError).diagnostics[0]!.message).toBe("Cannot read the data file '/nonexistent/x.csv': no such file.");
  });
  it('a truncated gzip file says so, with the last row read', async () => {
    const dir = tempDir();
    const lines = [header, ...Array.from({ length: 20000 }, (_, i) => `u${i},${i},${i % 2},0.5`)].join('\n') + '\n';
    const gz = gzipSync(Buffer.from(lines));
    const p = path.join(dir, 'train.csv.gz');
    writeFileSync(p, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const e = await failure(fitPreprocessor(ir, { kind: 'file', path: p }, { baseDir: dir, validSplit: 0, seed: 1, hasValidFile: false, skipBadRows: true }));
    const d = (e as MtlError).diagnostics[0]!;
    expect(d.code).toBe('MTL5007');
    expect(d.message).toMatch(/^train\.csv\.gz is truncated or corrupt \(unexpected end of the compressed data\); the last complete row read was row \d+\.$/);
    const last = Number(/row (\d+)\.$/.exec(d.message)![1]);
    expect(last).toBeGreaterThan(2);
    expect(last).toBeLessThan(20002);
    // A corrupt body (valid magic bytes, garbage after) is reported the same way.
    const bad = Buffer.from(gz);
    bad.fill(0x55, 20, 60);
    writeFileSync(p, bad);
    const e2 = await failure(fitPreprocessor(ir, { kind: 'file', path: p }, { baseDir: dir, validSplit: 0, seed: 1, hasValidFile: false }));
    expect((e2 as MtlError).diagnostics[0]!.code).toBe('MTL5007');
  });
  it('skip-bad-rows skips and counts, with one summary per pass naming the first', async () => {
    const dir = tempDir();
    const text = `${header}\n${good}\nu,abc,0,1\n${good}\nu,1\n${good}\nu,1,7,1\n`;
    const ref: DataRef = { kind: 'file', path: writeData(dir, 'train.csv', text) };
    const warnings: Diagnostic[] = [];
    const opts = { baseDir: dir, validSplit: 0, seed: 1, hasValidFile: false, skipBadRows: true, onWarning: (d: Diagnostic) => warnings.push(d) };
    const state = await fitPreprocessor(ir, ref, opts);
    expect([state.rowsSeen, state.rowsSkipped]).toEqual([3, 3]);
    expect(state.features.price).toMatchObject({ count: 3 });
    const batches = await collect(readBatches(ir, state, ref, { ...opts, batchSize: 2, part: 'all' }));
    expect(batches.flatMap((b) => Array.from(b.rowNumbers))).toEqual([2, 4, 6]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]!.code).toBe('MTL5040');
    expect(warnings[0]!.severity).toBe('warning');
    expect(warnings[0]!.message).toBe("Skipped 3 bad rows of train.csv; first: MTL5003 train.csv row 3, column 'price': 'abc' is not a decimal number.");
    expect(warnings[0]!.range.start.line).toBe(2);
    expect(warnings[1]).toEqual(warnings[0]);
    // Without the flag the first bad row stops the pass.
    const e = await failure(readBatches(ir, state, ref, { ...opts, skipBadRows: false, batchSize: 2, part: 'all' }));
    expect((e as MtlError).diagnostics[0]!.code).toBe('MTL5003');
  });
  it('vocabulary files: missing file, and a large vocabulary checked by digest', async () => {
    const dir = tempDir();
    const f: Feature[] = [{ kind: 'categorical', name: 'tok', ids: { kind: 'file', path: 'v.txt' }, dim: 2 }];
    const ir2 = makeIR(f);
    const ref: DataRef = { kind: 'file', path: writeData(dir, 'd.csv', 'tok\nb\n') };
    const opts = { baseDir: dir, validSplit: 0, seed: 1, hasValidFile: false };
    const e = await failure(fitPreprocessor(ir2, ref, opts));
    expect((e as MtlError).diagnostics[0]!.message).toBe("Cannot read the vocabulary file 'v.txt' of feature 'tok': no such file.");
    const many = Array.from({ length: 100_001 }, (_, i) => `t${i}`);
    writeFileSync(path.join(dir, 'v.txt'), many.join('\n') + '\n');
    const state = await fitPreprocessor(ir2, ref, opts);
    expect(state.features.tok).toMatchObject({ tableSize: 100_002, vocab: { path: 'v.txt', size: 100_001 } });
    expect((state.features.tok as { vocab: { tokens?: string[] } }).vocab.tokens).toBeUndefined();
    writeFileSync(path.join(dir, 'd2.csv'), 'tok\nt5\n');
    const [b] = await collect(readBatches(ir2, state, { kind: 'file', path: path.join(dir, 'd2.csv') }, { ...opts, batchSize: 4, part: 'all' }));
    expect(Array.from((b!.features.tok as { rows: Int32Array }).rows)).toEqual([6]);
    writeFileSync(path.join(dir, 'v.txt'), readFileSync(path.join(dir, 'v.txt'), 'utf8') + 'extra\n');
    const e2 = await failure(readBatches(ir2, state, ref, { ...opts, batchSize: 4, part: 'all' }));
    expect((e2 as MtlError).diagnostics[0]!.code).toBe('MTL5022');
  });
  it('a state that does not fit the spec', async () => {
    const dir = tempDir();
    const ref: DataRef = { kind: 'file', path: writeData(dir, 'd.csv', `${header}\n${good}\n`) };
    const e = await failure(readBatches(ir, { version: 1, features: {}, rowsSeen: 0, rowsSkipped: 0, labels: {}, split: { validSplit: 0, seed: 0, hasValidFile: false } }, ref, { baseDir: dir, batchSize: 1, part: 'all', validSplit: 0, seed: 1 }));
    expect((e as MtlError).diagnostics[0]!.message).toBe("The preprocessing state does not match the spec: feature 'user' is not in it.");
  });
  it('no training rows left by the split', async () => {
    const d = await (async () => {
      const dir = tempDir();
      const ref: DataRef = { kind: 'file', path: writeData(dir, 'd.csv', `${header}\n${good}\n`) };
      const e = await failure(fitPreprocessor(ir, ref, { baseDir: dir, validSplit: 1, seed: 1, hasValidFile: false }));
      return (e as MtlError).diagnostics[0]!;
    })();
    expect([d.code, d.message]).toEqual(['MTL5024', 'No training rows were read from d.csv with valid_split 1.']);
  });
});
