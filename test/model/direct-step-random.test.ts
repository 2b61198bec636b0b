/**
 * The direct step against the tfjs step on randomly generated architectures: a seeded generator builds
 * small valid IRs (an optional shared bottom, 1–3 expert groups of 1–3 experts with 1–2 layers, random
 * activations, batch norm and never-dropping dropout, softmax and sigmoid gates with random temperature and
 * scale over random group subsets, stacked levels, towers on gates or the bottom, bce/mse tasks on single
 * and product heads with masks and weights, static or uncertainty weighting). For each, one SGD step with
 * lr 1 must move every weight by the same gradient, three Adam steps must end at the same weights, and
 * with equal weights the direct forward pass in inference mode must predict what the tfjs model predicts
 * (towers, task products and every gate's weights, batches of 1 and 40).
 * Forty models (MTL_TEST_RANDOM_MODELS=n: the first n); needs the native addon (skipped with the reason
 * otherwise). direct-step-builtin.test.ts runs the first few again on the built-in GEMM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createModelRuntime } from '../../src/model/index.js';
import type { TrainingState } from '../../src/model/types.js';
import type { GraphNode, ModelIR, Mlp, Task } from '../../src/ir/types.js';
import { loadNativeBlas, nativeBlasError } from '../../src/exec/native-blas.js';
import { selectBackend } from '../../src/exec/backend.js';
import { directTestBackend, wasmKernelsBuilt } from '../exec/wasm-kernels-fixture.js';
import { mulberry32 } from '../../src/model/seed.js';
import sigmoidGate from '../../plugins/sigmoid/index.js';
import { mmoeIR, NEVER_DROPPING_RATE, options, pinnedTrainStep, randomBatch } from './fixtures.js';

/** Which heap kernels run the direct step: the addon's (native), or their WebAssembly build (direct-step-wasm.test.ts). */
const BACKEND = directTestBackend();
const available = BACKEND === 'wasm' ? wasmKernelsBuilt() : loadNativeBlas() !== undefined;
const skipNote = available ? '' : BACKEND === 'wasm' ? ' (SKIPPED: native/wasm/mtl_kernels.wasm is missing)' : ` (SKIPPED: OpenBLAS addon not built: ${nativeBlasError()})`;

const ACTIVATIONS: Array<Mlp['activation']> = ['relu', 'tanh', 'sigmoid', 'gelu', 'elu', 'selu', 'linear'];

