import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fnv1a32, hashRow, HASH_TEST_VECTORS } from '../../src/data/hash.js';

/** Reference: FNV-1a over Buffer.from(s, 'utf8'), written the obvious way. */
function reference(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) h = Number((BigInt(h ^ b) * 0x01000193n) & 0xffffffffn);
  return h >>> 0;
}

describe('fnv1a32', () => {
  it('matches the published test vectors', () => {
    for (const [s, h] of HASH_TEST_VECTORS) expect(fnv1a32(s), JSON.stringify(s)).toBe(h);
    expect(HASH_TEST_VECTORS.slice(0, 3)).toEqual([['', 2166136261], ['a', 3826002220], ['foobar', 3214735720]]);
  });
  it('hashes the UTF-8 bytes of any string (including astral and lone surrogates)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => fnv1a32(s) === reference(s)), { numRuns: 500 });
    expect(fnv1a32('\ud800')).toBe(reference('\ud800'));
  });
  it('is unsigned and rows fall in [0, size)', () => {
    for (const [s] of HASH_TEST_VECTORS) {
      expect(fnv1a32(s)).toBeGreaterThanOrEqual(0);
      expect(hashRow(s, 7)).toBe(fnv1a32(s) % 7);
    }
  });
});
