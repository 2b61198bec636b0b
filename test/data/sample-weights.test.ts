/**
 * Sample weights in the data reader (`weight_by`): the column is read per row into Batch.weights (also after
 * shuffling), and a missing, non-numeric, negative, infinite or float32-overflowing weight is an error naming
 * the file, row and column (or a skipped row with --skip-bad-rows), in the fitting pass and in batches.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics/types.js';
import { isMtlError, type MtlError } from '../../src/diagnostics/error.js';
import { fitPreprocessor, readBatches, type DataRef } from '../../src/data/index.js';
import type { ModelIR } from '../../src/ir/types.js';
import { collect, failure, makeIR, tempDir, writeData } from './helpers.js';

/** A spec weighting every task by `w` and one task also by `w2`. */
function weightedIR(): ModelIR {
  const ir = makeIR([{ kind: 'categorical', name: 'user', ids: { kind: 'hash', size: 10 }, dim: 2 }], [{ name: 'click', type: 'binary' }]);
  ir.train.weightBy = 'w';
  ir.tasks = [{ name: 'ctr', head: ['ctr'], loss: { type: 'bce', label: { label: 'click' } }, weight: 1, weightBy: 'w2' }];
  return ir;
}

const header = 'user,click,w,w2';
const opts = { validSplit: 0, seed: 1, hasValidFile: false };

async function fitError(body: string): Promise<Diagnostic> {
  const dir = tempDir();
  const e = await failure(fitPreprocessor(weightedIR(), { kind: 'file', path: writeData(dir, 'train.csv', `${header}\n${body}`) }, { ...opts, baseDir: dir }));
  expect(isMtlError(e), String(e)).toBe(true);
  return (e as MtlError).diagnostics[0]!;
}

describe('sample weights in the data reader', () => {
  it('reads every weight column per row, in file order and after shuffling', async () => {
    const dir = tempDir();
    const ref: DataRef = { kind: 'file', path: writeData(dir, 'train.csv', `${header}\na,1,0.5,2\nb,0,0,1\nc,1,3,0.25\nd,0,1e-3,4\n`) };
    const ir = weightedIR();
    const state = await fitPreprocessor(ir, ref, { ...opts, baseDir: dir });
    const [b] = await collect(readBatches(ir, state, ref, { ...opts, baseDir: dir, batchSize: 4, part: 'all' }));
    expect(Array.from(b!.weights!['w']!)).toEqual([0.5, 0, 3, Math.fround(1e-3)]);
    expect(Array.from(b!.weights!['w2']!)).toEqual([2, 1, 0.25, 4]);
    const shuffled = await collect(readBatches(ir, state, ref, { ...opts, baseDir: dir, batchSize: 3, part: 'all', shuffle: true, epoch: 1 }));
    const byRow = new Map<number, number>();
    for (const s of shuffled) s.rowNumbers.forEach((row, i) => byRow.set(row, s.weights!['w2']![i]!));
    expect([...byRow.entries()].sort((x, y) => x[0] - y[0])).toEqual([[2, 2], [3, 1], [4, 0.25], [5, 4]]);
  });

  it('a spec without weight_by reads no weights', async () => {
    const dir = tempDir();
    const ref: DataRef = { kind: 'file', path: writeData(dir, 'train.csv', `${header}\na,1,oops,\n`) };
    const ir = makeIR([{ kind: 'categorical', name: 'user', ids: { kind: 'hash', size: 10 }, dim: 2 }], [{ name: 'click', type: 'binary' }]);
    const state = await fitPreprocessor(ir, ref, { ...opts, baseDir: dir });
    const [b] = await collect(readBatches(ir, state, ref, { ...opts, baseDir: dir, batchSize: 4, part: 'all' }));
    expect(b!.weights).toBeUndefined();
  });

  it('a missing weight: MTL5060 with file, row, column and the field range', async () => {
    const d = await fitError('a,1,1,1\nb,0,,1\n');
    expect(d.code).toBe('MTL5060');
    expect(d.message).toBe("train.csv row 3, column 'w' has no sample weight (`weight_by w`).");
    expect(d.range.start).toEqual({ line: 2, character: 4 });
    expect(d.file!.endsWith('train.csv')).toBe(true);
    // "NaN" is one of the missing-value tokens.
    expect((await fitError('a,1,1,NaN\n')).code).toBe('MTL5060');
  });

  it.each([
    ['-1', 'a negative weight'],
    ['abc', 'text'],
    ['Infinity', 'an infinite weight'],
    ['1e39', 'a weight float32 cannot hold'],
    ['1e999', 'an overflowing number'],
  ])('%s (%s): MTL5061 naming the value', async (value) => {
    const d = await fitError(`a,1,1,${value}\n`);
    expect(d.code).toBe('MTL5061');
    expect(d.message).toBe(`train.csv row 2, column 'w2': '${value}' is not a sample weight (\`weight_by w2\` needs a finite number ≥ 0).`);
    expect(d.range).toEqual({ start: { line: 1, character: 6 }, end: { line: 1, character: 6 + value.length } });
  });

  it('batches report a bad weight too, and --skip-bad-rows leaves the row out of both passes', async () => {
    const dir = tempDir();
    const ref: DataRef = { kind: 'file', path: writeData(dir, 'train.csv', `${header}\na,1,1,1\nb,0,-2,1\nc,1,2,1\n`) };
    const ir = weightedIR();
    const warnings: Diagnostic[] = [];
    const skip = { ...opts, baseDir: dir, skipBadRows: true, onWarning: (d: Diagnostic) => warnings.push(d) };
    const state = await fitPreprocessor(ir, ref, skip);
    expect(state.rowsSeen).toBe(2);
    const [b] = await collect(readBatches(ir, state, ref, { ...skip, batchSize: 4, part: 'all' }));
    expect(Array.from(b!.rowNumbers)).toEqual([2, 4]);
    expect(Array.from(b!.weights!['w']!)).toEqual([1, 2]);
    expect(warnings.map((w) => w.code)).toEqual(['MTL5040', 'MTL5040']);
    const e = await failure(readBatches(ir, state, ref, { ...opts, baseDir: dir, batchSize: 4, part: 'all' }));
    expect((e as MtlError).diagnostics[0]!.code).toBe('MTL5061');
  });
});
