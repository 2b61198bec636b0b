/**
 * Top-k gates, gate noise and gate auxiliary losses on the direct step (src/model/direct, native/mtl_step_math.c):
 * - the kernels against float64 implementations of the paper's formulas (Shazeer et al. 2017, eq. 3-6) written
 *   here: top-k with tfjs's tie rule (checked against tf.topk), its gradient, the noisy logits and their
 *   gradient, the importance loss and its gradient (also against finite differences), the Gaussian draws'
 *   moments and their reproducibility per (seed, step, stream);
 * - the `noisy-topk` gate without noise against the tfjs step (losses, every weight's gradient after one SGD
 *   step, every weight after 6 Adam steps, predictions) at k = 1, 2, 3 of 4, with and without balance_weight,
 *   also on a gate no tower reads (its importance loss alone trains it);
 * - noise on: a third-party-style plugin whose tfjs layer adds the very ε the kernels draw (the same array in
 *   both steps) against the direct step, and the real plugin's noisy runs: repeatable, resumed exactly,
 *   trained noise weights, no noise at prediction.
 * Runs on the addon's kernels, and on their WebAssembly build through direct-step-wasm.test.ts.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createModelRuntime } from '../../src/model/index.js';
import type { ModelRuntime } from '../../src/model/types.js';
import type { GateNode, ModelIR } from '../../src/ir/types.js';
import { activeHeapKernels, loadNativeBlas, nativeBlasError } from '../../src/exec/native-blas.js';
import { selectBackend } from '../../src/exec/backend.js';
import { wasmHeap } from '../../src/exec/wasm-heap.js';
import { planDirectStep } from '../../src/model/direct/plan.js';
import { GATE_NORMALIZER_CODES, IMPORTANCE_EPSILON } from '../../src/ir/ops/gate-normalizers.js';
import { definePlugin, type GatePlugin } from '../../src/plugins/api.js';
import noisyTopk from '../../plugins/noisy-topk/index.js';
import { directTestBackend, wasmKernelsBuilt } from '../exec/wasm-kernels-fixture.js';
import { expectRepeatableAndResumable, expectSameAfterAdamSteps, expectSameSgdStep, mmoeIR, options, randomBatch, worstDifference } from './fixtures.js';

const BACKEND = directTestBackend();
const available = BACKEND === 'wasm' ? wasmKernelsBuilt() : loadNativeBlas() !== undefined;
const skipNote = available ? '' : BACKEND === 'wasm' ? ' (SKIPPED: native/wasm/mtl_kernels.wasm is missing)' : ` (SKIPPED: OpenBLAS addon not built: ${nativeBlasError()})`;
/** The fixtures' training seed (options()): the direct step's noise is keyed by it. */
const SEED = 7;
const TOPK = GATE_NORMALIZER_CODES.topk;

/** MMoE with 4 experts and noisy-topk gates g1, g2 (params each); `idle`: a third gate no tower reads. */
function topkIR(p1: GateNode['params'], p2: GateNode['params'], idle?: GateNode['params'], type = 'noisy-topk'): ModelIR {
  const ir = mmoeIR();
  ir.nodes = ir.nodes.map((n) => (n.kind === 'experts' ? { ...n, count: 4 } : n.kind === 'gate' ? { ...n, type, params: n.name === 'g1' ? p1 : p2 } : n));
  if (idle) ir.nodes.push({ kind: 'gate', name: 'g3', type, params: idle, over: ['e'], on: 'all', width: 8 });
  return ir;
}

/** Heap scratch for kernel tests: `floats` zeroed elements; call `done` to free. */
function scratch(floats: number): { at: number; mem: () => Float32Array; done: () => void } {
  const heap = wasmHeap()!;
  const at = heap.allocate(floats);
  heap.memory().fill(0, at, at + floats);
  return { at, mem: () => heap.memory(), done: () => heap.free(at) };
}

/** ε as the kernels draw it for (seed, step, stream): gateNoiseAt on zero logits keeps its draws. */
function drawNoise(rows: number, n: number, seed: number, step: number, stream: number): Float32Array {
  const size = rows * n;
  const s = scratch(3 * size);
  try {
    activeHeapKernels()!.gateNoiseAt(s.mem(), rows, n, seed, step, stream, s.at, s.at + size, s.at + 2 * size);
    return s.mem().slice(s.at + 2 * size, s.at + 3 * size);
  } finally {
    s.done();
  }
}

