/**
 * A bounded load test of `mtl serve` on 127.0.0.1: latency at batch 1 (one client, then 16 concurrent) and
 * throughput at batch 256 (4 concurrent clients), for a trained model directory and rows from its data file.
 * Counts requests, not seconds, so a run always ends; prints a small table for the README.
 *
 * Usage: npx tsx bench/serve-load.ts MODEL_DIR DATA.csv [--requests N] [--backend B]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [dir, data, ...rest] = process.argv.slice(2);
if (!dir || !data) {
  console.error('Usage: npx tsx bench/serve-load.ts MODEL_DIR DATA.csv [--requests N] [--backend B]');
  process.exit(2);
}
const flag = (name: string): string | undefined => {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
};
const requests = Number(flag('--requests') ?? 2000);
const backend = flag('--backend') ?? 'auto';
const rows = parse(readFileSync(data, 'utf8'), { columns: true }) as Array<Record<string, string>>;

/** Start the server; resolves with its port and the process. */
async function start(): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'mtl.js'), 'serve', dir!, '--port', '0', '--backend', backend], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', () => reject(new Error(err)));
  });
  return { port, stop: () => new Promise((r) => (child.on('exit', () => r()), child.kill('SIGTERM'))) };
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** POST one body; resolves with the latency in ms. */
function post(port: number, body: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/predict', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `count` requests of `batch` rows from `clients` concurrent clients: latencies and wall time. */
async function run(port: number, batch: number, clients: number, count: number): Promise<{ p50: number; p99: number; rowsPerSec: number; reqPerSec: number }> {
  const bodies = Array.from({ length: 64 }, (_, k) => JSON.stringify({ rows: Array.from({ length: batch }, (_, i) => rows[(k * batch + i) % rows.length]) }));
  const lat: number[] = [];
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < count) {
        const k = next++;
        lat.push(await post(port, bodies[k % bodies.length]!));
      }
    }),
  );
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  lat.sort((a, b) => a - b);
  const q = (p: number): number => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!;
  return { p50: q(0.5), p99: q(0.99), rowsPerSec: (count * batch) / secs, reqPerSec: count / secs };
}

const server = await start();
try {
  await run(server.port, 1, 1, 200); // warm-up
  const cases: Array<[string, number, number, number]> = [
    ['batch 1, 1 client', 1, 1, requests],
    ['batch 1, 16 clients', 1, 16, requests],
    ['batch 256, 4 clients', 256, 4, Math.max(50, Math.floor(requests / 10))],
  ];
  console.log('| load | requests | p50 ms | p99 ms | requests/s | rows/s |\n|---|---|---|---|---|---|');
  for (const [name, batch, clients, count] of cases) {
    const r = await run(server.port, batch, clients, count);
    console.log(`| ${name} | ${count} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${Math.round(r.reqPerSec)} | ${Math.round(r.rowsPerSec)} |`);
  }
} finally {
  agent.destroy();
  await server.stop();
}
