/**
 * The `native` backend (wasm kernels + OpenBLAS matMul, src/exec/native-blas.ts) against the pure-JS
 * cpu backend. Needs the optional addon (scripts/build-native.mjs); without it the kernel tests are skipped
 * with the reason in their title, and the pure helpers are still tested.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createModelRuntime } from '../../src/model/index.js';
import { batchOffsets, loadNativeBlas, nativeBlasError, nativeMatMulInstalled } from '../../src/exec/native-blas.js';
import { selectBackend } from '../../src/exec/backend.js';
import { mulberry32 } from '../../src/model/seed.js';
import { esmmIR, mmoeIR, options, randomBatch } from '../model/fixtures.js';

const available = loadNativeBlas() !== undefined;
const skipNote = available ? '' : ` (SKIPPED: OpenBLAS addon not built: ${nativeBlasError()}; apt-get install libopenblas-dev && npm run build:native)`;

/** Seeded values in [-1, 1). */
function values(size: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: size }, () => r() * 2 - 1);
}



const size = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);

/** Run `f` on a backend with fresh tensors of the given shapes/seeds; its result as a flat array + shape. */
async function on(backend: 'native' | 'cpu', shapes: number[][], f: (xs: tf.Tensor[]) => tf.Tensor): Promise<{ shape: number[]; data: Float32Array }> {
  await use(backend);
  return tf.tidy(() => {
    const xs = shapes.map((s, i) => tf.tensor(values(size(s), 11 + i * 7 + size(s)), s));
    const y = f(xs);
    return { shape: y.shape, data: y.dataSync() as Float32Array };
  });
}

/** Switch to `native` (through selectBackend, as mtl train does) or the cpu reference. */
async function use(backend: 'native' | 'cpu'): Promise<void> {
  if (backend === 'native') {
    expect((await selectBackend('native')).name).toBe('native');
    expect(nativeMatMulInstalled()).toBe(true);
  } else {
    await tf.setBackend('cpu');
  }
}

/** |a − b| ≤ 1e-4 · max(1, |b|) everywhere, same shape. */
function expectClose(a: { shape: number[]; data: Float32Array }, b: { shape: number[]; data: Float32Array }): void {
  expect(a.shape).toEqual(b.shape);
  expect(a.data.length).toBe(b.data.length);
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i]! - b.data[i]!) / Math.max(1, Math.abs(b.data[i]!)));
  expect(worst).toBeLessThan(1e-4);
}

/** Stored shape of an operand [batch..., rows, cols] given op(x) is rows×cols. */
const stored = (batch: number[], rows: number, cols: number, t: boolean): number[] => [...batch, ...(t ? [cols, rows] : [rows, cols])];

describe('batchOffsets (broadcast batch dims)', () => {
  it('maps every output batch to the right operand batch, numpy-style', () => {
    // a: [2,1], b: [1,3] → out [2,3]; a repeats along dim 1, b along dim 0.
    const { a, b } = batchOffsets([2, 1], [1, 3], [2, 3], 10, 100);
    expect(Array.from(a)).toEqual([0, 0, 0, 10, 10, 10]);
    expect(Array.from(b)).toEqual([0, 100, 200, 0, 100, 200]);
    // b has fewer dims: right-aligned.
    const r = batchOffsets([2, 3], [3], [2, 3], 1, 5);
    expect(Array.from(r.a)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(r.b)).toEqual([0, 5, 10, 0, 5, 10]);
  });
});

