/**
 * Shared inputs of the report tests: a small CGC spec (so that the heatmap has cells a gate cannot
 * use) and a hand-made metrics file.
 */
import type { MetricsFile } from '../../src/artifact/run-record.js';

/** A small CGC on the built-in census data: two gates, each over its own expert and the shared ones. */
export const SMALL_CGC = `model small_cgc "A <small> CGC & friends"
data { synth census rows 400 }
features {
  categorical education hash 64 dim 4
  categorical sex hash 8 dim 2
  numeric age normalize standard
}
labels {
  high_income: binary column "income_50k" positive "50000+."
  single: binary column "marital_stat" positive "Never married"
}
input all = concat(education, sex, age)
experts shared[2] = mlp(4) relu on all
experts inc[1] = mlp(4) relu on all
experts mar[1] = mlp(4) relu on all
gate g_income  = softmax over inc, shared on all
gate g_marital = softmax over mar, shared on all
tower income  = mlp(4) on g_income  -> sigmoid
tower marital = mlp(4) on g_marital -> sigmoid
task income  = income  loss bce(high_income)
task marital = marital loss bce(single)
train { optimizer adam lr 0.01 batch 64 epochs 3 }
`;

/** A metrics.json of three epochs with an undefined AUC in epoch 1. */
export function fakeMetrics(): MetricsFile {
  const epoch = (e: number, auc: number | null, loss: number) => ({
    epoch: e,
    loss,
    taskLosses: { income: loss * 0.4, marital: loss * 0.6 },
    metrics: { income: { auc, logloss: loss }, marital: { auc: 0.9 + e / 100, logloss: loss / 2 } },
    samples: 100,
    samplesPerSecond: 1000,
    seconds: 0.1,
  });
  return {
    version: 1,
    model: 'small_cgc',
    final: { income: { auc: 0.8, logloss: 0.3 }, marital: { auc: 0.93, logloss: 0.15 } },
    bestEpoch: 3,
    bestScore: null,
    stoppedEarly: false,
    history: [epoch(1, null, 0.7), epoch(2, 0.75, 0.5), epoch(3, 0.8, 0.3)],
    backend: 'wasm',
    seed: 1,
    settings: { optimizer: 'adam', lr: 0.01, batch: 64, epochs: 3, seed: 1, validSplit: 0.2 },
    data: { train: { kind: 'synth', generator: 'census', rows: 400, params: {}, seed: 1 } },
    parameterCount: 1234,
    timings: { preprocessSeconds: 0.1, trainSeconds: 0.3 },
  };
}
