/**
 * `mtl serve RUN_DIR [--model NAME=DIR]...`: score rows over HTTP with one or more trained model
 * directories (src/serve). Runs until SIGTERM or SIGINT (then finishes the requests in flight and exits 0);
 * SIGHUP reloads every model directory, keeping the old model when the new one does not load.
 */
import * as path from 'node:path';
import { numberFlag, parseCommandArgs, stringFlag } from '../args.js';
import { EXIT, UsageError, type CliIo } from '../io.js';
import { parseBackend } from '../format-metrics.js';
import { artifactPlugins } from '../artifact-plugins.js';
import { printDiagnostics } from '../report.js';
import type { GatePlugin } from '../../plugins/api.js';

/** Help text of `mtl serve`. */
export const SERVE_HELP = `Usage: mtl serve [RUN_DIR] [--model NAME=DIR]... [--host H] [--port P] [options]

Serve trained model directories over HTTP/JSON: POST /v1/predict with {"rows": [...]} answers one score
per output per row, equal to mtl predict on the same rows; bad rows get per-row errors naming the field.
RUN_DIR is served as 'default'; --model adds more, at /v1/models/NAME/predict (the first model is the
default of /v1/predict and /v1/model). Also: GET /v1/model (the serving contract), /v1/models, /healthz,
/readyz, /metrics (Prometheus). Every directory is verified against its manifest, as predict does.
Signals: SIGTERM/SIGINT stop accepting, finish the requests in flight and exit 0; SIGHUP reloads every
model directory (the new model is loaded and verified before it replaces the old one; if it fails, the
old one keeps serving and the reason is logged).
  --host H          address to bind (default 127.0.0.1: this machine only; 0.0.0.0 to expose it)
  --port P          port (default 8080; 0 picks a free one, printed at start)
  --max-body BYTES  largest request body (default 10485760); larger ones get 413
  --max-rows N      most rows in one request (default 10000)
  --timeout MS      answer 503 to a request not answered in MS milliseconds (default 10000)
  --batch-wait MS   wait at most MS for requests still arriving to score them together (default 1;
                    a request with no other arriving is scored at once)
  --batch-rows N    score at once when this many rows are waiting (default 1024)
  --backend B       auto (default), native, wasm, cpu or tensorflow, as for predict
  --plugin P        load a gate plugin module (path or package) a model needs (as for predict)
`;

/** A model name usable in a URL path segment. */
const NAME = /^[A-Za-z0-9_.-]+$/;

/** The name → directory list of the command line, in order (RUN_DIR first). */
function modelEntries(io: CliIo, positionals: string[], flags: string[]): Array<{ name: string; dir: string }> {
  if (positionals.length > 1) throw new UsageError('mtl serve: give at most one RUN_DIR (add more models with --model NAME=DIR).', 'serve');
  const entries = positionals.map((p) => ({ name: 'default', dir: path.resolve(io.cwd, p) }));
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const name = eq > 0 ? flag.slice(0, eq) : '';
    if (!NAME.test(name) || eq === flag.length - 1) throw new UsageError(`mtl serve: --model takes NAME=DIR with a NAME of letters, digits, '_', '.', '-', got '${flag}'.`, 'serve');
    if (entries.some((e) => e.name === name)) throw new UsageError(`mtl serve: the model name '${name}' is given twice.`, 'serve');
    entries.push({ name, dir: path.resolve(io.cwd, flag.slice(eq + 1)) });
  }
  if (!entries.length) throw new UsageError('mtl serve: give a model directory. Usage: mtl serve RUN_DIR [--model NAME=DIR]...', 'serve');
  return entries;
}

