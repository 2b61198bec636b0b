/**
 * A debug mode of the wasm heap's allocators (`MTL_WASM_POISON`, or {@link setWasmHeapPoison} in tests):
 * every block that tfjs-backend-wasm's malloc hands out (tensors, the direct step's arena, the WebAssembly
 * kernels' scratch, stack, arena and copies) is filled with a poison value when it is allocated and again just
 * before it is freed; the WebAssembly kernels also poison each block of their own arena (GEMM packing buffers,
 * batch-norm sums) and the part of their operand scratch the previous call used.
 *
 * Why: fresh wasm memory is zero, reused memory holds whatever an earlier tensor left there, so a value read
 * before it is written, or after its block was freed, depends on what ran before in the process. Poisoned, it
 * reads the poison on the very first step, whatever ran before. NaN (the default) spreads to every loss it
 * touches; a finite poison (MTL_WASM_POISON=-3.5) shows reads that a NaN would hide behind a comparison (a
 * ReLU mask, max pooling). test/model/direct-step-wasm.test.ts runs the direct-vs-tfjs comparisons poisoned.
 */
import * as tf from '@tensorflow/tfjs';

/** The default poison: a quiet NaN with a recognisable payload (these float32 bits). */
export const POISON_NAN_BITS = 0x7fc0dead;

/** The parts of tfjs-backend-wasm's emscripten module that the wrapper uses. */
interface MallocModule {
  HEAPU8: Uint8Array;
  /** The instance's exports. Emscripten's `_malloc` is a stub that replaces ITSELF by `asm.malloc` on its first call, so the wrapper calls the export. */
  asm?: { malloc?: (bytes: number) => number; free?: (ptr: number) => void };
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

/** Marks a module whose allocator is wrapped (the wrapper stays; it poisons only while the mode is on). */
const WRAPPED = Symbol.for('mtl.wasmPoison');

/** The bits of `x` rounded to float32. */
function float32Bits(x: number): number {
  return new Uint32Array(Float32Array.of(x).buffer)[0]!;
}

/**
 * The float32 bits of the poison an MTL_WASM_POISON value asks for: `1` or `nan` the NaN above, a number that
 * value; undefined (the mode is off) when unset, empty, `0`, or anything else.
 */
export function poisonBitsOf(setting: string | undefined): number | undefined {
  const v = setting?.trim().toLowerCase();
  if (v === undefined || v === '' || v === '0') return undefined;
  if (v === '1' || v === 'nan') return POISON_NAN_BITS;
  const x = Number(v);
  return Number.isFinite(x) ? float32Bits(x) : undefined;
}

/** The poison's bits while the mode is on, else undefined. */
let poisonBits: number | undefined = poisonBitsOf(process.env['MTL_WASM_POISON']);

/** True while the poisoning debug mode is on. */
export function wasmHeapPoisoned(): boolean {
  return poisonBits !== undefined;
}

/** Fill `bytes` bytes of `heap` at byte address `ptr` with the poison (whole aligned words; ragged edges 0xff). No-op while the mode is off. */
export function poisonBytes(heap: ArrayBufferLike, ptr: number, bytes: number): void {
  if (poisonBits === undefined || bytes <= 0) return;
  new Uint8Array(heap, ptr, bytes).fill(0xff);
  const start = (ptr + 3) & ~3;
  const words = Math.floor((ptr + bytes - start) / 4);
  if (words > 0) new Uint32Array(heap, start, words).fill(poisonBits);
}

/**
 * Turn the debug mode on with a poison value (NaN: the recognisable NaN) or off (`false`), for the running wasm
 * backend and any started later (src/exec/backend.ts wraps the allocator when wasm starts).
 */
export function setWasmHeapPoison(value: number | false): void {
  poisonBits = value === false ? undefined : Number.isNaN(value) ? POISON_NAN_BITS : float32Bits(value);
  if (poisonBits !== undefined) wrapBackendAllocator();
}

/**
 * While the mode is on, make the running wasm backend's `_malloc`/`_free` — which tfjs's JS side and mtl's
 * wasm code call — poison what they hand out and take back. Idempotent.
 */
export function wrapBackendAllocator(): void {
  if (poisonBits === undefined || tf.getBackend() !== 'wasm') return;
  const wasm = (tf.backend() as unknown as { wasm?: MallocModule & { [WRAPPED]?: true } }).wasm;
  const malloc = wasm?.asm?.malloc;
  const free = wasm?.asm?.free;
  if (!wasm || wasm[WRAPPED] || typeof malloc !== 'function' || typeof free !== 'function') return;
  wasm[WRAPPED] = true;
  /** Sizes of the blocks handed out while wrapped (a block from before is freed unpoisoned: its size is unknown). */
  const sizes = new Map<number, number>();
  wasm._malloc = (bytes: number): number => {
    const ptr = malloc(bytes) >>> 0;
    if (ptr !== 0) {
      sizes.set(ptr, bytes);
      poisonBytes(wasm.HEAPU8.buffer, ptr, bytes);
    }
    return ptr;
  };
  wasm._free = (ptr: number): void => {
    const at = ptr >>> 0;
    const size = sizes.get(at);
    if (size !== undefined) {
      sizes.delete(at);
      // Before free: the allocator keeps its own bookkeeping in a freed block.
      poisonBytes(wasm.HEAPU8.buffer, at, size);
    }
    free(ptr);
  };
}
