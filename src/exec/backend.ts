/**
 * Choosing and preparing the tfjs backend. `tensorflow` (libtensorflow through @tensorflow/tfjs-node or
 * -node-gpu) is optional: its install downloads a native library, so it is imported only when present.
 * `wasm` uses @tensorflow/tfjs-backend-wasm's single-threaded build (the threaded one cannot start in
 * Node: it spawns a Worker from a blob: URL), with its matMul kernels wrapped so that a transposed
 * matMul — every backward pass of a Dense layer — transposes explicitly first: XNNPACK's transposed
 * path is ~10–15× slower than a plain matMul on this backend (see test/exec/wasm-matmul.speed.ts);
 * and its Slice/SplitV replaced by in-heap copies (src/exec/wasm-kernels.ts). `native` is that wasm
 * backend with its matMuls on OpenBLAS (src/exec/native-blas.ts; optional addon built at `npm ci`);
 * tfjs itself then still reports `wasm` as its backend.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START } from '../diagnostics/types.js';
import { MtlError } from '../diagnostics/error.js';
import { installWasmCopyKernels } from './wasm-kernels.js';
import { installWasmLeadingSum } from './wasm-sum.js';
import { activeHeapKernels, installHeapKernels, installNativeMatMul, loadNativeBlas, nativeBlasError, nativeGemmLabel, nativeMatMulInstalled, uninstallNativeMatMul } from './native-blas.js';
import { threadCount } from './thread-count.js';
import { createWasmKernels, wasmKernelsError, wasmKernelThreads } from './wasm-accel.js';
import { wrapBackendAllocator } from './wasm-poison.js';

/** The backends a user can ask for. */
export type BackendName = 'auto' | 'native' | 'wasm' | 'cpu' | 'tensorflow';

/** The backend that was selected, with a note when `auto` fell back or something is worth saying. */
export interface SelectedBackend {
  name: string;
  note?: string;
}

const requireHere = createRequire(import.meta.url);

/** Import the first installed native binding; undefined when none is. */
async function importNative(): Promise<string | undefined> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      requireHere.resolve(pkg);
    } catch {
      continue;
    }
    await import(pkg);
    return pkg;
  }
  return undefined;
}

