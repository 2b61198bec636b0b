/**
 * Fused dense optimiser updates: one pass over a weight's values, its gradient and its slots, in place in
 * the wasm heap, instead of ~15 tfjs ops (and as many temporaries) per weight. On the native backend the
 * tfjs-op Adam took ~15–19 ms of a 170 ms mmoe step (bench/profile.ts); the pass takes ~1–2 ms.
 *
 * Every arithmetic result is rounded to float32 (Math.fround) in the order the tfjs ops of
 * DenseOptimizer's reference path compute it, so the result is bit-for-bit the same: IEEE +, −, ×, ÷ and
 * sqrt of float32 values computed in float64 and rounded once are exactly the float32 operations.
 *
 * On the native backend the same loops run in the addon (native/mtl_blas.c denseUpdate, vectorised C,
 * same float32 operations in the same order: ~10× faster than the JS loops, which take ~10 ms for mmoe's
 * 1.2 M dense weights).
 *
 * Only the native backend is used (see wasmHeapViews): its tensors live in the wasm heap and `dataSync`
 * copies out of it, so writing in place is invisible to earlier reads. (On cpu, `dataSync` hands out the
 * backing array itself.) A
 * weight whose data is shared with another tensor (backend refCount > 1) is not written in place; the
 * caller then uses the op path, whose `assign` gives the weight data of its own again.
 */
import type * as tf from '@tensorflow/tfjs';
import { ADAGRAD_EPSILON, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON } from './optim-params.js';
import { activeHeapKernels, activeNativeBlas, type NativeBlas } from '../exec/native-blas.js';
import { wasmHeap } from '../exec/wasm-heap.js';

const f = Math.fround;

/** In-place float32 views of tensors in the wasm heap. */
export interface HeapViews {
  /** A view of `t`'s values, or undefined when it is not a float32 tensor in the heap. */
  view(t: tf.Tensor): Float32Array | undefined;
  /** True when `t` is the only holder of its data (so writing it in place changes no other tensor). */
  exclusive(t: tf.Tensor): boolean;
}

/**
 * Views on the native backend's heap (wasm-heap.ts; `anyWasm` for tests of the views themselves), undefined
 * on other backends. Take a view after the last allocation: heap growth detaches it.
 */
export function wasmHeapViews(anyWasm = false): HeapViews | undefined {
  const heap = wasmHeap(anyWasm);
  if (!heap) return undefined;
  return {
    view(t) {
      const at = heap.offsetOf(t);
      return at === undefined ? undefined : heap.memory().subarray(at, at + t.size);
    },
    exclusive: (t) => heap.exclusive(t),
  };
}

/**
 * x ← x·factor, the double product rounded to float32 (clipping's scale of an array gradient): in the addon's
 * scaleArray on the native backend (same bits) unless `useNative` is false.
 */
export function scaleInPlace(x: Float32Array, factor: number, useNative = true): void {
  const native = useNative ? activeNativeBlas() : undefined;
  if (native) native.scaleArray(x, factor);
  else for (let i = 0; i < x.length; i++) x[i] = x[i]! * factor;
}

/**
 * Decoupled weight decay: w ← w·factor (tf.mul(w, factor); factor = 1 − lr·λ), in float32: the factor is
 * rounded to float32 first, and the double product of two float32 values is exact, so rounding it once is
 * the float32 product (the same bits as tf.mul).
 */
export function decayInPlace(w: Float32Array, factor: number, useNative = true): void {
  scaleInPlace(w, f(factor), useNative);
}

/** w ← w − g·lr (tf.sub(w, tf.mul(g, lr))). */
export function sgdInPlace(w: Float32Array, g: Float32Array, lr: number): void {
  const lr32 = f(lr);
  for (let i = 0; i < w.length; i++) w[i] = f(w[i]! - f(g[i]! * lr32));
}

/** acc ← acc + g²; w ← w − (g / sqrt(acc + ε))·lr, with DenseOptimizer's op order. */
export function adagradInPlace(w: Float32Array, acc: Float32Array, g: Float32Array, lr: number): void {
  const lr32 = f(lr);
  const eps = f(ADAGRAD_EPSILON);
  for (let i = 0; i < w.length; i++) {
    const gi = g[i]!;
    const a = f(acc[i]! + f(gi * gi));
    acc[i] = a;
    w[i] = f(w[i]! - f(f(gi / f(Math.sqrt(f(a + eps)))) * lr32));
  }
}

/**
 * Adam at step `step` (1-based): m ← m·β1 + g·(1−β1); v ← v·β2 + g²·(1−β2);
 * w ← w − ((m / c1) / (sqrt(v / c2) + ε))·lr with c = 1 − β^step, with DenseOptimizer's op order.
 */
export function adamInPlace(w: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, lr: number, step: number): void {
  const b1 = f(ADAM_BETA1);
  const b2 = f(ADAM_BETA2);
  const ob1 = f(1 - ADAM_BETA1);
  const ob2 = f(1 - ADAM_BETA2);
  const c1 = f(1 - Math.pow(ADAM_BETA1, step));
  const c2 = f(1 - Math.pow(ADAM_BETA2, step));
  const eps = f(ADAM_EPSILON);
  const lr32 = f(lr);
  for (let i = 0; i < w.length; i++) {
    const gi = g[i]!;
    const mi = f(f(m[i]! * b1) + f(gi * ob1));
    const vi = f(f(v[i]! * b2) + f(f(gi * gi) * ob2));
    m[i] = mi;
    v[i] = vi;
    const update = f(f(mi / c1) / f(f(Math.sqrt(f(vi / c2))) + eps));
    w[i] = f(w[i]! - f(update * lr32));
  }
}

/** Which update rule, with its slots: what {@link fusedUpdate} needs besides the weight and gradient. */
export type FusedRule = { kind: 'sgd' } | { kind: 'adagrad'; acc: Float32Array } | { kind: 'adam'; m: Float32Array; v: Float32Array; step: number };

/** The heap kernels' denseUpdate (the addon's or the WebAssembly build's) when installed (undefined otherwise). */
function nativeUpdate(): NativeBlas['denseUpdate'] | undefined {
  const blas = activeHeapKernels();
  return blas?.denseUpdate.bind(blas);
}

/** One in-place update of `w` with gradient `g`: in the addon on the native backend, else the JS loops. Same bits either way. */
export function fusedUpdate(w: Float32Array, g: Float32Array, rule: FusedRule, lr: number, useNative = true): void {
  const native = useNative ? nativeUpdate() : undefined;
  if (rule.kind === 'sgd') {
    if (native) native(0, w, g, w, w, [lr]);
    else sgdInPlace(w, g, lr);
  } else if (rule.kind === 'adagrad') {
    if (native) native(1, w, g, rule.acc, rule.acc, [ADAGRAD_EPSILON, lr]);
    else adagradInPlace(w, rule.acc, g, lr);
  } else if (native) {
    native(2, w, g, rule.m, rule.v, [ADAM_BETA1, ADAM_BETA2, 1 - ADAM_BETA1, 1 - ADAM_BETA2, 1 - Math.pow(ADAM_BETA1, rule.step), 1 - Math.pow(ADAM_BETA2, rule.step), ADAM_EPSILON, lr]);
  } else {
    adamInPlace(w, rule.m, rule.v, g, lr, rule.step);
  }
}
