/** Successive halving: rungs and the promotion rule (top ⌊n/η⌋ of the trials at a rung, at least one). */
import { describe, expect, it } from 'vitest';
import { promotable, rungEpochs } from '../../src/tune/pruner.js';

describe('successive halving', () => {
  it('puts rungs at min × 3^k below the maximum, and the maximum last', () => {
    expect(rungEpochs(1, 9)).toEqual([1, 3, 9]);
    expect(rungEpochs(1, 10)).toEqual([1, 3, 9, 10]);
    expect(rungEpochs(2, 3)).toEqual([2, 3]);
    expect(rungEpochs(1, 1)).toEqual([1]);
    expect(rungEpochs(5, 3)).toEqual([3]);
  });

  it('promotes the best while fewer than η trials are at a rung, then the top third', () => {
    expect(promotable(0.5, [0.5])).toBe(true);
    expect(promotable(0.4, [0.5, 0.4])).toBe(false);
    expect(promotable(0.6, [0.5, 0.6])).toBe(true);
    expect(promotable(0.7, [0.9, 0.8, 0.7, 0.6, 0.5, 0.4])).toBe(false);
    expect(promotable(0.8, [0.9, 0.8, 0.7, 0.6, 0.5, 0.4])).toBe(true);
  });
});
