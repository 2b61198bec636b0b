/**
 * The serving bench's parts that need no model: the load generator (autocannon against a real local
 * server: answers counted, latencies in fractions of a millisecond, a cell with non-2xx answers reported as
 * failed), the nearest-rank quantile, and the table and bar line built from the repetitions' medians.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drive, processCpuSeconds, quantile, type LoadResult } from '../../bench/serve-load.js';
import { barLine, formatServeTable, summary, type ServeCell } from '../../bench/serve.js';

let server: Server;
let base: string;
let seen = 0;

beforeAll(async () => {
  // Echoes the row count of a predict body; /fail answers 500.
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      seen++;
      const status = req.url === '/fail' ? 500 : 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ rows: (JSON.parse(text) as { rows: unknown[] }).rows.length }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('the serving load generator', () => {
  it('POSTs the bodies for the given time and measures every answer', async () => {
    const before = seen;
    const bodies = [JSON.stringify({ rows: [{}, {}] }), JSON.stringify({ rows: [{}, {}] })];
    // The server runs in this process: its CPU time is this process's.
    const r = await drive(`${base}/v1/predict`, bodies, 2, 2, 1, process.platform === 'linux' ? process.pid : undefined);
    expect(r.failed).toBeUndefined();
    expect(r.requests).toBeGreaterThan(10);
    expect(seen - before).toBeGreaterThanOrEqual(r.requests);
    expect(r.rowsPerSecond).toBeCloseTo(r.requestsPerSecond * 2, 6);
    // Raw times, not autocannon's whole-millisecond histogram: a local answer takes a fraction of one.
    expect(r.p50Ms).toBeGreaterThan(0);
    expect(r.p50Ms % 1).not.toBe(0);
    expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
    if (process.platform === 'linux') expect(r.serverCpuSeconds).toBeGreaterThan(0);
  });

  it('reads a process CPU time from /proc (Linux), nothing for a process that does not exist', () => {
    if (process.platform === 'linux') {
      // Busy until /proc shows 50 ms more (a shared machine may give this process little CPU): a reader
      // that returned a constant would spin the whole 20 s and fail.
      const before = processCpuSeconds(process.pid)!;
      let x = 0;
      for (const t0 = Date.now(); processCpuSeconds(process.pid)! - before < 0.05 && Date.now() - t0 < 20_000; ) for (let i = 0; i < 1e5; i++) x += Math.sqrt(i);
      expect(x).toBeGreaterThan(0);
      expect(processCpuSeconds(process.pid)! - before).toBeGreaterThanOrEqual(0.05);
    }
    expect(processCpuSeconds(2 ** 30)).toBeUndefined();
  });

  it('reports a cell with non-2xx answers as failed', async () => {
    const r = await drive(`${base}/fail`, [JSON.stringify({ rows: [{}] })], 1, 1, 1);
    expect(r.failed).toMatch(/\d+ non-2xx answers/);
  });
});

describe('quantiles, medians and the table', () => {
  it('takes the nearest-rank quantile', () => {
    const xs = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect([quantile(xs, 0.5), quantile(xs, 0.99), quantile(xs, 1), quantile([7], 0.99)]).toEqual([50, 99, 100, 7]);
    expect(quantile([], 0.5)).toBeNaN();
  });

  const run = (rowsPerSecond: number, p99Ms: number, batch = 1, failed?: string, serverCpuSeconds?: number): LoadResult => ({
    batch,
    connections: 1,
    seconds: 2,
    requests: 10,
    requestsPerSecond: rowsPerSecond / batch,
    rowsPerSecond,
    p50Ms: p99Ms / 2,
    p99Ms,
    loadGeneratorCpuSeconds: 0.5,
    ...(failed ? { failed } : {}),
    ...(serverCpuSeconds !== undefined ? { serverCpuSeconds } : {}),
  });

  it('gives medians of the runs that count, mtl/peer ratios, and the bar for mmoe at V = 1e5', () => {
    expect(summary([run(100, 4), run(300, 2), run(200, 3), run(1e9, 0, 1, '3 timeouts')])).toEqual({ requestsPerSecond: 200, rowsPerSecond: 200, p50Ms: 1.5, p99Ms: 3, loadGeneratorCpuPerSecond: 0.25 });
    const cells: ServeCell[] = [
      { workload: 'mmoe', vocab: 100_000, batch: 1, connections: 1, mtl: [run(2000, 1.5, 1, undefined, 1), run(1800, 2.5, 1, undefined, 2)], peer: [run(1000, 3), run(1000, 3)] },
      { workload: 'mmoe', vocab: 100_000, batch: 256, connections: 64, mtl: [run(60_000, 40, 256)], peer: [run(20_000, 80, 256, undefined)] },
      { workload: 'ple', vocab: 100_000, batch: 256, connections: 1, mtl: [run(10, 1, 256, '2 connection errors')], peer: [] },
    ];
    const table = formatServeTable(cells).split('\n');
    // rows/CPU-s: 2 s × 2000 rows/s over 1 CPU-s, 2 s × 1800 over 2: median of 4000 and 1800.
    expect(table[2]).toBe('| mmoe | 1e5 | 1 | 1 | 1,900 | 1,900 | 1.00 | 2.00 | 2,900 | 1,000 | 1,000 | 1.50 | 3.00 | - | **1.90** | 0.67 |');
    expect(table[3]).toContain('| **3.00** | 0.50 |');
    expect(table[4]).toBe('| ple | 1e5 | 256 | 1 | failed: 2 connection errors |  |  |  |  | - |  |  |  |  | - | - |');
    expect(barLine(cells)).toBe('bar (mmoe): single-row p99 2.00 ms at 1 connection (≤ 5 ms: met); batch-256 60,000 rows/s, the better of 1 and 64 connections (≥ 50,000: met)');
    cells[0]!.mtl = [run(500, 9)];
    expect(barLine(cells)).toMatch(/p99 9\.00 ms .*NOT met.*: met\)$/);
    expect(barLine(cells.slice(2))).toBeUndefined();
  });
});
