/**
 * The PyTorch peer (shared/peers/torch_mtl_bench.py): finding a Python that imports torch (installing
 * Debian's python3-torch with apt when none does, and saying so), and running it single-threaded as
 * BENCHMARKS.md prescribes, through a tiny wrapper that also reports the peer's peak RSS.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A usable peer. */
export interface Peer {
  python: string;
  version: string;
  script: string;
}

/** One peer measurement. */
export interface PeerRun {
  samplesPerSecond: number;
  peakRssMb: number;
}

/** The peer script: $MTL_PEER, else ../shared/peers/torch_mtl_bench.py next to the repository. */
export function peerScript(): string {
  return process.env['MTL_PEER'] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'peers', 'torch_mtl_bench.py');
}

function torchVersion(python: string): string | undefined {
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Find (or install with apt) a Python that imports torch, with OpenBLAS under it; undefined, after saying why, when there is none. */
export function findTorchPython(log: (s: string) => void): { python: string; version: string } | undefined {
  const candidates = ['/usr/bin/python3', 'python3'];
  const find = (): { python: string; version: string } | undefined => {
    for (const python of candidates) {
      const version = torchVersion(python);
      if (version) return { python, version };
    }
    return undefined;
  };
  let found = find();
  if (!found) {
    log('peer: no Python here imports torch; installing Debian\'s python3-torch with apt-get (BENCHMARKS.md)…');
    const root = process.getuid?.() === 0;
    const cmd = root ? ['apt-get'] : ['sudo', '-n', 'apt-get'];
    const r = spawnSync(cmd[0]!, [...cmd.slice(1), 'install', '-y', 'python3-torch'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    log(r.status === 0 ? 'peer: python3-torch installed' : `peer: apt-get install python3-torch failed (exit ${r.status}); no PyTorch column`);
    found = find();
  }
  if (found) {
    ensureOpenBlas(log);
    log(`peer: ${found.python}, torch ${found.version}, one thread, BLAS ${blasOf(found.python)}`);
  }
  return found;
}

/** Find the peer script and a Python with torch for it; undefined, after saying why, when either is missing. */
export function findPeer(log: (s: string) => void): Peer | undefined {
  const script = peerScript();
  if (!fs.existsSync(script)) {
    log(`peer: ${script} not found; the table has no PyTorch column (set MTL_PEER to its path)`);
    return undefined;
  }
  const found = findTorchPython(log);
  return found ? { ...found, script } : undefined;
}

/**
 * Debian's torch is built with BLAS_INFO=generic: it calls whatever libblas.so.3 the alternatives system
 * points at, which is the slow reference BLAS unless OpenBLAS is installed. The peer must be measured at
 * its best (BENCHMARKS.md: ~57 GFLOP/s per core), so install Debian's OpenBLAS when it is missing, and say so.
 */
function ensureOpenBlas(log: (s: string) => void): void {
  if (fs.existsSync('/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3') || process.arch !== 'x64') return;
  log("peer: Debian's torch uses the reference BLAS unless OpenBLAS is installed; installing libopenblas0-pthread with apt-get…");
  const root = process.getuid?.() === 0;
  const cmd = root ? ['apt-get'] : ['sudo', '-n', 'apt-get'];
  const r = spawnSync(cmd[0]!, [...cmd.slice(1), 'install', '-y', 'libopenblas0-pthread'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  log(r.status === 0 ? 'peer: OpenBLAS installed' : `peer: apt-get install libopenblas0-pthread failed (exit ${r.status}); the peer runs on the reference BLAS`);
}

/** Which BLAS libblas.so.3 resolves to (for the report). */
function blasOf(python: string): string {
  const r = spawnSync(python, ['-c', "import ctypes.util, os; p='/etc/alternatives/libblas.so.3-x86_64-linux-gnu'; print(os.path.realpath(p) if os.path.exists(p) else 'unknown')"], { encoding: 'utf8', timeout: 30_000, env: peerEnv() });
  const real = (r.stdout ?? '').trim();
  return real.includes('openblas') ? 'OpenBLAS' : real.includes('/blas/') ? 'reference BLAS (slow)' : real || 'unknown';
}

/**
 * The benchmark processes' environment (the peer's and mtl's alike): one thread for every threading layer,
 * and OpenBLAS free to pick the best kernel for this CPU (this workplace sets OPENBLAS_CORETYPE and
 * OPENBLAS_L2_SIZE for old numpy builds; they slow a current OpenBLAS, so both sides run without them).
 */
export function peerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

const WRAPPER = [
  'import sys, runpy, resource',
  'script = sys.argv[1]',
  'sys.argv = sys.argv[1:]',
  "runpy.run_path(script, run_name='__main__')",
  "print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)",
].join('\n');

/** Run the peer once; undefined (after logging) when it fails. */
export function runPeer(peer: Peer, model: string, vocab: number, sparse: boolean, steps: number, log: (s: string) => void): PeerRun | undefined {
  const args = ['-c', WRAPPER, peer.script, '--model', model, '--vocab', String(vocab), '--steps', String(steps), '--threads', '1', ...(sparse ? ['--sparse'] : [])];
  const r = spawnSync(peer.python, args, {
    encoding: 'utf8',
    timeout: 300_000,
    env: peerEnv(),
  });
  const line = r.stdout?.split('\n').find((l) => l.startsWith('{'));
  const rss = /MAXRSS_KB (\d+)/.exec(r.stderr ?? '');
  if (r.status !== 0 || !line) {
    log(`  peer ${model} V=${vocab}${sparse ? ' --sparse' : ''} failed (exit ${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-1)[0] ?? ''}`);
    return undefined;
  }
  const j = JSON.parse(line) as { samples_per_s: number };
  return { samplesPerSecond: j.samples_per_s, peakRssMb: rss ? Number(rss[1]) / 1024 : NaN };
}
