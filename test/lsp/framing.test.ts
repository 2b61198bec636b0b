/**
 * A malformed frame ends the server: a real server process over stdio, sent a frame with a bad or missing
 * Content-Length, an oversize header or a body that is not JSON, exits with status 1 and says why on
 * stderr, within a bounded time (before the guard it stayed alive and never answered again). The guard
 * itself passes well-formed frames through unchanged, however they are split into chunks.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { frameGuard, MAX_HEADER_BYTES } from '../../src/lsp/framing.js';
import { ROOT } from './harness.js';

const frame = (body: string): string => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const INITIALIZE = frame(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } }));

/** Start the server, initialize it, then write `bad` and wait (at most 20 s) for it to exit. */
function runServer(bad: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const proc = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'src/lsp/main.ts'), '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  proc.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  // The server must be up and answering before the bad frame, so that the exit is the bad frame's doing.
  proc.stdout.on('data', (b: Buffer) => {
    const first = !stdout.includes('"serverInfo"');
    stdout += b.toString();
    if (first && stdout.includes('"serverInfo"')) proc.stdin.write(bad);
  });
  proc.stdin.write(INITIALIZE);
  return new Promise((resolve) => {
    const timer = setTimeout(() => { proc.kill(); resolve({ code: null, stderr, stdout }); }, 20_000);
    proc.on('exit', (code) => { clearTimeout(timer); resolve({ code, stderr, stdout }); });
  });
}

describe('the language server on a malformed frame', () => {
  it.each([
    ['a Content-Length that is not a number', 'Content-Length: abc\r\n\r\n{}', 'not a byte count'],
    ['no Content-Length', 'Content-Type: application/vscode-jsonrpc\r\n\r\n{}', 'without Content-Length'],
    ['an oversize header', `X-Junk: ${'x'.repeat(MAX_HEADER_BYTES + 10)}`, 'header longer than'],
    ['a body that is not JSON', frame('{not json'), 'not UTF-8 JSON'],
  ])('exits with status 1 on %s', async (_what, bad, reason) => {
    const r = await runServer(bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`mtl lsp: the client sent a malformed message (`);
    expect(r.stderr).toContain(reason);
    expect(r.stdout).toContain('"serverInfo"');
  }, 30_000);
});

describe('frameGuard', () => {
  it('passes well-formed frames through byte for byte, whatever the chunking', () => {
    const input = Buffer.from(frame('{"a":1}') + frame(JSON.stringify({ text: 'é'.repeat(100) })) + frame('[]'));
    for (const size of [1, 3, 17, input.length]) {
      const out: Buffer[] = [];
      const push = frameGuard((f) => out.push(Buffer.from(f)), (reason) => { throw new Error(reason); });
      for (let i = 0; i < input.length; i += size) push(input.subarray(i, i + size));
      expect(Buffer.concat(out).equals(input)).toBe(true);
      expect(out).toHaveLength(3);
    }
  });

  it('reports the first malformed frame once and then ignores the input', () => {
    const reasons: string[] = [];
    const frames: Buffer[] = [];
    const push = frameGuard((f) => frames.push(f), (r) => reasons.push(r));
    push(Buffer.from(frame('{}') + 'Content-Length: -1\r\n\r\n' + frame('{}')));
    push(Buffer.from(frame('{}')));
    expect(frames).toHaveLength(1);
    expect(reasons).toEqual(["a Content-Length that is not a byte count ('-1')"]);
  });
});
