/**
 * The wasm backend's heap as one float32 memory: element offsets of tensors' values, in-place writes where
 * a tensor holds its data alone, and allocations of our own. The dense optimiser's fused updates
 * (src/model/optim-dense-fused.ts) and the direct step (src/model/direct/step.ts) work on it.
 */
import * as tf from '@tensorflow/tfjs';
import { heapKernelsInstalled } from './native-blas.js';

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

/**
 * The heap of the wasm backend while heap kernels are installed (the OpenBLAS addon's, or their WebAssembly
 * build's: native-blas.ts, wasm-accel.ts), else undefined. Not on plain wasm: its matMul (XNNPACK) caches
 * packed weights by tensor id, so a weight changed in place would be multiplied with its old values; the
 * heap kernels' matMul reads the heap on every call (and its rare fallbacks to wasm's kernel pass copies). `anyWasm` skips that check, for tests of the heap access itself.
 */
export function wasmHeap(anyWasm = false): WasmHeap | undefined {
  if (tf.getBackend() !== 'wasm' || (!anyWasm && !heapKernelsInstalled())) return undefined;
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
