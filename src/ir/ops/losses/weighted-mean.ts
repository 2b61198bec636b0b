/**
 * The reduction of every task loss in every target: the weighted mean Σ w·ℓ / Σ w over a batch, where w is
 * the row's mask (0/1, `where`) times its sample weights (`weight_by`). With no `weight_by` it is the masked
 * mean. A batch whose weights sum to 0 (no row in the mask, or every weight 0) divides by 1, so its loss and
 * gradient are exactly 0 and never NaN. PyTorch's `reduction="mean"` with a `weight=` divides by the row
 * count instead; mtl divides by Σ w, so integer weights k equal k copies of a row and the loss scale does not
 * depend on how large the weights are.
 */

/** Σ w over a batch, or 1 when it is not positive (so that Σ w·ℓ / it is 0 on an empty batch). */
export function weightedMeanDenominator(weights: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i]!;
  return sum > 0 ? sum : 1;
}

