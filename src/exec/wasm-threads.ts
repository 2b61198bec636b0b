/**
 * Threads for the WebAssembly kernels' GEMMs without tfjs's threaded build: helper threads
 * (native/wasm/mtl_kernels_worker.mjs, Node worker_threads), each with its own instance of mtl_kernels.wasm
 * on its own memory, take row blocks of the large products while the main thread computes the first block
 * in tfjs's heap.
 *
 * Why copies: tfjs-backend-wasm's single-threaded build (the one it runs in Node; its threaded build cannot
 * start there) defines its memory inside its module, unshared, so no other thread can read the heap where
 * the weights and the step's arena live. A helper's operands — its rows of op(A), all of op(B), its rows of
 * C when β ≠ 0 — are copied into a SharedArrayBuffer, and its rows of C copied back: ~4 bytes moved per
 * 2·n flops of its block, a few per cent of its time on the step's shapes (bench/README.md).
 *
 * Same bits: every element of C is computed by the same sequence of operations in whichever thread and
 * block it lands (mtl_wasm_gemm.c), so a split product equals the unsplit one exactly; whether a helper is
 * ready yet (it starts asynchronously) changes only the speed. A product too small to pay for the copies
 * and the hand-over, or too large for the shared block, stays on the main thread.
 */
import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import { packageRoot } from '../util/package-root.js';

/** The helper's script, relative to the package root. */
export const WASM_WORKER_FILE = path.join('native', 'wasm', 'mtl_kernels_worker.mjs');

/**
 * Products below this many flops stay on the main thread: a hand-over wakes a sleeping thread and copies
 * operands, which a product of ~0.2 ms (8 MFLOP at ~40 GFLOP/s) no longer pays for.
 */
export const MIN_SPLIT_FLOPS = 8e6;
/** Most items of one batched product a helper takes (offset lists in the control block). */
const MAX_ITEMS = 64;
/** Floats of each helper's data region (64 MiB: the step's largest job is ~3M floats). */
const DATA_FLOATS = 16 << 20;

/**
 * The shared block's layout (Int32 indices of the control block, byte offsets of the betas and data), passed
 * to the helper as workerData so that it is defined once.
 */
const LAYOUT = {
  state: 0,
  ready: 1,
  ta: 2,
  tb: 3,
  m: 4,
  n: 5,
  k: 6,
  lda: 7,
  ldb: 8,
  items: 9,
  inFloats: 10,
  cStart: 11,
  cFloats: 12,
  itemInts: 16,
  maxItems: MAX_ITEMS,
  controlInts: 16 + 3 * MAX_ITEMS,
  betasByte: 4 * (16 + 3 * MAX_ITEMS),
  dataByte: 4 * (16 + 4 * MAX_ITEMS),
  dataFloats: DATA_FLOATS,
  IDLE: 0,
  JOB: 1,
  DONE: 2,
  QUIT: 3,
  FAILED: 4,
  RUNNING: 5,
} as const;

/** How long the main thread waits for a helper's rows before giving up (it never takes this long). */
const HELPER_TIMEOUT_MS = 60_000;

/** One helper thread and its shared block. */
interface Helper {
  worker: Worker;
  ctrl: Int32Array;
  betas: Float32Array;
  data: Float32Array;
  /** Resolves true when the helper's module runs, false when it could not start. */
  started: Promise<boolean>;
}

/** A row block of a product handed to one helper, laid out in its data region. */
interface Job {
  helper: Helper;
  r0: number;
  r1: number;
  /** Heap float offset of each distinct C (in the order of their blocks in the data region) and its data offset. */
  cBlocks: Array<{ heap: number; data: number }>;
}

/**
 * Rows [r0, r1) of a product computed in the heap by the main thread, with the whole product's leading
 * dimensions: its own first block, and a helper's block that no helper claimed in time.
 */
export type MainRows = (r0: number, r1: number, lda: number, ldb: number, ldc: number) => void;

/**
 * The helper threads of one set of WebAssembly kernels: `threads − 1` workers, started now, used once ready.
 */
export class WasmGemmThreads {
  private readonly helpers: Helper[];
  /** Products split so far (for tests and the profile). */
  splits = 0;
  /** Helper blocks the main thread computed itself because no helper had claimed them (for the profile). */
  reclaimed = 0;
  /** False keeps every product on the main thread (the tests' comparison run). */
  enabled = true;

