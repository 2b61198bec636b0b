/**
 * The `native` backend: tfjs's wasm backend with BatchMatMul and _FusedMatMul running on OpenBLAS through
 * the optional addon native/mtl_blas.c (built by scripts/build-native.mjs at `npm ci`; without OpenBLAS, or
 * with MTL_BLAS=builtin, the addon's GEMM is mtl's own: native/mtl_gemm.c, and config() says which). matMul is ~85 % of
 * a wasm training step and OpenBLAS runs it 5–10× faster than XNNPACK here.
 *
 * Why wasm and not cpu underneath: with matMul on OpenBLAS, the cpu backend's plain-JS kernels (SplitV,
 * broadcasting Add, Transpose, Mul, Sum) took > 1 s of a 1.5 s mmoe step (bench/profile.ts), half wasm's
 * speed overall, while wasm runs them with SIMD (and mtl's in-heap SplitV/Slice). OpenBLAS reads and
 * writes the wasm heap in place (Float32Array views of the wasm memory), so there is no copy. The wasm
 * kernels are swapped while `native` is selected and restored by `uninstallNativeMatMul` (--backend wasm).
 * The addon is loaded lazily with createRequire in a try/catch; without it `selectBackend` reports MTL5207.
 * OpenBLAS runs 2 threads by default on a ≥ 2-core machine (threadCount, src/exec/thread-count.ts). While `native` is active the
 * addon's optional loops (activeNativeBlas) also take the dense optimiser, embedding rows, Sum and copies.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { threadCount } from './thread-count.js';
import { missingEntryPoints, type DirectKernelName } from './native-entry-points.js';

/** The functions of the addon (native/mtl_blas.c, mtl_step.c); the list of names and argument counts is ./native-entry-points.ts. */
export interface NativeBlas {
  /**
   * For every i: C[i·M·N …] = op(A at aOffsets[i]) · op(B at bOffsets[i]), row-major, op = transpose when
   * the flag is set (A stored K×M, B stored N×K). Offsets are in elements.
   */
  sgemmBatch(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array, aOffsets: Int32Array, bOffsets: Int32Array): void;
  /**
   * One fused dense optimiser step in place (optimDenseFused.ts): kind 0 sgd (scalars [lr]), 1 adagrad
   * ([ε, lr], s0 = accumulator), 2 adam ([β1, β2, 1−β1, 1−β2, c1, c2, ε, lr], s0 = m, s1 = v); float32
   * arithmetic in the order of the tfjs-op reference.
   */
  denseUpdate(kind: 0 | 1 | 2, w: Float32Array, g: Float32Array, s0: Float32Array, s1: Float32Array, scalars: number[]): void;
  /**
   * Advise transparent huge pages for the 2 MiB-aligned interior of a typed array's memory (madvise
   * MADV_HUGEPAGE); true when the advice was taken. Values are unchanged.
   */
  adviseHugePages(array: Float32Array | Int32Array): boolean;
  /** out[j] = Σ_i x[i·len + j] over `rows` rows, float32, row by row (wasm-sum.ts sumLeading's order). */
  sumRows(x: Float32Array, rows: number, len: number, out: Float32Array): void;
  /**
   * Adam on every table i of the lists at once (optim-sparse.ts's loops, in the same double arithmetic: same
   * bits), across the addon's threads: tables[i], m[i], v[i] are rows × dims[i], steps[i] one per row (the update
   * at which the row last moved), rows[i] with grads[i] their gradients. hyper = [β1, β2, ε, lr, c1, c2, t, mode,
   * window] (optim-sparse.ts adamScalars): mode 0 lazy Adam, 1 dense-equivalent Adam (each row first catches up
   * the updates it missed), 2 only that catch-up to update t of the rows a batch reads (rows may repeat, grads
   * unused). c1[j] / c2[j] = 1 − β^j (1 from their length on), lrs[j] the rate of update j; sums the catch-up's
   * cache, kept by the caller between calls (12 doubles × a power-of-2 entries, zeros when empty; length 0: none).
   * Throws on a row outside its table; false only when the addon had no memory for the call (nothing changed).
   */
  sparseAdam(tables: Float32Array[], m: Float32Array[], v: Float32Array[], steps: Float32Array[], dims: Int32Array, rows: Int32Array[], grads: Float32Array[], c1: Float64Array, c2: Float64Array, lrs: Float64Array, hyper: Float64Array, sums: Float64Array): boolean;
  /**
   * The other embedding rules on the unique `rows` (optim-sparse.ts's loops, same bits), across the addon's
   * threads: kind 0 sgd (hyper [lr]), 1 adagrad ([lr, ε], s0 = accumulators), 2 row-wise adagrad ([lr, ε],
   * s0 = one per row; sgd's may be any Float32Array). Adam is sparseAdam.
   */
  embeddingUpdate(kind: 0 | 1 | 2, table: Float32Array, dim: number, rows: Int32Array, grads: Float32Array, s0: Float32Array, hyper: Float64Array): void;
  /** grads (exactly rows.length × dim) ← grads·scale (unless 1), then + l2·table rows (unless 0): embeddings.ts applyGradients' bits. */
  prepareRowGrads(table: Float32Array, dim: number, rows: Int32Array, grads: Float32Array, scale: number, l2: number): void;
  /** Σ x[i]² in double, in index order (optim-step.ts squaredSum's bits). */
  sumSquares(x: Float32Array): number;
  /** x[i] ← x[i]·factor, the double product rounded once to float32 (the JS loop's bits), across the addon's threads. */
  scaleArray(x: Float32Array, factor: number): void;
  /** slot[rows[k]] = −1 for every k (rows checked), prefetching ahead: RowGradients.take's reset of its map. */
  clearSlots(slot: Int32Array, rows: Int32Array): void;
  /** Embedding lookup: out[b·dim …] = data[rows[b]·dim …] (rows checked), prefetching ahead, across the addon's threads. */
  gatherRows(data: Float32Array, dim: number, rows: Int32Array, out: Float32Array): void;
  /**
   * RowGradients.addRow(rows[b], grad, b·dim, 1) for every b, on its slot/touched/buffer arrays (which must
   * have room for count + rows.length rows); returns the new count.
   */
  scatterRows(slot: Int32Array, touched: Int32Array, count: number, buffer: Float32Array, dim: number, rows: Int32Array, grad: Float32Array): number;
  /**
   * For r < rows: copy `cols` elements from src[srcOffset + r·srcStride] to dst[dstOffset + r·dstStride]
   * (memcpy; Float32Array or Int32Array).
   */
  copyStrided(src: Float32Array | Int32Array, srcOffset: number, srcStride: number, dst: Float32Array | Int32Array, dstOffset: number, dstStride: number, rows: number, cols: number): void;
  /**
   * The direct training step's kernels (native/mtl_step.c, used by src/model/direct/): every operand is a
   * block of ONE float32 memory `mem` (the wasm heap) at an element offset; see src/exec/direct/kernels.ts
   * for the contract of each.
   */
  gemmAt(mem: Float32Array, transA: boolean, transB: boolean, m: number, n: number, k: number, aOffs: Int32Array, bOffs: Int32Array, cOffs: Int32Array, betas: Float32Array): void;
  biasActAt(mem: Float32Array, rows: number, cols: number, act: number, outOffs: Int32Array, biasOffs: Int32Array): void;
  actGradAt(mem: Float32Array, count: number, act: number, dyOffs: Int32Array, yOffs: Int32Array): void;
  colSumAt(mem: Float32Array, rows: number, cols: number, srcOffs: Int32Array, dstOffs: Int32Array): void;
  gateWeightsAt(mem: Float32Array, kind: number, rows: number, n: number, k: number, invT: number, scale: number, inOff: number, outOff: number): void;
  gateWeightsGradAt(mem: Float32Array, kind: number, rows: number, n: number, invT: number, scale: number, wOff: number, dwOff: number, outOff: number): void;
  mixAt(mem: Float32Array, rows: number, width: number, wOff: number, expertOffs: Int32Array, outOff: number): void;
  mixGradAt(mem: Float32Array, rows: number, width: number, wOff: number, expertOffs: Int32Array, dOutOff: number, dExpertOffs: Int32Array, accumulate: Int32Array, dwOff: number): void;
  copyColsAt(mem: Float32Array, srcOff: number, srcStride: number, dstOff: number, dstStride: number, rows: number, cols: number, accumulate: boolean): void;
  dropoutAt(mem: Float32Array, count: number, rate: number, seed: number, step: number, streams: Int32Array, inOffs: Int32Array, outOffs: Int32Array, maskOffs: Int32Array): void;
  mulAt(mem: Float32Array, count: number, aOffs: Int32Array, bOffs: Int32Array, outOffs: Int32Array): void;
  gateNoiseAt(mem: Float32Array, rows: number, n: number, seed: number, step: number, stream: number, logitsOff: number, noiseOff: number, epsOff: number): void;
  gateNoiseGradAt(mem: Float32Array, count: number, dhOff: number, epsOff: number, noiseOff: number, outOff: number): void;
  importanceLossAt(mem: Float32Array, rows: number, n: number, weight: number, epsilon: number, wOff: number, dwOff: number, accumulate: boolean): number;
  batchNormAt(
    mem: Float32Array,
    rows: number,
    cols: number,
    epsilon: number,
    momentum: number,
    xOffs: Int32Array,
    gammaOffs: Int32Array,
    betaOffs: Int32Array,
    meanOffs: Int32Array,
    varOffs: Int32Array,
    xhatOffs: Int32Array,
    invStdOffs: Int32Array,
    outOffs: Int32Array,
  ): void;
  batchNormGradAt(mem: Float32Array, rows: number, cols: number, dyOffs: Int32Array, xhatOffs: Int32Array, invStdOffs: Int32Array, gammaOffs: Int32Array, dxOffs: Int32Array, dGammaOffs: Int32Array, dBetaOffs: Int32Array): void;
  batchNormInferAt(mem: Float32Array, rows: number, cols: number, epsilon: number, xOffs: Int32Array, gammaOffs: Int32Array, betaOffs: Int32Array, meanOffs: Int32Array, varOffs: Int32Array, outOffs: Int32Array): void;
  /** Set the thread count of the GEMM (OpenBLAS's, or the built-in GEMM's) and of the addon's embedding loops. */
  setNumThreads(n: number): void;
  /** The GEMM's thread count. */
  getNumThreads(): number;
  /**
   * Which GEMM the addon was built with (native/mtl_gemm.c, scripts/build-native.mjs): OpenBLAS's build
   * description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH … (core Haswell)", or "built-in GEMM (AVX2+FMA, 2 threads)".
   */
  config(): string;
}

