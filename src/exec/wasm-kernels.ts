/**
 * Replacements for wasm kernels that a training step hits and that are slow for a reason unrelated to
 * arithmetic: tfjs-backend-wasm's Slice copies the WHOLE input out of the wasm heap (`readSync`) on
 * every call, and SplitV — the gradient of every concatenation, e.g. of the 39 feature inputs of a
 * recommender model — is one such Slice per piece. Splitting a [1024, 429] input into 39 pieces took
 * ~80 ms that way; reading the heap in place and copying row runs makes it well under a millisecond.
 * Results are bit-identical (pure copies). Used by src/exec/backend.ts when the wasm backend starts.
 */
import * as tf from '@tensorflow/tfjs';
import { activeNativeBlas } from './native-blas.js';

/** The parts of tfjs-backend-wasm's BackendWasm that the kernels use (it is not exported as a type). */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Flat;
}

/** Marks kernels this module already replaced (re-installation must not wrap twice). */
const REPLACED = Symbol.for('mtl.wasmCopyKernelReplaced');

/** Row-major strides of a shape. */
function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = out[i + 1]! * shape[i + 1]!;
  return out;
}

type Flat = Float32Array | Int32Array | Uint8Array;

/** Copy `n` elements; a loop for short runs (no subarray allocation), `set` for long ones. */
function copyRun(src: Flat, from: number, dst: Flat, to: number, n: number): void {
  if (n >= 64) {
    dst.set(src.subarray(from, from + n), to);
    return;
  }
  for (let k = 0; k < n; k++) dst[to + k] = src[from + k]!;
}

/**
 * Copy the box `begin .. begin + size` of `x` (shape `xShape`) into `out` (row-major, shape `size`),
 * walking every dimension but the last and copying runs along the last.
 */
export function copyBox(x: Flat, xShape: readonly number[], begin: readonly number[], size: readonly number[], out: Flat): void {
  const rank = xShape.length;
  if (size.some((s) => s === 0)) return;
  if (rank === 0) {
    out[0] = x[0]!;
    return;
  }
  const xs = strides(xShape);
  const run = size[rank - 1]!;
  if (rank === 2 && !(x instanceof Uint8Array) && !(out instanceof Uint8Array)) {
    const native = activeNativeBlas();
    if (native) {
      native.copyStrided(x, begin[0]! * xs[0]! + begin[1]!, xs[0]!, out, 0, run, size[0]!, run);
      return;
    }
  }
  const idx = new Array<number>(rank - 1).fill(0);
  let o = 0;
  for (;;) {
    let from = begin[rank - 1]!;
    for (let d = 0; d < rank - 1; d++) from += (begin[d]! + idx[d]!) * xs[d]!;
    copyRun(x, from, out, o, run);
    o += run;
    let d = rank - 2;
    while (d >= 0) {
      idx[d]! += 1;
      if (idx[d]! < size[d]!) break;
      idx[d] = 0;
      d--;
    }
    if (d < 0) return;
  }
}

/** Normalise Slice's begin/size attributes (size -1 means "to the end"). */
function sliceParams(shape: readonly number[], begin: number | number[], size: number | number[] | undefined): { begin: number[]; size: number[] } {
  const b = shape.map((_, i) => (Array.isArray(begin) ? (begin[i] ?? 0) : i === 0 ? begin : 0));
  const s = shape.map((dim, i) => {
    const given = size === undefined ? -1 : Array.isArray(size) ? (size[i] ?? -1) : i === 0 ? size : -1;
    return given < 0 ? dim - b[i]! : given;
  });
  return { begin: b, size: s };
}

/** Re-register `kernelName` on wasm with `kernelFunc`, keeping the original's setup/dispose. */
function replace(kernelName: string, kernelFunc: (original: tf.KernelConfig) => tf.KernelFunc): void {
  const original = tf.getKernel(kernelName, 'wasm');
  if (!original || (original as unknown as Record<symbol, boolean>)[REPLACED]) return;
  const config: tf.KernelConfig = { kernelName, backendName: 'wasm', kernelFunc: kernelFunc(original) };
  if (original.setupFunc) config.setupFunc = original.setupFunc;
  if (original.disposeFunc) config.disposeFunc = original.disposeFunc;
  (config as unknown as Record<symbol, boolean>)[REPLACED] = true;
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel(config);
}

/**
 * Concatenate row blocks: `outs` row r is input 0's row r, then input 1's, …; `widths[i]` elements per row
 * of input i, `rows` rows. On the native backend one memcpy per (row, input) in the addon; else JS runs.
 */
