/**
 * The framing guard in front of the language server's reader. vscode-jsonrpc's reader, given a frame with
 * a bad Content-Length, reports an error and then waits forever (the server stays alive but never answers
 * again); given an endless header it buffers without bound. The guard checks every frame first and calls
 * `onFatal` on the first malformed one, so that the server exits and the editor restarts it.
 */

/** A header section longer than this without its blank line is not a header (LSP headers are ~50 bytes). */
export const MAX_HEADER_BYTES = 8 * 1024;
/** A body larger than this is refused before it is buffered (a large document is a few MB of JSON). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

const SEPARATOR = Buffer.from('\r\n\r\n');

/**
 * A push function for the raw input bytes: passes each well-formed frame (header and body, unchanged) to
 * `onFrame`, and calls `onFatal` with the reason once on a malformed one (after which it ignores input).
 * Well-formed means: a header section under {@link MAX_HEADER_BYTES} with one `Content-Length: DIGITS`
 * of at most {@link MAX_BODY_BYTES}, and a body that is JSON.
 */
export function frameGuard(onFrame: (frame: Buffer) => void, onFatal: (reason: string) => void): (chunk: Buffer) => void {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  // Chunks are kept apart until a whole frame is there (`need` bytes), so a large body is copied once.
  let chunks: Buffer[] = [];
  let size = 0;
  let need = 0;
  let failed = false;
  const fail = (reason: string): void => {
    failed = true;
    chunks = [];
    onFatal(reason);
  };
  return (chunk) => {
    if (failed) return;
    chunks.push(chunk);
    size += chunk.length;
    if (size < need) return;
    let buffered = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    for (;;) {
      const end = buffered.indexOf(SEPARATOR);
      if (end < 0 || end > MAX_HEADER_BYTES) {
        if (end > MAX_HEADER_BYTES || buffered.length > MAX_HEADER_BYTES) return fail(`a header longer than ${MAX_HEADER_BYTES} bytes`);
        need = 0;
        break;
      }
      const length = contentLength(buffered.subarray(0, end).toString('ascii'));
      if (typeof length === 'string') return fail(length);
      const total = end + SEPARATOR.length + length;
      if (buffered.length < total) {
        need = total;
        break;
      }
      try {
        JSON.parse(utf8.decode(buffered.subarray(end + SEPARATOR.length, total)));
      } catch {
        return fail('a body that is not UTF-8 JSON');
      }
      onFrame(buffered.subarray(0, total));
      buffered = buffered.subarray(total);
      need = 0;
    }
    chunks = buffered.length ? [buffered] : [];
    size = buffered.length;
  };
}

/** The Content-Length of a header section, or the reason it has no valid one. */
function contentLength(header: string): number | string {
  const values = header.split('\r\n').flatMap((line) => {
    const m = /^content-length\s*:\s*(.*)$/i.exec(line);
    return m ? [m[1]!.trim()] : [];
  });
  if (values.length !== 1) return values.length ? 'more than one Content-Length header' : 'a header without Content-Length';
  if (!/^\d{1,10}$/.test(values[0]!)) return `a Content-Length that is not a byte count ('${values[0]!.slice(0, 20)}')`;
  const n = Number(values[0]);
  if (n > MAX_BODY_BYTES) return `a Content-Length of ${n} bytes, over the limit of ${MAX_BODY_BYTES}`;
  return n;
}
