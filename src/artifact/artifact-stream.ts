/**
 * Streaming a data file through a saved model directory: the loop that `mtl eval` and `mtl predict` share.
 */
import type { Diagnostic } from '../diagnostics/types.js';
import type { Predictions } from '../model/types.js';
import type { Batch } from '../data/types.js';
import type { LoadedArtifact } from './artifact.js';
import type { ArtifactDataOptions } from './artifact-options.js';
import { artifactPredictor } from './artifact-predictor.js';
import { modelMismatch } from './model-check.js';
import type { DataRef, RuntimeDeps } from './runtime-deps.js';

/** What one pass reads: all rows or the training run's validation split, with or without label columns. */
export interface ArtifactStreamOptions extends Omit<ArtifactDataOptions, 'deps' | 'onWarning'> {
  part: 'all' | 'valid';
  needLabels: boolean;
  onWarning: (d: Diagnostic) => void;
}

/**
 * Yield each preprocessed batch of `data` (file order, no shuffling) with the saved model's predictions
 * (on the native backend computed by the direct forward pass: src/artifact/artifact-predictor.ts).
 * The split uses the training run's recorded seed and validation fraction. A batch that does not fit the
 * model is reported as a model/spec mismatch (MtlError) naming `art.dir`.
 */
export async function* predictOverData(
  deps: Pick<RuntimeDeps, 'readBatches'>,
  art: LoadedArtifact,
  data: DataRef,
  opts: ArtifactStreamOptions,
): AsyncGenerator<{ batch: Batch; pred: Predictions }> {
  const stream = deps.readBatches(art.ir, art.preprocess, data, {
    baseDir: opts.baseDir,
    skipBadRows: opts.skipBadRows ?? false,
    onWarning: opts.onWarning,
    batchSize: opts.batchSize ?? 1024,
    part: opts.part,
    validSplit: art.metrics.settings?.validSplit ?? art.ir.train.validSplit,
    seed: art.metrics.seed ?? art.ir.train.seed,
    shuffle: false,
    needLabels: opts.needLabels,
  });
  const predictor = artifactPredictor(art, opts.plugins);
  try {
    for await (const batch of stream) {
      let pred: Predictions;
      try {
        pred = predictor.predict(batch);
      } catch (e) {
        throw modelMismatch(art.dir, e);
      }
      yield { batch, pred };
    }
  } finally {
    predictor.dispose();
  }
}
