/**
 * Where a direct step's time goes, kernel by kernel: every heap kernel (gemmAt, biasActAt, …, the WebAssembly
 * build's or the addon's) and every phase of the step around them (embedding lookup, gradient scatter,
 * sparse optimiser, dense optimiser) wrapped with a timer; the rest is the step's own JS (losses, plan
 * walking, staging). GEMM FLOPs are counted from the calls' shapes, so each line also says GFLOP/s. Times are
 * CPU time of this process, so that a shared machine's other work does not count.
 * Not a test; `npx tsx bench/profile-kernels.ts [--backend wasm] [--vocab 100000] [--steps 11] [mmoe esmm ple]`
 * (on a machine with the addon, `MTL_NATIVE_BLAS=off` keeps the wasm backend off it; `MTL_THREADS=1` keeps the
 * WebAssembly GEMM on one thread, so that the CPU times add up to the step's).
 */
import { activeHeapKernels } from '../src/exec/native-blas.js';
import { EmbeddingStore } from '../src/model/embeddings.js';
import { DenseOptimizer } from '../src/model/optim-dense.js';
import { SparseOptimizer } from '../src/model/optim-sparse.js';
import { compileWorkload, syntheticBatches } from './workload.js';
import { profileArgs, timeMethod } from './timing.js';
import { wasmKernelThreads } from '../src/exec/wasm-accel.js';

/** Milliseconds and calls per phase; flops for GEMM phases. */
const phases = new Map<string, { ms: number; calls: number; flops: number }>();

function charge(phase: string, ms: number, flops = 0): void {
  const p = phases.get(phase) ?? { ms: 0, calls: 0, flops: 0 };
  p.ms += ms;
  p.calls += 1;
  p.flops += flops;
  phases.set(phase, p);
}

/**
 * CPU milliseconds of this process so far (user + system): on a shared machine the wall clock also counts
 * the turns of other processes, CPU time only this one's work (the step itself is single-threaded).
 */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Wrap `obj[name]` with a CPU timer charging phase `phase(args)` (and `flops(args)` GEMM flops). */
function timeCalls(obj: Record<string, unknown>, name: string, phase: (args: unknown[]) => string, flops?: (args: unknown[]) => number): void {
  timeMethod(obj, name, (args, ms) => charge(phase(args), ms, flops?.(args) ?? 0), cpuMs);
}

async function main(): Promise<void> {
  const { backend, vocab, steps, workloads } = await profileArgs(process.argv.slice(2), 11);
  const kernels = activeHeapKernels() as unknown as Record<string, unknown> | undefined;
  if (!kernels) throw new Error(`backend ${backend.name}: no heap kernels installed (the direct step would not run)`);
  for (const name of Object.keys(kernels)) {
    if (typeof kernels[name] !== 'function' || name === 'config') continue;
    if (name === 'gemmAt') {
      // (mem, ta, tb, m, n, k, aOffs, …): one phase per transpose combination.
      timeCalls(kernels, name, (a) => `gemmAt ${a[1] ? 'T' : 'N'}${a[2] ? 'T' : 'N'}`, (a) => 2 * (a[3] as number) * (a[4] as number) * (a[5] as number) * (a[6] as Int32Array).length);
    } else timeCalls(kernels, name, () => name);
  }
  const store = EmbeddingStore.prototype as unknown as Record<string, unknown>;
  timeCalls(store, 'lookup', () => 'embedding lookup (JS)');
  timeCalls(store, 'backward', () => 'embedding grad scatter (JS)');
  timeCalls(store, 'takeGradients', () => 'embedding grad take (JS)');
  timeCalls(SparseOptimizer.prototype as unknown as Record<string, unknown>, 'update', () => 'sparse optimiser (JS)');
  timeCalls(DenseOptimizer.prototype as unknown as Record<string, unknown>, 'apply', () => 'dense optimiser (incl. denseUpdate)');
  console.log(`backend ${backend.name} (${(kernels['config'] as () => string)()}), V=${vocab}, batch 1024, ${steps} steps after 2 warm-up steps`);
  for (const w of workloads) {
    const { ir, runtime } = await compileWorkload(w, vocab);
    const batches = syntheticBatches(ir, vocab, 1024, 2);
    for (let i = 0; i < 2; i++) runtime.trainStep(batches[i % 2]!);
    phases.clear();
    const splits0 = wasmKernelThreads()?.splits ?? 0;
    const t0 = cpuMs();
    const wall0 = performance.now();
    for (let i = 0; i < steps; i++) runtime.trainStep(batches[i % 2]!);
    const total = cpuMs() - t0;
    const wall = performance.now() - wall0;
    console.log(`\n${w}: ${(total / steps).toFixed(1)} CPU-ms/step (${Math.round((1024 * steps * 1000) / total)} samples per CPU-second; wall ${(wall / steps).toFixed(1)} ms/step)`);
    let accounted = 0;
    const nested = new Set(['denseUpdate']); // called inside the dense optimiser's phase
    for (const [p, v] of [...phases].sort((a, b) => b[1].ms - a[1].ms)) {
      if (!nested.has(p)) accounted += v.ms;
      const rate = v.flops ? `  ${(v.flops / v.ms / 1e6).toFixed(1)} GFLOP per CPU-s` : '';
      console.log(`  ${p.padEnd(38)}${(v.ms / steps).toFixed(2).padStart(8)} CPU-ms ${((100 * v.ms) / total).toFixed(1).padStart(5)} %  ${String(v.calls / steps).padStart(4)} calls${rate}`);
    }
    const pool = wasmKernelThreads();
    if (pool) console.log(`  GEMM calls split across ${pool.threads} threads: ${((pool.splits - splits0) / steps).toFixed(1)} per step (CPU time above counts every thread)`);
    console.log(`  ${'rest: the step\'s JS (losses, staging)'.padEnd(38)}${((total - accounted) / steps).toFixed(2).padStart(8)} CPU-ms ${((100 * (total - accounted)) / total).toFixed(1).padStart(5)} %`);
    runtime.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
