/**
 * Deterministic seeds and a small seeded PRNG. Every initialiser in a compiled model gets its own seed
 * derived from the training seed and a stable name, so two experts never start equal and a run is
 * reproducible for a seed (tfjs' own initialisers are seeded the same way).
 */

/** FNV-1a (32-bit) of a string's UTF-16 code units: cheap, stable across platforms. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A seed in [0, 2^31) for the initialiser named `name`, derived from the training seed. */
export function deriveSeed(seed: number, name: string): number {
  return fnv1a(`${seed}\u0000${name}`) & 0x7fffffff;
}

/** A seeded uniform generator in [0, 1) (mulberry32): deterministic, fast enough for embedding tables. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
