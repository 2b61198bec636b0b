/**
 * `npm run bench`: the standard workloads (mmoe, esmm, ple × V = 1e4, 1e5, 1e6) compiled from
 * bench/specs/*.mtl and trained through ModelRuntime.trainStep (the `mtl train` path) on synthetic
 * batches, interleaved (peer, mtl, peer, mtl, …) with the PyTorch peer (best of dense and --sparse,
 * one thread) in the same run; plus the naive tfjs-layers model, prediction speed, GFLOP/s and peak
 * memory. Prints a table and writes it as JSON (default bench/results/latest.json).
 *
 * Flags: --quick (V = 1e5 only, one repetition: ≤ 2 min), --reps N, --vocab 1e4,1e5, --workloads mmoe,esmm,
 * --backend B[,B…] (bench/builds.ts: auto, native, native-builtin, wasm, wasm-tfjs, cpu, tensorflow; default auto, as
 * `mtl train`: native when its addon is built; several builds are measured in one run, each against the same peer runs), --seconds S (per mtl measurement), --no-peer, --no-naive, --no-e2e, --out FILE.
 *
 * The serving load test (bench/serve.ts) runs after the training table in the default run (not with
 * --quick; --no-serve skips it); `--serve` runs it alone (then --vocab default 1e5; --seconds
 * is per load cell, default 2; --reps default 1; --out default bench/results/serve.json; --peer-threads N).
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKLOADS, type Workload } from './specs.js';
import type { WorkerReply, WorkerRequest } from './mtl-worker.js';
import type { NaiveResult } from './naive.js';
import { findPeer, peerEnv, runPeer, type PeerRun } from './peer.js';
import { endToEnd } from './e2e.js';
import { formatTable, type Row } from './table.js';
import { buildBackend, parseBuilds, resolveBuild, type Build, type BuildName } from './builds.js';
import { serveBench, type ServeBenchOptions } from './serve.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Parsed command line. */
interface Options {
  quick: boolean;
  reps: number;
  vocabs: number[];
  workloads: Workload[];
  backends: BuildName[];
  seconds: number;
  peer: boolean;
  naive: boolean;
  e2e: boolean;
  out: string;
  /** The serving load test: 'only' (--serve), 'after' (the default run), 'no'. */
  serve: 'only' | 'after' | 'no';
  serveOptions: ServeBenchOptions;
}

function parseArgs(argv: string[]): Options {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const serveOnly = argv.includes('--serve');
  const serveOptions: ServeBenchOptions = {
    workloads: (get('workloads') ?? WORKLOADS.join(',')).split(',') as Workload[],
    vocabs: (serveOnly ? (get('vocab') ?? '1e5') : '1e5').split(',').map(Number),
    seconds: Number((serveOnly && get('seconds')) || 2),
    reps: Number((serveOnly && get('reps')) || 1),
    // The serving test runs the first --backend build's backend (as `mtl serve --backend`).
    backend: buildBackend(parseBuilds(get('backend') ?? 'auto')[0]!),
    peer: !argv.includes('--no-peer'),
    peerThreads: Number(get('peer-threads') ?? 1),
    out: (serveOnly && get('out')) || path.join(HERE, 'results', 'serve.json'),
  };
  return {
    serve: serveOnly ? 'only' : quick || argv.includes('--no-serve') ? 'no' : 'after',
    serveOptions,
    quick,
    reps: Number(get('reps') ?? (quick ? 1 : 2)),
    vocabs: (get('vocab') ?? (quick ? '1e5' : '1e4,1e5,1e6')).split(',').map(Number),
    workloads: (get('workloads') ?? WORKLOADS.join(',')).split(',') as Workload[],
    backends: parseBuilds(get('backend') ?? 'auto'),
    seconds: Number(get('seconds') ?? (quick ? 2 : 3)),
    peer: !argv.includes('--no-peer'),
    naive: !argv.includes('--no-naive'),
    e2e: !argv.includes('--no-e2e') && !quick,
    out: get('out') ?? path.join(HERE, 'results', 'latest.json'),
  };
}