/** The folder holding the wasm binaries of @tensorflow/tfjs-backend-wasm (with a trailing separator). */
export function wasmDistFolder(): string {
  return path.join(path.dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
}

let wasmRegistered = false;

/** Register and start the wasm backend. Throws MtlError (MTL5201) when it cannot start. */
async function startWasm(): Promise<void> {
  // Back to wasm's own matMul kernels first, so that installWasmMatMulFix never wraps the OpenBLAS ones.
  uninstallNativeMatMul();
  try {
    if (!wasmRegistered) {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      wasm.setWasmPaths(wasmDistFolder());
      wasmRegistered = true;
    }
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend returned false');
  } catch (e) {
    throw new MtlError(diag('MTL5201', FILE_START, { backend: 'wasm', reason: e instanceof Error ? e.message : String(e) }));
  }
  wrapBackendAllocator(); // only in the MTL_WASM_POISON debug mode
  installWasmMatMulFix();
  installWasmCopyKernels();
  installWasmLeadingSum();
}

/**
 * Start the `native` backend (wasm + the addon's matMul). Returns its note (which GEMM, threads), or
 * undefined when the addon is missing (wasm is then left running without it); throws MTL5201 when wasm
 * cannot start.
 */
async function startNative(): Promise<string | undefined> {
  if (!loadNativeBlas()) return undefined;
  await startWasm();
  if (!installNativeMatMul()) return undefined;
  return `wasm kernels with matMul on ${withThreads(loadNativeBlas()!.config())}`;
}

/** A GEMM's description with the thread count unless it names its threads already ("built-in GEMM (AVX2+FMA, 2 threads)"). */
function withThreads(gemm: string): string {
  const threads = threadCount();
  return /\bthreads?\b/.test(gemm) ? gemm : `${gemm}, ${threads} thread${threads === 1 ? '' : 's'}`;
}

/**
 * What does the arithmetic of the running backend, for metrics.json and the benchmark: the addon's GEMM and
 * its threads (`OpenBLAS 0.3.21, 2 threads`, `built-in GEMM (AVX-512, 2 threads)`), mtl's WebAssembly kernels
 * and theirs, or tfjs's own kernels (`tfjs wasm kernels`, `tfjs tensorflow kernels`).
 */
export function activeKernelsLabel(): string {
  const gemm = nativeMatMulInstalled() ? nativeGemmLabel() : undefined;
  if (gemm !== undefined) return withThreads(gemm);
  const heap = activeHeapKernels();
  if (heap && tf.getBackend() === 'wasm') return heap.config();
  return `tfjs ${tf.getBackend()} kernels`;
}

/**
 * Install the direct step's kernels compiled to WebAssembly on the running wasm backend (./wasm-accel.ts).
 * Returns the note for the log: which kernels run, or why the plain tfjs graph does.
 */
function startWasmKernels(): string {
  const kernels = createWasmKernels();
  if (kernels && installHeapKernels(kernels, 'wasm')) {
    const threads = wasmKernelThreads()?.threads ?? 1;
    return `wasm with mtl's WebAssembly SIMD kernels (direct step, ${threads} thread${threads === 1 ? '' : 's'})`;
  }
  return `wasm with tfjs's kernels only (${wasmKernelsError() ?? 'the WebAssembly kernels could not be installed'})`;
}

/**
 * Make `name` the global tfjs backend. `auto` prefers tensorflow, then native, then wasm, then cpu.
 * Throws MtlError: MTL5200 when `tensorflow` is asked for but not installed, MTL5207 when `native` is
 * asked for but its addon is not built, MTL5201 when a backend fails to start.
 */
export async function selectBackend(name: BackendName): Promise<SelectedBackend> {
  if (name === 'tensorflow' || name === 'auto') {
    let pkg: string | undefined;
    try {
      pkg = await importNative();
    } catch (e) {
      if (name === 'tensorflow') throw new MtlError(diag('MTL5201', FILE_START, { backend: 'tensorflow', reason: e instanceof Error ? e.message : String(e) }));
    }
    if (pkg !== undefined && (await tf.setBackend('tensorflow'))) return { name: 'tensorflow', note: `libtensorflow through ${pkg}` };
    if (name === 'tensorflow') throw new MtlError(diag('MTL5200', FILE_START));
  }
  if (name === 'native' || name === 'auto') {
    const note = await startNative();
    if (note !== undefined) return { name: 'native', note };
    if (name === 'native') throw new MtlError(diag('MTL5207', FILE_START, { reason: nativeBlasError() ?? 'unknown reason' }));
  }
  if (name === 'wasm' || name === 'auto') {
    try {
      await startWasm();
      const kernels = startWasmKernels();
      const why = name === 'auto' ? 'neither @tensorflow/tfjs-node nor the native addon (native/) is built; ' : '';
      return { name: 'wasm', note: `${why}${kernels}` };
    } catch (e) {
      if (name === 'wasm') throw e;
      await tf.setBackend('cpu');
      return { name: 'cpu', note: `wasm failed to start (${e instanceof Error ? e.message : String(e)}); using cpu` };
    }
  }
  if (!(await tf.setBackend('cpu'))) throw new MtlError(diag('MTL5201', FILE_START, { backend: 'cpu', reason: 'tf.setBackend returned false' }));
  return { name: 'cpu' };
}

/**
 * The name of the backend that is running, as the user chose it: `native` while the wasm backend runs its
 * matMuls on the OpenBLAS addon (tfjs itself then says `wasm`), else tfjs's own name. Recorded in
 * metrics.json, `--format json` and reports, so they agree with the training log.
 */
export function activeBackendName(): string {
  const name = tf.getBackend();
  return name === 'wasm' && nativeMatMulInstalled() ? 'native' : name;
}

/** Marks kernels this module already wrapped (re-registration must not wrap twice). */
const WRAPPED = Symbol.for('mtl.wasmMatMulWrapped');

/**
 * Replace wasm's BatchMatMul and _FusedMatMul with wrappers that transpose an operand explicitly (wasm
 * Transpose kernel) and then run the plain, fast kernel. Results are identical up to float rounding.
 * Idempotent; a no-op when the wasm kernels are not registered.
 */
export function installWasmMatMulFix(): void {
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!transpose) return;
  for (const kernelName of ['BatchMatMul', '_FusedMatMul']) {
    const original = tf.getKernel(kernelName, 'wasm');
    if (!original || (original as unknown as Record<symbol, boolean>)[WRAPPED]) continue;
    const wrapped: tf.KernelConfig = {
      kernelName,
      backendName: 'wasm',
      kernelFunc: (args) => {
        const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean } & tf.NamedAttrMap;
        if (!attrs.transposeA && !attrs.transposeB) return original.kernelFunc(args);
        const backend = args.backend as tf.KernelBackend;
        const temporaries: tf.TensorInfo[] = [];
        const flip = (x: tf.TensorInfo): tf.TensorInfo => {
          const rank = x.shape.length;
          const perm = [...Array(rank).keys()];
          [perm[rank - 1], perm[rank - 2]] = [perm[rank - 2]!, perm[rank - 1]!];
          const t = transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
          temporaries.push(t);
          return t;
        };
        const inputs = { ...args.inputs };
        if (attrs.transposeA) inputs['a'] = flip(inputs['a']!);
        if (attrs.transposeB) inputs['b'] = flip(inputs['b']!);
        try {
          return original.kernelFunc({ inputs, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
        } finally {
          for (const t of temporaries) backend.disposeData(t.dataId);
        }
      },
    };
    if (original.setupFunc) wrapped.setupFunc = original.setupFunc;
    if (original.disposeFunc) wrapped.disposeFunc = original.disposeFunc;
    (wrapped as unknown as Record<symbol, boolean>)[WRAPPED] = true;
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel(wrapped);
  }
}
