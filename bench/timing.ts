/** Helpers of the profiling scripts (bench/profile.ts, bench/profile-kernels.ts). */
import { selectBackend, type BackendName, type SelectedBackend } from '../src/exec/backend.js';
import { WORKLOADS, type Workload } from './specs.js';

/**
 * Replace `obj[name]` with a wrapper that times each call with `clock` (milliseconds) and reports the call's
 * arguments and duration to `charge`, also when the call throws.
 */
export function timeMethod(obj: Record<string, unknown>, name: string, charge: (args: unknown[], ms: number) => void, clock: () => number = () => performance.now()): void {
  const original = obj[name] as (...a: unknown[]) => unknown;
  obj[name] = function (this: unknown, ...args: unknown[]) {
    const t0 = clock();
    try {
      return original.apply(this, args);
    } finally {
      charge(args, clock() - t0);
    }
  };
}

/** Remove `--name VALUE` from `argv` and return VALUE, or `fallback` when the flag is absent. */
export function takeFlag(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv.splice(i, 2)[1]! : fallback;
}

/** The profiling scripts' command line: `[--backend B] [--vocab V] [--steps N] [workload …]`, backend selected. */
export async function profileArgs(argv: string[], defaultSteps: number): Promise<{ backend: SelectedBackend; vocab: number; steps: number; workloads: Workload[] }> {
  const backend = await selectBackend(takeFlag(argv, 'backend', 'wasm') as BackendName);
  const vocab = Number(takeFlag(argv, 'vocab', '100000'));
  const steps = Number(takeFlag(argv, 'steps', String(defaultSteps)));
  return { backend, vocab, steps, workloads: (argv.length ? argv : [...WORKLOADS]) as Workload[] };
}
