/**
 * The committed WebAssembly kernels (native/wasm/mtl_kernels.wasm) against their sources and against
 * arithmetic: scripts/build-wasm.mjs --check (source hashes always; a byte-identical rebuild when the recorded
 * clang is here), a tampered source caught, the module's GEMM against a float64 reference on odd shapes and
 * every transpose, and its expf / expm1f / tanhf against Math's. The module runs here on a memory of its own
 * with a bump allocator, as src/exec/wasm-accel.ts runs it on tfjs's heap.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasWasmClang } from '../optional-tools.js';
import { instantiateKernels } from './wasm-kernels-fixture.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = path.join(root, 'scripts', 'build-wasm.mjs');

describe('native/wasm/mtl_kernels.wasm is built from its sources', () => {
  it('--check passes on the committed module (a byte-identical rebuild when clang is here)', () => {
    const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const recorded = JSON.parse(readFileSync(path.join(root, 'native', 'wasm', 'mtl_kernels.json'), 'utf8')) as { clang: string };
    const version = spawnSync('clang', ['--version'], { encoding: 'utf8' }).stdout?.split('\n')[0]?.trim();
    if (hasWasmClang() && version === recorded.clang) expect(r.stdout).toMatch(/byte-identical rebuild/);
    else expect(r.stdout).toMatch(/up to date with its sources/);
  });

  it('--check fails, naming the file, when a source changed after the build', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mtl-wasm-check-'));
    try {
      cpSync(path.join(root, 'scripts', 'build-wasm.mjs'), path.join(dir, 'scripts', 'build-wasm.mjs'));
      cpSync(path.join(root, 'native'), path.join(dir, 'native'), { recursive: true, filter: (src) => !src.includes(`${path.sep}build`) });
      const source = path.join(dir, 'native', 'mtl_step_math.c');
      writeFileSync(source, readFileSync(source, 'utf8') + '\n/* changed */\n');
      const r = spawnSync(process.execPath, [path.join(dir, 'scripts', 'build-wasm.mjs'), '--check'], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('is out of date with native/mtl_step_math.c: run npm run build:wasm');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The module on a fresh 64 MiB memory, its arena from 48 MiB. */
function instantiate() {
  return instantiateKernels<{
    sgemm_batch(ta: number, tb: number, m: number, n: number, k: number, a: number, b: number, c: number, ao: number, bo: number, batch: number): void;
    bias_act_at(mem: number, rows: number, cols: number, act: number, yo: number, bo: number, ny: number): void;
    act_grad_at(mem: number, count: number, act: number, dyo: number, yo: number, nd: number): void;
  }>(1024, 48 << 20);
}

describe('the WebAssembly kernels compute', () => {
  const shapes: Array<[number, number, number]> = [
    [1, 1, 1],
    [1023, 17, 5],
    [7, 9, 1],
    [5, 300, 257],
    [97, 33, 600],
  ];
  for (const [m, n, k] of shapes) {
    for (const [ta, tb] of [false, true].flatMap((t) => [false, true].map((u) => [t, u] as const))) {
      it(`sgemm ${m}×${n}×${k}${ta ? ' Aᵀ' : ''}${tb ? ' Bᵀ' : ''} equals a float64 product within float32 rounding`, () => {
        const { memory, x } = instantiate();
        const A = 2 << 20;
        const B = 12 << 20;
        const C = 24 << 20;
        const offs = 1 << 19;
        const a = new Float32Array(memory.buffer, A, m * k);
        const b = new Float32Array(memory.buffer, B, k * n);
        let seed = m * 31 + n * 7 + k;
        const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
        a.forEach((_, i) => (a[i] = rnd()));
        b.forEach((_, i) => (b[i] = rnd()));
        const c = new Float32Array(memory.buffer, C, m * n).fill(Number.NaN); // beta = 0 must not read C
        new Int32Array(memory.buffer, offs, 2).set([0, 0]);
        x.sgemm_batch(+ta, +tb, m, n, k, A, B, C, offs, offs + 4, 1);
        let worst = 0;
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let s = 0;
            let mag = 0;
            for (let p = 0; p < k; p++) {
              const av = ta ? a[p * m + i]! : a[i * k + p]!;
              const bv = tb ? b[j * k + p]! : b[p * n + j]!;
              s += av * bv;
              mag += Math.abs(av * bv);
            }
            worst = Math.max(worst, Math.abs(c[i * n + j]! - s) / (mag * 2 ** -23 * Math.sqrt(k) + 1e-30));
          }
        }
        expect(worst).toBeLessThan(4);
      });
    }
  }

  it('sigmoid, tanh, elu, selu and gelu (expf, expm1f, tanhf, erff) match float64 within 4 ulp over [-30, 30]', () => {
    const { memory, x } = instantiate();
    const count = 6001;
    const Y = 2 << 20;
    const offs = 1 << 19;
    const xs = Float32Array.from({ length: count }, (_, i) => -30 + i / 100);
    const ulp = (v: number) => Math.max(2 ** -149, 2 ** (Math.floor(Math.log2(Math.abs(v) || 2 ** -126)) - 23));
    // erf in float64 from its series of positive terms, e^(−x²) · 2/√π · Σ 2ⁿ x^(2n+1) / (2n+1)!! (no cancellation).
    const erf = (v: number): number => {
      const a = Math.abs(v);
      if (a > 6) return Math.sign(v);
      let term = a;
      let sum = a;
      for (let n = 1; n < 200; n++) {
        term *= (2 * a * a) / (2 * n + 1);
        sum += term;
      }
      return Math.sign(v) * Math.min(1, (2 / Math.sqrt(Math.PI)) * Math.exp(-a * a) * sum);
    };
    const expected: Record<number, (v: number) => number> = {
      6: (v) => 0.5 * v * (1 + erf(v / Math.SQRT2)),
      2: Math.tanh,
      3: (v) => 1 / (1 + Math.exp(-v)),
      4: (v) => (v > 0 ? v : Math.expm1(v)),
      5: (v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * Math.expm1(v)),
    };
    for (const [act, f] of Object.entries(expected)) {
      const y = new Float32Array(memory.buffer, Y, count);
      y.set(xs);
      new Int32Array(memory.buffer, offs, 2).set([Y / 4, -1]);
      x.bias_act_at(0, 1, count, Number(act), offs, offs + 4, 1);
      let worst = 0;
      xs.forEach((v, i) => {
        const want = f(v);
        // gelu = x·(1 + erf(x/√2))/2 cancels for x ≪ 0 in float32 (as in tfjs and torch): judge it on the scale of x/2.
        const scale = act === '6' ? Math.max(Math.abs(want), Math.abs(v) / 2) : want;
        worst = Math.max(worst, Math.abs(y[i]! - want) / ulp(scale));
      });
      expect(worst, `activation ${act}`).toBeLessThan(4);
    }
  });

  it('the ReLU gradient (vectorised in mtl_wasm.c) is dy where y > 0, else +0: NaN, ±0, ±inf, odd lengths, several blocks', () => {
    const { memory, x } = instantiate();
    const offs = 1 << 19;
    const special = [Number.NaN, 0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-45, -1e-45];
    for (const count of [1, 3, 4, 7, 1001]) {
      const blocks = 3;
      const DY = 2 << 20;
      const Y = 12 << 20;
      let seed = count;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
      const pick = (i: number) => (i % 5 === 0 ? special[(i / 5) % special.length]! : rnd());
      const dy = new Float32Array(memory.buffer, DY, count * blocks);
      const y = new Float32Array(memory.buffer, Y, count * blocks);
      dy.forEach((_, i) => (dy[i] = pick(i + 1)));
      y.forEach((_, i) => (y[i] = pick(i)));
      const want = Array.from(dy, (g, i) => (y[i]! > 0 ? g : 0));
      new Int32Array(memory.buffer, offs, 2 * blocks).set([...Array.from({ length: blocks }, (_, b) => DY / 4 + b * count), ...Array.from({ length: blocks }, (_, b) => Y / 4 + b * count)]);
      x.act_grad_at(0, count, 1, offs, offs + 4 * blocks, blocks);
      const got = Array.from(new Float32Array(memory.buffer, DY, count * blocks));
      // Object.is: +0 where y ≤ 0 (not -0), NaN kept where y > 0.
      got.forEach((g, i) => expect(Object.is(g, want[i]), `count ${count}, element ${i}: y ${y[i]}, dy ${dy[i]} → ${g}, want ${want[i]}`).toBe(true));
    }
  });
});
