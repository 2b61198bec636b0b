/**
 * The HTTP server of `mtl serve`, on node:http rather than a framework: it needs a handful of routes, a
 * body limit, a per-request timeout and a graceful close, which node:http gives directly, and a framework
 * would be one more dependency (and its plugins) on the path of every request — see README "Serving".
 *
 * Routes: POST /v1/predict and /v1/models/NAME/predict (score rows), GET /v1/model and /v1/models/NAME (the
 * serving contract), GET /v1/models (the list), GET /healthz, GET /readyz, GET /metrics (Prometheus).
 * Every answer is JSON except /metrics; every failure is an HttpError with a catalog code; nothing a
 * client sends can end the process or show a stack trace.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { diag } from '../../diagnostics/catalog.js';
import { FILE_START } from '../../diagnostics/types.js';
import { isMtlError, MtlError } from '../../diagnostics/error.js';
import type { ServeMetrics } from '../metrics.js';
import type { ModelSet, ServedModel } from '../models.js';
import { showValue } from '../../data/problems.js';
import { readJsonBody } from './body.js';
import { errorBody, HttpError, httpError } from './errors.js';
import { parsePredictRequest, type PredictRequest } from './predict-request.js';
import { predictResponseJson } from './predict-response.js';

/** Limits of {@link startServer}. */
export interface ServerOptions {
  host: string;
  port: number;
  /** Largest request body in bytes. */
  maxBodyBytes: number;
  /** Most rows in one request. */
  maxRows: number;
  /** A request not answered within this many ms gets 503 (MTL5610). */
  timeoutMs: number;
  /** Told about unexpected failures (answered 500), for the log. */
  onInternalError?: (e: unknown) => void;
}

/** A running server. */
export interface RunningServer {
  readonly host: string;
  readonly port: number;
  /** Stop accepting, finish the requests in flight, then resolve (connections left after the grace period are cut). */
  close(): Promise<void>;
}

/** A route's label in metrics: the pattern, never the raw path (bounded label values). */
type Route = '/v1/predict' | '/v1/models/{name}/predict' | '/v1/model' | '/v1/models' | '/v1/models/{name}' | '/healthz' | '/readyz' | '/metrics' | 'other';

/** An answer body that is JSON text already (a predict answer, written from the scores by predict-response.ts). */
class JsonText {
  constructor(readonly text: string) {}
}

/** Send a JSON answer. */
function sendJson(res: ServerResponse, status: number, body: unknown, closing: boolean): void {
  const text = body instanceof JsonText ? body.text : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...(closing ? { connection: 'close' } : {}),
  });
  res.end(text);
}

