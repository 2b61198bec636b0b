/**
 * A faster wasm Sum for the reduction every Dense layer's backward pass makes: the bias gradient, a sum
 * over the batch (leading) axes of a [batch, n] tensor. tfjs-backend-wasm transposes the reduced axes to
 * the end first and then sums rows, which took ~25 % of an mmoe step's kernel time once matMul ran on
 * OpenBLAS (bench/profile.ts). Summing over leading axes is a walk over contiguous rows into n
 * accumulators, done here in place in the wasm heap; a block of middle axes (a batched expert layer's bias
 * gradient, [k, batch, n] → [k, 1, n]: ~8 ms of an mmoe step on wasm's kernel) is that walk per outer
 * index. Other reductions (over the last axis) go to the original kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { activeNativeBlas, type NativeBlas } from './native-blas.js';

/**
 * The addon's vectorised sumRows on the native backend (same float32 additions in the same order as
 * sumLeading; ~10× faster: the JS loop was ~11 ms of an mmoe step); undefined elsewhere or in older builds.
 */
function nativeSumRows(): NativeBlas['sumRows'] | undefined {
  const blas = activeNativeBlas();
  return blas?.sumRows.bind(blas);
}

/** The parts of tfjs-backend-wasm's BackendWasm used here (it is not exported as a type). */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** Marks the replaced kernel (re-installation must not wrap twice). */
const REPLACED = Symbol.for('mtl.wasmLeadingSum');

/**
 * The number of leading axes a Sum reduces when its axes are exactly 0..p-1 with p < rank; 0 otherwise
 * (then the original kernel runs).
 */
export function leadingAxes(axis: number | number[] | undefined, rank: number): number {
  if (axis === undefined) return 0;
  const list = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((x, y) => x - y);
  if (list.length === 0 || list.length >= rank) return 0;
  return list.every((a, i) => a === i) ? list.length : 0;
}

/**
 * The reduced axes as a contiguous block [start, end) with end < rank (a sum over middle or leading axes,
 * e.g. the bias gradient [k, 1, n] of a batched expert layer reduces axis 1 of [k, batch, n]); undefined
 * otherwise (then the original kernel runs).
 */
export function middleAxes(axis: number | number[] | undefined, rank: number): [number, number] | undefined {
  if (axis === undefined) return undefined;
  const list = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((x, y) => x - y);
  if (list.length === 0 || list[0]! < 0 || list[list.length - 1]! >= rank - 1) return undefined;
  return list.every((a, i) => a === list[0]! + i) ? [list[0]!, list[0]! + list.length] : undefined;
}

/** Sum over the first `rows` blocks of length `len`: out[j] = Σ_i x[i·len + j], accumulated in float32 like wasm. */
export function sumLeading(x: Float32Array, rows: number, len: number, out: Float32Array): void {
  out.fill(0, 0, len);
  for (let i = 0; i < rows; i++) {
    const base = i * len;
    for (let j = 0; j < len; j++) out[j] = out[j]! + x[base + j]!;
  }
}

/** Replace wasm's Sum with one that does leading- and middle-axis float32 sums in place. Idempotent; no-op without wasm. */
export function installWasmLeadingSum(): void {
  const original = tf.getKernel('Sum', 'wasm');
  if (!original || (original as unknown as Record<symbol, boolean>)[REPLACED]) return;
  const config: tf.KernelConfig = {
    kernelName: 'Sum',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs['x'] as tf.TensorInfo;
      const attrs = args.attrs as { axis?: number | number[]; keepDims?: boolean };
      const block = x.dtype === 'float32' ? middleAxes(attrs.axis, x.shape.length) : undefined;
      if (!block) return original.kernelFunc(args);
      const [p, q] = block;
      const size = (dims: number[]): number => dims.reduce((a, d) => a * d, 1);
      const outer = size(x.shape.slice(0, p));
      const rows = size(x.shape.slice(p, q));
      const len = size(x.shape.slice(q));
      const backend = args.backend as unknown as WasmBackendLike;
      const shape = attrs.keepDims ? x.shape.map((d, i) => (i >= p && i < q ? 1 : d)) : [...x.shape.slice(0, p), ...x.shape.slice(q)];
      const out = backend.makeOutput(shape, 'float32');
      const xv = backend.typedArrayFromHeap(x) as Float32Array;
      const ov = backend.typedArrayFromHeap(out) as Float32Array;
      const native = nativeSumRows();
      for (let o = 0; o < outer; o++) {
        const xs = outer === 1 ? xv : xv.subarray(o * rows * len, (o + 1) * rows * len);
        const os = outer === 1 ? ov : ov.subarray(o * len, (o + 1) * len);
        if (native) native(xs, rows, len, os);
        else sumLeading(xs, rows, len, os);
      }
      return out;
    },
  };
  if (original.setupFunc) config.setupFunc = original.setupFunc;
  if (original.disposeFunc) config.disposeFunc = original.disposeFunc;
  (config as unknown as Record<symbol, boolean>)[REPLACED] = true;
  tf.unregisterKernel('Sum', 'wasm');
  tf.registerKernel(config);
}
