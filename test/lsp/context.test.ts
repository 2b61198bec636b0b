import { describe, expect, it } from 'vitest';
import { completionContext } from '../../src/lsp/completion.js';
import { foldingRanges } from '../../src/lsp/folding.js';
import { codeOnly, offsetAt, splitLines, wordAt } from '../../src/lsp/text.js';
import { markers } from './harness.js';

/** The completion context at the single `<|>` of `marked`. */
function ctxAt(marked: string): ReturnType<typeof completionContext> {
  const { text, cursors } = markers(marked);
  return completionContext(text, offsetAt(text, cursors[0]!));
}

describe('completion context (text only, works on broken specs)', () => {
  it('offers declaration keywords at the start of a top-level line', () => {
    expect(ctxAt('model m\n<|>')).toEqual({ kind: 'top' });
    expect(ctxAt('model m\nlabels { click: binary }\nto<|>')).toEqual({ kind: 'top' });
    expect(ctxAt('tower ctr = mlp(8) on all -> sigmoid\n<|>')).toEqual({ kind: 'top' });
    expect(ctxAt('tower ctr = mlp(8) on all -> <|>')).toEqual({ kind: 'keywords', words: ['sigmoid', 'linear'] });
  });
  it('offers feature kinds and options inside features { }', () => {
    expect(ctxAt('features {\n  <|>\n}')).toEqual({ kind: 'block', block: 'features' });
    expect(ctxAt('features {\n  sequence h hash 10 <|>\n}')).toMatchObject({ kind: 'keywords', words: expect.arrayContaining(['pool', 'max_len']) });
    expect(ctxAt('features {\n  categorical a hash 10 dim 4\n  categorical b shares <|>\n}')).toEqual({ kind: 'names', kinds: ['feature'] });
  });
  it('offers experts after over, nodes after on, gate types after gate =', () => {
    expect(ctxAt('gate g = softmax over <|>')).toEqual({ kind: 'names', kinds: ['experts'] });
    expect(ctxAt('gate g = softmax over e1, <|>')).toEqual({ kind: 'names', kinds: ['experts'] });
    expect(ctxAt('gate g = softmax over e on <|>')).toMatchObject({ kind: 'names', kinds: expect.arrayContaining(['input', 'feature']) });
    expect(ctxAt('gate g = <|>')).toEqual({ kind: 'gateType' });
    expect(ctxAt('gate g = noisy-topk(<|>')).toEqual({ kind: 'gateParam', type: 'noisy-topk' });
    expect(ctxAt('gate g = noisy-topk(k: 2, <|>')).toEqual({ kind: 'gateParam', type: 'noisy-topk' });
  });
  it('offers towers in task heads and labels in loss and where expressions', () => {
    expect(ctxAt('task t = <|>')).toEqual({ kind: 'names', kinds: ['tower'] });
    expect(ctxAt('task t = a * <|>')).toEqual({ kind: 'names', kinds: ['tower'] });
    expect(ctxAt('task t = a loss bce(<|>')).toEqual({ kind: 'names', kinds: ['label'] });
    expect(ctxAt('task t = a loss bce(click & <|>')).toEqual({ kind: 'names', kinds: ['label'] });
    expect(ctxAt('task t = a loss bce(click) where <|>')).toEqual({ kind: 'names', kinds: ['label'] });
    expect(ctxAt('metric auc(<|>')).toEqual({ kind: 'names', kinds: ['tower', 'task'] });
  });
  it('offers weight_by after a task loss and on a metric, and no names after it (a data column)', () => {
    expect(ctxAt('task t = a loss bce(click) <|>')).toEqual({ kind: 'keywords', words: ['weight', 'where', 'weight_by'] });
    expect(ctxAt('task t = a loss bce(click) weight_by <|>')).toEqual({ kind: 'none' });
    expect(ctxAt('metric auc(ctr) <|>')).toEqual({ kind: 'keywords', words: ['by', 'where', 'weight_by'] });
    expect(ctxAt('metric auc(ctr) weight_by <|>')).toEqual({ kind: 'none' });
    expect(ctxAt('train { weight_by <|> }')).toEqual({ kind: 'none' });
  });
  it('ignores brackets and keywords inside comments and strings', () => {
    expect(ctxAt('model m "a { b"\n# features {\n<|>')).toEqual({ kind: 'top' });
    expect(ctxAt('use "./x<|>')).toEqual({ kind: 'none' });
  });
  it('offers train keys and values inside train { }', () => {
    expect(ctxAt('train {\n  <|>\n}')).toEqual({ kind: 'block', block: 'train' });
    expect(ctxAt('train { optimizer <|> }')).toEqual({ kind: 'keywords', words: ['adam', 'adagrad', 'sgd'] });
  });
});

describe('text helpers', () => {
  it('finds the identifier at or just after the cursor, with dashes inside names', () => {
    const lines = splitLines('gate g = noisy-topk over e');
    expect(wordAt(lines, { line: 0, character: 12 })?.word).toBe('noisy-topk');
    expect(wordAt(lines, { line: 0, character: 19 })?.word).toBe('noisy-topk');
    expect(wordAt(lines, { line: 0, character: 7 })).toBeUndefined();
  });
  it('blanks comments and string contents, keeping offsets', () => {
    const t = 'a "x#y" # c {\nb';
    expect(codeOnly(t)).toBe('a "   "      \nb');
    expect(codeOnly(t).length).toBe(t.length);
  });
});

describe('folding ranges', () => {
  it('folds multi-line blocks and comment runs, not one-line blocks', () => {
    const text = '# a\n# b\nmodel m\nfeatures {\n  numeric p\n  numeric q\n}\ntrain { epochs 1 }\n';
    expect(foldingRanges(text)).toEqual([
      { startLine: 0, endLine: 1, kind: 'comment' },
      { startLine: 3, endLine: 5 },
    ]);
  });
});
