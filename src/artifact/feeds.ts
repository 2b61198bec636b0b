/**
 * Feeding preprocessed batches to the export model (`model.json`), whose inputs are named after the
 * features; the layout (names, types, shapes) is src/data/feeds.ts, shared with the ONNX export.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/types.js';
import { batchFeedArrays } from '../data/feeds.js';

/** Build the export model's input tensors for a batch, keyed by input name. The caller disposes them. */
export function batchToFeeds(batch: Batch): Record<string, tf.Tensor> {
  const feeds: Record<string, tf.Tensor> = {};
  for (const [name, f] of Object.entries(batchFeedArrays(batch))) feeds[name] = tf.tensor(f.data, f.dims, f.type);
  return feeds;
}
