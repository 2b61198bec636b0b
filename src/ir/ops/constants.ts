/**
 * Numeric constants that several implementations of the same op must share exactly (tfjs graph, direct step,
 * C kernels, PyTorch target). Defined here once; the C header (native/mtl_ops.h) and the generated Python
 * module (mtl_ops.py) are generated from these values, and tests check that they are fresh.
 */

/** log p is clamped to at most this before log(1 − p): a = 0 exactly would mean p = 1 and log(1 − p) = −∞. */
export const LOG_P_MAX = -1e-30;

/** The switch point of log1mexp (Mächler 2012): log(−expm1(a)) above −ln 2, log1p(−exp(a)) below. */
export const LN2 = Math.LN2;

/**
 * tfjs-layers' BatchNormalization defaults, which every target keeps so that moving statistics mean the
 * same thing everywhere (PyTorch's momentum is 1 − this one).
 */
export const BATCH_NORM = Object.freeze({ epsilon: 1e-3, momentum: 0.99 });
