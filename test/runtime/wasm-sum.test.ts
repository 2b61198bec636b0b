/** The leading-axis wasm Sum (src/runtime/wasm-sum.ts) against the cpu backend's Sum. */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { leadingAxes } from '../../src/runtime/wasm-sum.js';
import { selectBackend } from '../../src/runtime/backend.js';

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

describe('wasm Sum', () => {
  it('equals cpu for leading, trailing and full reductions, with and without keepDims', async () => {
    const shape = [37, 4, 5];
    const data = Float32Array.from({ length: 37 * 20 }, (_, i) => Math.sin(i * 1.7) * 3);
    const cases: [number | number[] | undefined, boolean][] = [[0, false], [0, true], [[0, 1], false], [[0, 1], true], [2, false], [undefined, false], [[-3], true]];
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
