/**
 * A helper thread of the WebAssembly kernels (started by src/exec/wasm-threads.ts): it runs the row block of
 * a GEMM that the main thread hands it, with its own instance of mtl_kernels.wasm on a memory of its own.
 *
 * Why a memory of its own: the main thread's kernels work in tfjs-backend-wasm's heap, which its
 * single-threaded build (the one tfjs runs in Node) defines inside its module as a plain, non-shared memory —
 * no other thread can see it. So operands travel through a SharedArrayBuffer: the main thread copies a job's
 * A rows, B and (when β ≠ 0) C rows there; this thread copies them into its memory, multiplies, and copies
 * its C rows back. workerData: { module, sab, layout } — the compiled module, the shared block, and the
 * block's layout (defined once, in wasm-threads.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';

const { module, sab, layout: L } = workerData;
const ctrl = new Int32Array(sab, 0, L.controlInts);
const betas = new Float32Array(sab, L.betasByte, L.maxItems);
const data = new Float32Array(sab, L.dataByte, L.dataFloats);

// This thread's memory: its C stack, the arena of its malloc (GEMM packing buffers), the job's offset lists,
// then the job's operands at the same float offsets as in the shared block's data region.
const STACK_TOP = 1 << 20;
const ARENA = STACK_TOP;
const ARENA_BYTES = 8 << 20;
const OFFSETS = ARENA + ARENA_BYTES;
const DATA = OFFSETS + (1 << 16);
const memory = new WebAssembly.Memory({ initial: Math.ceil((DATA + L.dataFloats * 4) / 65536) });
let top = ARENA;

try {
  const x = new WebAssembly.Instance(module, {
    env: {
      memory,
      // The kernels free all they allocate before returning; the arena restarts with every job.
      malloc: (n) => {
        const p = (top + 15) & ~15;
        if (p + n > ARENA + ARENA_BYTES) return 0; // the GEMM then runs its unpacked loop
        top = p + n;
        return p;
      },
      free: () => {},
    },
  }).exports;
  x.__stack_pointer.value = STACK_TOP;
  Atomics.store(ctrl, L.ready, 1);
  parentPort.postMessage('ready');
  const heap = new Float32Array(memory.buffer);
  const ints = new Int32Array(memory.buffer);
  for (;;) {
    let state;
    while ((state = Atomics.load(ctrl, L.state)) !== L.JOB && state !== L.QUIT) Atomics.wait(ctrl, L.state, state);
    if (state === L.QUIT) break;
    // Claim the job; the main thread takes back a job nobody claimed by the time its own rows are done.
    if (Atomics.compareExchange(ctrl, L.state, L.JOB, L.RUNNING) !== L.JOB) continue;
    try {
      const items = ctrl[L.items];
      const base = DATA / 4;
      heap.set(data.subarray(0, ctrl[L.inFloats]), base);
      const offsets = OFFSETS / 4;
      for (let i = 0; i < items; i++) {
        ints[offsets + i] = base + ctrl[L.itemInts + 3 * i];
        ints[offsets + L.maxItems + i] = base + ctrl[L.itemInts + 3 * i + 1];
        ints[offsets + 2 * L.maxItems + i] = base + ctrl[L.itemInts + 3 * i + 2];
        heap[offsets + 3 * L.maxItems + i] = betas[i];
      }
      top = ARENA;
      x.gemm_ld_at(0, ctrl[L.ta], ctrl[L.tb], ctrl[L.m], ctrl[L.n], ctrl[L.k], ctrl[L.lda], ctrl[L.ldb], ctrl[L.n], OFFSETS, OFFSETS + 4 * L.maxItems, OFFSETS + 8 * L.maxItems, OFFSETS + 12 * L.maxItems, items);
      const c0 = ctrl[L.cStart];
      data.set(heap.subarray(base + c0, base + c0 + ctrl[L.cFloats]), c0);
      Atomics.store(ctrl, L.state, L.DONE);
    } catch {
      Atomics.store(ctrl, L.state, L.FAILED);
    }
    Atomics.notify(ctrl, L.state);
  }
} catch (e) {
  // Could not start: the main thread keeps every GEMM (it checks `ready` before each split).
  Atomics.store(ctrl, L.ready, -1);
  parentPort.postMessage(`failed: ${e instanceof Error ? e.message : String(e)}`);
}
