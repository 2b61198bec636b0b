/**
 * The direct step's C kernels compiled to WebAssembly (native/wasm/mtl_kernels.wasm, built from the same
 * sources as the addon by scripts/build-wasm.mjs), for a machine without the native addon and for browsers.
 *
 * The module imports tfjs-backend-wasm's own memory: its kernels work on the very heap where tfjs keeps every
 * weight, so the direct step's element offsets (src/model/direct/step.ts) address the same floats as on the
 * native backend, with no copies. The module owns no data in that memory (the build checks it has no data
 * segments). Everything it needs is carved, once, from blocks allocated with tfjs's malloc when the kernels
 * are made: its C stack, the scratch where small operands (offset lists, betas, optimiser scalars) are
 * copied before each call, and the arena its own malloc/free (GEMM packing buffers, batch-norm sums) take
 * from. None of them grows the heap during a step — growing it would detach the views of the heap that the
 * step holds (an allocation larger than the arena is the one exception, taken from tfjs's malloc).
 *
 * tfjs's wasm backend runs its single-threaded build in Node (see backend.ts), and these kernels share its
 * memory, which no other thread can see; with n ≥ 2 threads (threadCount: 2 by default on a ≥ 2-core machine,
 * `MTL_THREADS=n`) the large GEMMs are still shared with n − 1 helper threads that get copies of their operands
 * (./wasm-threads.ts), with the same bits as one thread. `MTL_WASM_KERNELS=off` keeps the plain tfjs graph on wasm (for
 * comparisons).
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../util/package-root.js';
import type { HeapKernels } from './native-blas.js';
import { GATE_KERNEL_MAX_EXPERTS, GATE_NORMALIZER_CODES } from '../ir/ops/gate-normalizers.js';
import { WasmGemmThreads } from './wasm-threads.js';
import { threadCount } from './thread-count.js';
import { poisonBytes } from './wasm-poison.js';

/** Where the module is, relative to the package root. */
export const WASM_KERNELS_FILE = path.join('native', 'wasm', 'mtl_kernels.wasm');

/** The C stack given to the module (the kernels keep only small tiles on it). */
const STACK_BYTES = 256 * 1024;
/** The scratch block's first size: room for the offset lists of any step we have seen, many times over. */
const SCRATCH_BYTES = 256 * 1024;
/** The arena of the module's malloc: the GEMM's packing buffers take ~1.2 MiB (native/wasm/mtl_wasm_gemm.c). */
const ARENA_BYTES = 4 * 1024 * 1024;

/**
 * The module's malloc/free: a stack of blocks in one arena (the kernels free what they allocate before they
 * return, in any order; a freed block is reclaimed once every block above it is freed too). A request the
 * arena cannot hold goes to tfjs's malloc.
 */
class KernelArena {
  private top: number;
  private readonly blocks: Array<{ ptr: number; freed: boolean }> = [];
  constructor(
    private readonly wasm: EmscriptenLike,
    private readonly memory: WebAssembly.Memory,
    private readonly base: number,
    private readonly size: number,
  ) {
    this.top = base;
  }

  malloc(bytes: number): number {
    const size = (bytes + 15) & ~15;
    if (this.top + size <= this.base + this.size) {
      const ptr = this.top;
      this.top += size;
      this.blocks.push({ ptr, freed: false });
      poisonBytes(this.memory.buffer, ptr, size); // MTL_WASM_POISON only
      return ptr;
    }
    return this.wasm._malloc(bytes) >>> 0;
  }

  free(ptr: number): void {
    if (ptr === 0) return;
    if (ptr < this.base || ptr >= this.base + this.size) {
      this.wasm._free(ptr);
      return;
    }
    const block = this.blocks.find((b) => b.ptr === ptr);
    if (block) block.freed = true;
    while (this.blocks.length > 0 && this.blocks[this.blocks.length - 1]!.freed) this.top = this.blocks.pop()!.ptr;
  }
}

