/**
 * The contract between data reading/preprocessing (src/data) and the model runtime
 * (src/model, src/train): columnar, preprocessed batches of typed arrays.
 */

/** One feature's values for a batch, already mapped to table rows / normalised. */
export type FeatureColumn =
  /** categorical (and bucketised numeric): one embedding-table row per example, length = batch size. */
  | { kind: 'ids'; rows: Int32Array }
  /**
   * sequence: `maxLen` table rows per example (row-major, length = batch × maxLen) and pooling weights
   * of the same length. For mean pooling the weights are 1/count on real positions and 0 on padding;
   * for sum, 1 and 0; for max, padding repeats the first real id (so it cannot change the max) with weight 1.
   * An empty sequence uses row 0 everywhere with weight 0 (mean/sum give a zero vector).
   */
  | { kind: 'seq'; rows: Int32Array; weights: Float32Array; maxLen: number }
  /** numeric, normalised: one value per example. */
  | { kind: 'dense'; values: Float32Array };

/** A batch of preprocessed examples. */
export interface Batch {
  size: number;
  /** Keyed by feature name. */
  features: Record<string, FeatureColumn>;
  /** Keyed by label name: 0/1 for binary labels, the value for real labels. */
  labels: Record<string, Float32Array>;
  /**
   * Sample weights (finite, ≥ 0) of the `weight_by` columns, keyed by column name; read with the labels
   * (absent when the spec has none, or when labels are not read).
   */
  weights?: Record<string, Float32Array>;
  /** Raw values of group-by columns (for gauc), keyed by column name. */
  groups: Record<string, string[]>;
  /** The 1-based line (CSV: counting the header as line 1) or record number of each example, for messages and for predict's input order. */
  rowNumbers: Int32Array;
}
