/**
 * The direct training step (src/model/direct) against the tfjs step it replaces: from the same initial
 * weights and on the same batches, both must give the same losses, the same gradients (one SGD step with
 * lr 1 turns each weight's change into its gradient) and, over several Adam steps, the same weights and
 * embedding tables. Covered: softmax and sigmoid gates with temperature, a gate over two expert groups,
 * stacked (PLE) levels, a shared bottom layer, a product head, a masked task (also with an empty mask),
 * uncertainty weighting, mse on linear and product heads, every activation, sequence and bucketised
 * features, batch norm (moving statistics included), dropout's plumbing, a batch larger than the first.
 * Dropout itself: seeded masks (repeatable runs, exact resume) checked on the kernel and the runtime.
 * Needs the OpenBLAS addon (skipped with the reason otherwise).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createModelRuntime } from '../../src/model/index.js';
import type { ModelRuntime } from '../../src/model/types.js';
import type { ModelIR, Mlp } from '../../src/ir/types.js';
import { activeHeapKernels, loadNativeBlas, nativeBlasError } from '../../src/exec/native-blas.js';
import { selectBackend } from '../../src/exec/backend.js';
import { directTestBackend, wasmKernelsBuilt } from '../exec/wasm-kernels-fixture.js';
import { planDirectStep } from '../../src/model/direct/plan.js';
import { combineTaskLosses, taskLoss } from '../../src/exec/direct/loss.js';
import sigmoidGate from '../../plugins/sigmoid/index.js';
import { esmmIR, expectRepeatableAndResumable, expectSameAfterAdamSteps, expectSameSgdStep, mmoeIR, NEVER_DROPPING_RATE, options, PINNED_TFJS_DROPOUT_RANDOM, randomBatch, withMathRandom, worstDifference } from './fixtures.js';

/** Which heap kernels run the direct step: the addon's (native), or their WebAssembly build (direct-step-wasm.test.ts). */
const BACKEND = directTestBackend();
const available = BACKEND === 'wasm' ? wasmKernelsBuilt() : loadNativeBlas() !== undefined;
const skipNote = available ? '' : BACKEND === 'wasm' ? ' (SKIPPED: native/wasm/mtl_kernels.wasm is missing)' : ` (SKIPPED: OpenBLAS addon not built: ${nativeBlasError()})`;

const mlp = (units: number[], activation: Mlp['activation'] = 'relu'): Mlp => ({ units, activation, dropout: 0, batchNorm: false });

/** MMoE fixture with batch norm in the experts and the towers, and dropout so small it never drops (tfjs: keep = 1 in float32). */
function normDropoutIR(): ModelIR {
  const ir = mmoeIR();
  ir.nodes = ir.nodes.map((n) =>
    n.kind === 'experts' ? { ...n, mlp: { ...n.mlp, batchNorm: true, dropout: NEVER_DROPPING_RATE } } : n.kind === 'tower' ? { ...n, mlp: { ...n.mlp, units: [4, 3], batchNorm: true, activation: 'tanh' as const } } : n,
  );
  return ir;
}

/** gelu (the activation whose derivative needs its input) in experts with batch norm and in towers without. */
function geluIR(): ModelIR {
  const ir = mmoeIR();
  ir.nodes = ir.nodes.map((n) =>
    n.kind === 'experts' ? { ...n, mlp: { ...n.mlp, activation: 'gelu' as const, batchNorm: true } } : n.kind === 'tower' ? { ...n, mlp: { ...n.mlp, units: [4, 3], activation: 'gelu' as const } } : n,
  );
  return ir;
}

/** A model with real dropout (0.3) in the experts and the towers. */
function dropoutIR(): ModelIR {
  const ir = mmoeIR();
  ir.nodes = ir.nodes.map((n) => (n.kind === 'experts' || n.kind === 'tower' ? { ...n, mlp: { ...n.mlp, dropout: 0.3 } } : n));
  return ir;
}

