/**
 * One load cell of the serving bench: autocannon (keep-alive connections to 127.0.0.1) POSTs predict
 * bodies of `batch` rows from `connections` concurrent connections for a fixed time, and every answer's
 * latency is kept (autocannon's own histogram counts whole milliseconds; a sub-millisecond p50 needs the
 * raw times its `response` event gives). A cell with any connection error, timeout or non-2xx answer, or
 * with no answer at all, is reported as failed, never as a rate.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

/** What one cell measured. */
export interface LoadResult {
  batch: number;
  connections: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  rowsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /**
   * CPU seconds the server process used during the cell (user + system, all its threads; Linux only): on a
   * machine shared with other work, rows per CPU-second says more about the server than rows per second.
   */
  serverCpuSeconds?: number;
  /**
   * CPU seconds the load generator (this process: autocannon building requests and reading answers) used
   * during the cell: on 2 cores it competes with the server for the same CPUs.
   */
  loadGeneratorCpuSeconds: number;
  /** Why the cell does not count (errors, timeouts, non-2xx answers), when it does not. */
  failed?: string;
}

/** The CPU seconds (user + system, every thread) process `pid` has used so far, from /proc; undefined elsewhere. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) in parentheses: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** The kernel's clock ticks per second (USER_HZ): 100 on every Linux architecture mtl runs on. */
const CLOCK_TICKS = 100;

/** The `q` quantile of ascending `sorted` (nearest rank). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Drive `url` (a POST endpoint) with `bodies` in turn (each of `batch` rows) from `connections`
 * connections for `seconds` seconds; with `serverPid`, also the CPU time that process used meanwhile.
 */
export function drive(url: string, bodies: readonly string[], batch: number, connections: number, seconds: number, serverPid?: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const cpuBefore = processCpuSeconds(serverPid);
  const selfBefore = process.cpuUsage();
  const requests = bodies.map((body) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body }));
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, connections, duration: seconds, timeout: 30, requests }, (err, r) => {
      if (err) return reject(err);
      const cpuAfter = processCpuSeconds(serverPid);
      const self = process.cpuUsage(selfBefore);
      const lat = Float64Array.from(latencies).sort();
      const problems = [r.errors ? `${r.errors} connection errors` : '', r.timeouts ? `${r.timeouts} timeouts` : '', r.non2xx ? `${r.non2xx} non-2xx answers` : '', lat.length ? '' : `no answer within ${seconds} s`].filter(Boolean);
      resolve({
        batch,
        connections,
        seconds: r.duration,
        requests: lat.length,
        requestsPerSecond: lat.length / r.duration,
        rowsPerSecond: (lat.length * batch) / r.duration,
        p50Ms: quantile(lat, 0.5),
        p99Ms: quantile(lat, 0.99),
        ...(cpuBefore !== undefined && cpuAfter !== undefined ? { serverCpuSeconds: cpuAfter - cpuBefore } : {}),
        loadGeneratorCpuSeconds: (self.user + self.system) / 1e6,
        ...(problems.length ? { failed: problems.join(', ') } : {}),
      });
    });
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
}