/** A worker process and a request/reply function for it. */
function startWorker(build?: Build): { ask: (r: WorkerRequest) => Promise<WorkerReply & { ok: true }>; kill: () => void } {
  // The same environment as the peer's (one BLAS thread, CPU-specific OpenBLAS kernels) for the native backend.
  const env = { ...peerEnv(), ...build?.env };
  const child = fork(path.join(HERE, 'mtl-worker.ts'), [], { execArgv: ['--import', 'tsx', '--max-old-space-size=16384'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const ask = (r: WorkerRequest): Promise<WorkerReply & { ok: true }> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`worker exited (${code}) during ${r.op}: ${stderr.split('\n').filter((l) => /Error|error/.test(l)).slice(0, 3).join(' | ')}`));
      child.once('exit', onExit);
      child.once('message', (m: WorkerReply) => {
        child.off('exit', onExit);
        if (m.ok) resolve(m);
        else reject(new Error(m.error));
      });
      // A worker that died (killed for memory, say) fails this request, not the whole bench.
      child.send(r, (err) => {
        if (err) reject(new Error(`worker gone during ${r.op}: ${err.message}`));
      });
    });
  child.on('error', () => {}); // reported through the request that failed
  return { ask, kill: () => child.kill() };
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const log = (s: string): void => void process.stderr.write(s + '\n');

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.serve === 'only') return void process.stdout.write((await serveBench(o.serveOptions, log)) + '\n');
  const started = Date.now();
  const peer = o.peer ? findPeer(log) : undefined;
  const rows: Row[] = [];
  for (const vocab of o.vocabs) {
    for (const workload of o.workloads) {
      log(`- ${workload} V=${vocab}`);
      // One row per build; the peer's runs are shared by the rows (the same measurements). One mtl worker is alive
      // at a time (a worker holds the model: ~5 GB at V = 1e6), started anew for each build and repetition.
      const peerDense: PeerRun[] = [];
      const peerSparse: PeerRun[] = [];
      const builds = o.backends.map(resolveBuild);
      const runs = builds.map((build) => ({ build, row: { workload, vocab, build: build.name, mtl: [], peerDense, peerSparse } as Row }));
      const row = runs[0]!.row;
      // ABAB: each repetition runs the peer, then mtl (every build). The first repetition tries both peer
      // variants; later ones only the faster (the comparison is against the best peer figure).
      for (let rep = 0; rep < o.reps; rep++) {
        if (peer) {
          const variants: boolean[] = rep === 0 ? [false, true] : [median(peerSparse.map((p) => p.samplesPerSecond)) >= median(peerDense.map((p) => p.samplesPerSecond))];
          for (const sparse of variants) {
            const r: PeerRun | undefined = runPeer(peer, workload, vocab, sparse, o.quick ? 2 : 3, log);
            if (r) (sparse ? peerSparse : peerDense).push(r);
          }
        }
        for (const r of runs) {
          if (r.row.error) continue;
          const w = startWorker(r.build);
          try {
            const c = await w.ask({ op: 'compile', workload, vocab, backend: r.build.backend });
            if (c.op === 'compile') Object.assign(r.row, { backend: c.backend, flopsPerSample: c.flopsPerSample, parameters: c.parameters });
            const t = await w.ask({ op: 'train', seconds: o.seconds, minSteps: 3 });
            if (t.op === 'train') r.row.mtl.push(t.samplesPerSecond);
            if (rep === o.reps - 1) {
              const p = await w.ask({ op: 'predict', seconds: o.quick ? 1 : 2 });
              if (p.op === 'predict') Object.assign(r.row, { predictBatch: p.batchSamplesPerSecond, predictLatencyMs: p.latencyMs });
              const e = await w.ask({ op: 'exit' });
              if (e.op === 'exit') r.row.peakRssMb = e.peakRssMb;
            }
          } catch (err) {
            r.row.error = err instanceof Error ? err.message : String(err);
            log(`  ${r.build.name} failed: ${r.row.error}`);
          } finally {
            w.kill();
          }
        }
      }
      if (o.naive && vocab <= 100_000) {
        const n = startWorker(builds[0]);
        try {
          await n.ask({ op: 'compile', workload, vocab: 10, backend: builds[0]!.backend });
          const r = await n.ask({ op: 'naive', workload, vocab, steps: o.quick ? 2 : 3 });
          if (r.op === 'naive') row.naive = r.result as NaiveResult;
        } catch (err) {
          row.naive = { samplesPerSecond: null, error: err instanceof Error ? err.message : String(err) };
        } finally {
          n.kill();
        }
      }
      for (const r of runs) {
        rows.push(r.row);
        log(`  mtl ${r.build.name} ${r.row.mtl.map((x) => x.toFixed(0)).join(', ')} samples/s`);
      }
      log(`  peer dense ${peerDense.map((x) => x.samplesPerSecond.toFixed(0)).join(', ')}; sparse ${peerSparse.map((x) => x.samplesPerSecond.toFixed(0)).join(', ')}`);
    }
  }
  const e2e = o.e2e ? await endToEnd(resolveBuild(o.backends[0]!).backend, log) : undefined;
  const meta = {
    date: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
    node: process.version,
    peer: peer ? { python: peer.python, torch: peer.version } : null,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  const table = formatTable(rows, median);
  process.stdout.write(table + '\n');
  if (e2e) {
    process.stdout.write(`\nend-to-end \`mtl train\` (${e2e.spec}, CSV of ${e2e.rows} rows, 1 epoch): ${e2e.samplesPerSecond === null ? `failed: ${e2e.error}` : `${Math.round(e2e.samplesPerSecond)} samples/s`}\n`);
    if (e2e.predictRowsPerSecond !== undefined) process.stdout.write(`end-to-end \`mtl predict\` of that model on the same CSV: ${e2e.predictRowsPerSecond === null ? 'failed' : `${Math.round(e2e.predictRowsPerSecond)} rows/s (process start and model load included)`}\n`);
  }
  // Which backend (and, for native, which GEMM: OpenBLAS or the built-in one) the mtl figures are of.
  const backends = [...new Set(rows.map((r) => r.backend).filter((b) => b !== undefined))];
  if (backends.length) process.stdout.write(`\nmtl: ${backends.join('; ')}`);
  process.stdout.write(`\n${meta.cores} cores (${meta.cpu}), load average ${meta.loadAverage.join(' ')}, ${meta.date}, ${meta.seconds} s\n`);
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(o.out, JSON.stringify({ meta, rows: rows.map((r) => ({ ...r, mtlMedian: median(r.mtl), peerBest: bestPeer(r) })), e2e, table }, null, 2) + '\n');
  log(`wrote ${path.relative(process.cwd(), o.out)}`);
  if (o.serve === 'after') process.stdout.write('\nserving load test (bench/serve.ts):\n' + (await serveBench(o.serveOptions, log)) + '\n');
}

/** The best of the peer's dense and sparse medians (undefined without peer runs). */
function bestPeer(r: Row): { samplesPerSecond: number; sparse: boolean } | undefined {
  const d = median(r.peerDense.map((p) => p.samplesPerSecond));
  const s = median(r.peerSparse.map((p) => p.samplesPerSecond));
  if (Number.isNaN(d) && Number.isNaN(s)) return undefined;
  return Number.isNaN(d) || s >= d ? { samplesPerSecond: s, sparse: true } : { samplesPerSecond: d, sparse: false };
}

await main();
