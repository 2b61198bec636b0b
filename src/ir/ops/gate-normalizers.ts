/**
 * The gate normalisations the direct step's C kernels compute (gateWeightsAt / gateWeightsGradAt), with
 * their kernel codes, and the gate auxiliary losses they compute (importanceLossAt). A gate plugin picks
 * them through its `direct` member (src/plugins/api.ts); the codes are part of the C ABI (native/mtl_ops.h
 * is generated from them): never renumber one.
 */

/** Kernel code of each normaliser: softmax(z / T), scale · σ(z / T), or softmax over the k largest z / T (top-k). */
export const GATE_NORMALIZER_CODES = Object.freeze({ softmax: 0, sigmoid: 1, topk: 2 } as const);

/** A normaliser the kernels compute. */
export type GateNormalizer = keyof typeof GATE_NORMALIZER_CODES;

/**
 * The most experts one gate may mix on the direct step when it is top-k or has an auxiliary loss (the
 * kernels keep a row's mask and the per-expert sums on the C stack); a larger gate keeps the tfjs step.
 */
export const GATE_KERNEL_MAX_EXPERTS = 256;

/**
 * The auxiliary losses the kernels compute for a gate, by name: `importance` is CV(Σ_batch weights)²
 * (Shazeer et al. 2017, eq. 6), the `noisy-topk` gate's `balance_weight` loss.
 */
export const GATE_AUX_LOSSES = ['importance'] as const;

/** An auxiliary loss the kernels compute. */
export type GateAuxLoss = (typeof GATE_AUX_LOSSES)[number];

/** The importance loss's ε in CV² = var / (mean² + ε): keeps it finite when every expert's total weight is 0. */
export const IMPORTANCE_EPSILON = 1e-10;
