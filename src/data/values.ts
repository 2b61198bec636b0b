/**
 * Parsing of cell values shared by fitting and batching: missing-value tokens, numbers, binary labels.
 * The rules are documented for users in docs/data.md; this file is their one implementation.
 * Hot paths: no allocation for the common cases.
 */
import type { Cell } from './source.js';

/** Text that counts as a missing value (after trimming spaces and tabs). */
export const MISSING_TOKENS: ReadonlySet<string> = new Set(['', 'NA', 'NaN', 'null', '?']);

/** Returned by {@link parseNumber} for a missing value. */
export const MISSING = Number.NaN;
/** Returned by {@link parseNumber} for a value that is not a decimal number, or one too large for a float. */
export const BAD = Number.POSITIVE_INFINITY;

/**
 * The number syntax of data files: optional sign, digits with an optional fraction (or a fraction alone),
 * optional exponent; surrounding spaces and tabs are allowed (CSV writers often pad fields).
 * Anything JavaScript's Number() would also take — hex `0x10`, `0b1`, `0o7`, `Infinity`, `1_000` — is
 * rejected, because reading it as a number silently is how a wrong score starts.
 */
const DECIMAL = /^[ \t]*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?[ \t]*$/;

/** Spaces and tabs around a cell's text are not part of its value (missing tokens and labels). */
function trimBlank(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** True when a cell is missing: absent, empty, or a missing token. */
export function isMissingCell(c: Cell): boolean {
  if (c === null) return true;
  if (typeof c !== 'string') return false;
  return c.length === 0 || MISSING_TOKENS.has(trimBlank(c));
}

/**
 * A cell as a number: the value, {@link MISSING} (test with `v !== v`) or {@link BAD}. Text must be a
 * decimal number (see {@link DECIMAL}); JSON numbers pass (JSON's grammar is decimal), JSON true/false are 1/0.
 */
export function parseNumber(c: Cell): number {
  if (typeof c === 'number') return Number.isFinite(c) ? c : Number.isNaN(c) ? MISSING : BAD;
  if (c === null) return MISSING;
  if (typeof c === 'boolean') return c ? 1 : 0;
  if (c.length === 0) return MISSING;
  if (DECIMAL.test(c)) {
    const v = +c;
    return Number.isFinite(v) ? v : BAD; // 1e999 overflows
  }
  return MISSING_TOKENS.has(trimBlank(c)) ? MISSING : BAD;
}

/**
 * A binary label without a `positive` list: 1, 0, -1 when it is not a binary value, -2 when missing.
 * Accepted: a decimal number equal to 0 or 1 (`1`, `0.0`, `1e0`) and true/false in any case.
 */
export function parseBinary(c: Cell): number {
  if (typeof c === 'string') {
    if (c === '1') return 1;
    if (c === '0') return 0;
    const t = trimBlank(c).toLowerCase();
    if (t === 'true') return 1;
    if (t === 'false') return 0;
    const v = parseNumber(c);
    if (v !== v) return -2;
    return v === 0 ? 0 : v === 1 ? 1 : -1; // -0 is 0
  }
  if (c === null) return -2;
  if (typeof c === 'boolean') return c ? 1 : 0;
  return c === 0 || c === 1 ? c : Number.isNaN(c) ? -2 : -1;
}

/** A cell as text for hashing and vocabulary look-up. */
export function cellText(c: Cell): string {
  return typeof c === 'string' ? c : c === null ? '' : String(c);
}

/**
 * A JSON value as a cell: scalars pass, arrays join with the sequence separator, objects become JSON text.
 * JSON Lines files and the scoring library (src/serve) read records through it, so a record scores the same
 * from a file and from memory.
 */
export function jsonCell(v: unknown, separator = '|'): Cell {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map((x) => (x === null || x === undefined ? '' : String(x))).join(separator);
  return JSON.stringify(v);
}
