/**
 * Test doubles for the training loop: a tiny IR (two sigmoid towers, an ESMM-like product task), a
 * deterministic synthetic dataset, and a pure-JS ModelRuntime whose updates use an RNG kept in its
 * state (so that resuming must restore it) and whose export model is a real tfjs LayersModel.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelIR, MetricFn } from '../../src/ir/types.js';
import { DEFAULT_TRAIN } from '../../src/ir/types.js';
import type { Batch } from '../../src/data/types.js';
import type { ModelRuntime, Predictions, StepResult, TrainingState } from '../../src/model/types.js';
import type { DataRef, PreprocessState, ReadBatchesOptions, RuntimeDeps } from '../../src/artifact/runtime-deps.js';
import { evalLabelExpr } from '../../src/model/labels.js';
import type { MetricsFile } from '../../src/artifact/run-record.js';

const USERS = 10;

/** The fake model's IR. */
export function fakeIr(over: Partial<ModelIR['train']> = {}): ModelIR {
  const mlp = { units: [4], activation: 'relu' as const, dropout: 0, batchNorm: false };
  return {
    version: 1,
    name: 'fake',
    plugins: [],
    features: [
      { kind: 'categorical', name: 'user', ids: { kind: 'vocab', size: USERS }, dim: 2 },
      { kind: 'numeric', name: 'price', normalize: 'none', missing: 'zero' },
    ],
    labels: [
      { name: 'click', type: 'binary' },
      { name: 'buy', type: 'binary' },
    ],
    nodes: [
      { kind: 'input', name: 'all', from: ['user', 'price'] },
      { kind: 'tower', name: 'ctr', on: 'all', mlp, output: 'sigmoid' },
      { kind: 'tower', name: 'cvr', on: 'all', mlp, output: 'sigmoid' },
    ],
    tasks: [
      { name: 'ctr', head: ['ctr'], loss: { type: 'bce', label: { label: 'click' } }, weight: 1 },
      { name: 'ctcvr', head: ['ctr', 'cvr'], loss: { type: 'bce', label: { op: 'and', args: [{ label: 'click' }, { label: 'buy' }] } }, weight: 1 },
    ],
    metrics: [{ fn: 'auc', output: 'cvr', label: { label: 'buy' }, mask: { label: 'click' } }],
    train: { ...DEFAULT_TRAIN, batch: 16, epochs: 2, lr: 0.5, ...over },
  };
}

