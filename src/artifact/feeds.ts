/**
 * Feeding preprocessed batches to the export model (`model.json`), whose inputs are named after the
 * features (see src/model/types.ts):
 *   categorical / bucketised numeric: `NAME` int32 [batch];
 *   sequence: `NAME` int32 [batch, maxLen] and `NAME__w` float32 [batch, maxLen];
 *   numeric: `NAME` float32 [batch, 1].
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/types.js';

/** The suffix of a sequence feature's pooling-weights input. */
export const SEQUENCE_WEIGHTS_SUFFIX = '__w';

/** Build the export model's input tensors for a batch, keyed by input name. The caller disposes them. */
export function batchToFeeds(batch: Batch): Record<string, tf.Tensor> {
  const feeds: Record<string, tf.Tensor> = {};
  const n = batch.size;
  for (const [name, col] of Object.entries(batch.features)) {
    if (col.kind === 'ids') feeds[name] = tf.tensor1d(col.rows.subarray(0, n), 'int32');
    else if (col.kind === 'dense') feeds[name] = tf.tensor2d(col.values.subarray(0, n), [n, 1], 'float32');
    else {
      feeds[name] = tf.tensor2d(col.rows.subarray(0, n * col.maxLen), [n, col.maxLen], 'int32');
      feeds[name + SEQUENCE_WEIGHTS_SUFFIX] = tf.tensor2d(col.weights.subarray(0, n * col.maxLen), [n, col.maxLen], 'float32');
    }
  }
  return feeds;
}
