/** The leading-axis wasm Sum (src/exec/wasm-sum.ts) against the cpu backend's Sum. */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { leadingAxes, middleAxes } from '../../src/exec/wasm-sum.js';
import { selectBackend } from '../../src/exec/backend.js';

describe('leadingAxes', () => {
  it('accepts exactly the leading axes 0..p-1 (p < rank), negative axes normalised', () => {
    expect(leadingAxes(0, 2)).toBe(1);
    expect(leadingAxes([0, 1], 3)).toBe(2);
    expect(leadingAxes([-3, 1], 3)).toBe(2);
    expect(leadingAxes([1], 2)).toBe(0);
    expect(leadingAxes([0, 1], 2)).toBe(0);
    expect(leadingAxes(undefined, 2)).toBe(0);
  });
});

describe('middleAxes', () => {
  it('accepts a contiguous block of axes that does not reach the last axis', () => {
    expect(middleAxes(1, 3)).toEqual([1, 2]);
    expect(middleAxes([0, 1], 4)).toEqual([0, 2]);
    expect(middleAxes([-2], 3)).toEqual([1, 2]);
    expect(middleAxes([0, 2], 4)).toBeUndefined();
    expect(middleAxes(2, 3)).toBeUndefined();
    expect(middleAxes(undefined, 3)).toBeUndefined();
  });
});

describe('wasm Sum', () => {
  it('sums middle axes ([k, batch, n] over the batch) as a float32 walk over rows, like a leading sum', async () => {
    expect((await selectBackend('wasm')).name).toBe('wasm');
    const [k, b, n] = [3, 50, 7];
    const data = Float32Array.from({ length: k * b * n }, (_, i) => Math.sin(i * 0.37) * 5);
    const y = tf.tidy(() => tf.sum(tf.tensor(data, [k, b, n]), 1, true));
    expect(y.shape).toEqual([k, 1, n]);
    const got = y.dataSync();
    for (let a = 0; a < k; a++)
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let i = 0; i < b; i++) acc = Math.fround(acc + data[(a * b + i) * n + j]!);
        expect(got[a * n + j]).toBe(acc);
      }
    y.dispose();
  });

  it('equals cpu for leading, trailing and full reductions, with and without keepDims', async () => {
    const shape = [37, 4, 5];
    const data = Float32Array.from({ length: 37 * 20 }, (_, i) => Math.sin(i * 1.7) * 3);
    const cases: [number | number[] | undefined, boolean][] = [[0, false], [0, true], [[0, 1], false], [[0, 1], true], [2, false], [undefined, false], [[-3], true], [1, false], [1, true]];
    const run = (): { shape: number[]; data: number[] }[] =>
      cases.map(([axis, keep]) => tf.tidy(() => {
        const y = tf.sum(tf.tensor(data, shape), axis, keep);
        return { shape: y.shape, data: Array.from(y.dataSync()) };
      }));
    expect((await selectBackend('wasm')).name).toBe('wasm');
    const wasm = run();
    await tf.setBackend('cpu');
    const cpu = run();
    for (let c = 0; c < cases.length; c++) {
      expect(wasm[c]!.shape).toEqual(cpu[c]!.shape);
      wasm[c]!.data.forEach((v, i) => expect(Math.abs(v - cpu[c]!.data[i]!)).toBeLessThan(1e-4));
    }
  });
});
