/**
 * Not a test: shows the speed-up of the wasm matMul fix (src/exec/backend.ts). Run with
 *   npx tsx test/exec/wasm-matmul.speed.ts
 * It times one 1024×256×128 matMul with a transposed operand (the shape of a Dense layer's backward
 * pass) with the original wasm kernel and with the wrapper, and prints the ratio (medians of 7 runs).
 */
import * as tf from '@tensorflow/tfjs';
import { installWasmMatMulFix, wasmDistFolder } from '../../src/exec/backend.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(f: () => tf.Tensor): number {
  const runs: number[] = [];
  for (let i = 0; i < 8; i++) {
    const t0 = performance.now();
    const r = f();
    r.dataSync();
    r.dispose();
    if (i > 0) runs.push(performance.now() - t0);
  }
  return median(runs);
}

// Start wasm by hand (as selectBackend does, without the fix) to time the original kernels first.
const wasm = await import('@tensorflow/tfjs-backend-wasm');
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
wasm.setWasmPaths(wasmDistFolder());
await tf.setBackend('wasm');
const a = tf.randomNormal([1024, 256]);
const b = tf.randomNormal([1024, 128]);
const w = tf.randomNormal([256, 128]);
const origTA = time(() => tf.matMul(a, b, true, false));
const origTB = time(() => tf.matMul(b, w, false, true));
const plain = time(() => tf.matMul(a, w));
installWasmMatMulFix();
const fixedTA = time(() => tf.matMul(a, b, true, false));
const fixedTB = time(() => tf.matMul(b, w, false, true));
const flops = (2 * 1024 * 256 * 128) / 1e9;
const rate = (ms: number): string => `${ms.toFixed(2)} ms (${(flops / (ms / 1e3)).toFixed(1)} GFLOP/s)`;
console.log(`wasm matMul, 1024×256×128 multiply-adds, median of 7; ${(await import('node:os')).cpus().length} cores`);
console.log(`  plain matMul                    : ${rate(plain)}`);
console.log(`  transposeA, original kernel     : ${rate(origTA)}`);
console.log(`  transposeA, wrapped kernel      : ${rate(fixedTA)}   speed-up ${(origTA / fixedTA).toFixed(1)}×`);
console.log(`  transposeB, original kernel     : ${rate(origTB)}`);
console.log(`  transposeB, wrapped kernel      : ${rate(fixedTB)}   speed-up ${(origTB / fixedTB).toFixed(1)}×`);