describe.skipIf(!available)(`native matMul equals the cpu kernel${skipNote}`, () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const ta of [false, true]) {
    for (const tb of [false, true]) {
      it(`2-D and batched, transposeA=${ta} transposeB=${tb}`, async () => {
        for (const [batchA, batchB, m, k, n] of [
          [[], [], 37, 29, 23],
          [[], [], 1, 64, 1],
          [[3], [3], 17, 9, 13],
          [[4], [], 8, 5, 6], // b 2-D, broadcast over a's batch
          [[1], [5], 6, 7, 8],
          [[2, 3], [3], 5, 4, 3],
        ] as [number[], number[], number, number, number][]) {
          const shapes = [stored(batchA, m, k, ta), stored(batchB, k, n, tb)];
          const f = (xs: tf.Tensor[]): tf.Tensor => tf.matMul(xs[0]!, xs[1]!, ta, tb);
          expectClose(await on('native', shapes, f), await on('cpu', shapes, f));
        }
      });
    }
  }

  it('broadcasts batch dims on both sides ([2,1] × [1,3]) like per-batch matMuls', async () => {
    const shapes = [[2, 1, 4, 5], [1, 3, 5, 6]];
    const got = await on('native', shapes, (xs) => tf.matMul(xs[0]!, xs[1]!));
    const want = await on('cpu', shapes, ([a, b]) => {
      const rows: tf.Tensor[] = [];
      for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) rows.push(tf.matMul(a!.slice([i, 0], [1, 1]).reshape([4, 5]), b!.slice([0, j], [1, 1]).reshape([5, 6])));
      return tf.stack(rows).reshape([2, 3, 4, 6]);
    });
    expectClose(got, want);
  });

  const activations = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const;
  for (const activation of activations) {
    it(`fused matMul + bias + ${activation} (bias and prelu weights [n], [1], [m, n]; transposes)`, async () => {
      const m = 19, k = 11, n = 7;
      for (const [ta, tb] of [[false, false], [true, false], [false, true]] as const) {
        for (const biasShape of [[n], [1], [m, n], [1, n], null]) {
          for (const alphaShape of activation === 'prelu' ? [[n], [1], [m, n]] : [null]) {
            const shapes = [stored([], m, k, ta), stored([], k, n, tb), ...(biasShape ? [biasShape] : []), ...(alphaShape ? [alphaShape] : [])];
            const f = (xs: tf.Tensor[]): tf.Tensor => {
              // Scale so that activations see both signs and values beyond 6 (relu6) at once.
              const bias = biasShape ? xs[2]!.mul(3) : undefined;
              const prelu = alphaShape ? xs[xs.length - 1] : undefined;
              return tf.fused.matMul({ a: xs[0]!.mul(4), b: xs[1]!, transposeA: ta, transposeB: tb, bias, activation, preluActivationWeights: prelu, leakyreluAlpha: 0.13 });
            };
            expectClose(await on('native', shapes, f), await on('cpu', shapes, f));
          }
        }
      }
    });
  }

  it('computes fused gradients equal to cpu (bias + relu through the tape)', async () => {
    const shapes = [[16, 9], [9, 5], [5]];
    const f = (xs: tf.Tensor[]): tf.Tensor => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.fused.matMul({ a, b, bias: c, activation: 'relu' }).square().sum());
      const [ga, gb, gc] = g([xs[0]!, xs[1]!, xs[2]!]);
      return tf.concat([ga!.flatten(), gb!.flatten(), gc!.flatten()]);
    };
    expectClose(await on('native', shapes, f), await on('cpu', shapes, f));
  });

  it('hands wasm its own kernels back on --backend wasm, and selecting native twice wraps nothing twice', async () => {
    await selectBackend('native');
    await selectBackend('native');
    expect(nativeMatMulInstalled()).toBe(true);
    const shapes = [[9, 5], [6, 5]];
    const f = (xs: tf.Tensor[]): tf.Tensor => tf.matMul(xs[0]!, xs[1]!, false, true);
    const native = await on('native', shapes, f);
    expect((await selectBackend('wasm')).name).toBe('wasm');
    expect(nativeMatMulInstalled()).toBe(false);
    const wasm = tf.tidy(() => {
      const xs = shapes.map((s, i) => tf.tensor(values(size(s), 11 + i * 7 + size(s)), s));
      const y = f(xs);
      return { shape: y.shape, data: y.dataSync() as Float32Array };
    });
    expectClose(wasm, native);
  });
});

describe.skipIf(!available)(`a model trains on native like on cpu${skipNote}`, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const [label, make] of [['MMoE-like', mmoeIR], ['ESMM-like', esmmIR]] as const) {
    it(`gives the same losses within 1e-4 over 6 steps (${label})`, async () => {
      const run = async (backend: 'native' | 'cpu'): Promise<number[]> => {
        await use(backend);
        const ir = make();
        const rt = createModelRuntime(ir, options());
        const losses: number[] = [];
        for (let s = 0; s < 6; s++) losses.push(rt.trainStep(randomBatch(ir, 64, 500 + s)).loss);
        rt.dispose();
        return losses;
      };
      const cpu = await run('cpu');
      const native = await run('native');
      expect(cpu.every(Number.isFinite)).toBe(true);
      expect(native.length).toBe(cpu.length);
      for (let i = 0; i < cpu.length; i++) expect(Math.abs(native[i]! - cpu[i]!) / Math.max(1, Math.abs(cpu[i]!))).toBeLessThan(1e-4);
      // Training did something (the comparison is not between two constant sequences).
      expect(cpu[0]).not.toBe(cpu[cpu.length - 1]);
    });
  }

  it('is what selectBackend("native") and "auto" select when the addon is built', async () => {
    const s = await selectBackend('native');
    expect(s.name).toBe('native');
    expect(s.note).toMatch(/OpenBLAS/);
    expect(tf.getBackend()).toBe('wasm');
    expect(nativeMatMulInstalled()).toBe(true);
    const auto = await selectBackend('auto');
    expect(auto.name).toBe('native');
  });
});
