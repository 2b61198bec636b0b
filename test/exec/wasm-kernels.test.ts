import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activeKernelsLabel, selectBackend } from '../../src/exec/backend.js';
import { copyBox } from '../../src/exec/wasm-kernels.js';

// tfjs's own wasm kernels (the path without mtl's WebAssembly kernels, which replace the matMuls).
process.env['MTL_WASM_KERNELS'] = 'off';

beforeAll(async () => {
  expect(await selectBackend('wasm')).toEqual({ name: 'wasm', note: "wasm with tfjs's kernels only (disabled by MTL_WASM_KERNELS=off)" });
  expect(activeKernelsLabel()).toBe('tfjs wasm kernels');
});

/** A tensor whose value at each position is its flat index (so any misplaced copy shows). */
function iota(shape: number[], dtype: 'float32' | 'int32' = 'float32'): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, (_, i) => i), shape, dtype);
}

/** Values of a box of an iota tensor computed independently (nested index arithmetic). */
function boxOfIota(shape: number[], begin: number[], size: number[]): number[] {
  const out: number[] = [];
  const rec = (d: number, flat: number): void => {
    if (d === shape.length) {
      out.push(flat);
      return;
    }
    const stride = shape.slice(d + 1).reduce((a, b) => a * b, 1);
    for (let i = 0; i < size[d]!; i++) rec(d + 1, flat + (begin[d]! + i) * stride);
  };
  rec(0, 0);
  return out;
}

describe('wasm Slice / SplitV replacements', () => {
  it('are installed on wasm', () => {
    for (const k of ['Slice', 'SplitV']) expect((tf.getKernel(k, 'wasm') as unknown as Record<symbol, boolean>)[Symbol.for('mtl.wasmCopyKernelReplaced')]).toBe(true);
  });

  it('copyBox copies boxes of ranks 1–4, short and long runs', () => {
    const cases: Array<[number[], number[], number[]]> = [
      [[10], [3], [5]],
      [[4, 100], [1, 7], [2, 80]],
      [[3, 4, 5], [1, 0, 2], [2, 3, 3]],
      [[2, 3, 4, 5], [0, 1, 1, 0], [2, 2, 3, 5]],
    ];
    for (const [shape, begin, size] of cases) {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = Float32Array.from({ length: n }, (_, i) => i);
      const out = new Float32Array(size.reduce((a, b) => a * b, 1));
      copyBox(x, shape, begin, size, out);
      expect(Array.from(out)).toEqual(boxOfIota(shape, begin, size));
    }
  });

  it('slices like the definition (size -1 = to the end), float32 and int32', () => {
    for (const dtype of ['float32', 'int32'] as const) {
      const x = iota([5, 6, 7], dtype);
      const a = tf.slice(x, [1, 2, 3], [3, -1, 2]);
      expect(a.shape).toEqual([3, 4, 2]);
      expect(a.dtype).toBe(dtype);
      expect(Array.from(a.dataSync())).toEqual(boxOfIota([5, 6, 7], [1, 2, 3], [3, 4, 2]));
      tf.dispose([x, a]);
    }
  });

  it('splits the way a concatenation gradient needs (39 feature widths along the last axis)', () => {
    const widths = [...Array(26).fill(16), ...Array(13).fill(1)] as number[];
    const total = widths.reduce((a, b) => a + b, 0);
    const x = iota([33, total]);
    const parts = tf.split(x, widths, 1);
    let begin = 0;
    parts.forEach((p, i) => {
      expect(p.shape).toEqual([33, widths[i]]);
      expect(Array.from(p.dataSync())).toEqual(boxOfIota([33, total], [0, begin], [33, widths[i]!]));
      begin += widths[i]!;
    });
    // Even splits along a middle axis, and a -1 size.
    const y = iota([4, 6, 3]);
    const even = tf.split(y, 3, 1);
    even.forEach((p, i) => expect(Array.from(p.dataSync())).toEqual(boxOfIota([4, 6, 3], [0, 2 * i, 0], [4, 2, 3])));
    const rest = tf.split(y, [1, -1], 0);
    expect(rest[1]!.shape).toEqual([3, 6, 3]);
    expect(Array.from(rest[1]!.dataSync())).toEqual(boxOfIota([4, 6, 3], [1, 0, 0], [3, 6, 3]));
    tf.dispose([x, y, ...parts, ...even, ...rest]);
  });

  it('gives concat gradients equal to the cpu backend', async () => {
    const run = (): number[][] => {
      const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
      const b = tf.tensor2d([7, 8], [2, 1]);
      const w = tf.tensor2d([1, -2, 3, -4, 5, -6, 7, -8], [2, 4]);
      const g = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.concat([p, q], 1), w)))([a, b]);
      return g.map((t) => Array.from(t.dataSync()));
    };
    const onWasm = run();
    await tf.setBackend('cpu');
    const onCpu = run();
    await selectBackend('wasm');
    expect(onWasm).toEqual(onCpu);
    expect(onWasm).toEqual([
      [1, -2, 3, 5, -6, 7],
      [-4, -8],
    ]);
  });
});
