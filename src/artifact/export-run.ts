/**
 * Running the export model on preprocessed batches (evaluate, predict, artifact tests).
 *
 * Feeds go to `model.predict` in the order of `model.inputNames`, each reshaped to the rank the model
 * declares (id inputs are declared [batch, 1]; batches carry them as [batch]). `model.execute` is not
 * used: it fails on graphs with shared layers (a shared embedding table, the nested core model).
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/types.js';
import type { Predictions } from '../model/types.js';
import { batchToFeeds } from './feeds.js';

/** The prefix of gate-weight outputs. */
export const GATE_PREFIX = 'gate__';

/** Adapt a feed to the rank the model declares for that input (e.g. [batch] ↔ [batch, 1]). */
function fitRank(t: tf.Tensor, shape: Array<number | null>): tf.Tensor {
  if (t.rank === shape.length) return t;
  const rest = shape.slice(1).map((d) => d ?? -1);
  return t.reshape([t.shape[0]!, ...rest]);
}

/**
 * Predict a batch with the export model: tower/task outputs (one value per row) and gate weights
 * (row-major [batch × experts]). Throws a plain Error naming a missing input (a model/IR mismatch).
 */
export function predictBatch(model: tf.LayersModel, batch: Batch): Predictions {
  const feeds = batchToFeeds(batch);
  const owned: tf.Tensor[] = Object.values(feeds);
  try {
    const ordered = model.inputs.map((input, i) => {
      const name = model.inputNames[i]!;
      const t = feeds[name];
      if (!t) throw new Error(`the batch has no feature for model input '${name}'`);
      const fitted = fitRank(t, input.shape);
      if (fitted !== t) owned.push(fitted);
      return fitted;
    });
    // One pass over the whole batch: tfjs-layers' predict() otherwise splits it into chunks of 32 rows (its
    // default batchSize), 32× the kernel calls — `mtl predict` on the mmoe bench model ran 3.8k rows/s that way.
    const out = model.predict(ordered.length === 1 ? ordered[0]! : ordered, { batchSize: Math.max(1, batch.size) });
    const result = Array.isArray(out) ? out : [out];
    const outputs: Record<string, Float32Array> = {};
    const gates: Predictions['gates'] = {};
    result.forEach((t, i) => {
      const name = model.outputNames[i]!;
      const data = t.dataSync() as Float32Array;
      if (name.startsWith(GATE_PREFIX)) gates[name.slice(GATE_PREFIX.length)] = { weights: Float32Array.from(data), experts: t.shape[t.rank - 1] ?? 1 };
      else outputs[name] = Float32Array.from(data);
      t.dispose();
    });
    return { outputs, gates };
  } finally {
    owned.forEach((t) => t.dispose());
  }
}