/** The exports of mtl_kernels.wasm (native/wasm/mtl_wasm.c); pointers are byte addresses in the heap. */
interface KernelExports {
  __stack_pointer: WebAssembly.Global;
  sgemm_batch(ta: number, tb: number, m: number, n: number, k: number, a: number, b: number, c: number, ao: number, bo: number, batch: number): void;
  gemm_ld_at(mem: number, ta: number, tb: number, m: number, n: number, k: number, lda: number, ldb: number, ldc: number, ao: number, bo: number, co: number, betas: number, na: number): void;
  dense_update(kind: number, w: number, g: number, s0: number, s1: number, n: number, scalars: number): void;
  gemm_at(mem: number, ta: number, tb: number, m: number, n: number, k: number, ao: number, bo: number, co: number, betas: number, na: number): void;
  bias_act_at(mem: number, rows: number, cols: number, act: number, yo: number, bo: number, ny: number): void;
  act_grad_at(mem: number, count: number, act: number, dyo: number, yo: number, nd: number): void;
  col_sum_at(mem: number, rows: number, cols: number, so: number, dso: number, ns: number): void;
  gate_weights_at(mem: number, kind: number, rows: number, n: number, k: number, invT: number, scale: number, io: number, oo: number): void;
  gate_weights_grad_at(mem: number, kind: number, rows: number, n: number, invT: number, scale: number, wo: number, dwo: number, oo: number): void;
  mix_at(mem: number, rows: number, width: number, wo: number, eo: number, n: number, oo: number): void;
  mix_grad_at(mem: number, rows: number, width: number, wo: number, eo: number, n: number, doo: number, deo: number, acc: number, dwo: number): void;
  copy_cols_at(mem: number, so: number, ss: number, dso: number, ds: number, rows: number, cols: number, accumulate: number): void;
  dropout_at(mem: number, count: number, rate: number, seed: number, step: number, streams: number, io: number, oo: number, mo: number, ni: number): void;
  mul_at(mem: number, count: number, ao: number, bo: number, oo: number, na: number): void;
  gate_noise_at(mem: number, rows: number, n: number, seed: number, step: number, stream: number, lo: number, no: number, eo: number): void;
  gate_noise_grad_at(mem: number, count: number, dho: number, eo: number, no: number, oo: number): void;
  importance_loss_at(mem: number, rows: number, n: number, weight: number, eps: number, wo: number, dwo: number, accumulate: number): number;
  batch_norm_at(mem: number, rows: number, cols: number, eps: number, momentum: number, xo: number, go: number, bo: number, mmo: number, mvo: number, ho: number, so: number, oo: number, nx: number): number;
  batch_norm_grad_at(mem: number, rows: number, cols: number, dyo: number, ho: number, so: number, go: number, dxo: number, dgo: number, dbo: number, nd: number): number;
  batch_norm_infer_at(mem: number, rows: number, cols: number, eps: number, xo: number, go: number, bo: number, mmo: number, mvo: number, oo: number, nx: number): void;
}

/** The parts of tfjs-backend-wasm's module used here (its emscripten Module; `asm` holds the instance's exports). */
interface EmscriptenLike {
  asm?: { memory?: WebAssembly.Memory };
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

/** A typed array that may or may not live in the heap. */
type Operand = Float32Array | Int32Array;

/**
 * Small operands are staged in one heap block that grows by doubling; `take` hands out 16-byte-aligned
 * pieces for one call, `reset` starts the next call.
 */
class Scratch {
  private ptr = 0;
  private size = 0;
  private used = 0;
  constructor(
    private readonly wasm: EmscriptenLike,
    private readonly memory: WebAssembly.Memory,
  ) {}

  /** Make room for `bytes` in all for this call (may grow the heap, so take views after). */
  reserve(bytes: number): void {
    if (bytes <= this.size) return;
    if (this.ptr) this.wasm._free(this.ptr);
    this.size = Math.max(bytes, this.size * 2, 64 * 1024);
    this.ptr = this.wasm._malloc(this.size) >>> 0;
    if (this.ptr === 0) throw new Error(`mtl: could not allocate ${this.size} bytes of scratch in the wasm heap`);
  }

  reset(): void {
    // MTL_WASM_POISON: what the previous call staged must not be read by the next one.
    if (this.used > 0) poisonBytes(this.memory.buffer, this.ptr, this.used);
    this.used = 0;
  }

