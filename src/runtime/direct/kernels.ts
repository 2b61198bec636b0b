/**
 * Access to what the direct training step runs on: the addon's `*At` kernels (native/mtl_step.c) and the
 * wasm heap of the native backend, where tfjs keeps every weight and where the step allocates its own
 * activation arena, so that one float32 memory and element offsets address every operand.
 *
 * Kernel contract (all row-major, dense blocks, offsets in float32 elements of `mem`):
 * - gemmAt: C_i = op(A_i)·op(B_i) + β_i·C_i for every i (a batch of independent products);
 * - biasActAt: Y_i = act(Y_i + b_i) in place; actGradAt: dY_i ← dY_i ⊙ act′ computed from Y_i;
 * - colSumAt: a bias gradient (column sums); copyColsAt: a column block copy or accumulation;
 * - gateWeightsAt / gateWeightsGradAt: softmax (kind 0) or scale·sigmoid (kind 1) of logits / invT and its backward;
 * - mixAt / mixGradAt: out = Σ_i w_i·E_i per row and its backward (dW, and dE_i written or accumulated);
 * - dropoutAt: a seeded mask (counter-based: the same for a seed, step and stream on any machine) and
 *   out = in ⊙ mask; mulAt: elementwise product (dropout's backward);
 * - batchNormAt / batchNormGradAt: training-mode batch normalisation (updating the moving statistics in
 *   place) and its backward through the batch statistics; batchNormInferAt: inference mode (moving statistics).
 * Activation codes: see {@link ACTIVATION_CODES}.
 */
import * as tf from '@tensorflow/tfjs';
import type { Mlp } from '../../ir/types.js';
import { activeNativeBlas, nativeMatMulInstalled, type NativeBlas } from '../native-blas.js';

/** The kernels the direct step needs, all present. */
export type DirectKernels = Required<
  Pick<
    NativeBlas,
    | 'gemmAt'
    | 'biasActAt'
    | 'actGradAt'
    | 'colSumAt'
    | 'gateWeightsAt'
    | 'gateWeightsGradAt'
    | 'mixAt'
    | 'mixGradAt'
    | 'copyColsAt'
    | 'dropoutAt'
    | 'mulAt'
    | 'batchNormAt'
    | 'batchNormGradAt'
    | 'batchNormInferAt'
  >
>;

/** Activation codes of the kernels; an activation missing here (gelu) keeps the tfjs step. */
export const ACTIVATION_CODES: Partial<Record<Mlp['activation'], number>> = { linear: 0, relu: 1, tanh: 2, sigmoid: 3, elu: 4, selu: 5 };

const KERNEL_NAMES = [
  'gemmAt',
  'biasActAt',
  'actGradAt',
  'colSumAt',
  'gateWeightsAt',
  'gateWeightsGradAt',
  'mixAt',
  'mixGradAt',
  'copyColsAt',
  'dropoutAt',
  'mulAt',
  'batchNormAt',
  'batchNormGradAt',
  'batchNormInferAt',
] as const;

/** The kernels when the native backend is active and its addon has them all; else undefined. */
export function directKernels(): DirectKernels | undefined {
  const blas = activeNativeBlas();
  if (!blas || !KERNEL_NAMES.every((k) => typeof blas[k] === 'function')) return undefined;
  return blas as unknown as DirectKernels;
}

/** The parts of tfjs-backend-wasm's BackendWasm used here (it is not exported as a type). */
interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array; _malloc(bytes: number): number; _free(ptr: number): void };
  dataIdMap: { get(dataId: object): { memoryOffset: number | null } | undefined };
  refCount(dataId: object): number;
}

/** The wasm heap as one float32 memory. */
export interface WasmHeap {
  /** The backend object it belongs to (a step made for one backend must not run on another). */
  readonly owner: object;
  /** A float32 view of the whole heap; take it again after anything that may grow the heap. */
  memory(): Float32Array;
  /** Element offset of a float32 tensor's values in the heap, or undefined when it has none. */
  offsetOf(t: tf.Tensor): number | undefined;
  /** True when `t` is the only holder of its data (so writing it in place changes no other tensor). */
  exclusive(t: tf.Tensor): boolean;
  /** Allocate `floats` elements; returns their element offset. */
  allocate(floats: number): number;
  /** Free what {@link allocate} returned. */
  free(offset: number): void;
}

/** The heap of the active native backend (wasm with the OpenBLAS addon), else undefined. */
export function wasmHeap(): WasmHeap | undefined {
  if (tf.getBackend() !== 'wasm' || !nativeMatMulInstalled()) return undefined;
  const backend = tf.backend() as unknown as WasmBackendLike;
  if (!backend.wasm || typeof backend.wasm._malloc !== 'function' || !backend.dataIdMap) return undefined;
  let view: Float32Array | undefined;
  return {
    owner: backend,
    memory() {
      const buffer = backend.wasm.HEAPU8.buffer;
      if (!view || view.buffer !== buffer) view = new Float32Array(buffer, 0, buffer.byteLength >>> 2);
      return view;
    },
    offsetOf(t) {
      if (t.dtype !== 'float32' || t.isDisposed) return undefined;
      const data = backend.dataIdMap.get(t.dataId);
      if (!data || data.memoryOffset === null || data.memoryOffset % 4 !== 0) return undefined;
      return data.memoryOffset / 4;
    },
    exclusive(t) {
      return backend.refCount(t.dataId) === 1;
    },
    allocate(floats) {
      const ptr = backend.wasm._malloc(floats * 4) >>> 0;
      if (ptr === 0 || ptr % 4 !== 0) throw new Error(`mtl: could not allocate ${floats * 4} bytes in the wasm heap`);
      return ptr / 4;
    },
    free(offset) {
      backend.wasm._free(offset * 4);
    },
  };
}
