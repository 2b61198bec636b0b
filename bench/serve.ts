/**
 * The serving part of `npm run bench` (`npm run bench -- --serve` runs it alone): for each workload (mmoe,
 * esmm, ple at V = 1e5 by default) a model directory made by the CLI (serve-model.ts), served by
 * `mtl serve` on 127.0.0.1:0 and, in the same run, by the peer — the generated PyTorch package with the
 * converted weights behind Python's http.server (serve_peer.py). Both answer the same bodies (checked equal
 * to 1e-5 first) and are driven by the same load generator (serve-load.ts, autocannon) at batch 1 and 256 ×
 * 1 and 64 connections, for a fixed time per cell; cells alternate mtl, peer, mtl, peer (ABAB) and the
 * table gives medians over the repetitions. Results: a markdown table and bench/results/serve.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Workload } from './specs.js';
import { findTorchPython, peerEnv } from './peer.js';
import { spawnMtl } from './cli.js';
import { syntheticRecords } from './e2e.js';
import { prepareWorkload } from './serve-model.js';
import { drive, type LoadResult } from './serve-load.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The load cells: rows per request × concurrent connections. */
export const CELLS: ReadonlyArray<{ batch: number; connections: number }> = [
  { batch: 1, connections: 1 },
  { batch: 1, connections: 64 },
  { batch: 256, connections: 1 },
  { batch: 256, connections: 64 },
];

/** Distinct request bodies per batch size (each connection cycles through them). */
const BODIES = 16;

/** Options of {@link serveBench}. */
export interface ServeBenchOptions {
  workloads: Workload[];
  vocabs: number[];
  /** Seconds per cell and server. */
  seconds: number;
  reps: number;
  backend: string;
  peer: boolean;
  /** torch's intra-op threads in the peer. */
  peerThreads: number;
  out: string;
}

/** One cell's repetitions, both servers. */
export interface ServeCell {
  workload: Workload;
  vocab: number;
  batch: number;
  connections: number;
  mtl: LoadResult[];
  peer: LoadResult[];
}

/** A listening server process. */
interface Listening {
  child: ChildProcess;
  url: string;
  /** Its stderr up to the `listening` line (mtl serve names its predictor there). */
  banner: string;
  stop(): Promise<void>;
}

/** Server processes still running: stopped when the bench exits or is stopped, so none outlives it. */
const live = new Set<ChildProcess>();

/** Wait for `child` to print `listening on http://127.0.0.1:PORT` on stderr. */
function listening(child: ChildProcess, what: string): Promise<Listening> {
  live.add(child);
  child.once('exit', () => live.delete(child));
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`${what} did not start within 120 s: ${err.trim().slice(-300)}`))), 120_000);
    const onExit = (code: number | null): void => (clearTimeout(timer), reject(new Error(`${what} exited (${code}) before listening: ${err.trim().split('\n').slice(-3).join(' | ')}`)));
    child.on('exit', onExit);
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(err);
      if (!m) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve({
        child,
        url: `http://127.0.0.1:${m[1]}/v1/predict`,
        banner: err,
        stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', () => r()), child.kill('SIGTERM')))),
      });
    });
  });
}

