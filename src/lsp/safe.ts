/**
 * Request-handler guard: an exception in one request is logged and answered with an empty result
 * (or the ResponseError it carries), so a bug in one feature never takes the server down.
 */
import { ResponseError } from 'vscode-languageserver/node.js';

/** Something that can log (the connection's console). */
export interface Logger { error(message: string): void }

/** Wrap an async handler: exceptions become `fallback` (logged), ResponseErrors go to the client. */
export function safe<P, R, F>(name: string, log: Logger, fallback: F, handler: (params: P) => R | Promise<R>): (params: P) => Promise<R | F | ResponseError<void>> {
  return async (params: P) => {
    try {
      return await handler(params);
    } catch (err) {
      if (err instanceof ResponseError) return err as ResponseError<void>;
      log.error(`mtl lsp: ${name} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      return fallback;
    }
  };
}

/** Wrap a notification handler: exceptions are logged and swallowed. */
export function safeNotify<P>(name: string, log: Logger, handler: (params: P) => void | Promise<void>): (params: P) => void {
  return (params: P) => {
    try {
      const r = handler(params);
      if (r instanceof Promise) r.catch((err: unknown) => log.error(`mtl lsp: ${name} failed: ${String(err instanceof Error ? err.stack : err)}`));
    } catch (err) {
      log.error(`mtl lsp: ${name} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    }
  };
}
