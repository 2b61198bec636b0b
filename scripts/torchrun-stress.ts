/**
 * Runs the generated ESMM package's train.py under torchrun many times on a loaded machine and counts the runs that
 * do not end: the stress test behind the teardown fix in src/targets/pytorch/templates/distributed.py. Not part of
 * the test suite (it measures a race, so its outcome depends on the machine and its load).
 *
 *   npx tsx scripts/torchrun-stress.ts [--runs 50] [--procs 2] [--busy 2] [--limit 60] [--templates DIR]
 *
 * --busy N starts N busy loops (nice 10) for the duration; --limit is the seconds after which a run counts as hung
 * (a normal one takes 5–15 s). On a hang, the stacks of its processes (gdb, when installed) go to the log file
 * named at the end, then the run is killed. --templates DIR replaces the package's .py templates by those in DIR,
 * e.g. the templates of an older commit: `git archive f920cca src/targets/pytorch/templates | tar -x -C /tmp/old`,
 * then `--templates /tmp/old/src/targets/pytorch/templates`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promises as fsp, appendFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { compileToPytorch, findTorchPython } from '../src/targets/pytorch/index.js';
import { esmm } from '../test/targets/fixtures.js';
import { esmmCsv, freePort, TORCHRUN } from '../test/targets/ddp-helpers.js';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '50' },
    procs: { type: 'string', default: '2' },
    busy: { type: 'string', default: '2' },
    limit: { type: 'string', default: '60' },
    templates: { type: 'string' },
  },
});
const python = findTorchPython()?.python;
if (!python) throw new Error('no Python that can `import torch` (apt-get install -y python3-torch)');

const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'mtl-torchrun-stress-'));
const pkg = path.join(tmp, 'pkg');
const compiled = await compileToPytorch(esmm(), pkg);
if (compiled.diagnostics.length) throw new Error(JSON.stringify(compiled.diagnostics));
if (opts.templates) for (const f of await fsp.readdir(opts.templates)) if (f.endsWith('.py')) await fsp.copyFile(path.join(opts.templates, f), path.join(pkg, f));
const csv = path.join(tmp, 'train.csv');
await fsp.writeFile(csv, esmmCsv(240, 5));
const log = path.join(tmp, 'hangs.log');

const busy: ChildProcess[] = Array.from({ length: Number(opts.busy) }, () => spawn('nice', ['-n', '10', process.execPath, '-e', 'for (;;) {}'], { stdio: 'ignore' }));

/** The processes under `pid` (its children, theirs, ...). */
function descendants(pid: number): number[] {
  const kids = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout.split(/\s+/).filter(Boolean).map(Number);
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

/** One run: 'ok', 'failed' (with its status) or 'hung' (its stacks appended to the log). */
async function once(i: number): Promise<{ outcome: 'ok' | 'failed' | 'hung'; seconds: number }> {
  const args = [...TORCHRUN(Number(opts.procs)), '--master_port', String(await freePort()), path.join(pkg, 'train.py'), '--data', csv, '--out', path.join(tmp, 'out'), '--epochs', '1', '--batch', '32', '--max-steps', '4', '--valid-split', '0.2'];
  const start = Date.now();
  const child = spawn('nice', ['-n', '10', python!, ...args], { env: { ...process.env, OMP_NUM_THREADS: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const ended = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const timer = new Promise<'limit'>((resolve) => setTimeout(() => resolve('limit'), Number(opts.limit) * 1000));
  const first = await Promise.race([ended, timer]);
  const seconds = (Date.now() - start) / 1000;
  if (first !== 'limit') {
    if (first !== 0) appendFileSync(log, `run ${i}: status ${first}\n${output}\n`);
    return { outcome: first === 0 ? 'ok' : 'failed', seconds };
  }
  const stacks = descendants(child.pid!).map((pid) => {
    const gdb = spawnSync('gdb', ['-p', String(pid), '-batch', '-ex', 'thread apply all bt 20'], { encoding: 'utf8' });
    return `--- pid ${pid}\n${gdb.error ? '(gdb is not installed)' : gdb.stdout}`;
  });
  appendFileSync(log, `run ${i}: hung after ${opts.limit} s\n${output}\n${stacks.join('\n')}\n`);
  process.kill(-child.pid!, 'SIGKILL');
  await ended;
  return { outcome: 'hung', seconds };
}

const counts = { ok: 0, failed: 0, hung: 0 };
const times: number[] = [];
try {
  for (let i = 0; i < Number(opts.runs); i++) {
    const r = await once(i);
    counts[r.outcome]++;
    if (r.outcome === 'ok') times.push(r.seconds);
    process.stdout.write(`run ${i + 1}/${opts.runs}: ${r.outcome} (${r.seconds.toFixed(1)} s)\n`);
  }
} finally {
  for (const b of busy) b.kill();
}
times.sort((a, b) => a - b);
const median = times.length ? times[Math.floor(times.length / 2)]!.toFixed(1) : '-';
console.log(`${opts.runs} runs of ${opts.procs} processes, ${opts.busy} busy loops: ${counts.ok} ended, ${counts.failed} failed, ${counts.hung} hung (> ${opts.limit} s); median ${median} s; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
if (counts.failed || counts.hung) console.log(`output and stacks: ${log}`);
else await fsp.rm(tmp, { recursive: true, force: true });