/** A random valid IR on the mmoe fixture's features and labels. */
function randomIR(seed: number): ModelIR {
  const r = mulberry32(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T,>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const mlp = (layers: number): Mlp => ({
    units: Array.from({ length: layers }, () => int(2, 6)),
    activation: pick(ACTIVATIONS),
    batchNorm: r() < 0.25,
    dropout: r() < 0.25 ? NEVER_DROPPING_RATE : 0,
  });
  const base = mmoeIR();
  const nodes: GraphNode[] = [{ kind: 'input', name: 'all', from: ['user', 'item', 'hist', 'price', 'age'], width: 15 }];
  const width = new Map<string, number>([['all', 15]]);
  const sources = ['all'];
  if (r() < 0.5) {
    const m = mlp(int(1, 2));
    nodes.push({ kind: 'layer', name: 'bottom', on: 'all', mlp: m, width: m.units.at(-1)! });
    width.set('bottom', m.units.at(-1)!);
    sources.push('bottom');
  }
  const towersOn: string[] = [];
  const levels = int(1, 2);
  let inputs = sources.slice();
  for (let level = 0; level < levels; level++) {
    // Groups of one level share their last width, so any subset can be mixed by one gate.
    const last = int(2, 6);
    const groups: string[] = [];
    for (let g = 0; g < int(1, 3); g++) {
      const name = `e${level}_${g}`;
      const m = mlp(int(1, 2));
      m.units[m.units.length - 1] = last;
      nodes.push({ kind: 'experts', name, count: int(1, 3), on: pick(inputs), mlp: m, width: last });
      groups.push(name);
    }
    const gates: string[] = [];
    for (let k = 0; k < int(1, 3); k++) {
      const over = groups.filter(() => r() < 0.6);
      if (over.length === 0) over.push(groups[0]!);
      const name = `g${level}_${k}`;
      const sigmoid = r() < 0.4;
      const params: Record<string, number> = {};
      if (r() < 0.5) params['temperature'] = pick([0.5, 2]);
      if (sigmoid && r() < 0.5) params['scale'] = 2;
      nodes.push({ kind: 'gate', name, type: sigmoid ? 'sigmoid' : 'softmax', params, over, on: pick(inputs), width: last });
      width.set(name, last);
      gates.push(name);
    }
    inputs = gates;
    towersOn.push(...gates);
  }
  const towers: string[] = [];
  for (let t = 0; t < int(2, 3); t++) {
    const name = `t${t}`;
    nodes.push({ kind: 'tower', name, on: pick([...towersOn, ...sources]), mlp: mlp(int(0, 1)), output: r() < 0.75 ? 'sigmoid' : 'linear', width: 1 });
    towers.push(name);
  }
  const output = new Map(nodes.filter((n) => n.kind === 'tower').map((n) => [n.name, (n as { output: string }).output]));
  const tasks: Task[] = towers.map((t, i) => {
    const product = i > 0 && r() < 0.4;
    const head = product ? [towers[0]!, t] : [t];
    const allSigmoid = head.every((h) => output.get(h) === 'sigmoid');
    const task: Task = { name: `task${i}`, head, loss: { type: allSigmoid && r() < 0.7 ? 'bce' : 'mse', label: { label: pick(['click', 'buy']) } }, weight: pick([1, 0.5, 2]) };
    if (r() < 0.3) task.mask = { label: 'click' };
    return task;
  });
  return { ...base, name: `random_${seed}`, nodes, tasks, train: { ...base.train, weighting: r() < 0.3 ? 'uncertainty' : 'static' } };
}

/**
 * max |a − b| / max(scale, |b|) over every tensor of two states. With `skipNoise`, a weight whose gradient RMS
 * in `b` (Adam's second moment) is below 1e-6 is left out: its gradient is float32 rounding noise (~1e-10,
 * e.g. a batch-norm β before a linear expert mixed by a softmax gate), which Adam scales up to ±lr per step
 * in either path, with either sign.
 */
function worst(a: TrainingState, b: TrainingState, scale: number, skipNoise = false): { worst: number; where: string } {
  let w = 0;
  let where = '';
  for (const [name, t] of Object.entries(b.tensors)) {
    const other = a.tensors[name]!;
    const v = skipNoise && name.startsWith('dense/') ? b.tensors[`dense_opt/${name.slice('dense/'.length)}/1`]?.data : undefined;
    for (let i = 0; i < t.data.length; i++) {
      if (v && v[i]! < 1e-12) continue;
      const d = Math.abs(other.data[i]! - t.data[i]!) / Math.max(scale, Math.abs(t.data[i]!));
      if (d > w) {
        w = d;
        where = `${name}[${i}]: ${other.data[i]} vs ${t.data[i]}`;
      }
    }
  }
  return { worst: w, where };
}

/** How many random models: 40, or MTL_TEST_RANDOM_MODELS (direct-step-builtin.test.ts runs a few on the built-in GEMM). */
const MODELS = Number.parseInt(process.env['MTL_TEST_RANDOM_MODELS'] ?? '', 10) || 40;

const sigmoidPlugin = sigmoidGate();
const base = options();
const gates = (t: string) => (t === 'sigmoid' ? sigmoidPlugin : base.gates(t));

describe.skipIf(!available)(`the direct step equals the tfjs step on random architectures${skipNote}`, () => {
  beforeAll(async () => {
    expect((await selectBackend(BACKEND)).name).toBe(BACKEND);
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  for (let seed = 1; seed <= MODELS; seed++) {
    it(`random model ${seed}`, () => {
      const ir = randomIR(seed);
      for (const [optimizer, lr, steps] of [
        ['sgd', 1, 1],
        ['adam', 0.01, 3],
      ] as const) {
        const opts = options({ gates, optimizer: { optimizer, lr } });
        const direct = createModelRuntime(ir, { ...opts, directStep: true });
        const reference = createModelRuntime(ir, { ...opts, directStep: false });
        try {
          const before = reference.getState();
          for (let s = 0; s < steps; s++) {
            const batch = randomBatch(ir, 24 + 8 * s, seed * 10 + s);
            const a = direct.trainStep(batch);
            const b = pinnedTrainStep(reference, batch);
            expect(direct.trainStepKind?.(), JSON.stringify(ir.nodes)).toEqual({ kind: 'direct' });
            expect(Math.abs(a.loss - b.loss), `${optimizer} step ${s} loss`).toBeLessThan(1e-3 * Math.max(1, Math.abs(b.loss)));
          }
          if (optimizer === 'sgd') {
            // One step with lr 1: each weight moved by −gradient; compare the moves.
            const move = (s: TrainingState): TrainingState => ({
              meta: {},
              tensors: Object.fromEntries(Object.entries(s.tensors).filter(([k]) => !k.includes('_opt/')).map(([k, t]) => [k, { shape: t.shape, data: t.data.map((v, i) => v - before.tensors[k]!.data[i]!) }])),
            });
            const { worst: w, where } = worst(move(direct.getState()), move(reference.getState()), 1e-3);
            expect(w, `gradient ${where}`).toBeLessThan(5e-3);
          } else {
            const { worst: w, where } = worst(direct.getState(), reference.getState(), 0.05, true);
            expect(w, `adam ${where}`).toBeLessThan(2e-3);
            // The direct forward pass (inference mode) predicts what the tfjs model does with the same weights.
            direct.setState(reference.getState());
            for (const size of [1, 40]) {
              const test = randomBatch(ir, size, seed + 1000);
              const a = direct.predict(test);
              const b = reference.predict(test);
              for (const [name, values] of [...Object.entries(b.outputs), ...Object.entries(b.gates).map(([g, v]) => [`gate ${g}`, v.weights] as const)]) {
                const got = name.startsWith('gate ') ? a.gates[name.slice(5)]!.weights : a.outputs[name]!;
                expect(got.length, name).toBe(values.length);
                for (let i = 0; i < values.length; i++) expect(Math.abs(got[i]! - values[i]!), `${name}[${i}] batch ${size}`).toBeLessThan(2e-5 * Math.max(1, Math.abs(values[i]!)));
              }
            }
          }
        } finally {
          direct.dispose();
          reference.dispose();
        }
      }
    });
  }
});
