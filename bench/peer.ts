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

/** Find (or install with apt) a Python with torch; undefined, after saying why, when there is none. */
export function findPeer(log: (s: string) => void): Peer | undefined {
  const script = peerScript();
  if (!fs.existsSync(script)) {
    log(`peer: ${script} not found; the table has no PyTorch column (set MTL_PEER to its path)`);
    return undefined;
  }
  const candidates = ['/usr/bin/python3', 'python3'];
  const find = (): Peer | undefined => {
    for (const python of candidates) {
      const version = torchVersion(python);
      if (version) return { python, version, script };
    }
    return undefined;
  };
  let peer = find();
  if (!peer) {
    log('peer: no Python here imports torch; installing Debian\'s python3-torch with apt-get (BENCHMARKS.md)…');
    const root = process.getuid?.() === 0;
    const cmd = root ? ['apt-get'] : ['sudo', '-n', 'apt-get'];
    const r = spawnSync(cmd[0]!, [...cmd.slice(1), 'install', '-y', 'python3-torch'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    log(r.status === 0 ? 'peer: python3-torch installed' : `peer: apt-get install python3-torch failed (exit ${r.status}); no PyTorch column`);
    peer = find();
  }
  if (peer) log(`peer: ${peer.python}, torch ${peer.version}, one thread`);
  return peer;
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
    env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
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
