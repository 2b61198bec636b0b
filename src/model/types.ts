/**
 * The contract between the compiler (IR → tfjs) and the runtime (training loop, artifacts, eval, predict).
 *
 * Two graphs are built from one IR:
 * - the **core model**: a tfjs LayersModel whose inputs are dense per-feature vectors (embeddings already
 *   looked up and pooled by the {@link ModelRuntime}'s JS-side embedding store, numerics normalised) and whose
 *   outputs are tower logits (pre-activation) and gate weights. Training runs on it, with sparse embedding
 *   updates outside the graph, so a step costs O(batch × dim) and not O(vocabulary).
 * - the **export model**: raw-id inputs → Embedding layers (weights copied from the store) → the core
 *   layers → named outputs with their activations and products. It is what `model.json` holds and what loads
 *   in plain @tensorflow/tfjs.
 *
 * Export-model input names (one per feature):
 *   categorical / bucketised numeric: `NAME` int32 [batch] (declared [batch, 1]: tfjs' predict() expands
 *   rank-1 inputs to [batch, 1], so this accepts both);
 *   sequence: `NAME` int32 [batch, maxLen] and `NAME__w` float32 [batch, maxLen] (pooling weights);
 *   numeric: `NAME` float32 [batch, 1] (already normalised by the preprocessor).
 * Only features that the graph uses become inputs (an unused input would not survive save/load).
 * Export-model outputs, in this order: every tower (probability or value), every task that is not the
 * single tower it heads (product of its towers' probabilities), then every gate's expert weights as
 * `gate__NAME` [batch, expertCount].
 */
import type * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/types.js';
import type { LrSchedule, ModelIR } from '../ir/types.js';
import type { EmbeddingOptimizerName, OptimizerName } from '../ir/ops/index.js';

/** Output names of a model, in export order (see the module comment). */
export interface OutputLayout {
  /** Tower and task outputs. */
  outputs: string[];
  /** Gate names (exported as `gate__NAME`). */
  gates: string[];
}

/** Losses of one training step. */
export interface StepResult {
  /** The total weighted loss (what the optimiser minimised), including auxiliary losses. */
  loss: number;
  /** Unweighted loss of each task (masked mean; 0 when a batch has no row in the task's mask). */
  taskLosses: Record<string, number>;
}

/** Predictions for a batch. */
export interface Predictions {
  /** Per output name: probabilities (sigmoid towers, products) or values (linear towers), length = batch size. */
  outputs: Record<string, Float32Array>;
  /** Per gate: row-major [batch × expertCount] expert weights. */
  gates: Record<string, { weights: Float32Array; experts: number }>;
}

/** A named tensor in a serialised training state. */
export interface StateTensor {
  shape: number[];
  data: Float32Array;
}

/** Everything needed to resume training exactly: weights, embedding tables, optimiser state, counters. */
export interface TrainingState {
  tensors: Record<string, StateTensor>;
  /** JSON-safe extra state (step counters, optimiser hyper-parameters, RNG state). */
  meta: Record<string, unknown>;
}

/** Optimiser settings (from `ir.train`, overridable on the command line). */
export interface OptimizerSettings {
  optimizer: OptimizerName;
  lr: number;
  /** The optimisation recipe of the train block (absent: constant lr, no decay, no clipping, the default tables' rule). */
  recipe?: OptimRecipe;
}

/** `schedule`, `weight_decay`, `embedding_l2`, `clip_norm` and `embedding_optimizer`, with the run's length. */
export interface OptimRecipe {
  schedule?: LrSchedule;
  weightDecay?: number;
  embeddingL2?: number;
  clipNorm?: number;
  embeddingOptimizer?: EmbeddingOptimizerName;
  /** Updates per epoch (training rows / batch, rounded up) and epochs: the schedule's length. */
  stepsPerEpoch?: number;
  epochs?: number;
}

/** A compiled, trainable model. Holds tensors: call `dispose()` when done. */
export interface ModelRuntime {
  ir: ModelIR;
  layout: OutputLayout;
  /** Number of trainable parameters, embedding tables included. */
  parameterCount(): number;
  /** One optimiser step on a batch. */
  trainStep(batch: Batch): StepResult;
  /** Inference (dropout off, batch norm in inference mode). */
  predict(batch: Batch): Predictions;
  /** Snapshot of the full training state. */
  getState(): TrainingState;
  /** Restore a snapshot taken from a runtime compiled from the same IR. */
  setState(state: TrainingState): void;
  /** Which step trained the last batch (`direct` on the native backend, else `tfjs`) and why not direct, when known. */
  trainStepKind?(): { kind: 'direct' | 'tfjs'; reason?: string };
  /** True when predict() runs the direct forward pass (native backend, a model the direct step plans). */
  predictsDirectly?(): boolean;
  /** Take the weights of an export model of the same IR (a saved model directory); throws an Error naming a mismatch. */
  loadExportWeights?(model: tf.LayersModel): void;
  /** Build the export model (raw inputs → named outputs) holding the current weights. */
  exportModel(): tf.LayersModel;
  dispose(): void;
}