  constructor(module: WebAssembly.Module, threads: number) {
    const file = path.join(packageRoot(), WASM_WORKER_FILE);
    this.helpers = Array.from({ length: Math.max(0, threads - 1) }, () => {
      const sab = new SharedArrayBuffer(LAYOUT.dataByte + 4 * DATA_FLOATS);
      const worker = new Worker(file, { workerData: { module, sab, layout: LAYOUT } });
      // The helpers block in Atomics.wait between jobs; they must not keep the process alive.
      worker.unref();
      const started = new Promise<boolean>((resolve) => {
        worker.once('message', (m) => resolve(m === 'ready'));
        worker.once('error', () => resolve(false));
        worker.once('exit', () => resolve(false));
      });
      return { worker, ctrl: new Int32Array(sab, 0, LAYOUT.controlInts), betas: new Float32Array(sab, LAYOUT.betasByte, MAX_ITEMS), data: new Float32Array(sab, LAYOUT.dataByte, DATA_FLOATS), started };
    });
  }

  /** The number of threads, this one included. */
  get threads(): number {
    return 1 + this.helpers.length;
  }

  /** Resolves with the number of threads that run once every helper started or failed to. */
  async ready(): Promise<number> {
    const ok = await Promise.all(this.helpers.map((h) => h.started));
    return 1 + ok.filter(Boolean).length;
  }

  /**
   * C_i = op(A_i)·op(B_i) + β_i·C_i for every i (heap float offsets; row-major, the leading dimensions of an
   * m×k / k×n / m×n product) with the rows shared among the threads: `main` computes rows [0, r1) in the
   * heap, each ready helper a later block. False, computing nothing, when the product stays whole (no helper
   * ready, too small, too many items, or too large for a helper's block): the caller then runs it alone.
   */
  gemm(heap: ArrayBuffer, ta: boolean, tb: boolean, m: number, n: number, k: number, aOffs: Int32Array, bOffs: Int32Array, cOffs: Int32Array, betas: Float32Array, main: MainRows): boolean {
    const items = aOffs.length;
    if (!this.enabled || items === 0 || items > MAX_ITEMS || 2 * m * n * k * items < MIN_SPLIT_FLOPS) return false;
    const ready = this.helpers.filter((h) => Atomics.load(h.ctrl, LAYOUT.ready) === 1 && Atomics.load(h.ctrl, LAYOUT.state) === LAYOUT.IDLE);
    if (ready.length === 0) return false;
    const parts = ready.length + 1;
    // Row blocks in multiples of 4 (the micro-kernel's height), the main thread's first.
    const bound = (j: number): number => (j === parts ? m : Math.round((m * j) / parts / 4) * 4);
    if (bound(1) === 0 || bound(1) === m) return false;
    const f32 = new Float32Array(heap);
    const jobs: Job[] = [];
    for (let j = 1; j < parts; j++) {
      const job = this.layout(ready[j - 1]!, f32, ta, tb, m, n, k, bound(j), bound(j + 1), aOffs, bOffs, cOffs, betas);
      if (!job) {
        for (const started of jobs) Atomics.store(started.helper.ctrl, LAYOUT.state, LAYOUT.IDLE);
        return false;
      }
      jobs.push(job);
    }
    for (const job of jobs) {
      Atomics.store(job.helper.ctrl, LAYOUT.state, LAYOUT.JOB);
      Atomics.notify(job.helper.ctrl, LAYOUT.state);
    }
    let failed: string | undefined;
    const lds = [ta ? m : k, tb ? k : n, n] as const;
    try {
      main(0, bound(1), ...lds);
    } finally {
      // Always collect the helpers (even when the main part threw), so that none is left mid-job.
      for (const job of jobs) {
        const ctrl = job.helper.ctrl;
        // A job its helper has not claimed yet (a busy machine had it descheduled): do it here instead of
        // waiting — the same rows with the same operations, so the same bits.
        if (!failed && Atomics.compareExchange(ctrl, LAYOUT.state, LAYOUT.JOB, LAYOUT.IDLE) === LAYOUT.JOB) {
          main(job.r0, job.r1, ...lds);
          this.reclaimed++;
          continue;
        }
        const t0 = Date.now();
        let state: number;
        while ((state = Atomics.load(ctrl, LAYOUT.state)) === LAYOUT.JOB || state === LAYOUT.RUNNING) {
          if (Atomics.wait(ctrl, LAYOUT.state, state, 1000) === 'timed-out' && Date.now() - t0 > HELPER_TIMEOUT_MS) break;
        }
        if (state !== LAYOUT.DONE) {
          failed ??= state === LAYOUT.FAILED ? 'failed' : 'did not answer within 60 s';
          continue;
        }
        const rows = (job.r1 - job.r0) * n;
        // Views after the main part: nothing it does grows the heap, but take them fresh all the same.
        const out = new Float32Array(heap);
        for (const c of job.cBlocks) out.set(job.helper.data.subarray(c.data, c.data + rows), c.heap + job.r0 * n);
        Atomics.store(ctrl, LAYOUT.state, LAYOUT.IDLE);
      }
    }
    if (failed) throw new Error(`mtl: a WebAssembly GEMM helper thread ${failed}`);
    this.splits++;
    return true;
  }

