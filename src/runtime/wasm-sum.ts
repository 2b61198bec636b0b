/**
 * A faster wasm Sum for the reduction every Dense layer's backward pass makes: the bias gradient, a sum
 * over the batch (leading) axes of a [batch, n] tensor. tfjs-backend-wasm transposes the reduced axes to
 * the end first and then sums rows, which took ~25 % of an mmoe step's kernel time once matMul ran on
 * OpenBLAS (bench/profile.ts). Summing over leading axes is a walk over contiguous rows into n
 * accumulators, done here in place in the wasm heap. Other reductions go to the original kernel.
 */
import * as tf from '@tensorflow/tfjs';

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

/** Sum over the first `rows` blocks of length `len`: out[j] = Σ_i x[i·len + j], accumulated in float32 like wasm. */
export function sumLeading(x: Float32Array, rows: number, len: number, out: Float32Array): void {
  out.fill(0, 0, len);
  for (let i = 0; i < rows; i++) {
    const base = i * len;
    for (let j = 0; j < len; j++) out[j] = out[j]! + x[base + j]!;
  }
}

/** Replace wasm's Sum with one that does leading-axis float32 sums in place. Idempotent; no-op without wasm. */
export function installWasmLeadingSum(): void {
  const original = tf.getKernel('Sum', 'wasm');
  if (!original || (original as unknown as Record<symbol, boolean>)[REPLACED]) return;
  const config: tf.KernelConfig = {
    kernelName: 'Sum',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs['x'] as tf.TensorInfo;
      const attrs = args.attrs as { axis?: number | number[]; keepDims?: boolean };
      const p = x.dtype === 'float32' ? leadingAxes(attrs.axis, x.shape.length) : 0;
      if (p === 0) return original.kernelFunc(args);
      const rows = x.shape.slice(0, p).reduce((a, d) => a * d, 1);
      const tail = x.shape.slice(p);
      const len = tail.reduce((a, d) => a * d, 1);
      const backend = args.backend as unknown as WasmBackendLike;
      const out = backend.makeOutput(attrs.keepDims ? [...x.shape.slice(0, p).map(() => 1), ...tail] : tail, 'float32');
      sumLeading(backend.typedArrayFromHeap(x) as Float32Array, rows, len, backend.typedArrayFromHeap(out) as Float32Array);
      return out;
    },
  };
  if (original.setupFunc) config.setupFunc = original.setupFunc;
  if (original.disposeFunc) config.disposeFunc = original.disposeFunc;
  (config as unknown as Record<symbol, boolean>)[REPLACED] = true;
  tf.unregisterKernel('Sum', 'wasm');
  tf.registerKernel(config);
}
