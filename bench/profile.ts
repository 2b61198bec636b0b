/**
 * Where a training step's time goes: wraps the embedding store (lookup / backward / sparse step), the
 * dense optimiser with timers (the rest of a step is the tfjs forward + backward pass), and lists the slowest tfjs
 * kernels from tf.profile. Not a test; run `npx tsx bench/profile.ts [--backend wasm] [--vocab 100000] [mmoe esmm ple]`.
 */
import * as tf from '@tensorflow/tfjs';
import { EmbeddingStore } from '../src/model/embeddings.js';
import { DenseOptimizer } from '../src/model/optim-dense.js';
import { compileWorkload, syntheticBatches } from './workload.js';
import { profileArgs, timeMethod } from './timing.js';

/** Accumulated milliseconds per phase. */
const phases = new Map<string, number>();

/** Wrap `obj[name]` with a timer charging phase `phase`. */
function timePhase(obj: Record<string, unknown>, name: string, phase: string): void {
  timeMethod(obj, name, (_, ms) => phases.set(phase, (phases.get(phase) ?? 0) + ms));
}

async function main(): Promise<void> {
  const { backend, vocab, steps, workloads } = await profileArgs(process.argv.slice(2), 6);
  timePhase(EmbeddingStore.prototype as unknown as Record<string, unknown>, 'lookup', 'embedding lookup (JS)');
  timePhase(EmbeddingStore.prototype as unknown as Record<string, unknown>, 'backward', 'embedding grad scatter (JS)');
  timePhase(EmbeddingStore.prototype as unknown as Record<string, unknown>, 'takeGradients', 'embedding gradient take');
  timePhase(EmbeddingStore.prototype as unknown as Record<string, unknown>, 'applyGradients', 'embedding optimiser');
  timePhase(DenseOptimizer.prototype as unknown as Record<string, unknown>, 'apply', 'dense Adam');
  console.log(`backend ${backend.name}, V=${vocab}, batch 1024, ${steps} steps after 2 warm-up steps`);
  for (const w of workloads) {
    const { ir, runtime } = await compileWorkload(w, vocab);
    const batches = syntheticBatches(ir, vocab, 1024, 2);
    for (let i = 0; i < 2; i++) runtime.trainStep(batches[i % 2]!);
    phases.clear();
    let total = 0;
    let cpu = 0; // the process's CPU time over the timed steps (all threads): what a step costs on a busy machine
    const kernels = new Map<string, number>();
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      if (i === steps - 1) {
        const info = await tf.profile(() => void runtime.trainStep(batches[i % 2]!));
        for (const k of info.kernels) kernels.set(k.name, (kernels.get(k.name) ?? 0) + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0));
      } else {
        const c0 = process.cpuUsage();
        runtime.trainStep(batches[i % 2]!);
        const c = process.cpuUsage(c0);
        cpu += (c.user + c.system) / 1000;
        total += performance.now() - t0;
      }
    }
    const n = steps - 1;
    const per = (ms: number): string => `${(ms / n).toFixed(1).padStart(7)} ms  ${((100 * ms) / total).toFixed(0).padStart(3)} %`;
    console.log(`\n${w}: ${(total / n).toFixed(1)} ms/step (${Math.round((1024 * n * 1000) / total)} samples/s), CPU ${(cpu / n).toFixed(1)} ms/step`);
    let accounted = 0;
    for (const [p, ms] of phases) {
      // the profiled step is excluded from the phase totals by scaling: phases include it, so subtract its share.
      const share = (ms * n) / steps;
      accounted += share;
      console.log(`  ${p.padEnd(30)}${per(share)}`);
    }
    const kind = runtime.trainStepKind?.();
    const rest = kind?.kind === 'direct' ? 'forward + backward (direct step: addon kernels, OpenBLAS)' : `forward + backward, tensor creation (tfjs${kind?.reason ? `; not direct: ${kind.reason}` : ''})`;
    console.log(`  ${rest.padEnd(30)}${per(total - accounted)}`);
    const top = [...kernels.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
    const kTotal = [...kernels.values()].reduce((a, b) => a + b, 0);
    if (kTotal > 0) console.log(`  tfjs kernels of one profiled step (${kTotal.toFixed(1)} ms in kernels):`);
    for (const [k, ms] of top) console.log(`    ${k.padEnd(28)}${ms.toFixed(1).padStart(7)} ms`);
    runtime.dispose();
  }
}

await main();
