/**
 * The gate normalisations the direct step's C kernels compute (gateWeightsAt / gateWeightsGradAt), with
 * their kernel codes. A gate plugin picks one through its `direct` member (src/plugins/api.ts); the codes
 * are part of the C ABI (native/mtl_ops.h is generated from them): never renumber one.
 */

/** Kernel code of each normaliser: softmax(z / T), or scale · σ(z / T). */
export const GATE_NORMALIZER_CODES = Object.freeze({ softmax: 0, sigmoid: 1 } as const);

/** A normaliser the kernels compute. */
export type GateNormalizer = keyof typeof GATE_NORMALIZER_CODES;
