/**
 * Helpers of the end-to-end tests: building dist/ for the real binary, running it, reading CSV output,
 * and base rates of labels (the constant predictor that a trained model must beat).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { ROOT } from '../cli/helpers.js';

/** The real binary. */
export const BIN = path.join(ROOT, 'bin', 'mtl.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Build dist/ (tsc) when it is missing or older than src/. A lock directory keeps parallel test files
 * from building at once. CI's `npm ci` already built it (the `prepare` script), so this is a no-op there.
 */
export function ensureDist(): void {
  const entry = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
  const stale = () => !existsSync(entry) || statSync(entry).mtimeMs < newestMtime(path.join(ROOT, 'src'));
  if (!stale()) return;
  const lock = path.join(ROOT, 'dist', '.build-lock');
  mkdirSync(path.dirname(lock), { recursive: true });
  for (let i = 0; i < 600; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      execFileSync('sleep', ['0.2']);
      if (!stale()) return;
    }
  }
  try {
    // tsc emits even when someone's work in progress has type errors; the binary only needs the JavaScript.
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'pipe' });
    } catch {
      /* type errors: the files were still emitted */
    }
  } finally {
    rmdirSync(lock);
  }
}

/** What a child process run of the binary produced. */
export interface BinRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run `node bin/mtl.js ARGS`; `onStderr` may react to output (e.g. send SIGINT). */
export function runBin(args: string[], opts: { cwd?: string; onStderr?: (all: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<BinRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, MTL_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => void (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      opts.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Run `node bin/mtl.js ARGS` and send it `signal` once (when its stderr first matches `when`); `signalled` says whether it was sent. */
export async function runBinSignalling(args: string[], when: RegExp, signal: NodeJS.Signals, cwd?: string): Promise<BinRun & { signalled: boolean }> {
  let signalled = false;
  const r = await runBin(args, {
    ...(cwd !== undefined ? { cwd } : {}),
    onStderr: (all, child) => {
      if (!signalled && when.test(all)) {
        signalled = true;
        child.kill(signal);
      }
    },
  });
  return { ...r, signalled };
}

/** Run the CLI in-process and abort it (as Ctrl-C does) once its stderr matches `when`. */
export async function runCliAbortingWhen(argv: string[], when: RegExp, cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string; aborted: boolean }> {
  const controller = new AbortController();
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => {
      stderr += t;
      if (!controller.signal.aborted && when.test(stderr)) controller.abort();
    },
    isTTY: false,
    cwd,
    signal: controller.signal,
    readStdin: async () => '',
  };
  const code = await main(argv, io);
  return { code, stdout, stderr, aborted: controller.signal.aborted };
}

/** Rows of a CSV file as objects. */
export function readCsv(file: string): Array<Record<string, string>> {
  return parseCsv(readFileSync(file), { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
}

/** Binary cross-entropy of always predicting the base rate (nats): what a constant predictor scores. */
export function baseRateEntropy(labels: boolean[]): number {
  const p = labels.filter(Boolean).length / labels.length;
  if (p === 0 || p === 1) return 0;
  return -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
}

/** Exact AUC of `scores` against binary `labels` (ties count half). */
export function auc(scores: number[], labels: boolean[]): number {
  const idx = scores.map((s, i) => [s, labels[i]!] as const).sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  let pos = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j < idx.length && idx[j]![0] === idx[i]![0]) j++;
    const rank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (idx[k]![1]) (rankSum += rank), pos++;
    i = j;
  }
  const neg = idx.length - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Every file under `dir` (relative path → SHA-256 of its bytes): compare two snapshots to see that nothing changed. */
export function snapshotDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}