  /** Copy `a` into the scratch block; returns its byte address. */
  put(heap: ArrayBuffer, a: Operand): number {
    const at = this.ptr + this.used;
    this.used += (a.byteLength + 15) & ~15;
    new Uint8Array(heap, at, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return at;
  }
}

/** Bytes of the scratch a call needs for these operands (each rounded up to 16). */
function scratchBytes(operands: readonly Operand[]): number {
  let n = 0;
  for (const a of operands) n += (a.byteLength + 15) & ~15;
  return n;
}

let cached: { bytes?: Uint8Array<ArrayBuffer>; error?: string } | undefined;

/** The module's bytes (read once), or undefined with {@link wasmKernelsError} saying why. */
function moduleBytes(): Uint8Array<ArrayBuffer> | undefined {
  if (cached) return cached.bytes;
  const file = path.join(packageRoot(), WASM_KERNELS_FILE);
  try {
    cached = { bytes: new Uint8Array(readFileSync(file)) };
  } catch (e) {
    cached = { error: `${file}: ${e instanceof Error ? e.message : String(e)}` };
  }
  return cached.bytes;
}

/** Why the WebAssembly kernels could not be made (undefined when they could, or were not tried). */
export function wasmKernelsError(): string | undefined {
  return cached?.error;
}

/**
 * The WebAssembly kernels on the running wasm backend's heap, or undefined (with {@link wasmKernelsError})
 * when the module is missing, disabled by MTL_WASM_KERNELS=off, or the backend does not expose its memory.
 */
export function createWasmKernels(): HeapKernels | undefined {
  if (process.env['MTL_WASM_KERNELS'] === 'off') {
    cached = { error: 'disabled by MTL_WASM_KERNELS=off' };
    return undefined;
  }
  if (tf.getBackend() !== 'wasm') return undefined;
  const wasm = (tf.backend() as unknown as { wasm?: EmscriptenLike }).wasm;
  const memory = wasm?.asm?.memory;
  if (!wasm || !(memory instanceof WebAssembly.Memory)) {
    cached = { error: 'the wasm backend does not expose its memory' };
    return undefined;
  }
  const bytes = moduleBytes();
  if (!bytes) return undefined;
  const stack = wasm._malloc(STACK_BYTES) >>> 0;
  const arenaBase = wasm._malloc(ARENA_BYTES) >>> 0;
  if (stack === 0 || arenaBase === 0) {
    cached = { error: 'no room in the wasm heap for the kernels\' stack and arena' };
    return undefined;
  }
  const arena = new KernelArena(wasm, memory, (arenaBase + 15) & ~15, ARENA_BYTES - 16);
  let x: KernelExports;
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(bytes);
    const instance = new WebAssembly.Instance(module, {
      env: { memory, malloc: (n: number) => arena.malloc(n), free: (p: number) => arena.free(p) },
    });
    x = instance.exports as unknown as KernelExports;
  } catch (e) {
    cached = { error: `${WASM_KERNELS_FILE} did not instantiate: ${e instanceof Error ? e.message : String(e)}` };
    return undefined;
  }
  x.__stack_pointer.value = (stack + STACK_BYTES) & ~15;
  const scratch = new Scratch(wasm, memory);
  scratch.reserve(SCRATCH_BYTES); // now, so that staging a call's operands does not grow the heap during a step
  // The helpers start in the background; until they are ready every GEMM runs here (same bits either way).
  threads?.dispose();
  const count = threadCount();
  threads = count > 1 ? new WasmGemmThreads(module, count) : undefined;
  return wrap(x, memory, scratch, wasm, threads);
}

/** The helper threads of the kernels made last (undefined with one thread). */
let threads: WasmGemmThreads | undefined;

/** The helper threads of the WebAssembly kernels made last, or undefined when they run on one thread. */
export function wasmKernelThreads(): WasmGemmThreads | undefined {
  return threads;
}

/** The HeapKernels interface over the module's exports. */
function wrap(x: KernelExports, memory: WebAssembly.Memory, scratch: Scratch, wasm: EmscriptenLike, helpers: WasmGemmThreads | undefined): HeapKernels {
  /** Stage the small operands; returns their addresses (call before taking any heap view). */
  const stage = (...operands: Operand[]): number[] => {
    scratch.reset();
    scratch.reserve(scratchBytes(operands));
    const heap = memory.buffer;
    return operands.map((a) => scratch.put(heap, a));
  };
  /** The byte address of the heap's base for `mem` (the direct step passes a view of the whole heap). */
  const base = (mem: Float32Array): number => {
    // A view taken before the heap last grew is detached (byteLength 0); its base is still address 0.
    if (mem.byteOffset !== 0 || (mem.buffer !== memory.buffer && mem.buffer.byteLength !== 0)) {
      throw new Error('mtl: the WebAssembly kernels got an array that is not a view of the wasm heap');
    }
    return 0;
  };
  /** The address of `a` when it lives in the heap, else undefined. */
  const inHeap = (a: Float32Array): number | undefined => (a.buffer === memory.buffer ? a.byteOffset : undefined);
  const f32 = (v: number[]): Float32Array => Float32Array.from(v);

  return {
    config: () => `WebAssembly SIMD kernels (mtl_kernels.wasm, ${helpers ? `${helpers.threads} threads` : '1 thread'})`,

    sgemmBatch(ta, tb, m, n, k, a, b, c, aOffs, bOffs) {
      const pa = inHeap(a);
      const pb = inHeap(b);
      const pc = inHeap(c);
      const [ao, bo] = stage(aOffs, bOffs);
      if (pa !== undefined && pb !== undefined && pc !== undefined) {
        x.sgemm_batch(+ta, +tb, m, n, k, pa, pb, pc, ao!, bo!, aOffs.length);
        return;
      }
      // Operands outside the heap (a caller's own arrays): copy them in, multiply, copy the product out.
      const ptr = [a, b, c].map((v) => (inHeap(v) === undefined ? heapCopy(v) : undefined));
      try {
        x.sgemm_batch(+ta, +tb, m, n, k, ptr[0] ?? pa!, ptr[1] ?? pb!, ptr[2] ?? pc!, ao!, bo!, aOffs.length);
        if (ptr[2] !== undefined) c.set(new Float32Array(memory.buffer, ptr[2], c.length));
      } finally {
        for (const p of ptr) if (p !== undefined) freeCopy(p);
      }
    },

    denseUpdate(kind, w, g, s0, s1, scalars) {
      const arrays = [w, g, s0, s1];
      const addr = arrays.map(inHeap); // all before any copy: a copy may grow the heap and detach the views
      const ptr = arrays.map((v, i) => addr[i] ?? heapCopy(v));
      const [sc] = stage(f32(scalars));
      try {
        x.dense_update(kind, ptr[0]!, ptr[1]!, ptr[2]!, ptr[3]!, w.length, sc!);
        arrays.forEach((v, i) => {
          if (addr[i] === undefined && i !== 1) v.set(new Float32Array(memory.buffer, ptr[i]!, v.length));
        });
      } finally {
        arrays.forEach((v, i) => {
          if (addr[i] === undefined) freeCopy(ptr[i]!);
        });
      }
    },

    gemmAt(mem, ta, tb, m, n, k, aOffs, bOffs, cOffs, betas) {
      const at = base(mem); // before staging: staging may grow the heap
      const [ao, bo, co, be] = stage(aOffs, bOffs, cOffs, betas);
      const rows = (r0: number, r1: number, lda: number, ldb: number, ldc: number): void => {
        if (r0 === 0) return x.gemm_ld_at(at, +ta, +tb, r1, n, k, lda, ldb, ldc, ao!, bo!, co!, be!, aOffs.length);
        // A later row block: A and C start r0 rows (A's columns when transposed) further on.
        const [a0, c0, b0, e0] = stage(aOffs.map((o) => o + (ta ? r0 : r0 * k)), cOffs.map((o) => o + r0 * n), bOffs, betas);
        x.gemm_ld_at(at, +ta, +tb, r1 - r0, n, k, lda, ldb, ldc, a0!, b0!, c0!, e0!, aOffs.length);
      };
      if (helpers?.gemm(memory.buffer, ta, tb, m, n, k, aOffs, bOffs, cOffs, betas, rows)) return;
      x.gemm_at(at, +ta, +tb, m, n, k, ao!, bo!, co!, be!, aOffs.length);
    },
    biasActAt(mem, rows, cols, act, outOffs, biasOffs) {
      const at = base(mem); // before staging: staging may grow the heap
      const [yo, bo] = stage(outOffs, biasOffs);
      x.bias_act_at(at, rows, cols, act, yo!, bo!, outOffs.length);
    },
    actGradAt(mem, count, act, dyOffs, yOffs) {
      const at = base(mem); // before staging: staging may grow the heap
      const [dyo, yo] = stage(dyOffs, yOffs);
      x.act_grad_at(at, count, act, dyo!, yo!, dyOffs.length);
    },
    colSumAt(mem, rows, cols, srcOffs, dstOffs) {
      const at = base(mem); // before staging: staging may grow the heap
      const [so, dso] = stage(srcOffs, dstOffs);
      x.col_sum_at(at, rows, cols, so!, dso!, srcOffs.length);
    },
    gateWeightsAt(mem, kind, rows, n, k, invT, scale, inOff, outOff) {
      // The C kernel keeps a top-k row's mask on its stack (mtl_step.c checks this on the addon).
      if (kind === GATE_NORMALIZER_CODES.topk && (k < 1 || k > n || n > GATE_KERNEL_MAX_EXPERTS)) throw new Error(`mtl: gateWeightsAt: top-k needs 1 <= k <= n <= ${GATE_KERNEL_MAX_EXPERTS}`);
      x.gate_weights_at(base(mem), kind, rows, n, k, invT, scale, inOff, outOff);
    },
    gateWeightsGradAt(mem, kind, rows, n, invT, scale, wOff, dwOff, outOff) {
      x.gate_weights_grad_at(base(mem), kind, rows, n, invT, scale, wOff, dwOff, outOff);
    },
    mixAt(mem, rows, width, wOff, expertOffs, outOff) {
      const at = base(mem); // before staging: staging may grow the heap
      const [eo] = stage(expertOffs);
      x.mix_at(at, rows, width, wOff, eo!, expertOffs.length, outOff);
    },
    mixGradAt(mem, rows, width, wOff, expertOffs, dOutOff, dExpertOffs, accumulate, dwOff) {
      const at = base(mem); // before staging: staging may grow the heap
      const [eo, deo, acc] = stage(expertOffs, dExpertOffs, accumulate);
      x.mix_grad_at(at, rows, width, wOff, eo!, expertOffs.length, dOutOff, deo!, acc!, dwOff);
    },
    copyColsAt(mem, srcOff, srcStride, dstOff, dstStride, rows, cols, accumulate) {
      x.copy_cols_at(base(mem), srcOff, srcStride, dstOff, dstStride, rows, cols, +accumulate);
    },
    dropoutAt(mem, count, rate, seed, step, streams, inOffs, outOffs, maskOffs) {
      const at = base(mem); // before staging: staging may grow the heap
      const [so, io, oo, mo] = stage(streams, inOffs, outOffs, maskOffs);
      x.dropout_at(at, count, rate, seed, step, so!, io!, oo!, mo!, inOffs.length);
    },
    mulAt(mem, count, aOffs, bOffs, outOffs) {
      const at = base(mem); // before staging: staging may grow the heap
      const [ao, bo, oo] = stage(aOffs, bOffs, outOffs);
      x.mul_at(at, count, ao!, bo!, oo!, aOffs.length);
    },
    gateNoiseAt(mem, rows, n, seed, step, stream, logitsOff, noiseOff, epsOff) {
      x.gate_noise_at(base(mem), rows, n, seed, step, stream, logitsOff, noiseOff, epsOff);
    },
    gateNoiseGradAt(mem, count, dhOff, epsOff, noiseOff, outOff) {
      x.gate_noise_grad_at(base(mem), count, dhOff, epsOff, noiseOff, outOff);
    },
    importanceLossAt(mem, rows, n, weight, epsilon, wOff, dwOff, accumulate) {
      if (n < 1 || n > GATE_KERNEL_MAX_EXPERTS) throw new Error(`mtl: importanceLossAt: needs 1 <= n <= ${GATE_KERNEL_MAX_EXPERTS}`);
      return x.importance_loss_at(base(mem), rows, n, weight, epsilon, wOff, dwOff, +accumulate);
    },
    batchNormAt(mem, rows, cols, epsilon, momentum, xOffs, gammaOffs, betaOffs, meanOffs, varOffs, xhatOffs, invStdOffs, outOffs) {
      const at = base(mem); // before staging: staging may grow the heap
      const p = stage(xOffs, gammaOffs, betaOffs, meanOffs, varOffs, xhatOffs, invStdOffs, outOffs);
      if (x.batch_norm_at(at, rows, cols, epsilon, momentum, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!, p[7]!, xOffs.length) !== 0) {
        throw new Error('mtl: batchNormAt: out of memory in the wasm heap');
      }
    },
    batchNormGradAt(mem, rows, cols, dyOffs, xhatOffs, invStdOffs, gammaOffs, dxOffs, dGammaOffs, dBetaOffs) {
      const at = base(mem); // before staging: staging may grow the heap
      const p = stage(dyOffs, xhatOffs, invStdOffs, gammaOffs, dxOffs, dGammaOffs, dBetaOffs);
      if (x.batch_norm_grad_at(at, rows, cols, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!, dyOffs.length) !== 0) {
        throw new Error('mtl: batchNormGradAt: out of memory in the wasm heap');
      }
    },
    batchNormInferAt(mem, rows, cols, epsilon, xOffs, gammaOffs, betaOffs, meanOffs, varOffs, outOffs) {
      const at = base(mem); // before staging: staging may grow the heap
      const p = stage(xOffs, gammaOffs, betaOffs, meanOffs, varOffs, outOffs);
      x.batch_norm_infer_at(at, rows, cols, epsilon, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, xOffs.length);
    },
  };

  /** Copy a non-heap array into a fresh heap block of tfjs's allocator; returns its address (free with freeCopy). */
  function heapCopy(a: Float32Array): number {
    const ptr = wasm._malloc(a.byteLength) >>> 0;
    if (ptr === 0) throw new Error(`mtl: could not allocate ${a.byteLength} bytes in the wasm heap`);
    new Float32Array(memory.buffer, ptr, a.length).set(a);
    return ptr;
  }
  function freeCopy(ptr: number): void {
    wasm._free(ptr);
  }
}
