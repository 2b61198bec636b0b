/**
 * What a training run records: one entry per epoch, and the `metrics.json` file of a model directory.
 */
import type { TrainSettings } from '../ir/types.js';
import type { MetricResults } from './metric-plan.js';
import type { DataRef } from './runtime-deps.js';

/** One finished epoch. */
export interface EpochRecord {
  /** 1-based. */
  epoch: number;
  /** Mean total training loss (per sample). */
  loss: number;
  /** Mean unweighted training loss of each task. */
  taskLosses: Record<string, number>;
  /** Validation metrics (see metric-plan.ts for the keys); `{}` without validation rows. */
  metrics: MetricResults;
  /** The early-stopping score; null when undefined, absent without early stopping. */
  score?: number | null;
  /** Training samples seen in the epoch. */
  samples: number;
  /** Training throughput (validation excluded). */
  samplesPerSecond: number;
  /** Wall time of the epoch, validation included. */
  seconds: number;
}

/** The effective training settings of a run (the spec's, with command-line overrides). */
export type EffectiveSettings = Pick<TrainSettings, 'optimizer' | 'lr' | 'batch' | 'epochs' | 'seed' | 'validSplit'> & {
  /** The shuffle buffer used: `all` or a row count (docs/data.md, "Shuffling"); absent in older runs. */
  shuffleBuffer?: 'all' | number;
};

/** The content of `DIR/metrics.json`. */
export interface MetricsFile {
  version: 1;
  /** The model's name. */
  model: string;
  /** Validation metrics of the exported (best) epoch. */
  final: MetricResults;
  /** The epoch whose weights were exported (1-based); null when no epoch ran. */
  bestEpoch: number | null;
  bestScore: number | null;
  stoppedEarly: boolean;
  history: EpochRecord[];
  /** The tfjs backend that trained the model (`cpu`, `wasm`, `native`, `tensorflow`). */
  backend: string;
  /**
   * What did its arithmetic (`activeKernelsLabel`): the addon's GEMM and threads (`OpenBLAS 0.3.21, 2 threads`,
   * `built-in GEMM (AVX-512, 2 threads)`), mtl's WebAssembly kernels, or tfjs's own; absent in older runs.
   */
  kernels?: string;
  /** Which training step ran the last batch (`direct`, or `tfjs` with the reason the direct step could not); absent in older runs. */
  trainStep?: { kind: 'direct' | 'tfjs'; reason?: string };
  seed: number;
  settings: EffectiveSettings;
  data: { train: DataRef; valid?: DataRef };
  /** The model directory this run started from (`mtl train --init`). */
  init?: string;
  parameterCount: number;
  timings: { preprocessSeconds: number; trainSeconds: number };
}

/**
 * The backend of a run as the reports and `mtl compare` show it: `native (OpenBLAS 0.3.21, 2 threads), direct step`;
 * the bare backend name for runs recorded before the kernels were.
 */
export function describeBackend(m: Pick<MetricsFile, 'backend' | 'kernels' | 'trainStep'>): string {
  const kernels = m.kernels ? ` (${m.kernels})` : '';
  const step = m.trainStep ? `, ${m.trainStep.kind} step` : '';
  return `${m.backend}${kernels}${step}`;
}