/**
 * What the heap-resident fast paths need — the matMul kernel, the direct step's kernels and the fused dense
 * update, all on views of the wasm heap — from either provider: the native addon, or the same C kernels
 * compiled to WebAssembly (./wasm-accel.ts) when there is no addon.
 */
export type HeapKernels = Pick<NativeBlas, DirectKernelName | 'sgemmBatch' | 'denseUpdate' | 'config'>;

const here = path.dirname(fileURLToPath(import.meta.url));
const requireHere = createRequire(import.meta.url);

/**
 * Where the addon may be: $MTL_NATIVE_BLAS (a path to the .node file; `off` disables the addon), else
 * native/build/Release from src/exec or dist/src/exec.
 */
export function nativeAddonCandidates(): string[] {
  const rel = path.join('native', 'build', 'Release', 'mtl_blas.node');
  const list = [path.resolve(here, '..', '..', rel), path.resolve(here, '..', '..', '..', rel)];
  const env = process.env['MTL_NATIVE_BLAS'];
  return env ? [path.resolve(env), ...list] : list;
}

let loaded: { blas?: NativeBlas; error?: string } | undefined;

/**
 * Load the addon once (cached). Returns undefined when it is not built or cannot load; `nativeBlasError()`
 * then says why. OpenBLAS runs on one thread inside the addon, whose own pool shares each large GEMM out
 * (native/mtl_gemm.c): OpenBLAS's threads spin for a while after every call and split a call evenly, so on
 * a shared 2-core machine they burned a core between GEMMs and waited for a preempted partner (mmoe
 * V = 1e5 ran at 1.06× the peer, bench/README.md). OPENBLAS_NUM_THREADS=1 before the first load keeps
 * OpenBLAS from starting threads it would never use; setNumThreads(threadCount()) sizes the pool.
 * OPENBLAS_CORETYPE is left to the user: OpenBLAS detects the best kernels itself (Cooperlake here).
 */
