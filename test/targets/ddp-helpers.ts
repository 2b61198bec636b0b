/** Shared by the DDP tests of the generated package: torchrun's arguments, a free port, an ESMM-shaped CSV, step events. */
import { promises as fsp } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../src/data/prng.js';
import { compileToPytorch } from '../../src/targets/pytorch/index.js';
import { esmm } from './fixtures.js';
import { spawnPython } from './python-env.js';

/**
 * `python -m torch.distributed.run` for `n` processes on this machine (append `--master_port`). --redirects/--tee 1:
 * torch 1.13's default ("0") fails to parse on Python 3.11 (IntFlag iteration change).
 */
export const TORCHRUN = (n: number): string[] => ['-m', 'torch.distributed.run', '--nnodes', '1', '--nproc_per_node', String(n), '--redirects', '1', '--tee', '1', '--master_addr', '127.0.0.1'];

/** A free loopback port for the rendezvous. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Run `script ARGS` under torchrun with `n` processes on a fresh port; returns stdout (rank 0's events), throws with
 * torchrun's stdout and stderr when it fails or does not end within 180 s (a normal run takes 5–15 s). There is no
 * retry: the teardown hang CI met once (DDP's Reducer dropping the last reference to the gloo process group while
 * holding the GIL; see templates/distributed.py) is fixed, and a stuck end now fails within --teardown-timeout
 * with MTL5617 instead of hanging.
 */
export async function runTorchrun(n: number, script: string, args: string[], opts: { cwd?: string } = {}): Promise<string> {
  const launch = [...TORCHRUN(n), '--master_port', String(await freePort()), script, ...args];
  const r = spawnPython(launch, { ...opts, timeoutMs: 180_000 });
  if (r.status !== 0) throw new Error(`python ${launch.join(' ')} ${r.status === null ? 'did not end within 180 s' : `failed (${r.status})`}:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/** A small ESMM-shaped CSV: ids, a history sequence, a price with missing values, click and buy labels. */
export function esmmCsv(rows: number, seed: number): string {
  const rng = new Rng(seed);
  const lines = ['user_id,item_id,category,hour,history,price,click,buy'];
  for (let i = 0; i < rows; i++) {
    const click = rng.bernoulli(0.3);
    const buy = click && rng.bernoulli(0.4);
    const history = Array.from({ length: rng.int(6) }, () => `i${rng.int(60)}`).join('|');
    const price = rng.next() < 0.1 ? '' : (rng.next() * 100).toFixed(2);
    lines.push([`u${rng.int(40)}`, `i${rng.int(60)}`, `c${rng.int(6)}`, rng.int(26), history, price, click, buy].join(','));
  }
  return lines.join('\n') + '\n';
}

/** The arguments of a short run of the ESMM package: 4 steps of 32 rows, a 20% validation split, every step logged. */
export const SHORT_RUN = ['--epochs', '1', '--batch', '32', '--max-steps', '4', '--valid-split', '0.2', '--log-every', '1'];

/** The ESMM fixture compiled to a package in a new temporary directory (`prefix`…), with `esmmCsv(240, 5)` beside it. */
export async function esmmPackage(prefix: string): Promise<{ tmp: string; pkg: string; csv: string }> {
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), prefix));
  const pkg = path.join(tmp, 'pkg');
  const { diagnostics } = await compileToPytorch(esmm(), pkg);
  if (diagnostics.length) throw new Error(`the ESMM fixture does not compile: ${JSON.stringify(diagnostics)}`);
  const csv = path.join(tmp, 'train.csv');
  await fsp.writeFile(csv, esmmCsv(240, 5));
  return { tmp, pkg, csv };
}

export interface Step {
  step: number;
  loss: number;
  tasks: Record<string, number>;
}

/** The JSON events of a run's output (torchrun prefixes rank 0's lines with `[default0]:`). */
export function events(stdout: string): Array<Record<string, unknown> & { event: string }> {
  return stdout
    .split('\n')
    .map((l) => l.replace(/^\[default\d+\]:/, ''))
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown> & { event: string });
}

/** The step events of a run's output. */
export function steps(stdout: string): Step[] {
  return events(stdout).filter((e) => e.event === 'step') as unknown as Step[];
}