/** Start serving `models` on `opts.host:opts.port`. Throws MtlError MTL5613 when the address cannot be bound. */
export async function startServer(models: ModelSet, metrics: ServeMetrics, opts: ServerOptions): Promise<RunningServer> {
  let closing = false;

  const predict = async (served: ServedModel, req: IncomingMessage): Promise<JsonText> => {
    // The batcher holds a batch for a body still being read (up to --batch-wait), not for nothing.
    const arrived = served.batcher.arrive();
    let request: PredictRequest;
    try {
      request = parsePredictRequest(await readJsonBody(req, opts.maxBodyBytes), served.current.outputs, opts.maxRows);
    } finally {
      arrived();
    }
    // `model` is the model that scored these rows (a reload may have swapped `served.current` since).
    const { result, model } = await served.batcher.submit(request.rows);
    const head = { model: served.name, modelHash: model.contract.modelHash, irHash: model.contract.irHash };
    return new JsonText(predictResponseJson(head, result, request.rows, request.outputs, request.passthrough));
  };

  /** The model of a path segment (percent-encoded; a malformed escape names no model). */
  const modelNamed = (segment: string): ServedModel => {
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      name = segment;
    }
    const m = models.get(name);
    if (!m) throw httpError(404, 'MTL5606', { model: showValue(name), models: models.all().map((s) => s.name).join(', ') }, 'model');
    return m;
  };

  /** Route a request: its metrics label and the handler's answer (status, body). */
  const route = (req: IncomingMessage): { route: Route; run: () => Promise<{ status: number; body: unknown; text?: string }> } => {
    const url = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    const only = (m: string, r: Route, f: () => Promise<unknown> | unknown) => ({
      route: r,
      run: async () => {
        if (method !== m) throw httpError(405, 'MTL5607', { method, path: r });
        return { status: 200, body: await f() };
      },
    });
    const named = /^\/v1\/models\/([^/]+)(\/predict)?$/.exec(url);
    if (url === '/v1/predict') return only('POST', '/v1/predict', () => predict(models.default, req));
    if (named && named[2]) return only('POST', '/v1/models/{name}/predict', () => predict(modelNamed(named[1]!), req));
    if (named) return only('GET', '/v1/models/{name}', () => modelNamed(named[1]!).current.contract);
    if (url === '/v1/model') return only('GET', '/v1/model', () => models.default.current.contract);
    if (url === '/v1/models') {
      return only('GET', '/v1/models', () => ({
        default: models.default.name,
        models: models.all().map((s) => ({ name: s.name, dir: s.dir, irHash: s.current.contract.irHash, modelHash: s.current.contract.modelHash, outputs: s.current.outputs })),
      }));
    }
    if (url === '/healthz') return only('GET', '/healthz', () => ({ status: 'ok' }));
    if (url === '/readyz') {
      return {
        route: '/readyz',
        run: async () => {
          if (method !== 'GET') throw httpError(405, 'MTL5607', { method, path: url });
          return closing ? { status: 503, body: { status: 'shutting down' } } : { status: 200, body: { status: 'ready', models: models.all().map((s) => s.name) } };
        },
      };
    }
    if (url === '/metrics') {
      return {
        route: '/metrics',
        run: async () => {
          if (method !== 'GET') throw httpError(405, 'MTL5607', { method, path: url });
          const info = models.all().map((s) => ({ model: s.name, irHash: s.current.contract.irHash, modelHash: s.current.contract.modelHash, predictor: s.current.predictor }));
          return { status: 200, body: undefined, text: metrics.render(info) };
        },
      };
    }
    return { route: 'other', run: async () => Promise.reject(httpError(404, 'MTL5607', { method, path: showValue(url, 80) })) };
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const started = process.hrtime.bigint();
    metrics.inFlight++;
    let answered = false;
    const { route: label, run } = route(req);
    const answer = (status: number, body: unknown, text?: string): void => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      metrics.inFlight--;
      metrics.request(label, status, Number(process.hrtime.bigint() - started) / 1e9);
      // A body not read to the end (an error before reading it) would be taken for the next request: close.
      const close = closing || !req.complete;
      if (text !== undefined) {
        res.writeHead(status, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text), ...(close ? { connection: 'close' } : {}) });
        res.end(text);
      } else sendJson(res, status, body, close);
      // Let the client finish sending a body we stopped reading, so it can read the answer (bounded by requestTimeout).
      if (!req.complete) req.resume();
    };
    const timer = setTimeout(() => answer(503, errorBody(httpError(503, 'MTL5610', { ms: opts.timeoutMs }))), opts.timeoutMs);
    res.on('close', () => {
      // The client went away before its answer: count it as answered so in-flight stays right.
      if (!answered) {
        answered = true;
        clearTimeout(timer);
        metrics.inFlight--;
      }
    });
    if (closing && label !== '/healthz' && label !== '/readyz') {
      answer(503, errorBody(httpError(503, 'MTL5611')));
      return;
    }
    run().then(
      (r) => answer(r.status, r.body, r.text),
      (e: unknown) => {
        if (e instanceof HttpError) return answer(e.status, errorBody(e));
        // A request that is fine but cannot be scored (a model fault), or a bug: 500, logged, never the stack.
        opts.onInternalError?.(e);
        const reason = isMtlError(e) ? e.diagnostics[0]!.message : 'an internal error (see the server log)';
        answer(500, errorBody(new HttpError(500, diag('MTL5615', FILE_START, { route: label, reason: reason.replace(/\.$/, '') }))));
      },
    );
  };

  const server: Server = createServer(handle);
  // Node's own limits for slow clients: the whole request (headers and body) within the timeout and a second.
  server.requestTimeout = opts.timeoutMs + 1000;
  server.headersTimeout = Math.min(opts.timeoutMs + 1000, 60_000);
  // A malformed request line or header (not even HTTP) gets 400 and the connection closed; it never throws.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((e: NodeJS.ErrnoException) => {
    throw new MtlError(diag('MTL5613', FILE_START, { host: opts.host, port: opts.port, reason: e.message }));
  });
  const address = server.address() as AddressInfo;

  return {
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        // close() stops accepting and ends idle keep-alive connections; busy ones end after their answer
        // (sent with `connection: close`). Connections still open after the grace period are cut.
        const grace = setTimeout(() => server.closeAllConnections(), opts.timeoutMs + 2000);
        server.close(() => {
          clearTimeout(grace);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
