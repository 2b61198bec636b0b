/**
 * Which data columns weight which rows (`weight_by`, docs/language.md "Sample weights"): the train block's
 * column weights every task; a task's own column multiplies it. One definition for the data reader (which
 * columns to read), the losses of every target and the weighted metrics.
 */
import type { Metric, ModelIR, Task } from './types.js';

/** The weight columns of a task's rows, multiplied together (empty: every row weighs 1). */
export function taskWeightColumns(ir: Pick<ModelIR, 'train'>, task: Pick<Task, 'weightBy'>): string[] {
  const cols: string[] = [];
  if (ir.train.weightBy !== undefined) cols.push(ir.train.weightBy);
  if (task.weightBy !== undefined) cols.push(task.weightBy);
  return cols;
}

/** The weight columns of a `metric … weight_by COL` line (only its own: a metric names what it weighs by). */
export function metricWeightColumns(metric: Pick<Metric, 'weightBy'>): string[] {
  return metric.weightBy !== undefined ? [metric.weightBy] : [];
}

/** Every weight column the spec reads, in order of first mention. */
export function weightColumns(ir: Pick<ModelIR, 'train' | 'tasks' | 'metrics'>): string[] {
  const all = [...ir.tasks.flatMap((t) => taskWeightColumns(ir, t)), ...ir.metrics.flatMap(metricWeightColumns)];
  if (ir.train.weightBy !== undefined) all.unshift(ir.train.weightBy);
  return [...new Set(all)];
}

/**
 * The per-row weights of `columns` over `size` rows: the product of the columns (all ones when there are
 * none). Throws when a column is absent from `weights` (the reader always reads every weight column).
 */
export function rowWeights(columns: readonly string[], weights: Readonly<Record<string, Float32Array>> | undefined, size: number): Float32Array {
  const out = new Float32Array(size).fill(1);
  for (const c of columns) {
    const w = weights?.[c];
    if (!w) throw new Error(`internal: the batch has no weight column '${c}'`);
    for (let i = 0; i < size; i++) out[i] = out[i]! * w[i]!;
  }
  return out;
}
