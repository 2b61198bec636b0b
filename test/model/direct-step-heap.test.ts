/**
 * The direct step on the WebAssembly kernels does not depend on what else is in the wasm heap: a training run
 * gives the same bits when garbage blocks, heap growth (which replaces the heap's ArrayBuffer and detaches every
 * view of the old one) and another model's steps and predictions come between its steps — with every
 * allocation poisoned (src/exec/wasm-poison.ts), so that a block read before it is written would show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';

process.env['MTL_NATIVE_BLAS'] = 'off';
const { selectBackend } = await import('../../src/exec/backend.js');
const { setWasmHeapPoison } = await import('../../src/exec/wasm-poison.js');
const { createModelRuntime } = await import('../../src/model/index.js');
const { esmmIR, mmoeIR, options, randomBatch } = await import('./fixtures.js');
const { mulberry32 } = await import('../../src/model/seed.js');
const { wasmKernelsBuilt } = await import('../exec/wasm-kernels-fixture.js');
type ModelIR = ReturnType<typeof mmoeIR>;

/** The parts of tfjs-backend-wasm's emscripten module used to disturb the heap. */
interface Heap {
  HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

/** The mmoe with batch norm and real dropout (0.3, the direct step's seeded masks) in its experts. */
function normDropoutIR(): ModelIR {
  const ir = mmoeIR();
  ir.nodes = ir.nodes.map((n) => (n.kind === 'experts' ? { ...n, mlp: { ...n.mlp, batchNorm: true, dropout: 0.3 } } : n));
  return ir;
}

/** What a run produced: every step's losses, the final state and a prediction, as plain numbers. */
function train(ir: ModelIR, between: (step: number) => void): unknown {
  const rt = createModelRuntime(ir, options({ optimizer: { optimizer: 'adam', lr: 0.01 } }));
  try {
    const losses: unknown[] = [];
    for (let s = 0; s < 5; s++) {
      between(s);
      losses.push(rt.trainStep(randomBatch(ir, 24 + 8 * s, s + 1)));
      expect(rt.trainStepKind?.()).toEqual({ kind: 'direct' });
    }
    between(5);
    const predicted = rt.predict(randomBatch(ir, 20, 9)).outputs;
    const state = Object.fromEntries(Object.entries(rt.getState().tensors).map(([k, t]) => [k, Array.from(t.data)]));
    return { losses, state, predicted: Object.fromEntries(Object.entries(predicted).map(([k, v]) => [k, Array.from(v)])) };
  } finally {
    rt.dispose();
  }
}

describe.skipIf(!wasmKernelsBuilt())('the direct step on the WebAssembly kernels and the heap around it', () => {
  beforeAll(async () => {
    setWasmHeapPoison(Number.NaN);
    expect((await selectBackend('wasm')).name).toBe('wasm');
  });
  afterAll(async () => {
    setWasmHeapPoison(false);
    await tf.setBackend('cpu');
  });

  it('allocates its arena once: after the first step, steps of batches no larger allocate nothing in the heap', () => {
    const ir = normDropoutIR();
    const rt = createModelRuntime(ir, options({ optimizer: { optimizer: 'adam', lr: 0.01 } }));
    const heap = (tf.backend() as unknown as { wasm: Heap }).wasm;
    const malloc = heap._malloc;
    const sizes: number[] = [];
    try {
      rt.trainStep(randomBatch(ir, 32, 1));
      heap._malloc = (bytes: number) => {
        sizes.push(bytes);
        return malloc(bytes);
      };
      for (const [i, size] of [16, 32, 8, 31].entries()) rt.trainStep(randomBatch(ir, size, i + 2));
      expect(rt.trainStepKind?.()).toEqual({ kind: 'direct' });
      expect(sizes).toEqual([]);
      // A larger batch takes a larger arena, once.
      rt.trainStep(randomBatch(ir, 48, 7));
      rt.trainStep(randomBatch(ir, 40, 8));
      expect(sizes.length).toBe(1);
    } finally {
      heap._malloc = malloc;
      rt.dispose();
    }
  });

  for (const [label, make] of [
    ['mmoe with batch norm and dropout', normDropoutIR],
    ['esmm (batch norm, uncertainty weighting)', () => esmmIR('mean')],
  ] as const) {
    it(`${label}: the same bits with garbage blocks, heap growth and another model between its steps`, () => {
      const quiet = train(make(), () => {});
      const heap = (tf.backend() as unknown as { wasm: Heap }).wasm;
      const rand = mulberry32(11);
      const held: number[] = [];
      const other = createModelRuntime(mmoeIR(), options());
      let grew = 0;
      try {
        const noisy = train(make(), (step) => {
          // Blocks of random sizes, some kept across steps, some freed (poisoned) for the step to reuse.
          for (let i = 0; i < 8; i++) held.push(heap._malloc(1 + Math.floor(rand() * 200_000)));
          for (let i = held.length - 1; i >= 0; i--) if (rand() < 0.5) heap._free(held.splice(i, 1)[0]!);
          // Growth, once (it doubles the heap): a block as large as the heap cannot fit, so the heap grows and its
          // buffer is replaced; the steps before it took views of the old one.
          if (step === 3) {
            const before = heap.HEAPU8.buffer;
            heap._free(heap._malloc(before.byteLength));
            if (heap.HEAPU8.buffer !== before) grew++;
          }
          other.trainStep(randomBatch(mmoeIR(), 16 + step, 40 + step));
          other.predict(randomBatch(mmoeIR(), 3, 50 + step));
        });
        expect(grew).toBe(1);
        expect(noisy).toEqual(quiet);
      } finally {
        other.dispose();
        held.forEach((p) => heap._free(p));
      }
    });
  }
});