/** Indices kept by a float64 top-k with tfjs's rule: larger value first, of equal values the lower index. */
function keptIndices(row: ArrayLike<number>, k: number): Set<number> {
  const order = Array.from(row, (v, i) => ({ v, i })).sort((a, b) => b.v - a.v || a.i - b.i);
  return new Set(order.slice(0, k).map((o) => o.i));
}

const softplus = (u: number): number => Math.max(u, 0) + Math.log1p(Math.exp(-Math.abs(u)));

/**
 * A gate plugin as a third party would write one: noisy top-k whose tfjs layer adds the ε the direct step's
 * generator draws for that step (so both steps see the same noise), and a direct binding naming its weights.
 */
class InjectedNoiseTopK extends tf.layers.Layer {
  static className = 'test>InjectedNoiseTopK';
  private gateKernel: tf.LayerVariable | undefined;
  private noiseKernel: tf.LayerVariable | undefined;
  private calls = 0;
  constructor(private readonly cfg: { experts: number; k: number; temperature: number; seed: number; stream: number; name: string }) {
    super({ name: cfg.name });
  }
  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const width = (inputShape as tf.Shape)[1] as number;
    this.gateKernel = this.addWeight('gate_kernel', [width, this.cfg.experts], 'float32', tf.initializers.glorotUniform({ seed: this.cfg.seed }));
    // Random (not zero) noise weights, so that their gradient through softplus' = σ is exercised off 0.
    this.noiseKernel = this.addWeight('noise_kernel', [width, this.cfg.experts], 'float32', tf.initializers.glorotUniform({ seed: this.cfg.seed + 1 }));
    this.built = true;
  }
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [(inputShape as tf.Shape)[0] ?? null, this.cfg.experts];
  }
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor2D;
    const { experts: n, k, temperature } = this.cfg;
    let h: tf.Tensor2D = tf.matMul(x, this.gateKernel!.read() as tf.Tensor2D);
    if (kwargs['training'] === true) {
      // The runtime's step number is the count of training calls so far.
      const eps = tf.tensor2d(drawNoise(x.shape[0], n, SEED, this.calls++, this.cfg.stream), [x.shape[0], n]);
      h = tf.add(h, tf.mul(eps, tf.softplus(tf.matMul(x, this.noiseKernel!.read() as tf.Tensor2D))));
    }
    h = tf.div(h, temperature);
    // The kept set is a constant (no gradient flows through the choice), from the values with tfjs's tie rule.
    const values = h.dataSync();
    const keep = new Uint8Array(values.length);
    for (let r = 0; r < x.shape[0]; r++) for (const i of keptIndices(values.subarray(r * n, (r + 1) * n), k)) keep[r * n + i] = 1;
    return tf.softmax(tf.where(tf.tensor2d(keep, h.shape, 'bool'), h, tf.fill(h.shape, -Infinity)));
  }
}

const STREAMS: Record<string, number> = { g1: 0, g2: 1 }; // the plan numbers noisy gates in the order towers read them
const injectedPlugin = definePlugin(() => ({
  name: 'injected-topk',
  version: '1.0.0',
  description: 'test: noisy top-k with the direct step generator’s noise',
  paramsSchema: { type: 'object' },
  build(ctx) {
    const k = ctx.params['k'] as number;
    const temperature = (ctx.params['temperature'] as number | undefined) ?? 1;
    const weights = new InjectedNoiseTopK({ experts: ctx.expertCount, k, temperature, seed: ctx.seed, stream: STREAMS[ctx.gate.name]!, name: `${ctx.prefix}_inj` }).apply(ctx.input) as typeof ctx.input;
    const output = ctx.tf.layers.dot({ axes: [1, 1], name: `${ctx.prefix}_mix` }).apply([weights, ctx.experts]) as typeof ctx.input;
    return { output, weights };
  },
  direct: (params, prefix) => ({
    normalizer: 'topk',
    k: params['k'] as number,
    temperature: (params['temperature'] as number | undefined) ?? 1,
    scale: 1,
    noise: true,
    weights: { kernel: `${prefix}_inj/gate_kernel`, noise: `${prefix}_inj/noise_kernel` },
  }),
  layers: [InjectedNoiseTopK],
}))();

