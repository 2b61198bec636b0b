/**
 * The model's input tensors for a preprocessed batch, as plain typed arrays: the one definition of the
 * layout that the tfjs export model (`model.json`), the ONNX and TorchScript exports (`mtl export`) and the
 * `mtl/serve` encoder share. Inputs are named after the features:
 *   categorical / bucketised numeric: `NAME` int32 [batch];
 *   sequence: `NAME` int32 [batch, maxLen] and `NAME__w` float32 [batch, maxLen];
 *   numeric: `NAME` float32 [batch, 1].
 */
import type { Feature, ModelIR } from '../ir/types.js';
import type { Batch } from './types.js';

/** The suffix of a sequence feature's pooling-weights input. */
export const SEQUENCE_WEIGHTS_SUFFIX = '__w';

/** One input tensor's values: the element type, the row-major data and the dimensions. */
export interface FeedArray {
  type: 'int32' | 'float32';
  data: Int32Array | Float32Array;
  dims: number[];
}

/** One input of the model: its name, element type and shape (`'batch'` for the batch axis). */
export interface InputSpec {
  name: string;
  /** The feature the input is computed from. */
  feature: string;
  type: FeedArray['type'];
  shape: Array<'batch' | number>;
}

/** A numeric feature with buckets is embedded (its input is the bucket's row), so it has ids, not values. */
function bucketised(f: Feature): boolean {
  return f.kind === 'numeric' && f.buckets !== undefined && f.buckets.length > 0;
}

/** The model's inputs in feature order (a sequence's weights right after its ids). */
export function modelInputs(ir: Pick<ModelIR, 'features'>): InputSpec[] {
  const out: InputSpec[] = [];
  for (const f of ir.features) {
    if (f.kind === 'sequence') {
      out.push({ name: f.name, feature: f.name, type: 'int32', shape: ['batch', f.maxLen] });
      out.push({ name: f.name + SEQUENCE_WEIGHTS_SUFFIX, feature: f.name, type: 'float32', shape: ['batch', f.maxLen] });
    } else if (f.kind === 'numeric' && !bucketised(f)) out.push({ name: f.name, feature: f.name, type: 'float32', shape: ['batch', 1] });
    else out.push({ name: f.name, feature: f.name, type: 'int32', shape: ['batch'] });
  }
  return out;
}

/** The input arrays of a batch, keyed by input name (views of the batch's arrays, not copies). */
export function batchFeedArrays(batch: Batch): Record<string, FeedArray> {
  const feeds: Record<string, FeedArray> = {};
  const n = batch.size;
  for (const [name, col] of Object.entries(batch.features)) {
    if (col.kind === 'ids') feeds[name] = { type: 'int32', data: col.rows.subarray(0, n), dims: [n] };
    else if (col.kind === 'dense') feeds[name] = { type: 'float32', data: col.values.subarray(0, n), dims: [n, 1] };
    else {
      feeds[name] = { type: 'int32', data: col.rows.subarray(0, n * col.maxLen), dims: [n, col.maxLen] };
      feeds[name + SEQUENCE_WEIGHTS_SUFFIX] = { type: 'float32', data: col.weights.subarray(0, n * col.maxLen), dims: [n, col.maxLen] };
    }
  }
  return feeds;
}