export function concatRows(inputs: readonly Flat[], widths: readonly number[], rows: number, out: Flat): void {
  const total = widths.reduce((a, b) => a + b, 0);
  const native = activeNativeBlas();
  const useNative = native !== undefined && !(out instanceof Uint8Array) && inputs.every((v) => !(v instanceof Uint8Array));
  let offset = 0;
  inputs.forEach((src, i) => {
    const w = widths[i]!;
    if (w > 0 && useNative) native!.copyStrided(src as Float32Array, 0, w, out as Float32Array, offset, total, rows, w);
    else for (let r = 0; r < rows; r++) copyRun(src, r * w, out, r * total + offset, w);
    offset += w;
  });
}

/**
 * Replace wasm's Slice, SplitV and Concat with versions that read and write in place in the wasm heap
 * (wasm's own Concat copies each row of each input with a subarray + set: ~40k calls for the 39 feature
 * inputs of a 1024 batch).
 * Idempotent; a no-op when the wasm kernels are not registered. String tensors go to the originals.
 */
export function installWasmCopyKernels(): void {
  replace('Slice', (original) => (args) => {
    const x = args.inputs['x']!;
    if (x.dtype === 'string') return original.kernelFunc(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const attrs = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
    const { begin, size } = sliceParams(x.shape, attrs.begin, attrs.size);
    const out = backend.makeOutput(size, x.dtype);
    // Views are taken after makeOutput: allocating may grow (and detach) the heap.
    copyBox(backend.typedArrayFromHeap(x), x.shape, begin, size, backend.typedArrayFromHeap(out));
    return out;
  });
  replace('Concat', (original) => (args) => {
    const inputs = (args.inputs as unknown as tf.TensorInfo[]).filter((t) => t.shape.reduce((a, d) => a * d, 1) > 0);
    const all = args.inputs as unknown as tf.TensorInfo[];
    if (all.length === 0 || all[0]!.dtype === 'string' || inputs.length < 2 || inputs.some((t) => t.dtype !== all[0]!.dtype)) return original.kernelFunc(args);
    const rank = all[0]!.shape.length;
    let axis = (args.attrs as { axis: number | number[] }).axis as number | number[];
    axis = Array.isArray(axis) ? axis[0]! : axis;
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank || all.some((t) => t.shape.length !== rank || t.shape.some((d, i) => i !== axis && d !== all[0]!.shape[i]))) return original.kernelFunc(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const outShape = all[0]!.shape.slice();
    outShape[axis] = all.reduce((a, t) => a + t.shape[axis]!, 0);
    const out = backend.makeOutput(outShape, all[0]!.dtype);
    const rows = outShape.slice(0, axis).reduce((a, d) => a * d, 1);
    const widths = inputs.map((t) => t.shape.slice(axis).reduce((a, d) => a * d, 1));
    // Views after makeOutput (allocation may grow the heap).
    concatRows(inputs.map((t) => backend.typedArrayFromHeap(t)), widths, rows, backend.typedArrayFromHeap(out));
    return out;
  });
  replace('SplitV', (original) => (args) => {
    const x = args.inputs['x']!;
    if (x.dtype === 'string') return original.kernelFunc(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const attrs = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number | number[] };
    const rank = x.shape.length;
    let axis = Array.isArray(attrs.axis) ? attrs.axis[0]! : attrs.axis;
    if (axis < 0) axis += rank;
    const dim = x.shape[axis]!;
    let sizes: number[];
    if (typeof attrs.numOrSizeSplits === 'number') {
      sizes = new Array<number>(attrs.numOrSizeSplits).fill(dim / attrs.numOrSizeSplits);
    } else {
      sizes = attrs.numOrSizeSplits.slice();
      const unknown = sizes.indexOf(-1);
      if (unknown >= 0) sizes[unknown] = dim - sizes.reduce((a, b) => a + (b === -1 ? 0 : b), 0);
    }
    const outs = sizes.map((s) => {
      const shape = x.shape.slice();
      shape[axis] = s;
      return backend.makeOutput(shape, x.dtype);
    });
    const xv = backend.typedArrayFromHeap(x);
    const begin = new Array<number>(rank).fill(0);
    outs.forEach((out, i) => {
      copyBox(xv, x.shape, begin, out.shape, backend.typedArrayFromHeap(out));
      begin[axis]! += sizes[i]!;
    });
    return outs;
  });
}