/** PLE-like: two levels, gates over two groups, sigmoid gates, a shared bottom layer, tanh/elu/selu/sigmoid activations, mse heads. */
function pleIR(): ModelIR {
  const base = mmoeIR();
  return {
    ...base,
    name: 'ple_test',
    labels: [...base.labels, { name: 'watch', type: 'real' }],
    nodes: [
      { kind: 'input', name: 'all', from: ['user', 'item', 'hist', 'price', 'age'], width: 15 },
      { kind: 'layer', name: 'bottom', on: 'all', mlp: mlp([12], 'tanh'), width: 12 },
      { kind: 'experts', name: 's1', count: 2, on: 'bottom', mlp: mlp([8, 6], 'elu'), width: 6 },
      { kind: 'experts', name: 'a1', count: 2, on: 'bottom', mlp: mlp([8, 6], 'selu'), width: 6 },
      { kind: 'experts', name: 'b1', count: 1, on: 'bottom', mlp: mlp([8, 6]), width: 6 },
      { kind: 'gate', name: 'ga1', type: 'softmax', params: { temperature: 2 }, over: ['a1', 's1'], on: 'bottom', width: 6 },
      { kind: 'gate', name: 'gb1', type: 'sigmoid', params: { scale: 2, temperature: 0.5 }, over: ['b1', 's1'], on: 'all', width: 6 },
      { kind: 'gate', name: 'gs1', type: 'softmax', params: {}, over: ['a1', 'b1', 's1'], on: 'bottom', width: 6 },
      { kind: 'experts', name: 'a2', count: 2, on: 'ga1', mlp: mlp([5], 'sigmoid'), width: 5 },
      { kind: 'experts', name: 's2', count: 2, on: 'gs1', mlp: mlp([5], 'linear'), width: 5 },
      { kind: 'gate', name: 'ga2', type: 'softmax', params: {}, over: ['a2', 's2'], on: 'ga1', width: 5 },
      { kind: 'gate', name: 'gb2', type: 'sigmoid', params: {}, over: ['s2'], on: 'gb1', width: 5 },
      { kind: 'tower', name: 't1', on: 'ga2', mlp: mlp([4]), output: 'sigmoid', width: 1 },
      { kind: 'tower', name: 't2', on: 'gb2', mlp: mlp([]), output: 'linear', width: 1 },
      { kind: 'tower', name: 't3', on: 'gb1', mlp: mlp([3], 'tanh'), output: 'linear', width: 1 },
    ],
    tasks: [
      { name: 't1', head: ['t1'], loss: { type: 'bce', label: { label: 'click' } }, weight: 1 },
      { name: 't2', head: ['t2'], loss: { type: 'mse', label: { label: 'buy' } }, weight: 0.7 },
      { name: 'prod', head: ['t2', 't3'], loss: { type: 'mse', label: { label: 'click' } }, weight: 0.3 },
      { name: 'sig', head: ['t1', 't1'], loss: { type: 'mse', label: { label: 'buy' } }, weight: 0.2, mask: { label: 'click' } },
    ],
  };
}

const sigmoidPlugin = sigmoidGate();
const softmaxOptions = options();
const gates = (t: string) => (t === 'sigmoid' ? sigmoidPlugin : softmaxOptions.gates(t));

/** Two runtimes from one IR and seed: the direct step's and the tfjs step's. */
function pair(ir: ModelIR, optimizer: 'sgd' | 'adam', lr: number): { direct: ModelRuntime; reference: ModelRuntime } {
  const opts = options({ gates, optimizer: { optimizer, lr } });
  return { direct: createModelRuntime(ir, { ...opts, directStep: true }), reference: createModelRuntime(ir, { ...opts, directStep: false }) };
}

