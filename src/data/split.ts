/**
 * The deterministic train/validation split: a row belongs to the validation part when a hash of
 * (its 0-based record ordinal, the seed) falls below `validSplit`. It depends only on the row's position
 * and the seed, so it is the same in every epoch and pass, with or without shuffling or skipped rows.
 */
import { mixSeeds } from './prng.js';

/** True when the record with 0-based `ordinal` is in the validation part. */
export function isValidationRow(ordinal: number, seed: number, validSplit: number): boolean {
  if (validSplit <= 0) return false;
  if (validSplit >= 1) return true;
  return mixSeeds(ordinal, seed ^ 0x5bd1e995) / 4294967296 < validSplit;
}

/** Which rows a pass reads. */
export type Part = 'all' | 'train' | 'valid';

/** True when the record with 0-based `ordinal` belongs to `part`. */
export function inPart(part: Part, ordinal: number, seed: number, validSplit: number): boolean {
  if (part === 'all') return true;
  return isValidationRow(ordinal, seed, validSplit) === (part === 'valid');
}
