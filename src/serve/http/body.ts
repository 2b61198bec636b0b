/**
 * Reading a request's JSON body with a size limit: the declared Content-Length is checked before reading,
 * the bytes actually received while reading (a chunked body has no length). Errors are HttpErrors:
 * 415 (not declared as JSON), 413 (too large), 400 (not JSON).
 */
import type { IncomingMessage } from 'node:http';
import { showValue } from '../../data/problems.js';
import { httpError } from './errors.js';

/** True for `application/json` with optional parameters (`; charset=utf-8`), any case. */
function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/json\s*(;|$)/i.test(contentType.trim());
}

/** Read and parse the JSON body of `req`, at most `limit` bytes. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  if (!isJson(req.headers['content-type'])) throw httpError(415, 'MTL5604', { type: showValue(req.headers['content-type'] ?? 'none') }, 'Content-Type');
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw httpError(413, 'MTL5603', { limit });
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    // Events, not `for await`: leaving that loop early destroys the socket, and the 413 would never arrive.
    // Past the limit the rest of the body is read and dropped, so the client can read the answer.
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(httpError(413, 'MTL5603', { limit }));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
    // A client that goes away mid-body: nothing to answer (the promise is settled for tidiness).
    req.on('close', () => reject(new Error('the client closed the connection before sending the whole body')));
  });
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    // V8's message quotes a piece of the body: shortened and escaped like any value from a client.
    throw httpError(400, 'MTL5600', { reason: showValue((e as Error).message.replace(/\.$/, ''), 120) });
  }
}
