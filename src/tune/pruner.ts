/**
 * Successive halving on epochs (ASHA's rule, Li et al. 2020, as Optuna's SuccessiveHalvingPruner applies
 * it): rungs at r, r·η, r·η², … epochs below the full budget R, and R; a trial that finished a rung goes on
 * to the next only when its score is in the top ⌊n/η⌋ of the n trials that reached that rung (the top 1
 * while n < η). Here the n trials are exactly those numbered below it (and itself), so the decision does not
 * depend on which trial happened to finish first: the tune is repeatable with parallel trials.
 */

/** The reduction factor between rungs. */
export const REDUCTION_FACTOR = 3;

/** The epochs of each rung for a minimum of `min` and a maximum of `max` epochs (the last is `max`). */
export function rungEpochs(min: number, max: number, eta = REDUCTION_FACTOR): number[] {
  const out: number[] = [];
  for (let e = Math.max(1, min); e < max; e *= eta) out.push(e);
  out.push(max);
  return out;
}

/**
 * Whether a score `value` goes on among `competing` (the scores at the rung, itself included; higher is
 * better): in the top ⌊n/η⌋, at least the top one.
 */
export function promotable(value: number, competing: readonly number[], eta = REDUCTION_FACTOR): boolean {
  const keep = Math.max(1, Math.floor(competing.length / eta));
  const sorted = [...competing].sort((a, b) => b - a);
  return value >= sorted[keep - 1]!;
}