describe('the direct step plan', () => {
  it('plans the reference architectures with batch norm, dropout and gelu, and says why not for other gates and auxiliary losses', () => {
    const sizes = (rt: ModelRuntime): Map<string, number> => new Map(Object.entries(rt.getState().tensors).filter(([k]) => k.startsWith('dense/')).map(([k, t]) => [k.slice(6), t.data.length]));
    const rt = createModelRuntime(mmoeIR(), options({ directStep: false }));
    const planned = planDirectStep(mmoeIR(), { auxLosses: [], weightSizes: sizes(rt) });
    rt.dispose();
    expect('plan' in planned).toBe(true);
    if (!('plan' in planned)) return;
    expect(planned.plan.ops.map((o) => (o.kind === 'dense' ? `dense ${o.name} ×${o.count}` : o.kind))).toEqual([
      'feature',
      'feature',
      'feature',
      'feature',
      'feature',
      'concat',
      'dense expert group e ×3',
      'gate',
      'dense tower t1 ×1',
      'gate',
      'dense tower t2 ×1',
    ]);
    expect([...planned.plan.towerLogits.keys()]).toEqual(['t1', 't2']);
    // 3 experts × (kernel, bias) + 2 gates × 2 + 2 towers × (dense + out) × 2
    expect(planned.plan.weights.size).toBe(6 + 4 + 8);

    const bn = normDropoutIR();
    const withNorm = createModelRuntime(bn, options({ directStep: false }));
    const normPlan = planDirectStep(bn, { auxLosses: [], weightSizes: sizes(withNorm) });
    withNorm.dispose();
    expect('plan' in normPlan && [...normPlan.plan.statistics.keys()].slice(0, 2)).toEqual(['expert_e_0_bn_0/moving_mean', 'expert_e_1_bn_0/moving_mean']);
    const experts = 'plan' in normPlan ? normPlan.plan.ops.find((o) => o.kind === 'dense') : undefined;
    expect(experts?.kind === 'dense' && experts.layers[0]!.dropout).toMatchObject({ rate: NEVER_DROPPING_RATE, stream: 0 });
    const gelu = mmoeIR();
    gelu.nodes = gelu.nodes.map((n) => (n.kind === 'tower' ? { ...n, mlp: { ...n.mlp, activation: 'gelu' as const } } : n));
    const geluPlan = planDirectStep(gelu, { auxLosses: [], weightSizes: sizes(createModelRuntime(mmoeIR(), options({ directStep: false }))) });
    // gelu keeps its input (its derivative needs it): the tower's layer gets a buffer for the activation of its own.
    const tower = 'plan' in geluPlan ? geluPlan.plan.ops.find((o) => o.kind === 'dense' && o.name === 'tower t1') : undefined;
    expect(tower?.kind === 'dense' && tower.layers[0]!.pre).toBe(tower?.kind === 'dense' ? tower.layers[0]!.linear : -1);
    expect(tower?.kind === 'dense' && tower.layers[0]!.activated !== tower.layers[0]!.linear).toBe(true);
    const other = mmoeIR();
    other.nodes = other.nodes.map((n) => (n.kind === 'gate' ? { ...n, type: 'attention' } : n));
    expect(planDirectStep(other, { auxLosses: [], weightSizes: new Map() })).toMatchObject({ reason: expect.stringContaining("gate g1 is of type 'attention'") });
    expect(planDirectStep(mmoeIR(), { auxLosses: [{ gate: 'g1', weight: 0.1 }], weightSizes: sizes(createModelRuntime(mmoeIR(), options({ directStep: false }))) })).toEqual({ reason: "gate g1's plugin adds an auxiliary loss its direct binding does not declare" });
  });
});

describe('the direct step losses', () => {
  // Logits are float32, so the step is large enough for float32 rounding not to matter (central differences: error O(h²)).
  const finite = (f: (z: number) => number, z: number): number => (f(z + 1e-3) - f(z - 1e-3)) / 2e-3;
  it('match finite differences for bce, product bce (also near p = 1) and mse on every head kind', () => {
    const cases: Array<{ loss: 'bce' | 'mse'; sigmoidHead: boolean; z: number[] }> = [
      { loss: 'bce', sigmoidHead: true, z: [0.3] },
      { loss: 'bce', sigmoidHead: true, z: [-2, 1.5] },
      { loss: 'bce', sigmoidHead: true, z: [25, 30] },
      { loss: 'mse', sigmoidHead: false, z: [0.8] },
      { loss: 'mse', sigmoidHead: false, z: [0.8, -1.3] },
      { loss: 'mse', sigmoidHead: true, z: [0.4, -0.2] },
    ];
    for (const c of cases) {
      for (const y of [0, 1]) {
        const at = (zs: number[]) => taskLoss({ loss: c.loss, sigmoidHead: c.sigmoidHead, logits: zs.map((z) => Float32Array.of(z)), y: Float32Array.of(y), mask: Float32Array.of(1), weight: 1 }, 1);
        const got = at(c.z);
        expect(Number.isFinite(got.loss)).toBe(true);
        c.z.forEach((z, i) => {
          const numeric = finite((v) => at(c.z.map((w, j) => (j === i ? v : w))).loss, z);
          expect(Math.abs(got.dLogits[i]![0]! - numeric), `${c.loss} ${c.z} y=${y} head ${i}: ${got.dLogits[i]![0]} vs ${numeric}`).toBeLessThan(2e-3 * Math.max(1, Math.abs(numeric)));
        });
      }
    }
  });

  it('give 0 and no gradient on an empty mask, and the uncertainty weighting derivative', () => {
    const empty = taskLoss({ loss: 'bce', sigmoidHead: true, logits: [Float32Array.of(1, 2)], y: Float32Array.of(1, 0), mask: Float32Array.of(0, 0), weight: 1 }, 2);
    expect(empty.loss).toBe(0);
    expect(Array.from(empty.dLogits[0]!).every((v) => v === 0)).toBe(true);
    const s = [0.3, -0.5];
    const c = combineTaskLosses([0.7, 0.2], [1, 2], s);
    expect(c.total).toBeCloseTo(Math.exp(-0.3) * 0.7 + 0.3 + Math.exp(0.5) * 0.4 - 0.5, 12);
    expect(c.factors[1]).toBeCloseTo(2 * Math.exp(0.5), 12);
    expect(c.dLogVars[0]).toBeCloseTo(1 - Math.exp(-0.3) * 0.7, 12);
  });
});

