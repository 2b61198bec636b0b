/**
 * Where `mtl serve`'s time goes under the batch-256 load (issue #14's throughput bar): the same model
 * directory, request bodies and autocannon settings as the serving bench (bench/serve.ts), one cell
 * repeated, with the server optionally under `node --cpu-prof`. Not a test and not part of `npm run bench`:
 *
 *   npx tsx bench/serve-profile.ts [--workload mmoe] [--vocab 100000] [--batch 256] [--connections 64]
 *       [--seconds 3] [--reps 3] [--model DIR] [--keep DIR] [--cpu-prof DIR] [--threads N] [--ab DIR] [--ab-threads N] [--ab-env KEY=VALUE]
 *
 * `--keep DIR` trains the model directory into DIR once and `--model DIR` reuses it (training takes a
 * minute); `--cpu-prof DIR` writes the server's V8 profile there when it exits (open it in Chrome's
 * DevTools, or summarise it with `npx tsx bench/serve-profile.ts --summary FILE.cpuprofile`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './cli.js';
import { flagValue } from './args.js';
import { peerEnv } from './peer.js';
import { syntheticRecords } from './e2e.js';
import { prepareWorkload } from './serve-model.js';
import { drive } from './serve-load.js';
import type { Workload } from './specs.js';

/** A V8 CPU profile (the parts read here). */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function of a .cpuprofile, largest first (the top `top`), as percentages of all samples. */
function summariseProfile(file: string, top = 30): string {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${path.relative(ROOT, f.url.replace(/^file:\/\//, '')) || f.url}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  // Per file too: tsx's transform loses most line numbers, and a native call's time is its JS caller's.
  const byFile = new Map<string, number>();
  for (const [k, us] of self) {
    const file = k.slice(k.lastIndexOf(' ') + 1).replace(/:\d+$/, '') || '(V8: idle, GC, program)';
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  const lines = (m: Map<string, number>, n: number): string[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  return ['self time by function:', ...lines(self, top), '', 'self time by file:', ...lines(byFile, Math.ceil(top / 2))].join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const get = (n: string): string | undefined => flagValue(argv, n);
  const summary = get('summary');
  if (summary) return void process.stdout.write(summariseProfile(summary, Number(get('top') ?? 30)) + '\n');
  const workload = (get('workload') ?? 'mmoe') as Workload;
  const vocab = Number(get('vocab') ?? 100_000);
  const batch = Number(get('batch') ?? 256);
  const connections = Number(get('connections') ?? 64);
  const seconds = Number(get('seconds') ?? 3);
  const reps = Number(get('reps') ?? 3);
  const profDir = get('cpu-prof');
  let modelDir = get('model');
  if (!modelDir) {
    const work = get('keep') ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mtl-serve-profile-'));
    fs.mkdirSync(work, { recursive: true });
    process.stderr.write(`training ${workload} V=${vocab} into ${work}\n`);
    modelDir = prepareWorkload(workload, vocab, work, 'auto').modelDir;
  }
  const env = { ...peerEnv(), ...(get('threads') ? { MTL_THREADS: get('threads') } : {}) };
  // `--ab DIR`: the same measurement of another checkout's `mtl serve` (e.g. `git archive BASE | tar -x -C DIR`,
  // with node_modules and native/build linked), alternating with this one's, repetition by repetition.
  // `--ab-threads N`: this checkout again with MTL_THREADS=N (GEMM threads), alternating the same way.
  const roots = [
    { label: 'this checkout', root: ROOT, env },
    ...(get('ab') ? [{ label: path.resolve(get('ab')!), root: path.resolve(get('ab')!), env }] : []),
    ...(get('ab-threads') ? [{ label: `MTL_THREADS=${get('ab-threads')}`, root: ROOT, env: { ...env, MTL_THREADS: get('ab-threads') } }] : []),
    // `--ab-env KEY=VALUE`: this checkout again with one more environment variable (e.g. OPENBLAS_THREAD_TIMEOUT=4).
    ...(get('ab-env') ? [{ label: get('ab-env')!, root: ROOT, env: { ...env, [get('ab-env')!.split('=')[0]!]: get('ab-env')!.split('=').slice(1).join('=') } }] : []),
  ];
  const servers: Array<{ label: string; child: ChildProcess; url: string }> = [];
  // A server must not outlive this script, whatever ends it.
  process.once('exit', () => servers.forEach((s) => s.child.kill('SIGKILL')));
  for (const { label, root, env } of roots) {
    const nodeArgs = [...(profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []), '--import', 'tsx', '-e', `import('./src/cli/main.ts').then(async (m) => { process.exitCode = await m.main(${JSON.stringify(['serve', modelDir, '--port', '0'])}); })`];
    const child = spawn(process.execPath, nodeArgs, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (b: Buffer) => {
        err += b.toString();
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(err);
        if (m) resolve(`http://127.0.0.1:${m[1]}/v1/predict`);
      });
      child.once('exit', (code) => reject(new Error(`mtl serve exited (${code}): ${err.slice(-400)}`)));
    });
    process.stderr.write(`${label}: ${err}`);
    servers.push({ label, child, url });
  }
  // The serving bench's bodies: 16 distinct bodies of `batch` feature-only rows (bench/serve.ts).
  const rows = syntheticRecords(16 * batch, vocab, 11).map(({ y1: _, y2: __, ...r }) => r);
  const bodies = Array.from({ length: 16 }, (_, k) => JSON.stringify({ rows: rows.slice(k * batch, (k + 1) * batch) }));
  for (const s of servers) await drive(s.url, bodies, batch, 4, 1); // warm-up, as the bench
  for (let rep = 0; rep < reps; rep++) {
    for (const s of servers) {
      const r = await drive(s.url, bodies, batch, connections, seconds, s.child.pid);
      // The requests still queued in the server when the load stops are worked off before the next run.
      await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows: rows.slice(0, 1) }) }).then((res) => res.text());
      const cpu = r.serverCpuSeconds;
      process.stdout.write(
        `${s.label}: batch ${batch} × ${connections}: ${Math.round(r.rowsPerSecond)} rows/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms` +
          `${cpu !== undefined ? `, server ${(cpu / r.seconds).toFixed(2)} CPU-s/s, ${Math.round((r.rowsPerSecond * r.seconds) / cpu)} rows/CPU-s` : ''}` +
          `, autocannon ${(r.loadGeneratorCpuSeconds / r.seconds).toFixed(2)} CPU-s/s${r.failed ? ` FAILED: ${r.failed}` : ''}; load ${os.loadavg()[0]!.toFixed(2)}\n`,
      );
    }
  }
  for (const s of servers) await new Promise<void>((r) => (s.child.once('exit', () => r()), s.child.kill('SIGTERM')));
  if (profDir) {
    const prof = fs.readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(profDir, f)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
    if (prof) process.stdout.write(`${prof}\n${summariseProfile(prof)}\n`);
  }
}

await main();