/** A 32-bit hash for deterministic pseudo-random data. */
function h(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Row i of the synthetic data. */
export function fakeRow(i: number): { user: number; price: number; click: number; buy: number } {
  const user = h(i * 7 + 3) % USERS;
  const click = (user < 5 ? 1 : 0) ^ (h(i) % 7 === 0 ? 1 : 0);
  const buy = click && h(i + 1000) % 2 === 0 ? 1 : 0;
  return { user, price: (i % 13) / 13, click, buy };
}

/** Permutation of 0..n-1 from a seed (Fisher-Yates with an LCG). */
function permutation(n: number, seed: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  let s = seed >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/** Options of the fake data: rows in the data, and a label override (e.g. all-zero buy). */
export interface FakeDataOptions {
  rows?: number;
  /** Make every row's buy label this value (to get an undefined AUC). */
  buy?: number;
}

/** The fake `readBatches`: rows 0..n-1 of {@link fakeRow}; every 5th row is in the validation part. */
export function fakeReadBatches(d: FakeDataOptions = {}): RuntimeDeps['readBatches'] {
  return async function* (_ir: ModelIR, _state: unknown, data: DataRef, opts: ReadBatchesOptions): AsyncIterable<Batch> {
    const n = data.kind === 'synth' ? data.rows : (d.rows ?? 100);
    let idx = Array.from({ length: n }, (_, i) => i).filter((i) => opts.part === 'all' || (opts.part === 'valid') === (i % 5 === 0));
    if (opts.shuffle) {
      const p = permutation(idx.length, opts.seed * 1000 + (opts.epoch ?? 0));
      idx = p.map((k) => idx[k]!);
    }
    for (let start = 0; start < idx.length; start += opts.batchSize) {
      const part = idx.slice(start, start + opts.batchSize);
      const rows = part.map(fakeRow);
      const batch: Batch = {
        size: part.length,
        features: {
          user: { kind: 'ids', rows: Int32Array.from(rows, (r) => r.user + 1) },
          price: { kind: 'dense', values: Float32Array.from(rows, (r) => r.price) },
        },
        labels:
          opts.needLabels === false
            ? {}
            : { click: Float32Array.from(rows, (r) => r.click), buy: Float32Array.from(rows, (r) => (d.buy ?? r.buy)) },
        groups: {},
        rowNumbers: Int32Array.from(part, (i) => i + 1),
      };
      yield batch;
    }
  };
}

/** A reference metric implementation for tests (the real one lives in src/artifact/metrics.ts). */
export function fakeComputeMetric(fn: MetricFn, pred: Float32Array, label: Float32Array, opts: { mask?: Float32Array } = {}): number | null {
  const p: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < pred.length; i++) if (!opts.mask || opts.mask[i]! > 0.5) (p.push(pred[i]!), y.push(label[i]!));
  if (p.length === 0) return null;
  if (fn === 'auc' || fn === 'gauc') {
    let pos = 0;
    let pairs = 0;
    let wins = 0;
    for (let i = 0; i < p.length; i++) if (y[i]! > 0.5) pos++;
    const neg = p.length - pos;
    if (pos === 0 || neg === 0) return null;
    for (let i = 0; i < p.length; i++) {
      if (!(y[i]! > 0.5)) continue;
      for (let j = 0; j < p.length; j++) {
        if (y[j]! > 0.5) continue;
        pairs++;
        wins += p[i]! > p[j]! ? 1 : p[i] === p[j] ? 0.5 : 0;
      }
    }
    return wins / pairs;
  }
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const e = Math.min(Math.max(p[i]!, 1e-7), 1 - 1e-7);
    if (fn === 'logloss') s += -(y[i]! * Math.log(e) + (1 - y[i]!) * Math.log(1 - e));
    else if (fn === 'mse') s += (p[i]! - y[i]!) ** 2;
    else s += Math.abs(p[i]! - y[i]!);
  }
  return s / p.length;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Hooks into the fake runtime (count steps, abort, poison the loss). */
export interface FakeRuntimeHooks {
  onStep?: (step: number) => void;
  /** Return NaN from this step (1-based, counted over the runtime's life). */
  nanAtStep?: number;
}

/**
 * A pure-JS model: each tower's logit is `w[userRow] + a * price + b`; ctcvr = ctr × cvr. Each step
 * scales its gradient by a random factor drawn from an RNG whose state is part of the training state.
 */
export class FakeRuntime implements ModelRuntime {
  readonly layout = { outputs: ['ctr', 'cvr', 'ctcvr'], gates: [] as string[] };
  private w: Record<string, Float32Array> = { ctr: new Float32Array(USERS + 1), cvr: new Float32Array(USERS + 1) };
  private ab: Record<string, Float32Array> = { ctr: new Float32Array(2), cvr: new Float32Array(2) };
  private rng: number;
  private steps = 0;
  disposed = false;

  constructor(
    readonly ir: ModelIR,
    private readonly lr: number,
    seed: number,
    private readonly hooks: FakeRuntimeHooks = {},
  ) {
    this.rng = seed >>> 0 || 1;
    for (const t of ['ctr', 'cvr']) for (let i = 0; i <= USERS; i++) this.w[t]![i] = ((h(seed + i + (t === 'cvr' ? 99 : 0)) % 1000) / 1000 - 0.5) * 0.1;
  }

  private rand(): number {
    this.rng = (Math.imul(this.rng, 1664525) + 1013904223) >>> 0;
    return this.rng / 2 ** 32;
  }

  parameterCount(): number {
    return 2 * (USERS + 1) + 4;
  }

  private logits(batch: Batch, t: string): Float32Array {
    const ids = batch.features.user as { kind: 'ids'; rows: Int32Array };
    const price = batch.features.price as { kind: 'dense'; values: Float32Array };
    const out = new Float32Array(batch.size);
    for (let i = 0; i < batch.size; i++) out[i] = this.w[t]![ids.rows[i]!]! + this.ab[t]![0]! * price.values[i]! + this.ab[t]![1]!;
    return out;
  }

  predict(batch: Batch): Predictions {
    const ctr = this.logits(batch, 'ctr').map(sigmoid);
    const cvr = this.logits(batch, 'cvr').map(sigmoid);
    return { outputs: { ctr, cvr, ctcvr: ctr.map((v, i) => v * cvr[i]!) }, gates: {} };
  }

  trainStep(batch: Batch): StepResult {
    this.steps++;
    this.hooks.onStep?.(this.steps);
    const { outputs } = this.predict(batch);
    const click = batch.labels.click!;
    const both = evalLabelExpr(this.ir.tasks[1]!.loss.label, batch.labels, batch.size);
    const ids = (batch.features.user as { rows: Int32Array }).rows;
    const price = (batch.features.price as { values: Float32Array }).values;
    const noise = 0.5 + this.rand();
    let lossCtr = 0;
    let lossCtcvr = 0;
    for (let i = 0; i < batch.size; i++) {
      const pc = outputs.ctr![i]!;
      const pv = outputs.cvr![i]!;
      lossCtr += -(click[i]! * Math.log(pc + 1e-7) + (1 - click[i]!) * Math.log(1 - pc + 1e-7));
      const q = pc * pv;
      lossCtcvr += -(both[i]! * Math.log(q + 1e-7) + (1 - both[i]!) * Math.log(1 - q + 1e-7));
      const gc = ((pc - click[i]!) * this.lr * noise) / batch.size;
      // d(bce(q))/d(logit_cvr) = (q - y) / (1 - q) * (1 - pv)  (simplified ESMM-style gradient)
      const gv = (((q - both[i]!) / Math.max(1 - q, 1e-3)) * (1 - pv) * this.lr * noise) / batch.size;
      this.w.ctr![ids[i]!]! -= gc;
      this.ab.ctr![0]! -= gc * price[i]!;
      this.ab.ctr![1]! -= gc;
      this.w.cvr![ids[i]!]! -= gv;
      this.ab.cvr![0]! -= gv * price[i]!;
      this.ab.cvr![1]! -= gv;
    }
    lossCtr /= batch.size;
    lossCtcvr /= batch.size;
    const loss = this.hooks.nanAtStep === this.steps ? NaN : lossCtr + lossCtcvr;
    return { loss, taskLosses: { ctr: lossCtr, ctcvr: lossCtcvr } };
  }

  getState(): TrainingState {
    return {
      tensors: {
        'w/ctr': { shape: [USERS + 1], data: new Float32Array(this.w.ctr!) },
        'w/cvr': { shape: [USERS + 1], data: new Float32Array(this.w.cvr!) },
        'ab/ctr': { shape: [2], data: new Float32Array(this.ab.ctr!) },
        'ab/cvr': { shape: [2], data: new Float32Array(this.ab.cvr!) },
      },
      meta: { rng: this.rng, steps: this.steps },
    };
  }

  setState(s: TrainingState): void {
    this.w.ctr = new Float32Array(s.tensors['w/ctr']!.data);
    this.w.cvr = new Float32Array(s.tensors['w/cvr']!.data);
    this.ab.ctr = new Float32Array(s.tensors['ab/ctr']!.data);
    this.ab.cvr = new Float32Array(s.tensors['ab/cvr']!.data);
    this.rng = s.meta.rng as number;
    this.steps = s.meta.steps as number;
  }

  /** A real tfjs model computing the same outputs from raw inputs `user` [batch,1] int32 and `price` [batch,1]. */
  exportModel(): tf.LayersModel {
    const user = tf.input({ shape: [1], dtype: 'int32', name: 'user' });
    const price = tf.input({ shape: [1], name: 'price' });
    const tower = (t: string): tf.SymbolicTensor => {
      const e = tf.layers.embedding({ inputDim: USERS + 1, outputDim: 1, name: `emb_${t}`, weights: [tf.tensor2d(this.w[t]!, [USERS + 1, 1])] }).apply(user) as tf.SymbolicTensor;
      const ef = tf.layers.flatten({ name: `flat_${t}` }).apply(e) as tf.SymbolicTensor;
      const lin = tf.layers.dense({ units: 1, name: `lin_${t}`, weights: [tf.tensor2d([this.ab[t]![0]!], [1, 1]), tf.tensor1d([this.ab[t]![1]!])] }).apply(price) as tf.SymbolicTensor;
      const sum = tf.layers.add({ name: `sum_${t}` }).apply([ef, lin]) as tf.SymbolicTensor;
      return tf.layers.activation({ activation: 'sigmoid', name: t }).apply(sum) as tf.SymbolicTensor;
    };
    const ctr = tower('ctr');
    const cvr = tower('cvr');
    const ctcvr = tf.layers.multiply({ name: 'ctcvr' }).apply([ctr, cvr]) as tf.SymbolicTensor;
    return tf.model({ inputs: [user, price], outputs: [ctr, cvr, ctcvr] });
  }

  dispose(): void {
    this.disposed = true;
  }
}

/** Fake dependencies for `train`, `evaluateArtifact` and `predictArtifact`. */
export function fakeDeps(opts: { data?: FakeDataOptions; hooks?: FakeRuntimeHooks; runtimes?: FakeRuntime[] } = {}): RuntimeDeps {
  return {
    createModelRuntime: (ir, o) => {
      const rt = new FakeRuntime(ir, o.optimizer.lr, o.seed, opts.hooks);
      opts.runtimes?.push(rt);
      return rt;
    },
    fitPreprocessor: async (_ir, data) => fakeState(data.kind === 'synth' ? data.rows : 0),
    readBatches: fakeReadBatches(opts.data),
    tableSizes: () => ({ user: USERS + 1 }),
    computeMetric: fakeComputeMetric,
    evalLabelExpr,
    readColumn: async function* (data, column) {
      const n = data.kind === 'synth' ? data.rows : 100;
      if (column !== 'id') throw new Error(`no column ${column}`);
      for (let i = 0; i < n; i++) yield { row: i + 1, value: `id-${i}` };
    },
  };
}

/** The synthetic data reference used by the tests. */
export const FAKE_DATA: DataRef = { kind: 'synth', generator: 'fake', rows: 120, params: {}, seed: 1 };

/** A preprocessing state for the fake data (the fake reader ignores it). */
export function fakeState(rowsSeen = 0): PreprocessState {
  return { version: 1, features: {}, rowsSeen, rowsSkipped: 0, labels: {}, split: { validSplit: 0.2, seed: 42, hasValidFile: false } } as unknown as PreprocessState;
}

/** A metrics.json for model directories written directly with writeArtifact (no training run). */
export const FAKE_METRICS: MetricsFile = {
  version: 1,
  model: 'fake',
  final: {},
  bestEpoch: 1,
  bestScore: null,
  stoppedEarly: false,
  history: [],
  backend: 'cpu',
  seed: 42,
  settings: { optimizer: 'adam', lr: 0.5, batch: 16, epochs: 1, seed: 42, validSplit: 0.1 },
  data: { train: FAKE_DATA },
  parameterCount: 26,
  timings: { preprocessSeconds: 0, trainSeconds: 0 },
};
