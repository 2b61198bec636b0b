/**
 * Errors raised when a saved export model does not fit the batches built from its own ir.json
 * (a hand-edited or foreign model directory): reported as MTL5311 rather than as a crash.
 */
import { diag } from '../diagnostics/catalog.js';
import { FILE_START } from '../diagnostics/types.js';
import { MtlError, isMtlError } from '../diagnostics/error.js';

/** Wrap a failure of running the export model as MTL5311 naming the model directory. */
export function modelMismatch(dir: string, e: unknown): unknown {
  if (isMtlError(e) || !(e instanceof Error)) return e;
  const reason = e.message.replace(/\.$/, '');
  return new MtlError(diag('MTL5311', FILE_START, { dir, reason }, { file: dir }));
}
