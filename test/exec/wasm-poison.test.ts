/**
 * The MTL_WASM_POISON debug mode (src/exec/wasm-poison.ts): blocks of the wasm backend's allocator are
 * poisoned when they are handed out and again when they are freed, through tfjs's own allocation path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/exec/backend.js';
import { POISON_NAN_BITS, poisonBitsOf, setWasmHeapPoison } from '../../src/exec/wasm-poison.js';

/** The parts of tfjs-backend-wasm's backend the test reads. */
interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array; _malloc(bytes: number): number; _free(ptr: number): void };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  getMemoryOffset(dataId: object): number;
  disposeData(dataId: object): boolean;
}

const bits = (x: Float32Array): number[] => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));
const f32bits = (v: number): number => new Uint32Array(Float32Array.of(v).buffer)[0]!;

describe('MTL_WASM_POISON', () => {
  it('reads 1 / nan as the recognisable NaN, a number as that value, and anything else as off', () => {
    expect(poisonBitsOf('1')).toBe(POISON_NAN_BITS);
    expect(poisonBitsOf(' NaN ')).toBe(POISON_NAN_BITS);
    expect(poisonBitsOf('-3.5')).toBe(f32bits(-3.5));
    expect(poisonBitsOf('1e30')).toBe(f32bits(1e30));
    for (const off of [undefined, '', '0', 'yes', 'Infinity']) expect(poisonBitsOf(off), String(off)).toBeUndefined();
    expect(Number.isNaN(new Float32Array(Uint32Array.of(POISON_NAN_BITS).buffer)[0])).toBe(true);
  });
});

describe('the poisoned wasm allocator', () => {
  let backend: WasmBackendLike;
  beforeAll(async () => {
    await selectBackend('wasm');
    backend = tf.backend() as unknown as WasmBackendLike;
  });
  afterAll(async () => {
    setWasmHeapPoison(false);
    await tf.setBackend('cpu');
  });

  it('poisons every block tfjs allocates, also after emscripten\'s malloc stub has run', () => {
    setWasmHeapPoison(Number.NaN);
    const wrapper = backend.wasm._malloc;
    // Emscripten's `_malloc` stub replaces itself with the raw export when called: the wrapper must stay.
    const outs = [backend.makeOutput([37], 'float32'), backend.makeOutput([5], 'float32')];
    expect(backend.wasm._malloc).toBe(wrapper);
    for (const out of outs) {
      expect(new Set(bits(backend.typedArrayFromHeap(out)))).toEqual(new Set([POISON_NAN_BITS]));
      backend.disposeData(out.dataId);
    }
  });

  it('poisons a block when it is freed (read before anything reuses it), with a finite value too', () => {
    setWasmHeapPoison(-3.5);
    const t = tf.tensor1d([1, 2, 3, 4, 5, 6, 7]);
    const at = backend.getMemoryOffset(t.dataId);
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3, 4, 5, 6, 7]);
    t.dispose();
    // No allocation in between: the freed block still holds the poison (the allocator's bookkeeping aside).
    const freed = new Float32Array(backend.wasm.HEAPU8.buffer, at, 7);
    expect(freed.filter((v) => v === -3.5).length).toBeGreaterThanOrEqual(5);
    const fresh = backend.makeOutput([9], 'float32');
    expect(Array.from(backend.typedArrayFromHeap(fresh))).toEqual(new Array(9).fill(-3.5));
    backend.disposeData(fresh.dataId);
  });
});
