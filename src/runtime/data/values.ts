/**
 * Parsing of cell values shared by fitting and batching: missing-value tokens, numbers, binary labels.
 * Hot paths: no allocation for the common cases.
 */
import type { Cell } from './source.js';

/** Text that counts as a missing value (after trimming). */
export const MISSING_TOKENS: ReadonlySet<string> = new Set(['', 'NA', 'NaN', 'null', '?']);

/** Returned by {@link parseNumber} for a missing value. */
export const MISSING = Number.NaN;
/** Returned by {@link parseNumber} for a value that is not a finite number. */
export const BAD = Number.POSITIVE_INFINITY;

/** True when a cell is missing: absent, empty, or a missing token. */
export function isMissingCell(c: Cell): boolean {
  if (c === null) return true;
  if (typeof c !== 'string') return false;
  return c.length === 0 || MISSING_TOKENS.has(c.trim());
}

/** A cell as a number: the value, {@link MISSING} (test with `v !== v`) or {@link BAD}. */
export function parseNumber(c: Cell): number {
  if (typeof c === 'number') return Number.isFinite(c) ? c : Number.isNaN(c) ? MISSING : BAD;
  if (c === null) return MISSING;
  if (typeof c === 'boolean') return c ? 1 : 0;
  if (c.length === 0) return MISSING;
  const v = +c;
  if (v === v) {
    if (v === 0 && c.trim().length === 0) return MISSING; // whitespace only
    return Number.isFinite(v) ? v : BAD;
  }
  return MISSING_TOKENS.has(c.trim()) ? MISSING : BAD;
}

/** A binary label without a `positive` list: 1, 0, or -1 when it is not a binary value (missing values: -2). */
export function parseBinary(c: Cell): number {
  if (typeof c === 'string') {
    if (c === '1') return 1;
    if (c === '0') return 0;
    const t = c.trim().toLowerCase();
    if (t === '1' || t === '1.0' || t === 'true') return 1;
    if (t === '0' || t === '0.0' || t === 'false') return 0;
    if (MISSING_TOKENS.has(c.trim())) return -2;
    const v = Number(t);
    return t.length && (v === 0 || v === 1) ? v : -1;
  }
  if (c === null) return -2;
  if (typeof c === 'boolean') return c ? 1 : 0;
  return c === 0 || c === 1 ? c : Number.isNaN(c) ? -2 : -1;
}

/** A cell as text for hashing and vocabulary look-up. */
export function cellText(c: Cell): string {
  return typeof c === 'string' ? c : c === null ? '' : String(c);
}
