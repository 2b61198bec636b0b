/** Seeded GEMM operands for the addon's GEMM tests (native-gemm.test.ts, native-gemm-pool.test.ts). */
import { mulberry32 } from '../../src/model/seed.js';

/** `size` seeded values in [-1, 1). */
export function values(size: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: size }, () => r() * 2 - 1);
}