export function loadNativeBlas(): NativeBlas | undefined {
  if (loaded) return loaded.blas;
  if (process.env['MTL_NATIVE_BLAS'] === 'off') {
    loaded = { error: 'disabled by MTL_NATIVE_BLAS=off' };
    return undefined;
  }
  const threads = threadCount();
  const reasons: string[] = [];
  for (const file of nativeAddonCandidates()) {
    if (!existsSync(file)) {
      reasons.push(`${file} does not exist`);
      continue;
    }
    try {
      if (process.env['OPENBLAS_NUM_THREADS'] === undefined) process.env['OPENBLAS_NUM_THREADS'] = '1';
      const blas = requireHere(file) as NativeBlas;
      const missing = missingEntryPoints(blas as unknown as Record<string, unknown>);
      if (missing.length) throw new Error(`it lacks ${missing.join(', ')}: it was built from other sources (rebuild it with npm run build:native)`);
      blas.setNumThreads(threads);
      loaded = { blas };
      return blas;
    } catch (e) {
      reasons.push(`${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  loaded = { error: reasons.join('; ') };
  return undefined;
}

/**
 * A short name of the loaded addon's GEMM for tables: "OpenBLAS 0.3.21" or the built-in GEMM's description;
 * undefined without the addon.
 */
export function nativeGemmLabel(): string | undefined {
  const config = loadNativeBlas()?.config();
  if (config === undefined) return undefined;
  return config.startsWith('OpenBLAS') ? config.split(' ').slice(0, 2).join(' ') : config;
}

/** Why the addon did not load (undefined when it did or was not tried yet). */
export function nativeBlasError(): string | undefined {
  return loaded?.error;
}

/** Row-major strides of a shape. */
function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/**
 * Element offsets into A's and B's data for every batch of the broadcast output batch shape (numpy rules,
 * right-aligned; a dimension of size 1 repeats). Equal to tfjs's cpu kernel wherever that one is right (it
 * indexes batches modulo each operand's batch count, which only matches broadcasting when one side is 1).
 */
export function batchOffsets(outerA: readonly number[], outerB: readonly number[], outer: readonly number[], sizeA: number, sizeB: number): { a: Int32Array; b: Int32Array } {
  const count = outer.reduce((p, d) => p * d, 1);
  const a = new Int32Array(count);
  const b = new Int32Array(count);
  const outStrides = strides(outer);
  const map = (dims: readonly number[], size: number, into: Int32Array): void => {
    const ds = strides(dims);
    const shift = outer.length - dims.length;
    for (let i = 0; i < count; i++) {
      let rest = i;
      let flat = 0;
      for (let d = 0; d < outer.length; d++) {
        const idx = Math.floor(rest / outStrides[d]!);
        rest -= idx * outStrides[d]!;
        const dd = d - shift;
        if (dd >= 0 && dims[dd]! !== 1) flat += idx * ds[dd]!;
      }
      into[i] = flat * size;
    }
  };
  map(outerA, sizeA, a);
  map(outerB, sizeB, b);
  return { a, b };
}

/** A dense float32 operand: its shape and row-major values. */
export interface DenseOperand {
  shape: readonly number[];
  values: Float32Array;
}

/** The sizes of one batched matMul and where each batch of A and B starts. */
export interface MatMulPlan {
  outShape: number[];
  m: number;
  n: number;
  k: number;
  aOffsets: Int32Array;
  bOffsets: Int32Array;
}

/**
 * Plan a batched matMul with tfjs's BatchMatMul semantics (transposes of the last two dims, broadcast
 * batch dims). Undefined when the shapes do not fit; the caller then runs tfjs's own kernel, which
 * raises tfjs's error.
 */
export function planMatMul(aShape: readonly number[], bShape: readonly number[], transposeA: boolean, transposeB: boolean): MatMulPlan | undefined {
  const ra = aShape.length;
  const rb = bShape.length;
  if (ra < 2 || rb < 2) return undefined;
  const m = transposeA ? aShape[ra - 1]! : aShape[ra - 2]!;
  const k = transposeA ? aShape[ra - 2]! : aShape[ra - 1]!;
  const kb = transposeB ? bShape[rb - 1]! : bShape[rb - 2]!;
  const n = transposeB ? bShape[rb - 2]! : bShape[rb - 1]!;
  if (k !== kb) return undefined;
  const outerA = aShape.slice(0, -2);
  const outerB = bShape.slice(0, -2);
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return undefined;
  }
  const batch = product(outer);
  const sizeA = m * k;
  const sizeB = k * n;
  const direct = product(outerA) === batch && product(outerB) === batch;
  const offsets = direct
    ? { a: Int32Array.from({ length: batch }, (_, i) => i * sizeA), b: Int32Array.from({ length: batch }, (_, i) => i * sizeB) }
    : batchOffsets(outerA, outerB, outer, sizeA, sizeB);
  return { outShape: [...outer, m, n], m, n, k, aOffsets: offsets.a, bOffsets: offsets.b };
}

/** The product of a shape's dimensions. */
function product(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** Run a plan on OpenBLAS: `out` (length of outShape) = op(a) · op(b). */
export function runMatMul(blas: Pick<NativeBlas, 'sgemmBatch'>, plan: MatMulPlan, a: Float32Array, b: Float32Array, out: Float32Array, transposeA: boolean, transposeB: boolean): void {
  blas.sgemmBatch(transposeA, transposeB, plan.m, plan.n, plan.k, a, b, out, plan.aOffsets, plan.bOffsets);
}

/** A batched matMul on OpenBLAS into a new array (tfjs BatchMatMul semantics); undefined when shapes do not fit. */
export function nativeMatMul(blas: NativeBlas, a: DenseOperand, b: DenseOperand, transposeA: boolean, transposeB: boolean): DenseOperand | undefined {
  const plan = planMatMul(a.shape, b.shape, transposeA, transposeB);
  if (!plan) return undefined;
  const out = new Float32Array(product(plan.outShape));
  runMatMul(blas, plan, a.values, b.values, out, transposeA, transposeB);
  return { shape: plan.outShape, values: out };
}

/**
 * True when a bias/alpha operand broadcasts onto `outShape` by repetition: without its leading 1s, its
 * shape equals the trailing dims of `outShape` ([n], [m, n], a scalar). Element i of the output then pairs
 * with element i % size of the operand.
 */
export function repeatsOnto(shape: readonly number[], outShape: readonly number[]): boolean {
  let first = 0;
  while (first < shape.length && shape[first] === 1) first++;
  const core = shape.slice(first);
  if (core.length > outShape.length) return false;
  const tail = outShape.slice(outShape.length - core.length);
  return core.every((d, i) => d === tail[i]);
}

/** Add a bias that repeats onto the output (repeatsOnto) in place. */
function addBiasInPlace(out: Float32Array, bv: Float32Array): void {
  const len = bv.length;
  if (len === 1) {
    const v = bv[0]!;
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + v;
    return;
  }
  for (let i = 0; i < out.length; i += len) for (let j = 0; j < len; j++) out[i + j] = out[i + j]! + bv[j]!;
}

/** The activations applied in place, with the cpu kernels' formulas (tfjs-backend-cpu applyActivation). */
const IN_PLACE = new Set(['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu']);

/** Apply a fused activation in place; `alpha` is prelu's weights, repeating onto the output (repeatsOnto). */
function activateInPlace(out: Float32Array, activation: string, alpha: Float32Array | undefined, leakyreluAlpha: number): void {
  switch (activation) {
    case 'relu':
      for (let i = 0; i < out.length; i++) out[i] = Math.max(0, out[i]!);
      return;
    case 'relu6':
      for (let i = 0; i < out.length; i++) out[i] = Math.min(Math.max(0, out[i]!), 6);
      return;
    case 'elu':
      for (let i = 0; i < out.length; i++) {
        const v = out[i]!;
        out[i] = v >= 0 ? v : Math.exp(v) - 1;
      }
      return;
    case 'sigmoid':
      for (let i = 0; i < out.length; i++) out[i] = 1 / (1 + Math.exp(-out[i]!));
      return;
    case 'leakyrelu':
      for (let i = 0; i < out.length; i++) {
        const v = out[i]!;
        out[i] = v < 0 ? leakyreluAlpha * v : v;
      }
      return;
    case 'prelu': {
      const av = alpha!;
      const len = av.length;
      for (let i = 0; i < out.length; i++) {
        const v = out[i]!;
        out[i] = v < 0 ? av[i % len]! * v : v;
      }
      return;
    }
    default:
      return; // linear
  }
}

/** The parts of tfjs-backend-wasm's BackendWasm these kernels use (it is not exported as a type). */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** A float32 view of a tensor in the wasm heap. Call after the last allocation: heap growth detaches views. */
function heapF32(backend: WasmBackendLike, t: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/**
 * The native kernel for BatchMatMul or _FusedMatMul: plan, allocate the output in the wasm heap, run
 * OpenBLAS on heap views, then (fused) bias and activation in place. Anything it does not take — other
 * dtypes, bias or prelu weights that do not simply repeat onto the output, unknown activations — goes to
 * `original`. (wasm's own fused kernel takes only a rank-1 bias and mis-broadcasts a full prelu alpha.)
 */
function nativeWasmKernel(blas: Pick<NativeBlas, 'sgemmBatch'>, wasmKernel: tf.KernelFunc, fused: boolean): tf.KernelFunc {
  const original = uncachedOriginal(wasmKernel);
  return (args) => {
    const backend = args.backend as unknown as WasmBackendLike;
    const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean; activation?: string; leakyreluAlpha?: number };
    const { a, b, bias, preluActivationWeights: alpha } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const ta = attrs.transposeA === true;
    const tb = attrs.transposeB === true;
    if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32') return original(args);
    const plan = planMatMul(a.shape, b.shape, ta, tb);
    if (!plan) return original(args);
    const activation = fused ? attrs.activation : undefined;
    if (fused) {
      if (bias && (bias.dtype !== 'float32' || !repeatsOnto(bias.shape, plan.outShape))) return original(args);
      if (activation !== undefined && !IN_PLACE.has(activation)) return original(args);
      if (activation === 'prelu' && (!alpha || alpha.dtype !== 'float32' || !repeatsOnto(alpha.shape, plan.outShape))) return original(args);
    }
    const out = backend.makeOutput(plan.outShape, 'float32');
    const outValues = heapF32(backend, out);
    runMatMul(blas, plan, heapF32(backend, a), heapF32(backend, b), outValues, ta, tb);
    if (fused && bias) addBiasInPlace(outValues, heapF32(backend, bias));
    if (activation !== undefined && activation !== 'linear') {
      activateInPlace(outValues, activation, alpha ? heapF32(backend, alpha) : undefined, attrs.leakyreluAlpha ?? 0.2);
    }
    return out;
  };
}

/**
 * wasm's own matMul, run on fresh copies of its float32 inputs. XNNPACK caches packed weights by tensor id,
 * and on the native backend the dense optimiser updates weights in place (optimDenseFused.ts), so handing
 * it a weight directly could use stale packed values. Only the rare shapes the native kernel does not take
 * come here, so the copies cost nothing in practice.
 */
function uncachedOriginal(wasmKernel: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const identity = tf.getKernel('Identity', 'wasm');
    if (!identity) return wasmKernel(args);
    const backend = args.backend as tf.KernelBackend;
    const copies: tf.TensorInfo[] = [];
    const inputs: tf.NamedTensorInfoMap = {};
    for (const [name, t] of Object.entries(args.inputs)) {
      if (!t || t.dtype !== 'float32') {
        if (t) inputs[name] = t;
        continue;
      }
      const c = identity.kernelFunc({ inputs: { x: t }, backend, attrs: {} }) as tf.TensorInfo;
      copies.push(c);
      inputs[name] = c;
    }
    try {
      return wasmKernel({ ...args, inputs });
    } finally {
      for (const c of copies) backend.disposeData(c.dataId);
    }
  };
}

/** The wasm kernels replaced while heap kernels are installed, to restore them (undefined when not installed). */
let replaced: tf.KernelConfig[] | undefined;
/** Who provides the installed heap kernels: the native addon or its WebAssembly build. */
let installed: { by: 'native' | 'wasm'; kernels: HeapKernels } | undefined;

/**
 * Route the wasm backend's BatchMatMul and _FusedMatMul to OpenBLAS (idempotent). Call after the wasm
 * backend started. Returns false, changing nothing, when the addon is not available (nativeBlasError()
 * says why) or wasm's kernels are not registered.
 */
export function installNativeMatMul(): boolean {
  if (installed?.by === 'native') return true;
  const blas = loadNativeBlas();
  if (!blas) return false;
  return installHeapKernels(blas, 'native');
}

/**
 * Make `kernels` the heap kernels: wasm's matMuls run on their GEMM (which reads the heap on every call,
 * unlike XNNPACK's packed-weight cache, so weights may change in place), and the direct step and fused
 * optimiser use them. Replaces an earlier installation. False when wasm's matMul kernels are not registered.
 */
export function installHeapKernels(kernels: HeapKernels, by: 'native' | 'wasm'): boolean {
  uninstallNativeMatMul();
  const originals = ['BatchMatMul', '_FusedMatMul'].map((name) => tf.getKernel(name, 'wasm'));
  if (originals.some((k) => k === undefined)) {
    if (by === 'native') loaded = { error: 'the wasm backend\'s matMul kernels are not registered' };
    return false;
  }
  replaced = originals as tf.KernelConfig[];
  installed = { by, kernels };
  for (const original of replaced) {
    const config: tf.KernelConfig = { kernelName: original.kernelName, backendName: 'wasm', kernelFunc: nativeWasmKernel(kernels, original.kernelFunc, original.kernelName === '_FusedMatMul') };
    if (original.setupFunc) config.setupFunc = original.setupFunc;
    if (original.disposeFunc) config.disposeFunc = original.disposeFunc;
    tf.unregisterKernel(original.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  return true;
}

/** Put wasm's own matMul kernels back (after installNativeMatMul or installHeapKernels); a no-op otherwise. */
export function uninstallNativeMatMul(): void {
  if (!replaced) return;
  for (const original of replaced) {
    tf.unregisterKernel(original.kernelName, 'wasm');
    tf.registerKernel(original);
  }
  replaced = undefined;
  installed = undefined;
}

/**
 * The addon while the native backend is active (wasm's matMuls on OpenBLAS), else undefined. The optional
 * fast paths on JS arrays (embedding rows, Sum, copies) use it only then; their JS paths compute the
 * same bits, so tests and the wasm backend do not need the addon.
 */
export function activeNativeBlas(): NativeBlas | undefined {
  return installed?.by === 'native' ? loadNativeBlas() : undefined;
}

/** The installed heap kernels (the addon's, or their WebAssembly build's), else undefined. */
export function activeHeapKernels(): HeapKernels | undefined {
  return installed?.kernels;
}

/** True while wasm's matMuls run on OpenBLAS (the native backend). */
export function nativeMatMulInstalled(): boolean {
  return installed?.by === 'native';
}

/** True while wasm's matMuls run on heap kernels of either provider (weights may then be updated in place). */
export function heapKernelsInstalled(): boolean {
  return installed !== undefined;
}