/** Run `mtl serve`: resolves (0) after a graceful shutdown. */
export async function runServe(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('serve', argv, {
    model: { type: 'string', multiple: true },
    host: { type: 'string' },
    port: { type: 'string' },
    'max-body': { type: 'string' },
    'max-rows': { type: 'string' },
    timeout: { type: 'string' },
    'batch-wait': { type: 'string' },
    'batch-rows': { type: 'string' },
    backend: { type: 'string' },
    plugin: { type: 'string', multiple: true },
  });
  if (values.help) return io.stdout(SERVE_HELP), EXIT.ok;
  const entries = modelEntries(io, positionals, (values.model as string[] | undefined) ?? []);
  const host = stringFlag(values, 'host') ?? '127.0.0.1';
  const port = numberFlag('serve', values, 'port', { integer: true, min: 0 }) ?? 8080;
  if (port > 65535) throw new UsageError(`mtl serve: --port must be at most 65535, got ${port}.`, 'serve');
  const maxBodyBytes = numberFlag('serve', values, 'max-body', { integer: true, min: 1 }) ?? 10 * 1024 * 1024;
  const maxRows = numberFlag('serve', values, 'max-rows', { integer: true, min: 1 }) ?? 10_000;
  const timeoutMs = numberFlag('serve', values, 'timeout', { integer: true, min: 1 }) ?? 10_000;
  const maxWaitMs = numberFlag('serve', values, 'batch-wait', { min: 0 }) ?? 1;
  const batchRows = numberFlag('serve', values, 'batch-rows', { integer: true, min: 1 }) ?? 1024;
  const backend = parseBackend('serve', stringFlag(values, 'backend'));

  const [{ selectBackend }, { loadModel }, { ModelSet }, { ServeMetrics }, { startServer }] = await Promise.all([
    import('../../exec/backend.js'),
    import('../../serve/load.js'),
    import('../../serve/models.js'),
    import('../../serve/metrics.js'),
    import('../../serve/http/server.js'),
  ]);
  await selectBackend(backend);
  const plugins: GatePlugin[] = [];
  for (const { dir } of entries) {
    const list = await artifactPlugins(dir, io, (values.plugin as string[] | undefined) ?? []);
    if (!list) return EXIT.errors;
    for (const p of list) if (!plugins.includes(p)) plugins.push(p);
  }
  const warn = (d: Parameters<typeof printDiagnostics>[0][number]): void => printDiagnostics([d], undefined, io, { toStderr: true });
  // The backend is chosen once, above: a reload must not switch it under the model being served.
  const load = (dir: string) => loadModel(dir, { backend: 'keep', plugins, onWarning: warn, maxBatch: batchRows });
  const metrics = new ServeMetrics();
  const models = await ModelSet.open(entries, load, (name) => ({ maxWaitMs, maxRows: batchRows, onBatch: (rows, errors) => metrics.batch(name, rows, errors) }));
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(models, metrics, {
      host,
      port,
      maxBodyBytes,
      maxRows,
      timeoutMs,
      onInternalError: (e) => io.stderr(`mtl serve: a request failed in the server: ${e instanceof Error ? e.message : String(e)}\n`),
    });
  } catch (e) {
    models.dispose();
    throw e;
  }
  const shown = server.host.includes(':') ? `[${server.host}]` : server.host;
  io.stderr(`mtl serve: listening on http://${shown}:${server.port} (${models.all().map((s) => `${s.name}=${s.dir}, ${s.current.predictor}`).join('; ')})\n`);

  const reload = (): void => {
    io.stderr('mtl serve: SIGHUP: reloading the model directories\n');
    void models.reload().then((outcomes) => {
      for (const o of outcomes) {
        metrics.reload(o.model, o.ok);
        if (o.diagnostic) warn(o.diagnostic);
        else io.stderr(`mtl serve: reloaded ${o.model} (model hash ${models.get(o.model)!.current.contract.modelHash.slice(0, 12)})\n`);
      }
    });
  };
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const onTerm = (): void => stop();
  process.on('SIGHUP', reload);
  process.on('SIGTERM', onTerm);
  io.signal?.addEventListener('abort', onTerm);
  if (io.signal?.aborted) stop();
  try {
    await stopped;
    io.stderr('mtl serve: shutting down: finishing the requests in flight\n');
    await server.close();
  } finally {
    process.off('SIGHUP', reload);
    process.off('SIGTERM', onTerm);
    io.signal?.removeEventListener('abort', onTerm);
    models.dispose();
  }
  io.stderr('mtl serve: stopped\n');
  return EXIT.ok;
}
