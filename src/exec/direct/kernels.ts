/**
 * The addon's `*At` kernels (native/mtl_step.c) that the direct training step runs on. They work on the
 * wasm heap of the native backend (../wasm-heap.ts), where tfjs keeps every weight and where the step
 * allocates its own activation arena, so that one float32 memory and element offsets address every operand.
 *
 * Kernel contract (all row-major, dense blocks, offsets in float32 elements of `mem`):
 * - gemmAt: C_i = op(A_i)·op(B_i) + β_i·C_i for every i (a batch of independent products);
 * - biasActAt: Y_i = act(Y_i + b_i) in place; actGradAt: dY_i ← dY_i ⊙ act′ computed from Y_i (from the
 *   activation's input X_i for gelu, GRAD_FROM_INPUT, whose output does not determine its derivative);
 * - colSumAt: a bias gradient (column sums); copyColsAt: a column block copy or accumulation;
 * - gateWeightsAt / gateWeightsGradAt: softmax (kind 0) or scale·sigmoid (kind 1) of logits / invT and its backward;
 * - mixAt / mixGradAt: out = Σ_i w_i·E_i per row and its backward (dW, and dE_i written or accumulated);
 * - dropoutAt: a seeded mask (counter-based: the same for a seed, step and stream on any machine) and
 *   out = in ⊙ mask; mulAt: elementwise product (dropout's backward);
 * - batchNormAt / batchNormGradAt: training-mode batch normalisation (updating the moving statistics in
 *   place) and its backward through the batch statistics; batchNormInferAt: inference mode (moving statistics).
 * Activation codes: see {@link ACTIVATION_CODES}.
 */
import type { Mlp } from '../../ir/types.js';
import { activeHeapKernels, type NativeBlas } from '../native-blas.js';
import type { DirectKernelName } from '../native-entry-points.js';
import { ACTIVATION_DEFS, isNotSupported } from '../../ir/ops/index.js';

/** The kernels the direct step needs (the `*At` entry points of ./native-entry-points.ts). */
export type DirectKernels = Pick<NativeBlas, DirectKernelName>;

/** Activation codes of the kernels, from the op registry; an activation without one keeps the tfjs step. */
export const ACTIVATION_CODES: Partial<Record<Mlp['activation'], number>> = Object.fromEntries(
  ACTIVATION_DEFS.flatMap((d) => (isNotSupported(d.direct) ? [] : [[d.name, d.direct.code]])),
);

/** The activations whose derivative needs their input (gelu): actGradAt gets the pre-activation for them. */
export const GRAD_FROM_INPUT: ReadonlySet<Mlp['activation']> = new Set(ACTIVATION_DEFS.flatMap((d) => (!isNotSupported(d.direct) && d.direct.gradFromInput ? [d.name] : [])));


/** The kernels when heap kernels are installed (the native addon's, or their WebAssembly build's); else undefined. */
export function directKernels(): DirectKernels | undefined {
  return activeHeapKernels();
}