/** POST one body and return the parsed predictions (throws unless 200). */
async function predictions(url: string, rows: unknown[]): Promise<Array<Record<string, number>>> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows }) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 200)}`);
  return (JSON.parse(text) as { predictions: Array<Record<string, number>> }).predictions;
}

/**
 * Wait until a server has worked off the requests a cell left behind: when the load generator stops, up
 * to `connections` requests are still queued in the server, and the next cell would wait behind them.
 * A single-row request answered means those before it are done (bounded: 120 s).
 */
async function drained(url: string, rows: unknown[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([predictions(url, rows.slice(0, 1)), new Promise((r) => (timer = setTimeout(r, 120_000)))]);
  clearTimeout(timer);
}

/** Largest |a − b| over the outputs both answers have (Infinity when they share none, or rows differ). */
function maxDiff(a: Array<Record<string, number>>, b: Array<Record<string, number>>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  let shared = 0;
  a.forEach((row, i) => {
    for (const [k, v] of Object.entries(row)) {
      const w = b[i]![k];
      if (typeof w !== 'number') continue;
      shared++;
      worst = Math.max(worst, Math.abs(v - w));
    }
  });
  return shared ? worst : Infinity;
}

function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Medians of the counted (not failed) repetitions of a cell's side. */
export function summary(runs: LoadResult[]): { requestsPerSecond: number; rowsPerSecond: number; p50Ms: number; p99Ms: number; rowsPerCpuSecond?: number; serverCpuPerSecond?: number; loadGeneratorCpuPerSecond: number } | undefined {
  const ok = runs.filter((r) => !r.failed);
  if (!ok.length) return undefined;
  // Rows per CPU-second of the server: what one core would serve if the server had it to itself.
  const cpu = ok.filter((r) => r.serverCpuSeconds !== undefined && r.serverCpuSeconds > 0).map((r) => (r.rowsPerSecond * r.seconds) / r.serverCpuSeconds!);
  return {
    requestsPerSecond: median(ok.map((r) => r.requestsPerSecond)),
    rowsPerSecond: median(ok.map((r) => r.rowsPerSecond)),
    p50Ms: median(ok.map((r) => r.p50Ms)),
    p99Ms: median(ok.map((r) => r.p99Ms)),
    ...(cpu.length ? { rowsPerCpuSecond: median(cpu) } : {}),
    // CPU-seconds per second of the server and of the load generator: on 2 cores they share, at most 2 together.
    ...(cpu.length ? { serverCpuPerSecond: median(ok.filter((r) => r.serverCpuSeconds !== undefined).map((r) => r.serverCpuSeconds! / r.seconds)) } : {}),
    loadGeneratorCpuPerSecond: median(ok.map((r) => (r.loadGeneratorCpuSeconds ?? 0) / r.seconds)),
  };
}

const int = (x: number): string => Math.round(x).toLocaleString('en-US');
const ms = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(1));

/** The markdown table: medians of each side (rows per server CPU-second too), and mtl's ratios to the peer (rows/s: higher is better; p99: lower). */
export function formatServeTable(cells: ServeCell[]): string {
  const lines = [
    '| workload | V | batch | conn. | mtl req/s | mtl rows/s | mtl p50 ms | mtl p99 ms | mtl rows/CPU-s | peer req/s | peer rows/s | peer p50 ms | peer p99 ms | peer rows/CPU-s | rows/s ratio | p99 ratio |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of cells) {
    const m = summary(c.mtl);
    const p = summary(c.peer);
    const side = (s: ReturnType<typeof summary>, runs: LoadResult[]): string[] =>
      s
        ? [int(s.requestsPerSecond), int(s.rowsPerSecond), ms(s.p50Ms), ms(s.p99Ms), s.rowsPerCpuSecond === undefined ? '-' : int(s.rowsPerCpuSecond)]
        : [runs.length ? `failed: ${runs.find((r) => r.failed)?.failed}` : '-', '', '', '', ''];
    const ratio = m && p ? [`**${(m.rowsPerSecond / p.rowsPerSecond).toFixed(2)}**`, (m.p99Ms / p.p99Ms).toFixed(2)] : ['-', '-'];
    lines.push(`| ${c.workload} | ${c.vocab.toExponential(0).replace('+', '')} | ${c.batch} | ${c.connections} | ${[...side(m, c.mtl), ...side(p, c.peer), ...ratio].join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The bar of issue #14 for mmoe at V = 1e5 (when measured): single-row p99 at one connection, batch-256 rows/s. */
export function barLine(cells: ServeCell[]): string | undefined {
  const find = (batch: number, connections: number): ReturnType<typeof summary> => summary(cells.find((c) => c.workload === 'mmoe' && c.vocab === 100_000 && c.batch === batch && c.connections === connections)?.mtl ?? []);
  const single = find(1, 1);
  const big = [find(256, 1), find(256, 64)].filter((s) => s !== undefined);
  if (!single || !big.length) return undefined;
  const best = Math.max(...big.map((s) => s.rowsPerSecond));
  return (
    `bar (mmoe): single-row p99 ${ms(single.p99Ms)} ms at 1 connection (≤ 5 ms: ${single.p99Ms <= 5 ? 'met' : 'NOT met'}); ` +
    `batch-256 ${int(best)} rows/s, the better of 1 and 64 connections (≥ 50,000: ${best >= 50_000 ? 'met' : 'NOT met'})`
  );
}

/** mtl serve and the peer on the same rows: the largest |difference|, and mtl's predictor. */
interface ServeCheck {
  workload: Workload;
  vocab: number;
  maxDiff: number;
  predictor?: string;
}

/** Measure one workload at one vocabulary: its cells (pushed to `cells`) and the equality check of the two servers (pushed to `checks`). */
async function benchWorkload(workload: Workload, vocab: number, o: ServeBenchOptions, python: { python: string } | undefined, cells: ServeCell[], checks: ServeCheck[], log: (s: string) => void): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `mtl-serve-bench-${workload}-`));
  const servers: Listening[] = [];
  try {
    log(`- ${workload} V=${vocab}: training a model directory, compiling the PyTorch package, converting its weights`);
    const w = prepareWorkload(workload, vocab, work, o.backend);
    const mtl = await listening(spawnMtl(['serve', w.modelDir, '--port', '0', '--backend', o.backend], peerEnv()), 'mtl serve');
    servers.push(mtl);
    const predictor = /, (direct|saved model)\)/.exec(mtl.banner)?.[1];
    let peer: Listening | undefined;
    if (python) {
      const args = [path.join(HERE, 'serve_peer.py'), '--package', w.packageDir, '--weights', w.weightsDir, '--port', '0', '--threads', String(o.peerThreads)];
      peer = await listening(spawn(python.python, args, { env: peerEnv(), stdio: ['ignore', 'ignore', 'pipe'] }), 'the peer server');
      servers.push(peer);
    }
    // Request rows: the features only (a client has no labels).
    const rows = syntheticRecords(BODIES * 256, vocab, 11).map(({ y1: _, y2: __, ...r }) => r);
    const bodies = new Map<number, string[]>();
    for (const { batch } of CELLS) bodies.set(batch, Array.from({ length: BODIES }, (_, k) => JSON.stringify({ rows: rows.slice(k * batch, (k + 1) * batch) })));
    if (peer) {
      const sample = rows.slice(0, 16);
      const diff = maxDiff(await predictions(mtl.url, sample), await predictions(peer.url, sample));
      checks.push({ workload, vocab, maxDiff: diff, ...(predictor ? { predictor } : {}) });
      log(`  mtl and the peer agree to ${diff.toExponential(1)} on 16 rows`);
      if (!(diff <= 1e-5)) throw new Error(`mtl serve and the peer disagree on the same rows (max |diff| ${diff}): the peer does not serve the same model`);
    }
    // Warm-up (JIT, allocator, connection set-up), not counted.
    for (const s of servers) for (const batch of [1, 256]) await drive(s.url, bodies.get(batch)!, batch, 4, 1);
    const mine = CELLS.map(({ batch, connections }) => ({ workload, vocab, batch, connections, mtl: [] as LoadResult[], peer: [] as LoadResult[] }));
    for (let rep = 0; rep < o.reps; rep++) {
      for (const cell of mine) {
        const b = bodies.get(cell.batch)!;
        cell.mtl.push(await drive(mtl.url, b, cell.batch, cell.connections, o.seconds, mtl.child.pid));
        await drained(mtl.url, rows);
        if (peer) {
          cell.peer.push(await drive(peer.url, b, cell.batch, cell.connections, o.seconds, peer.child.pid));
          await drained(peer.url, rows);
        }
        const last = (runs: LoadResult[]): string => (runs.length ? (runs.at(-1)!.failed ?? `${int(runs.at(-1)!.rowsPerSecond)} rows/s, p99 ${ms(runs.at(-1)!.p99Ms)} ms`) : '-');
        log(`  batch ${cell.batch} × ${cell.connections}: mtl ${last(cell.mtl)}; peer ${last(cell.peer)}`);
      }
    }
    cells.push(...mine);
  } finally {
    for (const s of servers) await s.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Run the serving bench; prints progress with `log`, returns the table and writes `o.out`. */
export async function serveBench(o: ServeBenchOptions, log: (s: string) => void): Promise<string> {
  const started = Date.now();
  const loadBefore = os.loadavg();
  process.once('exit', () => live.forEach((c) => c.kill('SIGKILL')));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  const python = o.peer ? findTorchPython(log) : undefined;
  const cells: ServeCell[] = [];
  const checks: ServeCheck[] = [];
  for (const vocab of o.vocabs) for (const workload of o.workloads) await benchWorkload(workload, vocab, o, python, cells, checks, log);
  const table = formatServeTable(cells);
  const bar = barLine(cells);
  const meta = {
    date: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    loadAverage: { before: loadBefore.map((x) => Number(x.toFixed(2))), after: os.loadavg().map((x) => Number(x.toFixed(2))) },
    node: process.version,
    // The environment that sets mtl's GEMM threads (the command line does not show it).
    mtlThreads: process.env['MTL_THREADS'] ?? 'default (2 on a machine with 2 or more cores)',
    peer: python ? { python: python.python, torch: python.version, threads: o.peerThreads, server: 'http.server ThreadingHTTPServer (bench/serve_peer.py)' } : null,
    loadGenerator: 'autocannon (in the bench process, keep-alive connections, 127.0.0.1)',
    secondsPerCell: o.seconds,
    reps: o.reps,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(o.out, JSON.stringify({ meta, checks, cells: cells.map((c) => ({ ...c, mtlMedian: summary(c.mtl), peerMedian: summary(c.peer) })), bar, table }, null, 2) + '\n');
  log(`wrote ${path.relative(process.cwd(), o.out)}`);
  return [
    table,
    '',
    ...(bar ? [bar] : []),
    `${meta.cores} cores (${meta.cpu}), load average ${meta.loadAverage.before.join(' ')} before, ${meta.loadAverage.after.join(' ')} after, ${meta.date}, ${meta.seconds} s; ${o.seconds} s per cell, medians of ${o.reps}`,
  ].join('\n');
}
