/** Shared helpers of the Python-dependent tests: the Python with torch (or a skip reason) and running scripts. */
import { spawn, spawnSync } from 'node:child_process';
import { findTorchPython } from '../../src/targets/pytorch/python.js';

/** The Python that imports torch, or null. */
export const torchPython = findTorchPython();

/** Why the Python tests are skipped, printed once. */
export const SKIP_REASON = 'no Python that can `import torch` was found (install it with `apt-get install -y python3-torch`, or set MTL_PYTHON)';

if (!torchPython) console.warn(`test/targets: skipping the PyTorch tests: ${SKIP_REASON}`);

/** Run Python with `args`: its exit status, stdout and stderr, whatever the status. */
export function spawnPython(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(torchPython!.python, args, {
    cwd: opts.cwd,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 120_000,
    env: { ...process.env, OMP_NUM_THREADS: '1', ...opts.env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** spawnPython without blocking the test process (for runs that mostly wait, side by side). */
export function spawnPythonAsync(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(torchPython!.python, args, { cwd: opts.cwd, env: { ...process.env, OMP_NUM_THREADS: '1', ...opts.env }, timeout: opts.timeoutMs ?? 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Run Python with `args`; returns stdout, throws with stderr on failure. */
export function runPython(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): string {
  const r = spawnPython(args, opts);
  if (r.status !== 0) throw new Error(`python ${args.join(' ')} failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}