  /**
   * Copy rows [r0, r1) of a product's operands into `helper`'s data region and write its job; undefined when
   * they do not fit. Operands shared by several items (the same A for every expert, or one C accumulated
   * by all of them) are copied once, so accumulation into one C works as in the heap.
   */
  private layout(helper: Helper, f32: Float32Array, ta: boolean, tb: boolean, m: number, n: number, k: number, r0: number, r1: number, aOffs: Int32Array, bOffs: Int32Array, cOffs: Int32Array, betas: Float32Array): Job | undefined {
    const rows = r1 - r0;
    const items = aOffs.length;
    const aFloats = rows * k;
    const bFloats = k * n;
    const cFloats = rows * n;
    const distinct = (offs: Int32Array): number[] => [...new Set(offs)];
    const as = distinct(aOffs);
    const bs = distinct(bOffs);
    const cs = distinct(cOffs);
    const total = as.length * aFloats + bs.length * bFloats + cs.length * cFloats;
    if (total > DATA_FLOATS) return undefined;
    const data = helper.data;
    const ctrl = helper.ctrl;
    let at = 0;
    const aAt = new Map<number, number>();
    for (const a of as) {
      aAt.set(a, at);
      if (!ta) data.set(f32.subarray(a + r0 * k, a + r1 * k), at);
      // op(A) = Aᵀ, A stored k×m: rows r0..r1 of op(A) are columns of A, one run per k.
      else for (let p = 0; p < k; p++) data.set(f32.subarray(a + p * m + r0, a + p * m + r1), at + p * rows);
      at += aFloats;
    }
    const bAt = new Map<number, number>();
    for (const b of bs) {
      bAt.set(b, at);
      data.set(f32.subarray(b, b + bFloats), at);
      at += bFloats;
    }
    const cStart = at;
    const cBlocks: Job['cBlocks'] = [];
    const cAt = new Map<number, number>();
    for (const c of cs) {
      cAt.set(c, at);
      cBlocks.push({ heap: c, data: at });
      // C is read only when the first product into it has β ≠ 0 (β = 0 never reads C, as BLAS).
      if (betas[cOffs.indexOf(c)] !== 0) data.set(f32.subarray(c + r0 * n, c + r1 * n), at);
      at += cFloats;
    }
    ctrl[LAYOUT.ta] = +ta;
    ctrl[LAYOUT.tb] = +tb;
    ctrl[LAYOUT.m] = rows;
    ctrl[LAYOUT.n] = n;
    ctrl[LAYOUT.k] = k;
    ctrl[LAYOUT.lda] = ta ? rows : k;
    ctrl[LAYOUT.ldb] = tb ? k : n;
    ctrl[LAYOUT.items] = items;
    ctrl[LAYOUT.inFloats] = at;
    ctrl[LAYOUT.cStart] = cStart;
    ctrl[LAYOUT.cFloats] = at - cStart;
    for (let i = 0; i < items; i++) {
      ctrl[LAYOUT.itemInts + 3 * i] = aAt.get(aOffs[i]!)!;
      ctrl[LAYOUT.itemInts + 3 * i + 1] = bAt.get(bOffs[i]!)!;
      ctrl[LAYOUT.itemInts + 3 * i + 2] = cAt.get(cOffs[i]!)!;
      helper.betas[i] = betas[i]!;
    }
    return { helper, r0, r1, cBlocks };
  }

  /** Stop the helpers. */
  dispose(): void {
    for (const h of this.helpers) {
      Atomics.store(h.ctrl, LAYOUT.state, LAYOUT.QUIT);
      Atomics.notify(h.ctrl, LAYOUT.state);
      void h.worker.terminate();
    }
  }
}
