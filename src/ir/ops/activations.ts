/**
 * The MLP activations, one definition each: the tfjs-layers identifier, the C kernels' code (native/mtl_ops.h
 * is generated from these codes; `node scripts/gen-native-header.ts`) and the PyTorch function.
 * Codes are part of the C ABI between src/model/direct and native/mtl_step.c: never renumber one.
 */
import type { ActivationDef } from './types.js';

const def = <N extends string>(name: N, summary: string, direct: ActivationDef['direct'], pytorch: string): ActivationDef & { name: N } => ({
  kind: 'activation',
  name,
  summary,
  doc: summary,
  tfjs: name,
  direct,
  pytorch,
});

/** The `linear` activation (identity). */
export const linear = def('linear', 'Identity: no activation.', { code: 0 }, 'lambda x: x');
/** The `relu` activation. */
export const relu = def('relu', 'max(x, 0) (the default).', { code: 1 }, 'F.relu');
/** The `tanh` activation. */
export const tanh = def('tanh', 'Hyperbolic tangent.', { code: 2 }, 'torch.tanh');
/** The `sigmoid` activation. */
export const sigmoid = def('sigmoid', '1 / (1 + exp(−x)).', { code: 3 }, 'torch.sigmoid');
/** The `gelu` activation (exact, erf-based, as tfjs). */
export const gelu = def('gelu', 'Gaussian error linear unit (exact, erf-based).', { code: 6, gradFromInput: true }, 'F.gelu');
/** The `elu` activation (α = 1). */
export const elu = def('elu', 'x for x > 0, exp(x) − 1 below (α = 1).', { code: 4 }, 'F.elu');
/** The `selu` activation. */
export const selu = def('selu', 'Scaled exponential linear unit (self-normalising).', { code: 5 }, 'F.selu');

/** Every activation, in the language's order (relu, the default, first). */
export const ACTIVATION_DEFS = [relu, tanh, sigmoid, gelu, elu, selu, linear] as const;
