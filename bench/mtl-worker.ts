/**
 * A child process of the harness holding one compiled workload (so its peak memory is its own):
 * `compile` → then any number of `train` / `predict` measurements on request (IPC), so that the harness
 * can interleave them with the peer's runs. Training goes through `ModelRuntime.trainStep`, the path
 * `mtl train` uses, on synthetic Batches.
 */
import { activeKernelsLabel, selectBackend, type BackendName } from '../src/exec/backend.js';
import { compileWorkload, syntheticBatches, type CompiledWorkload } from './workload.js';
import { naiveTrainRate, type NaiveResult } from './naive.js';
import type { Workload } from './specs.js';

/** Requests from the harness. */
export type WorkerRequest =
  | { op: 'compile'; workload: Workload; vocab: number; backend: BackendName }
  | { op: 'train'; seconds: number; minSteps: number }
  | { op: 'predict'; seconds: number }
  | { op: 'naive'; workload: Workload; vocab: number; steps: number }
  | { op: 'exit' };

/** Replies to the harness. */
export type WorkerReply =
  | { ok: true; op: 'compile'; backend: string; flopsPerSample: number; parameters: number }
  | { ok: true; op: 'train'; samplesPerSecond: number; steps: number; loss: number }
  | { ok: true; op: 'predict'; batchSamplesPerSecond: number; latencyMs: number }
  | { ok: true; op: 'naive'; result: NaiveResult }
  | { ok: true; op: 'exit'; peakRssMb: number }
  | { ok: false; error: string };

const BATCH = 1024;
let compiled: CompiledWorkload | undefined;
let batches: ReturnType<typeof syntheticBatches> = [];
let backendName = 'wasm';

/**
 * Forward FLOPs per sample of the dense layers (2 × multiply-adds of every kernel), counted on the same
 * workload compiled with a 10-row vocabulary: the dense part does not depend on V, and getState() of the
 * real model would copy every embedding table and Adam moment (5 GB at V = 1e6, which the peak-memory
 * column would then charge to mtl).
 */
async function denseFlops(workload: Workload): Promise<number> {
  const small = await compileWorkload(workload, 10);
  let macs = 0;
  for (const [k, t] of Object.entries(small.runtime.getState().tensors)) if (k.startsWith('dense/') && k.endsWith('/kernel')) macs += t.data.length;
  small.runtime.dispose();
  return 2 * macs;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function handle(req: WorkerRequest): Promise<WorkerReply> {
  switch (req.op) {
    case 'compile': {
      backendName = (await selectBackend(req.backend)).name;
      compiled = await compileWorkload(req.workload, req.vocab);
      batches = syntheticBatches(compiled.ir, req.vocab, BATCH, 4);
      for (let i = 0; i < 3; i++) compiled.runtime.trainStep(batches[i % batches.length]!); // warm-up
      const step = compiled.runtime.trainStepKind?.();
      // Which kernels and which training step the figures are of, as metrics.json records them:
      // "native (built-in GEMM (AVX2+FMA, 2 threads)), direct step", "wasm (WebAssembly SIMD kernels (…, 2 threads)), direct step".
      const backend = `${backendName} (${activeKernelsLabel()})`;
      const backendLabel = step ? `${backend}, ${step.kind} step${step.reason ? ` (${step.reason})` : ''}` : backend;
      return { ok: true, op: 'compile', backend: backendLabel, flopsPerSample: await denseFlops(req.workload), parameters: compiled.runtime.parameterCount() };
    }
    case 'train': {
      const rt = compiled!.runtime;
      let steps = 0;
      let loss = 0;
      const t0 = performance.now();
      while (steps < req.minSteps || performance.now() - t0 < req.seconds * 1000) {
        loss = rt.trainStep(batches[steps % batches.length]!).loss;
        steps++;
      }
      const dt = (performance.now() - t0) / 1000;
      return { ok: true, op: 'train', samplesPerSecond: (steps * BATCH) / dt, steps, loss };
    }
    case 'predict': {
      const rt = compiled!.runtime;
      const big = batches[0]!;
      let n = 0;
      const t0 = performance.now();
      while (n < 2 || performance.now() - t0 < (req.seconds * 1000) / 2) {
        rt.predict(big);
        n++;
      }
      const batchRate = (n * BATCH * 1000) / (performance.now() - t0);
      const one = syntheticBatches(compiled!.ir, 10, 1, 1)[0]!;
      const lat: number[] = [];
      const t1 = performance.now();
      while (lat.length < 20 || performance.now() - t1 < (req.seconds * 1000) / 2) {
        const s = performance.now();
        rt.predict(one);
        lat.push(performance.now() - s);
      }
      return { ok: true, op: 'predict', batchSamplesPerSecond: batchRate, latencyMs: median(lat) };
    }
    case 'naive': {
      if (backendName === 'wasm') await selectBackend('wasm');
      return { ok: true, op: 'naive', result: await naiveTrainRate(req.workload, req.vocab, req.steps) };
    }
    case 'exit':
      compiled?.runtime.dispose();
      return { ok: true, op: 'exit', peakRssMb: process.resourceUsage().maxRSS / 1024 };
  }
}

process.on('message', (req: WorkerRequest) => {
  handle(req).then(
    (r) => {
      process.send!(r);
      if (req.op === 'exit') process.disconnect();
    },
    (e: unknown) => process.send!({ ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
});
