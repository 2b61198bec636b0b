import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/exec/backend.js';
import { createModelRuntime } from '../../src/model/index.js';
import { isMtlError } from '../../src/diagnostics/error.js';
import { mmoeIR, options, randomBatch } from './fixtures.js';
import { mulberry32 } from '../../src/model/seed.js';

// tfjs's own wasm kernels (the path without mtl's WebAssembly kernels, which replace the matMuls).
process.env['MTL_WASM_KERNELS'] = 'off';

beforeAll(async () => {
  expect(await selectBackend('wasm')).toEqual({ name: 'wasm', note: "wasm with tfjs's kernels only (disabled by MTL_WASM_KERNELS=off)" });
});

/** Row-major [m, n] product of op(a) and op(b) in float64. */
function matMul64(a: Float32Array, b: Float32Array, m: number, k: number, n: number, ta: boolean, tb: boolean): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (ta ? a[p * m + i]! : a[i * k + p]!) * (tb ? b[j * k + p]! : b[p * n + j]!);
      out[i * n + j] = s;
    }
  return out;
}

describe('wasm backend', () => {
  it('runs on wasm with the matMul kernels wrapped', () => {
    expect(tf.getBackend()).toBe('wasm');
    const k = tf.getKernel('BatchMatMul', 'wasm') as unknown as Record<symbol, boolean>;
    expect(k[Symbol.for('mtl.wasmMatMulWrapped')]).toBe(true);
  });

  it('computes transposed matMuls (plain and fused, batched) exactly as the definition', () => {
    const rand = mulberry32(5);
    const [m, k, n] = [7, 5, 3];
    const a = Float32Array.from({ length: m * k }, () => rand() - 0.5);
    const b = Float32Array.from({ length: k * n }, () => rand() - 0.5);
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const A = tf.tensor2d(a, ta ? [k, m] : [m, k]);
      const B = tf.tensor2d(b, tb ? [n, k] : [k, n]);
      const want = matMul64(a, b, m, k, n, ta, tb);
      const plain = tf.matMul(A, B, ta, tb).dataSync();
      const fused = tf.fused.matMul({ a: A, b: B, transposeA: ta, transposeB: tb, bias: tf.ones([n]), activation: 'relu' }).dataSync();
      for (let i = 0; i < m * n; i++) {
        expect(plain[i]).toBeCloseTo(want[i]!, 5);
        expect(fused[i]).toBeCloseTo(Math.max(0, want[i]! + 1), 5);
      }
      const batched = tf.matMul(tf.stack([A, A]) as tf.Tensor3D, tf.stack([B, B]) as tf.Tensor3D, ta, tb).dataSync();
      for (let i = 0; i < m * n; i++) expect(batched[m * n + i]).toBeCloseTo(want[i]!, 5);
      tf.dispose([A, B]);
    }
  });

  it('trains the MMoE-like model and exports it with equal predictions', () => {
    const ir = mmoeIR();
    const rt = createModelRuntime(ir, options());
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    for (let s = 0; s < 30; s++) losses.push(rt.trainStep(randomBatch(ir, 32, 100 + (s % 10))).loss);
    expect(tf.memory().numTensors).toBe(before);
    expect(losses.slice(-5).reduce((x, y) => x + y)).toBeLessThan(losses.slice(0, 5).reduce((x, y) => x + y));
    const batch = randomBatch(ir, 6, 9);
    const p = rt.predict(batch);
    const model = rt.exportModel();
    const feed = model.inputNames.map((name) => {
      const col = batch.features[name.replace(/__w$/, '')]!;
      if (col.kind === 'dense') return tf.tensor2d(col.values, [6, 1]);
      if (col.kind === 'ids') return tf.tensor2d(col.rows, [6, 1], 'int32');
      return name.endsWith('__w') ? tf.tensor2d(col.weights, [6, col.maxLen]) : tf.tensor2d(col.rows, [6, col.maxLen], 'int32');
    });
    const outs = model.predict(feed) as tf.Tensor[];
    const t2 = outs[1]!.dataSync();
    for (let b = 0; b < 6; b++) expect(Math.abs(t2[b]! - p.outputs['t2']![b]!)).toBeLessThan(1e-5);
    model.dispose();
    rt.dispose();
  });

  it('says how to install the tensorflow backend when it is missing (MTL5200)', async () => {
    let error: unknown;
    try {
      await selectBackend('tensorflow');
    } catch (e) {
      error = e;
    }
    expect(isMtlError(error) && error.diagnostics[0]!.code).toBe('MTL5200');
    expect(isMtlError(error) && error.diagnostics[0]!.hint).toContain('npm install @tensorflow/tfjs-node');
    expect(tf.getBackend()).toBe('wasm');
  });
});
