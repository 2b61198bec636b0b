/**
 * Small seeded random numbers for shuffling, the train/valid split and the built-in data. Deterministic
 * across platforms (32-bit integer arithmetic only), so that a seed reproduces a run exactly.
 */

/** A 32-bit integer mixer (the finaliser of MurmurHash3 / splitmix32): spreads nearby inputs far apart. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Combine two 32-bit values into one well-mixed seed (order matters). */
export function mixSeeds(a: number, b: number): number {
  return mix32((mix32(a >>> 0) ^ Math.imul((b >>> 0) + 0x9e3779b9, 0x27d4eb2d)) >>> 0);
}

/** A seeded generator (mulberry32): fast, 32-bit state, good enough for shuffling and simulation. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    // Mixing the seed keeps seeds 0, 1, 2 ... from giving similar first draws.
    this.state = mix32((seed >>> 0) ^ 0x6d2b79f5);
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller; one value per call, for simplicity over speed). */
  normal(): number {
    let u = this.next();
    while (u <= 0) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Bernoulli draw with probability p, as 0/1. */
  bernoulli(p: number): 0 | 1 {
    return this.next() < p ? 1 : 0;
  }
}