/**
 * A Math.random value whose tfjs dropout stream doubles an element: seedrandom's alea seeded with it gives
 * 0.99999997136… as draw 5, which float32 rounds to 1 − 2⁻²⁴, and 1 − 2⁻²⁴ + 1 rounds to 2 (found by search).
 */
const DOUBLING_RANDOM = 0.00029680877923965454;

/** tfjs's dropout mask of `size` elements at the never-dropping rate, its seed drawn from Math.random = `random`. */
function tfjsNeverDroppingMask(size: number, random: number): Float32Array {
  return withMathRandom(random, () => tf.tidy(() => tf.dropout(tf.ones([size]), NEVER_DROPPING_RATE).dataSync() as Float32Array));
}

describe("the comparisons' tfjs dropout", () => {
  it('doubles an element at the never-dropping rate for some seeds, and never in the first 8192 draws of the pinned one', () => {
    const doubled = tfjsNeverDroppingMask(64, DOUBLING_RANDOM);
    expect(Array.from(doubled).flatMap((v, i) => (v === 1 ? [] : [[i, v]]))).toEqual([[5, 2]]);
    // Every dropout mask of the comparisons is far smaller (at most 80 rows × 8 units).
    expect(tfjsNeverDroppingMask(8192, PINNED_TFJS_DROPOUT_RANDOM).every((v) => v === 1)).toBe(true);
  });
});

