/**
 * The second baseline: what a TypeScript user would hand-write with tfjs-layers for the same workload —
 * Embedding layers on raw ids, a functional model, `model.trainOnBatch` with tf.train.adam. On wasm,
 * training the embeddings fails (the gather gradient's UnsortedSegmentSum kernel is not registered);
 * the harness then reports that and measures the same model with frozen embeddings (dense part only).
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../src/model/seed.js';
import { DIM, NCAT, NNUM, type Workload } from './specs.js';

/** The naive model's measured training rate, or why it could not train. */
export interface NaiveResult {
  /** Samples/s with trainable embeddings; null when that failed. */
  samplesPerSecond: number | null;
  /** Why training with trainable embeddings failed. */
  error?: string;
  /** Samples/s with frozen embeddings (measured when trainable ones failed). */
  frozenSamplesPerSecond?: number;
}

type T = tf.SymbolicTensor;

const dense = (x: T, units: number, activation: 'relu' | 'linear' | 'sigmoid' | 'softmax' = 'relu'): T => tf.layers.dense({ units, activation }).apply(x) as T;
const mlp = (x: T, units: number[]): T => units.reduce((h, u) => dense(h, u), x);

/** Softmax-gated mixture of expert outputs `experts` ([B, w] each). */
function mix(x: T, experts: T[]): T {
  const w = dense(x, experts.length, 'softmax');
  const stack = tf.layers.concatenate({ axis: 1 }).apply(experts.map((e) => tf.layers.reshape({ targetShape: [1, e.shape[1] as number] }).apply(e) as T)) as T;
  return tf.layers.dot({ axes: [1, 1] }).apply([w, stack]) as T;
}

/** The workload as a plain tfjs-layers model: 26 id inputs + 1 numeric input → 2 sigmoid outputs. */
export function naiveModel(workload: Workload, vocab: number, trainableEmbeddings: boolean): tf.LayersModel {
  const ids = Array.from({ length: NCAT }, (_, i) => tf.input({ shape: [1], dtype: 'int32', name: `c${i + 1}` }));
  const num = tf.input({ shape: [NNUM], name: 'num' });
  const embedded = ids.map((x) => tf.layers.flatten().apply(tf.layers.embedding({ inputDim: vocab, outputDim: DIM, trainable: trainableEmbeddings }).apply(x)) as T);
  const x = tf.layers.concatenate().apply([...embedded, num]) as T;
  const head = (h: T): T => dense(h, 1, 'sigmoid');
  let outputs: T[];
  if (workload === 'mmoe') {
    const experts = Array.from({ length: 8 }, () => mlp(x, [256, 128]));
    outputs = [0, 1].map(() => head(mlp(mix(x, experts), [64])));
  } else if (workload === 'esmm') {
    const ctr = head(mlp(x, [360, 200, 80]));
    const cvr = head(mlp(x, [360, 200, 80]));
    outputs = [ctr, tf.layers.multiply().apply([ctr, cvr]) as T];
  } else {
    const group = (on: T): T[] => [0, 1].map(() => mlp(on, [128, 64]));
    const [s1, a1, b1] = [group(x), group(x), group(x)];
    const ga1 = mix(x, [...a1, ...s1]);
    const gb1 = mix(x, [...b1, ...s1]);
    const gs1 = mix(x, [...a1, ...b1, ...s1]);
    const [s2, a2, b2] = [group(gs1), group(ga1), group(gb1)];
    outputs = [head(mlp(mix(ga1, [...a2, ...s2]), [64])), head(mlp(mix(gb1, [...b2, ...s2]), [64]))];
  }
  const model = tf.model({ inputs: [...ids, num], outputs });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'binaryCrossentropy' });
  return model;
}

/** Random inputs and labels of one batch, as the peer makes them. */
function batch(vocab: number, size: number, seed: number): { xs: tf.Tensor[]; ys: tf.Tensor[] } {
  const rand = mulberry32(seed);
  const xs = [
    ...Array.from({ length: NCAT }, () => tf.tensor2d(Int32Array.from({ length: size }, () => Math.floor(rand() * vocab)), [size, 1], 'int32')),
    tf.randomNormal([size, NNUM], 0, 1, 'float32', seed),
  ];
  const y1 = Float32Array.from({ length: size }, () => (rand() < 0.5 ? 1 : 0));
  const y2 = Float32Array.from(y1, (v) => v * (rand() < 0.5 ? 1 : 0));
  return { xs, ys: [tf.tensor2d(y1, [size, 1]), tf.tensor2d(y2, [size, 1])] };
}

/** Time `steps` trainOnBatch calls after one warm-up; samples/s. */
async function rate(model: tf.LayersModel, vocab: number, steps: number): Promise<number> {
  const b = batch(vocab, 1024, 3);
  await model.trainOnBatch(b.xs, b.ys);
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await model.trainOnBatch(b.xs, b.ys);
  const dt = (performance.now() - t0) / 1000;
  tf.dispose([...b.xs, ...b.ys]);
  return (steps * 1024) / dt;
}

/** Measure the naive model on the current backend. */
export async function naiveTrainRate(workload: Workload, vocab: number, steps: number): Promise<NaiveResult> {
  const model = naiveModel(workload, vocab, true);
  try {
    return { samplesPerSecond: await rate(model, vocab, steps) };
  } catch (e) {
    const error = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 160);
    model.dispose();
    const frozen = naiveModel(workload, vocab, false);
    try {
      return { samplesPerSecond: null, error, frozenSamplesPerSecond: await rate(frozen, vocab, steps) };
    } finally {
      frozen.dispose();
    }
  }
}
