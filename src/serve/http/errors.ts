/**
 * HTTP errors of `mtl serve`: a status and a catalog diagnostic (MTL56xx), answered as
 * `{"error": {"code", "message", "hint"?, "field"?}}`. Every 4xx names what was wrong (the field where one
 * is at fault); no answer ever carries a stack trace.
 */
import { diag } from '../../diagnostics/catalog.js';
import { FILE_START, type Diagnostic } from '../../diagnostics/types.js';

/** A request that is answered with an error status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly diagnostic: Diagnostic,
    /** The request field at fault (`rows[3]`, `outputs`), when one is. */
    readonly field?: string,
  ) {
    super(diagnostic.message);
    this.name = 'HttpError';
  }
}

/** An HttpError with the catalog message of `code`. */
export function httpError(status: number, code: string, args: Record<string, string | number> = {}, field?: string): HttpError {
  return new HttpError(status, diag(code, FILE_START, args), field);
}

/** The JSON body of an error answer. */
export function errorBody(e: HttpError): { error: { code: string; message: string; hint?: string; field?: string } } {
  const d = e.diagnostic;
  return { error: { code: d.code, message: d.message, ...(d.hint ? { hint: d.hint } : {}), ...(e.field !== undefined ? { field: e.field } : {}) } };
}