describe.skipIf(!available)(`the direct step equals the tfjs step${skipNote}`, () => {
  beforeAll(async () => {
    expect((await selectBackend(BACKEND)).name).toBe(BACKEND);
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  const models: Array<[string, () => ModelIR]> = [
    ['mmoe (softmax gates with temperature, sequence and bucketised features)', mmoeIR],
    ['esmm (product head, masked task, uncertainty weighting, batch norm)', () => esmmIR('mean')],
    ['mmoe with batch norm in experts and towers and never-dropping dropout', normDropoutIR],
    ['ple (levels, sigmoid gates, shared bottom, mse heads, every activation)', pleIR],
    ['mmoe with gelu (after batch norm in the experts, two tower layers)', geluIR],
  ];

  for (const [label, make] of models) {
    it(`${label}: same losses and gradients (one SGD step, lr 1)`, () => {
      const ir = make();
      const { direct, reference } = pair(ir, 'sgd', 1);
      try {
        const db = expectSameSgdStep(direct, reference, ir);
        let nonZero = 0;
        for (const t of Object.values(db.tensors)) nonZero += t.data.filter((v) => v !== 0).length;
        expect(nonZero).toBeGreaterThan(100);
      } finally {
        direct.dispose();
        reference.dispose();
      }
    });

    it(`${label}: same weights after 6 Adam steps, with a larger batch and an empty mask on the way`, () => {
      const ir = make();
      const { direct, reference } = pair(ir, 'adam', 0.01);
      try {
        // Predictions come from the same (tfjs) model, so they agree as the weights do.
        expectSameAfterAdamSteps(direct, reference, ir, 3);
      } finally {
        direct.dispose();
        reference.dispose();
      }
    });
  }

  it('the comparisons pin the tfjs step\'s dropout: a draw that doubles one of its elements is the mismatch of 2026-12-07, and the pin keeps it out', () => {
    const ir = normDropoutIR();
    const batch = randomBatch(ir, 48, 3);
    // Unpinned, tfjs seeds the masks from Math.random: with DOUBLING_RANDOM element 5 of each expert's mask is 2.
    const unpinned = pair(ir, 'sgd', 1);
    try {
      const a = unpinned.direct.trainStep(batch);
      const b = withMathRandom(DOUBLING_RANDOM, () => unpinned.reference.trainStep(batch));
      expect(Math.abs(a.loss - b.loss)).toBeGreaterThan(1e-3);
      expect(worstDifference(unpinned.direct.getState(), unpinned.reference.getState(), 1e-3).worst).toBeGreaterThan(1);
    } finally {
      unpinned.direct.dispose();
      unpinned.reference.dispose();
    }
    // The comparisons' steps pin Math.random themselves, whatever it returns around them.
    const pinned = pair(ir, 'sgd', 1);
    try {
      withMathRandom(DOUBLING_RANDOM, () => expectSameSgdStep(pinned.direct, pinned.reference, ir));
    } finally {
      pinned.direct.dispose();
      pinned.reference.dispose();
    }
  });

  // The kernel is given a plain array here; the WebAssembly kernels take only views of the wasm heap (their dropout
  // runs in the models above, against tfjs's dropout plumbing).
  it.skipIf(BACKEND === 'wasm')('dropout: the kernel keeps each value with probability 1 − rate, scaled by 1/(1 − rate), reproducibly per seed, step and stream', () => {
    const K = activeHeapKernels()!;
    const count = 20000;
    const mem = new Float32Array(6 * count);
    mem.fill(2, 0, count);
    const run = (seed: number, step: number, stream: number, into: number): Float32Array => {
      K.dropoutAt!(mem, count, 0.3, seed, step, Int32Array.of(stream), Int32Array.of(0), Int32Array.of(into), Int32Array.of(into + count));
      return mem.slice(into, into + count);
    };
    const a = run(7, 3, 0, count);
    const kept = a.filter((v) => v !== 0);
    const scale = Math.fround(1 / Math.fround(1 - Math.fround(0.3)));
    expect(new Set(kept)).toEqual(new Set([Math.fround(2 * scale)]));
    // 14,000 expected; 5 standard deviations of a binomial(20000, 0.7) are ±324.
    expect(Math.abs(kept.length - 14000)).toBeLessThan(324);
    expect(Array.from(run(7, 3, 0, 3 * count))).toEqual(Array.from(a));
    for (const [seed, step, stream] of [[8, 3, 0], [7, 4, 0], [7, 3, 1]] as const) {
      const other = run(seed, step, stream, 3 * count);
      let same = 0;
      for (let i = 0; i < count; i++) if ((other[i] === 0) === (a[i] === 0)) same++;
      expect(same / count).toBeLessThan(0.7); // independent masks agree on 0.7² + 0.3² = 58 %
    }
  });

  it('dropout: runs are repeatable and a resumed run continues exactly; predictions use no dropout', () => {
    const ir = dropoutIR();
    const batches = [1, 2, 3, 4].map((seed) => randomBatch(ir, 32, seed));
    const first = expectRepeatableAndResumable(() => createModelRuntime(ir, options({ gates })), batches);
    try {
      const test = randomBatch(ir, 16, 9);
      expect(Array.from(first.predict(test).outputs['t1']!)).toEqual(Array.from(first.predict(test).outputs['t1']!));
      // Dropout changes training: the same model without it ends elsewhere.
      const plain = createModelRuntime(mmoeIR(), options({ gates }));
      batches.forEach((b) => plain.trainStep(b));
      expect(worstDifference(first.getState(), plain.getState(), 1).worst).toBeGreaterThan(1e-4);
      plain.dispose();
    } finally {
      first.dispose();
    }
  });

  it('falls back to the tfjs step for a model it cannot plan, and on another backend', async () => {
    // A gate plugin without a `direct` member.
    const plugin = { ...softmaxOptions.gates('softmax')!, name: 'plain', direct: undefined };
    const ir = mmoeIR();
    ir.nodes = ir.nodes.map((n) => (n.kind === 'gate' ? { ...n, type: 'plain' } : n));
    const rt = createModelRuntime(ir, options({ gates: (t) => (t === 'plain' ? plugin : undefined) }));
    const r = rt.trainStep(randomBatch(ir, 16, 1));
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(rt.trainStepKind?.()).toEqual({ kind: 'tfjs', reason: "gate g1 is of type 'plain' (the direct step computes the softmax, noisy-topk and sigmoid gates and any gate plugin that declares `direct`)" });
    rt.dispose();

    const mmoe = createModelRuntime(mmoeIR(), options());
    mmoe.trainStep(randomBatch(mmoeIR(), 16, 1));
    expect(mmoe.trainStepKind?.()).toEqual({ kind: 'direct' });
    await tf.setBackend('cpu');
    try {
      // The model's variables live on the native backend's heap; on cpu the step is tfjs's.
      const other = createModelRuntime(mmoeIR(), options());
      other.trainStep(randomBatch(mmoeIR(), 16, 2));
      expect(other.trainStepKind?.()).toEqual({ kind: 'tfjs' });
      other.dispose();
    } finally {
      await selectBackend(BACKEND);
      mmoe.dispose();
    }
  });
});
