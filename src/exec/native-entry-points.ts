/**
 * The one list of the addon's entry points (native/mtl_blas.c and native/mtl_step.c register them): name →
 * argument count. `NativeBlas` (./native-blas.ts) must have exactly these members (checked by the compiler
 * below), the loader refuses an addon that lacks one (it is built from this repository, so a missing entry
 * point means a stale build), and test/exec/native-entry-points.test.ts checks the C registrations and
 * argument counts against this table.
 */
import type { NativeBlas } from './native-blas.js';

/** Every entry point with its argument count. */
export const NATIVE_ENTRY_POINTS = {
  // native/mtl_blas.c: matMul, the optimisers' and embeddings' loops, copies, OpenBLAS settings
  sgemmBatch: 10,
  adviseHugePages: 1,
  sumRows: 4,
  sparseAdam: 12,
  gatherRows: 4,
  scatterRows: 7,
  copyStrided: 8,
  denseUpdate: 6,
  setNumThreads: 1,
  getNumThreads: 0,
  config: 0,
  embeddingUpdate: 7,
  prepareRowGrads: 6,
  sumSquares: 1,
  scaleArray: 2,
  clearSlots: 2,
  // native/mtl_step.c: the direct step's kernels on one memory (src/exec/direct/kernels.ts)
  gemmAt: 10,
  biasActAt: 6,
  actGradAt: 5,
  colSumAt: 5,
  gateWeightsAt: 9,
  gateWeightsGradAt: 9,
  mixAt: 6,
  mixGradAt: 9,
  copyColsAt: 8,
  dropoutAt: 9,
  mulAt: 5,
  gateNoiseAt: 9,
  gateNoiseGradAt: 6,
  importanceLossAt: 8,
  batchNormAt: 13,
  batchNormGradAt: 10,
  batchNormInferAt: 10,
} as const satisfies Record<keyof NativeBlas, number>;

/** An entry point's name. */
export type NativeEntryPoint = keyof typeof NATIVE_ENTRY_POINTS;

// Both directions: every NativeBlas member is in the table (satisfies above) and every table entry is a member.
const everyEntryIsAMember: Record<NativeEntryPoint, keyof NativeBlas> = Object.fromEntries(Object.keys(NATIVE_ENTRY_POINTS).map((k) => [k, k])) as Record<NativeEntryPoint, NativeEntryPoint>;
void everyEntryIsAMember;

/** The direct step's kernels (the `*At` entry points of native/mtl_step.c). */
export type DirectKernelName = Extract<NativeEntryPoint, `${string}At`>;

/** The direct step's kernel names, from the table. */
export const DIRECT_KERNEL_NAMES = Object.keys(NATIVE_ENTRY_POINTS).filter((k): k is DirectKernelName => k.endsWith('At'));

/** The entry points `addon` lacks (empty for an addon built from this source). */
export function missingEntryPoints(addon: Record<string, unknown>): string[] {
  return Object.keys(NATIVE_ENTRY_POINTS).filter((k) => typeof addon[k] !== 'function');
}
