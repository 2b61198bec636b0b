/**
 * The one exception type for user-facing failures that happen inside streaming or async work
 * (bad data rows, unreadable files, broken checkpoints), where returning `{value, diagnostics}`
 * through every layer is impractical. The CLI catches it and prints its diagnostics; any other
 * exception is a bug and is reported as such.
 */
import type { Diagnostic } from './types.js';

/** A failure caused by the user's input, carrying located diagnostics. */
export class MtlError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic | Diagnostic[]) {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics];
    super(list.map((d) => `${d.code}: ${d.message}`).join('\n'));
    this.name = 'MtlError';
    this.diagnostics = list;
  }
}

/** True when `e` is an MtlError (also across module copies). */
export function isMtlError(e: unknown): e is MtlError {
  return e instanceof MtlError || (typeof e === 'object' && e !== null && (e as { name?: string }).name === 'MtlError' && Array.isArray((e as MtlError).diagnostics));
}