const topkPlugin: GatePlugin = noisyTopk();
const gates = (t: string): GatePlugin | undefined => (t === 'noisy-topk' ? topkPlugin : t === 'injected-topk' ? injectedPlugin : undefined);

/** The direct step's and the tfjs step's runtimes from one IR and seed. */
function pair(ir: ModelIR, optimizer: 'sgd' | 'adam', lr: number): { direct: ModelRuntime; reference: ModelRuntime } {
  const opts = options({ gates, optimizer: { optimizer, lr } });
  return { direct: createModelRuntime(ir, { ...opts, directStep: true }), reference: createModelRuntime(ir, { ...opts, directStep: false }) };
}

describe('the direct step plans top-k gates, gate noise and auxiliary losses', () => {
  const weightsOf = (ir: ModelIR): { sizes: Map<string, number>; aux: Array<{ gate: string; weight: number }> } => {
    const rt = createModelRuntime(ir, options({ gates, directStep: false }));
    const sizes = new Map(Object.entries(rt.getState().tensors).filter(([k]) => k.startsWith('dense/')).map(([k, t]) => [k.slice(6), t.data.length] as [string, number]));
    rt.dispose();
    const aux = ir.nodes.flatMap((n) => (n.kind === 'gate' && typeof n.params['balance_weight'] === 'number' && n.params['balance_weight'] > 0 ? [{ gate: n.name, weight: n.params['balance_weight'] }] : []));
    return { sizes, aux };
  };

  it('reads the noisy-topk layer’s kernels by name, numbers the noise streams and plans an unread gate with an auxiliary loss', () => {
    const ir = topkIR({ k: 2, balance_weight: 0.1 }, { k: 1, noise: false }, { k: 2, balance_weight: 0.3 });
    const { sizes, aux } = weightsOf(ir);
    const planned = planDirectStep(ir, { auxLosses: aux, weightSizes: sizes, gates });
    expect('plan' in planned).toBe(true);
    if (!('plan' in planned)) return;
    const gateOps = planned.plan.ops.filter((o) => o.kind === 'gate');
    expect(gateOps.map((g) => g.kind === 'gate' && [g.name, g.normalizer, g.k, g.kernel, g.bias, g.noise?.kernel, g.noise?.stream, g.importance, g.experts.length])).toEqual([
      ['g1', TOPK, 2, 'gate_g1_noisy_topk/gate_kernel', undefined, 'gate_g1_noisy_topk/noise_kernel', 0, 0.1, 4],
      ['g2', TOPK, 1, 'gate_g2_noisy_topk/gate_kernel', undefined, undefined, undefined, undefined, 4],
      ['g3', TOPK, 2, 'gate_g3_noisy_topk/gate_kernel', undefined, 'gate_g3_noisy_topk/noise_kernel', 1, 0.3, 0],
    ]);
    // Prediction: no noise, no auxiliary loss.
    const predict = planDirectStep(ir, { auxLosses: aux, weightSizes: sizes, gates }, 'predict');
    expect('plan' in predict && predict.plan.ops.some((o) => o.kind === 'gate' && (o.noise || o.importance !== undefined))).toBe(false);
  });

  it('says why not when a binding does not describe the build', () => {
    const ir = topkIR({ k: 2, balance_weight: 0.1 }, { k: 2 });
    const { sizes, aux } = weightsOf(ir);
    // An auxiliary loss the binding does not declare, or of another weight.
    const silent: GatePlugin = { ...topkPlugin, direct: (params, prefix) => ({ ...(topkPlugin.direct!(params, prefix) as object), auxLoss: undefined }) as never };
    expect(planDirectStep(ir, { auxLosses: aux, weightSizes: sizes, gates: () => silent })).toEqual({ reason: "gate g1's plugin adds an auxiliary loss its direct binding does not declare" });
    expect(planDirectStep(ir, { auxLosses: [{ gate: 'g1', weight: 0.2 }], weightSizes: sizes, gates })).toEqual({
      reason: "gate g1's direct binding declares an auxiliary loss of weight 0.1, but its build added one of weight 0.2",
    });
    // A weight name the build does not create.
    const misnamed: GatePlugin = { ...topkPlugin, direct: () => ({ normalizer: 'topk', k: 2, temperature: 1, scale: 1, weights: { kernel: 'gate_g1_topk/kernel' } }) };
    expect(planDirectStep(ir, { auxLosses: [], weightSizes: sizes, gates: () => misnamed })).toEqual({
      reason: "gate g1's direct binding names the weight 'gate_g1_topk/kernel', which its build does not create",
    });
  });
});

