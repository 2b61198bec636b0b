import { describe, expect, it } from 'vitest';
import { formatCount, formatGateType, formatLabelExpr, formatMlp, formatMlpExtras } from '../../src/diagram/labels.js';
import { textWidth } from '../../src/diagram/text.js';
import { L, and, mlp } from './fixtures.js';

describe('labels', () => {
  it('prints label expressions with minimal parentheses', () => {
    expect(formatLabelExpr(and(L('click'), L('buy')))).toBe('click & buy');
    expect(formatLabelExpr({ op: 'and', args: [L('click'), { op: 'or', args: [L('buy'), L('cart')] }] })).toBe('click & (buy | cart)');
    expect(formatLabelExpr({ op: 'or', args: [and(L('a'), L('b')), L('c')] })).toBe('a & b | c');
    expect(formatLabelExpr({ op: 'not', arg: L('click') })).toBe('!click');
    expect(formatLabelExpr({ op: 'not', arg: and(L('a'), L('b')) })).toBe('!(a & b)');
  });

  it('shortens counts and describes MLPs', () => {
    expect(formatCount(500000)).toBe('500k');
    expect(formatCount(2_000_000)).toBe('2M');
    expect(formatCount(47)).toBe('47');
    expect(formatMlp(mlp([128, 64]))).toBe('128 → 64 relu');
    expect(formatMlp(mlp([360, 200, 80]), 'sigmoid')).toBe('360 → 200 → 80 relu → 1 sigmoid');
    expect(formatMlp(mlp([]), 'linear')).toBe('1 linear');
    expect(formatMlpExtras(mlp([8], { dropout: 0.1, batchNorm: true }))).toBe('dropout 0.1 · batchnorm');
    expect(formatMlpExtras(mlp([8]))).toBe('');
  });

  it('prints gate types with their parameters', () => {
    expect(formatGateType('softmax', {})).toBe('softmax');
    expect(formatGateType('noisy-topk', { k: 2, noise: true })).toBe('noisy-topk(k: 2, noise: true)');
  });

  it('estimates wider text as wider and bold as wider than regular', () => {
    expect(textWidth('mmmm', 12)).toBeGreaterThan(textWidth('iiii', 12));
    expect(textWidth('ctr', 12, true)).toBeGreaterThan(textWidth('ctr', 12));
    expect(textWidth('', 12)).toBe(0);
  });
});
