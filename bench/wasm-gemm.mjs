#!/usr/bin/env node
/**
 * GFLOP/s of the WebAssembly kernels' GEMM (native/wasm/mtl_kernels.wasm, or the .wasm given with --wasm) on
 * the direct step's real shapes: the forward (NN), weight-gradient (TN) and input-gradient (NT) products of
 * the bench workloads' largest layers at batch 1024 (bench/specs: mmoe's 8 experts 429→256→128, esmm's and
 * ple's towers). The module runs alone here, on a memory of its own, single-threaded, as in the step.
 * Rates are per CPU-second of this process (user + system), so that other processes' turns on a shared
 * machine do not count. Not a test (timings never are): `node bench/wasm-gemm.mjs [--wasm FILE] [--seconds 0.5]`.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const file = flag('wasm', path.join(root, 'native', 'wasm', 'mtl_kernels.wasm'));
const seconds = Number(flag('seconds', '0.5'));

/** [transposes, M, N, K]: the step's products (op(A) is M×K, op(B) K×N). */
const SHAPES = [
  ['NN', 1024, 256, 429],
  ['NN', 1024, 128, 256],
  ['NN', 1024, 64, 128],
  ['NN', 1024, 8, 429],
  ['TN', 429, 256, 1024],
  ['TN', 256, 128, 1024],
  ['TN', 128, 64, 1024],
  ['NT', 1024, 429, 256],
  ['NT', 1024, 256, 128],
  ['NT', 1024, 429, 8],
];

const memory = new WebAssembly.Memory({ initial: 2048 }); // 128 MiB
let top = 1 << 20; // the first MiB is the module's C stack
const alloc = (bytes) => {
  const p = (top + 63) & ~63;
  top = p + bytes;
  return p;
};
const arena = { base: 0, top: 0 };
const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), {
  env: {
    memory,
    malloc: (n) => {
      const p = (arena.top + 63) & ~63;
      arena.top = p + n;
      return p;
    },
    free: () => {},
  },
});
const x = instance.exports;
x.__stack_pointer.value = 1 << 20;
const heap = new Float32Array(memory.buffer);
const offsets = alloc(8);
new Int32Array(memory.buffer, offsets, 2).fill(0);
arena.base = alloc(16 << 20);

console.log(`${path.relative(root, file)}: single-threaded, ${seconds} s per shape`);
let flops = 0;
let ms = 0;
for (const [t, m, n, k] of SHAPES) {
  const a = alloc(m * k * 4);
  const b = alloc(k * n * 4);
  const c = alloc(m * n * 4);
  for (let i = 0; i < m * k; i++) heap[a / 4 + i] = Math.sin(i);
  for (let i = 0; i < k * n; i++) heap[b / 4 + i] = Math.cos(i);
  const run = () => {
    arena.top = arena.base;
    x.sgemm_batch(t[0] === 'T' ? 1 : 0, t[1] === 'T' ? 1 : 0, m, n, k, a, b, c, offsets, offsets, 1);
  };
  for (let i = 0; i < 3; i++) run();
  let reps = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() - t0 < seconds * 1000) {
    run();
    reps++;
  }
  // CPU time, not wall time: on a shared machine the wall clock counts other processes' turns too.
  const cpu = process.cpuUsage(cpu0);
  const dt = (cpu.user + cpu.system) / 1000;
  const f = 2 * m * n * k * reps;
  flops += f;
  ms += dt;
  console.log(`  ${t} ${String(m).padStart(4)}×${String(n).padEnd(4)} k=${String(k).padEnd(5)} ${(f / dt / 1e6).toFixed(1).padStart(6)} GFLOP per CPU-s`);
  top = a;
}
console.log(`  all shapes: ${(flops / ms / 1e6).toFixed(1)} GFLOP per CPU-second`);