describe.skipIf(!available)(`top-k gates, noise and auxiliary losses on the direct step${skipNote}`, () => {
  beforeAll(async () => {
    expect((await selectBackend(BACKEND)).name).toBe(BACKEND);
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('top-k keeps tf.topk’s experts (ties: the lower index), softmax over them, exact zeros elsewhere, and the gradient only into kept logits', () => {
    const K = activeHeapKernels()!;
    const n = 6;
    const logits = [
      [1, 3, 3, 3, 0, 3],
      [2, 2, 2, 2, 2, 2],
      [0, -1, 5, 5, 5, 1],
      [0.3, -2.2, 1.7, 0.9, -0.4, 1.1],
      [-1, -1, -3, -1, -5, -1],
    ];
    const rows = logits.length;
    for (const k of [1, 2, 3, 6]) {
      for (const invT of [1, 1 / 0.7]) {
        const s = scratch(4 * rows * n);
        try {
          s.mem().set(logits.flat(), s.at);
          const dw = Array.from({ length: rows * n }, (_, i) => Math.sin(i + 1));
          s.mem().set(dw, s.at + 2 * rows * n);
          K.gateWeightsAt(s.mem(), TOPK, rows, n, k, invT, 1, s.at, s.at + rows * n);
          K.gateWeightsGradAt(s.mem(), TOPK, rows, n, invT, 1, s.at + rows * n, s.at + 2 * rows * n, s.at + 3 * rows * n);
          const w = s.mem().slice(s.at + rows * n, s.at + 2 * rows * n);
          const dz = s.mem().slice(s.at + 3 * rows * n, s.at + 4 * rows * n);
          const tfKept = tf.tidy(() => tf.topk(tf.tensor2d(logits), k).indices.arraySync() as number[][]);
          logits.forEach((row, r) => {
            const kept = keptIndices(row, k);
            expect(kept, `row ${r} k ${k}`).toEqual(new Set(tfKept[r]));
            // float64 reference: softmax over the kept logits / T; dz = invT · w ⊙ (dw − Σ w ⊙ dw).
            const m = Math.max(...[...kept].map((i) => row[i]! * invT));
            const e = row.map((v, i) => (kept.has(i) ? Math.exp(v * invT - m) : 0));
            const sum = e.reduce((a, b) => a + b, 0);
            const ref = e.map((v) => v / sum);
            const dot = ref.reduce((a, v, i) => a + v * dw[r * n + i]!, 0);
            for (let i = 0; i < n; i++) {
              if (!kept.has(i)) {
                expect(w[r * n + i]).toBe(0);
                expect(Math.abs(dz[r * n + i]!)).toBe(0);
              }
              expect(w[r * n + i]!).toBeCloseTo(ref[i]!, 6);
              expect(dz[r * n + i]!).toBeCloseTo(invT * ref[i]! * (dw[r * n + i]! - dot), 5);
            }
          });
        } finally {
          s.done();
        }
      }
    }
  });

  it('draws standard normal noise, the same for a (seed, step, stream) and independent across them; noisy logits and their gradient follow eq. 4', () => {
    const rows = 1000;
    const n = 100;
    const eps = drawNoise(rows, n, SEED, 3, 0);
    let mean = 0;
    let sq = 0;
    let fourth = 0;
    for (const v of eps) {
      mean += v;
      sq += v * v;
      fourth += v ** 4;
    }
    const N = eps.length;
    mean /= N;
    const variance = sq / N - mean * mean;
    // 1e5 draws: 5 standard errors of the mean (0.016), of the variance (√(2/N)·5 = 0.022) and of E[ε⁴] = 3 (√(96/N)·5 = 0.155).
    expect(Math.abs(mean)).toBeLessThan(0.016);
    expect(Math.abs(variance - 1)).toBeLessThan(0.022);
    expect(Math.abs(fourth / N - 3)).toBeLessThan(0.155);
    expect(Array.from(drawNoise(rows, n, SEED, 3, 0))).toEqual(Array.from(eps));
    // Pinned bits: this suite runs on the addon, its built-in-GEMM build and the WebAssembly build, and each must
    // draw exactly these (only integer arithmetic, √ and a logarithm of the kernels' own: no libm difference).
    const pinned = drawNoise(1000, 64, 7, 12345, 3);
    expect(createHash('sha256').update(new Uint8Array(pinned.buffer, pinned.byteOffset, pinned.byteLength)).digest('hex').slice(0, 16)).toBe('fd42e9dd0cf42555');
    for (const [seed, step, stream] of [[SEED + 1, 3, 0], [SEED, 4, 0], [SEED, 3, 1]] as const) {
      const other = drawNoise(rows, n, seed, step, stream);
      let dot = 0;
      for (let i = 0; i < N; i++) dot += other[i]! * eps[i]!;
      expect(Math.abs(dot / N), `${seed} ${step} ${stream}`).toBeLessThan(0.016); // uncorrelated
    }

    // H = Z + ε ⊙ softplus(U) and dU = dH ⊙ ε ⊙ σ(U), against float64.
    const K = activeHeapKernels()!;
    const r = 7;
    const c = 5;
    const size = r * c;
    const s = scratch(6 * size);
    try {
      const z = Array.from({ length: size }, (_, i) => Math.cos(i));
      const u = Array.from({ length: size }, (_, i) => 3 * Math.sin(i * 1.7) + (i === 3 ? 40 : i === 4 ? -40 : 0));
      const dh = Array.from({ length: size }, (_, i) => Math.sin(i * 0.3 + 1));
      s.mem().set(z, s.at);
      s.mem().set(u, s.at + size);
      s.mem().set(dh, s.at + 3 * size);
      K.gateNoiseAt(s.mem(), r, c, SEED, 5, 2, s.at, s.at + size, s.at + 2 * size);
      K.gateNoiseGradAt(s.mem(), size, s.at + 3 * size, s.at + 2 * size, s.at + size, s.at + 4 * size);
      const mem = s.mem();
      const e = mem.slice(s.at + 2 * size, s.at + 3 * size);
      expect(Array.from(e)).toEqual(Array.from(drawNoise(r, c, SEED, 5, 2)));
      for (let i = 0; i < size; i++) {
        const uf = Math.fround(u[i]!);
        expect(mem[s.at + i]!).toBeCloseTo(Math.fround(z[i]!) + e[i]! * softplus(uf), 4);
        expect(mem[s.at + 4 * size + i]!).toBeCloseTo(Math.fround(dh[i]!) * e[i]! / (1 + Math.exp(-uf)), 5);
      }
    } finally {
      s.done();
    }
  });

  it('the importance loss CV(Σ_batch w)² and its gradient match float64 and finite differences; accumulate adds', () => {
    const K = activeHeapKernels()!;
    const rows = 9;
    const n = 4;
    const size = rows * n;
    const w = Array.from({ length: size }, (_, i) => Math.fround(0.5 + 0.45 * Math.sin(i * 2.3)));
    const reference = (v: number[]): number => {
      const imp = Array.from({ length: n }, (_, i) => v.filter((_, j) => j % n === i).reduce((a, b) => a + b, 0));
      const mean = imp.reduce((a, b) => a + b, 0) / n;
      const variance = imp.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
      return variance / (mean * mean + IMPORTANCE_EPSILON);
    };
    const weight = 0.3;
    const s = scratch(2 * size);
    try {
      s.mem().set(w, s.at);
      const loss = K.importanceLossAt(s.mem(), rows, n, weight, IMPORTANCE_EPSILON, s.at, s.at + size, false);
      expect(loss).toBeCloseTo(Math.fround(weight) * reference(w), 7);
      const grad = s.mem().slice(s.at + size, s.at + 2 * size);
      for (let j = 0; j < size; j++) {
        const h = 1e-4;
        const numeric = (reference(w.map((v, i) => (i === j ? v + h : v))) - reference(w.map((v, i) => (i === j ? v - h : v)))) / (2 * h);
        expect(grad[j]!).toBeCloseTo(weight * numeric, 5);
      }
      // The same gradient for every row of a column (a batch statistic).
      expect(grad[n + 2]).toBe(grad[2]);
      K.importanceLossAt(s.mem(), rows, n, weight, IMPORTANCE_EPSILON, s.at, s.at + size, true);
      expect(Array.from(s.mem().slice(s.at + size, s.at + 2 * size))).toEqual(Array.from(grad, (g) => Math.fround(g + g)));
    } finally {
      s.done();
    }
  });

  const noiseOff: Array<[string, () => ModelIR]> = [
    ['k = 1 and k = 2, no balance loss', () => topkIR({ k: 1, noise: false }, { k: 2, noise: false })],
    ['k = 2 with balance_weight 0.1, k = 3 with temperature 0.7', () => topkIR({ k: 2, noise: false, balance_weight: 0.1 }, { k: 3, noise: false, temperature: 0.7 })],
    ['k = 3 and k = 4 (all kept) with balance weights, and an unread gate trained by its balance loss alone', () =>
      topkIR({ k: 3, noise: false, balance_weight: 0.5 }, { k: 4, noise: false, balance_weight: 0.2 }, { k: 2, noise: false, balance_weight: 1 })],
    ['injected noise (the same ε in both steps), k = 2 with temperature 1.5 and k = 1', () => topkIR({ k: 2, temperature: 1.5 }, { k: 1 }, undefined, 'injected-topk')],
  ];

  for (const [label, make] of noiseOff) {
    it(`${label}: the same loss and gradients as the tfjs step (one SGD step, lr 1)`, () => {
      const ir = make();
      const { direct, reference } = pair(ir, 'sgd', 1);
      try {
        const db = expectSameSgdStep(direct, reference, ir);
        // Every gate kernel (noise kernels included) got a gradient, except at k = 1: one kept expert weighs 1 whatever the logits.
        for (const gate of ir.nodes) {
          if (gate.kind !== 'gate' || gate.params['k'] === 1) continue;
          const kernels = Object.entries(db.tensors).filter(([key]) => key.startsWith(`dense/gate_${gate.name}_`) && key.endsWith('kernel'));
          expect(kernels.length).toBeGreaterThan(0);
          for (const [key, t] of kernels) expect(t.data.some((v) => v !== 0), key).toBe(true);
        }
      } finally {
        direct.dispose();
        reference.dispose();
      }
    });

    it(`${label}: the same weights after 6 Adam steps, and the same predictions from the direct forward pass`, () => {
      const ir = make();
      const { direct, reference } = pair(ir, 'adam', 0.01);
      try {
        // Predictions from the direct forward pass (no noise) against the tfjs model's.
        expect(direct.predictsDirectly?.()).toBe(true);
        expectSameAfterAdamSteps(direct, reference, ir, 4);
      } finally {
        direct.dispose();
        reference.dispose();
      }
    });
  }

  it('noise on (the noisy-topk plugin): repeatable, resumed exactly, the noise weights trained, no noise at prediction', () => {
    const ir = topkIR({ k: 2, balance_weight: 0.1 }, { k: 1 });
    const batches = [1, 2, 3, 4].map((seed) => randomBatch(ir, 32, seed));
    const make = (seed = SEED) => createModelRuntime(ir, options({ gates, seed }));
    const init = make();
    const start = init.getState();
    init.dispose();
    const first = expectRepeatableAndResumable(make, batches);
    try {
      // The noise kernels start at 0 (the paper's init) and learn.
      const noise = first.getState().tensors['dense/gate_g1_noisy_topk/noise_kernel']!;
      expect(start.tensors['dense/gate_g1_noisy_topk/noise_kernel']!.data.every((v) => v === 0)).toBe(true);
      expect(noise.data.some((v) => v !== 0)).toBe(true);
      // Prediction draws no noise: the same outputs twice, and the tfjs model's.
      const test = randomBatch(ir, 16, 9);
      const p1 = first.predict(test).outputs['t1']!;
      expect(Array.from(first.predict(test).outputs['t1']!)).toEqual(Array.from(p1));
      const tfjs = createModelRuntime(ir, options({ gates, directStep: false }));
      tfjs.setState(first.getState());
      const p2 = tfjs.predict(test).outputs['t1']!;
      for (let i = 0; i < 16; i++) expect(p1[i]!).toBeCloseTo(p2[i]!, 4);
      tfjs.dispose();
      // Another seed draws other noise, so it trains elsewhere.
      const other = make(SEED + 1);
      other.setState(start);
      batches.forEach((b) => other.trainStep(b));
      expect(worstDifference(other.getState(), first.getState(), 1).worst).toBeGreaterThan(1e-5);
      other.dispose();
    } finally {
      first.dispose();
    }
  });
});
