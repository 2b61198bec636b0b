/**
 * The functions of other modules that the training loop, evaluation and prediction call: the model
 * compiler, the data pipeline, metrics and label expressions. Gathered behind one interface so that
 * the loop can be unit-tested with a fake model and fake batches, and so that the heavy modules are
 * loaded (dynamically) only when a real run needs them.
 */
import type { Batch } from '../data/types.js';
import type { LabelExpr, MetricFn, ModelIR } from '../ir/types.js';
import type { DataOptions, DataRef, PreprocessState, ReadOptions } from '../data/index.js';
import type { ModelRuntime, OptimizerSettings } from '../model/types.js';
import type { LabelReservoir } from '../data/label-sample.js';

export type { DataOptions, DataRef, PreprocessState } from '../data/index.js';

/** Options of one batch stream. */
export type ReadBatchesOptions = ReadOptions;

/** Everything the runtime needs from other modules. */
export interface RuntimeDeps {
  createModelRuntime(ir: ModelIR, opts: { gates: unknown; seed: number; optimizer: OptimizerSettings; tableSizes: Record<string, number>; outputBias?: Record<string, number> }): ModelRuntime;
  fitPreprocessor(ir: ModelIR, data: DataRef, opts: DataOptions & { validSplit: number; seed: number; hasValidFile: boolean; labelSample?: LabelReservoir }): Promise<PreprocessState>;
  readBatches(ir: ModelIR, state: PreprocessState, data: DataRef, opts: ReadBatchesOptions): AsyncIterable<Batch>;
  tableSizes(ir: ModelIR, state: PreprocessState): Record<string, number>;
  computeMetric(fn: MetricFn, pred: Float32Array, label: Float32Array, opts?: { mask?: Float32Array; groups?: string[]; weights?: Float32Array }): number | null;
  evalLabelExpr(expr: LabelExpr, labels: Record<string, Float32Array>, size: number): Float32Array;
  /** Raw values of one column in file order, with their 1-based row numbers (for `predict --keep`). Throws MtlError when the column is missing. */
  readColumn(data: DataRef, column: string): AsyncIterable<{ row: number; value: string }>;
}

/** The real implementations, loaded on first use. */
export async function loadDefaultDeps(): Promise<RuntimeDeps> {
  const [compile, data, metrics, labels, source] = await Promise.all([
    import('../model/index.js'),
    import('../data/index.js'),
    import('./metrics.js'),
    import('../model/labels.js'),
    import('../data/source.js'),
  ]);
  return {
    createModelRuntime: (ir, opts) => compile.createModelRuntime(ir, opts as Parameters<typeof compile.createModelRuntime>[1]),
    fitPreprocessor: data.fitPreprocessor,
    readBatches: data.readBatches,
    tableSizes: data.tableSizes,
    computeMetric: metrics.computeMetric,
    evalLabelExpr: labels.evalLabelExpr,
    readColumn: async function* (ref, column) {
      const src = await source.openSource(ref, [{ column, user: 'the column to keep (--keep)' }]);
      const at = src.colIndex[0]!;
      for await (const chunk of src.chunks) {
        for (let i = 0; i < chunk.rows.length; i++) {
          const rec = chunk.rows[i]!;
          const cell = Array.isArray(rec) ? rec[at] : null;
          yield { row: chunk.lines[i]!, value: cell === null || cell === undefined ? '' : String(cell) };
        }
      }
    },
  };
}

/** Every dependency name. */
const ALL_DEPS: ReadonlyArray<keyof RuntimeDeps> = ['createModelRuntime', 'fitPreprocessor', 'readBatches', 'tableSizes', 'computeMetric', 'evalLabelExpr', 'readColumn'];

/**
 * Fill the dependencies the caller did not give with the real ones. The real modules are loaded only
 * when one of the `needed` functions is missing, so fully-faked tests never load the compiler.
 */
export async function resolveDeps(partial: Partial<RuntimeDeps> = {}, needed: ReadonlyArray<keyof RuntimeDeps> = ALL_DEPS): Promise<RuntimeDeps> {
  if (needed.every((k) => partial[k] !== undefined)) return partial as RuntimeDeps;
  return { ...(await loadDefaultDeps()), ...stripUndefined(partial) };
}

/** Drop undefined entries so that spreading does not overwrite defaults with undefined. */
function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
