/**
 * The documented, stable string hash of `hash N` id spaces: 32-bit FNV-1a over the UTF-8 bytes of the
 * string. It is part of the model contract (a serving stack in another language must map ids to the same
 * embedding rows), hence the exported test vectors.
 *
 *   h = 0x811c9dc5; for each UTF-8 byte b: h = (h XOR b) * 0x01000193 mod 2^32; row = h mod N
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a of the UTF-8 encoding of `s`, as an unsigned integer. Lone surrogates encode as U+FFFD (like TextEncoder). */
export function fnv1a32(s: string): number {
  let h = FNV_OFFSET;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    // ASCII fast path: ids are almost always ASCII, and this keeps the loop allocation-free.
    if (c < 0x80) {
      h = Math.imul(h ^ c, FNV_PRIME);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else c = 0xfffd;
    } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x800) {
      h = Math.imul(h ^ (0xc0 | (c >> 6)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | (c & 0x3f)), FNV_PRIME);
    } else if (c < 0x10000) {
      h = Math.imul(h ^ (0xe0 | (c >> 12)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | (c & 0x3f)), FNV_PRIME);
    } else {
      h = Math.imul(h ^ (0xf0 | (c >> 18)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((c >> 12) & 0x3f)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | (c & 0x3f)), FNV_PRIME);
    }
  }
  return h >>> 0;
}

/** The embedding-table row of `value` in a `hash size` id space. */
export function hashRow(value: string, size: number): number {
  return fnv1a32(value) % size;
}

/**
 * Test vectors for ports (e.g. Python: `h = 0x811c9dc5; for b in s.encode(): h = ((h ^ b) * 0x01000193) & 0xffffffff`).
 * The first three are from the FNV reference test suite; the others cover multi-byte UTF-8.
 */
export const HASH_TEST_VECTORS: Array<[string, number]> = [
  ['', 0x811c9dc5],
  ['a', 0xe40c292c],
  ['foobar', 0xbf9cf968],
  ['0', 0x350ca8af],
  ['12345', 0x43c2c0d8],
  ['user_42', 0x3d028cf1],
  ['café', 0xa82b5049],
  ['日本', 0x9f26ee51],
  ['😀', 0x33a29608],
];
