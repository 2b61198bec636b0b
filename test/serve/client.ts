/**
 * The serving tests' HTTP side: a plain node:http client (no keep-alive, so every request is its own
 * connection and nothing lingers) and `mtl serve` as a real process of bin/mtl.js on 127.0.0.1, port 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { BIN } from '../e2e/helpers.js';
import { ROOT } from '../cli/helpers.js';

/** An HTTP answer. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: any;
}

/** Options of {@link send}. */
export interface SendOptions {
  method?: string;
  headers?: Record<string, string | number>;
  /** A string or Buffer body, or any other value sent as JSON with Content-Type application/json. */
  body?: unknown;
  /** Called with the open request before its body is written (to hold it open). When given, send() does not end the request. */
  hold?: (req: ClientRequest) => void;
}

/** Send one request to 127.0.0.1:`port`. */
export function send(port: number, path: string, opts: SendOptions = {}): Promise<Answer> {
  let body: string | Buffer | undefined;
  const headers: Record<string, string | number> = { ...(opts.headers ?? {}) };
  if (typeof opts.body === 'string' || Buffer.isBuffer(opts.body)) body = opts.body;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  if (body !== undefined && headers['transfer-encoding'] === undefined) headers['content-length'] ??= Buffer.byteLength(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: opts.method ?? (body !== undefined || opts.hold ? 'POST' : 'GET'), headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.hold) opts.hold(req);
    else req.end(body);
  });
}

/** A running `mtl serve` process. */
export interface ServeProcess {
  child: ChildProcess;
  port: number;
  /** Its stderr so far. */
  stderr(): string;
  /** Resolves with its exit status when it exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when its stderr matches `re` (rejects if it exits first). */
  waitFor(re: RegExp): Promise<void>;
}

/** Start `node bin/mtl.js serve ARGS --port 0` and wait until it listens. */
export async function startServe(args: string[], cwd = ROOT): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args, '--port', '0'], { cwd, env: { ...process.env, MTL_DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stderr!.on('data', (b: Buffer) => {
    stderr += b.toString();
    for (const l of listeners) l();
  });
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const l of listeners) l();
  });
  const waitFor = (re: RegExp): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (re.test(stderr)) {
          listeners.delete(check);
          resolve();
        } else if (done) {
          listeners.delete(check);
          reject(new Error(`mtl serve exited before printing ${re}; stderr:\n${stderr}`));
        }
      };
      listeners.add(check);
      check();
    });
  await waitFor(/listening on http:\/\/127\.0\.0\.1:\d+/);
  const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr)![1]);
  return { child, port, stderr: () => stderr, exited, waitFor };
}

/** Stop `serve` (when started and still running) with SIGTERM and wait for it to exit. */
export async function stopServe(serve: ServeProcess | undefined): Promise<void> {
  if (!serve || serve.child.exitCode !== null) return;
  serve.child.kill('SIGTERM');
  await serve.exited;
}
