/**
 * Test helper: starts the language server as a child process (`tsx src/lsp/main.ts --stdio`) and
 * drives it over stdio with a real JSON-RPC client; `<|>` markers in a spec give cursor positions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node.js';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A position, 0-based. */
export interface Pos { line: number; character: number }

/** Remove every `<|>` marker from `marked`, returning the clean text and the markers' positions in order. */
export function markers(marked: string): { text: string; cursors: Pos[] } {
  const cursors: Pos[] = [];
  let text = '';
  let line = 0;
  let col = 0;
  for (let i = 0; i < marked.length; i++) {
    if (marked.startsWith('<|>', i)) { cursors.push({ line, character: col }); i += 2; continue; }
    const c = marked[i]!;
    text += c;
    if (c === '\n') { line++; col = 0; } else col++;
  }
  return { text, cursors };
}

/** A running server and a client connected to it. */
export interface LspClient {
  conn: MessageConnection;
  proc: ChildProcess;
  /** Diagnostics published per URI, latest last. */
  published: Map<string, Array<{ version?: number; diagnostics: unknown[] }>>;
  /** Open a document and wait for its first diagnostics. */
  open(uri: string, text: string): Promise<unknown[]>;
  /** Replace a document's text; resolves with the diagnostics published for that version. */
  change(uri: string, version: number, text: string): Promise<unknown[]>;
  request<R>(method: string, params: unknown): Promise<R>;
  stop(): Promise<void>;
  stderr(): string;
}

/** A file URI for a (possibly non-existent) spec path under test/lsp/fixtures. */
export function fixtureUri(name: string): string {
  return pathToFileURL(path.join(ROOT, 'test/lsp/fixtures', name)).toString();
}

/**
 * Start the server and initialise it (debounce 0 so that tests need no timers); `rootUri` is the workspace
 * folder (default the repository), `capabilities` the client's, `server` the process (default: the
 * TypeScript sources through tsx).
 */
export async function startClient(
  initializationOptions: Record<string, unknown> = { debounceMs: 0 },
  rootUri = pathToFileURL(ROOT).toString(),
  capabilities: Record<string, unknown> = {},
  server: { command: string; args: string[]; env?: NodeJS.ProcessEnv } = { command: path.join(ROOT, 'node_modules/.bin/tsx'), args: [path.join(ROOT, 'src/lsp/main.ts'), '--stdio'] },
): Promise<LspClient> {
  const proc = spawn(server.command, server.args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], ...(server.env ? { env: server.env } : {}) });
  let err = '';
  proc.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const published = new Map<string, Array<{ version?: number; diagnostics: unknown[] }>>();
  const waiters: Array<{ uri: string; version: number; resolve(d: unknown[]): void }> = [];
  conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; version?: number; diagnostics: unknown[] }) => {
    const list = published.get(p.uri) ?? [];
    list.push({ version: p.version, diagnostics: p.diagnostics });
    published.set(p.uri, list);
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!;
      if (w.uri === p.uri && (p.version === undefined || p.version >= w.version)) { waiters.splice(i, 1); w.resolve(p.diagnostics); }
    }
  });
  conn.onNotification('window/logMessage', (p: { message: string }) => { err += `${p.message}\n`; });
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri, capabilities, initializationOptions });
  await conn.sendNotification('initialized', {});
  const waitFor = (uri: string, version: number): Promise<unknown[]> => new Promise((resolve) => waiters.push({ uri, version, resolve }));
  return {
    conn, proc, published,
    async open(uri, text) {
      const p = waitFor(uri, 1);
      await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'mtl', version: 1, text } });
      return p;
    },
    async change(uri, version, text) {
      const p = waitFor(uri, version);
      await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
      return p;
    },
    request: <R>(method: string, params: unknown) => conn.sendRequest(method, params) as Promise<R>,
    async stop() {
      try {
        await conn.sendRequest('shutdown');
        await conn.sendNotification('exit');
      } catch { /* already gone */ }
      conn.dispose();
      if (proc.exitCode === null) proc.kill();
    },
    stderr: () => err,
  };
}
