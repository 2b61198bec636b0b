/**
 * `loadModel(dir)`: a trained model directory as an in-process scorer. Loading verifies the directory as
 * `mtl predict` does (loadArtifact: every file against the mtl-artifact.json manifest, finite weights, the
 * outputs ir.json declares), checks preprocess.json against the spec, reads the vocabularies, and builds
 * the same predictor `mtl predict` uses (the direct forward pass on the native backend, else the saved
 * tfjs model). This is the Node side of the library: it reads files; the scoring itself is score.ts.
 */
import { createHash } from 'node:crypto';
import type * as tf from '@tensorflow/tfjs';
import type { Diagnostic } from '../diagnostics/types.js';
import type { GatePlugin } from '../plugins/api.js';
import { createDefaultRegistry } from '../plugins/load.js';
import { loadArtifact } from '../artifact/artifact.js';
import { artifactPredictor } from '../artifact/artifact-predictor.js';
import { selectBackend, type BackendName } from '../exec/backend.js';
import { stateVocabs } from '../data/batches.js';
import { checkState } from '../data/pass.js';
import { GATE_PREFIX } from '../artifact/export-run.js';
import { irHash } from '../artifact/ir-hash.js';
import { canonicalJson } from '../util/canonical-json.js';
import type { PreprocessState } from '../data/state.js';
import { servingContract, type ServingContract } from './contract.js';
import { createRowScorer, type RowScorer, type ScoreOptions, type ScoreResult } from './score.js';

/**
 * The identity of a trained model: its IR hash, its fitted preprocessing and its weights, hashed from what
 * was loaded (not from the manifest, which could have been replaced since). Retraining one spec changes it.
 */
function modelHash(ir: string, preprocess: PreprocessState, model: tf.LayersModel): string {
  const h = createHash('sha256').update(ir).update(canonicalJson(preprocess));
  for (const w of model.getWeights()) {
    const data = w.dataSync();
    h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return h.digest('hex');
}

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /**
   * The tfjs backend to select first, as `mtl predict --backend` (default 'auto', predict's default);
   * 'keep' leaves the global backend as it is (a host application that already chose one).
   */
  backend?: BackendName | 'keep';
  /** Gate plugins whose custom layers the model uses (default: the first-party plugins). */
  plugins?: Iterable<GatePlugin>;
  /** Receives warnings, e.g. MTL5337 for a directory without a manifest (it loads unverified). */
  onWarning?: (d: Diagnostic) => void;
  /** Rows per forward pass (default 1024). */
  maxBatch?: number;
}

/** A loaded model. Call dispose() when done (it frees the tfjs weights). */
export interface ServingModel {
  /** The model directory. */
  readonly dir: string;
  /** Output names, in model order. */
  readonly outputs: readonly string[];
  /** The serving contract (features, outputs, IR hash and version). */
  readonly contract: ServingContract;
  /** Which path predicts: the direct forward pass or the saved tfjs model. */
  readonly predictor: 'direct' | 'saved model';
  /**
   * Score raw rows (objects keyed by column name, as the training data's rows): one score per output per
   * row, equal to `mtl predict` on the same rows. A bad row gets an entry in `errors` naming the field
   * (and `predictions[i] === null`); it never throws for a row. Synchronous: the forward pass is.
   */
  score(rows: readonly unknown[], opts?: ScoreOptions): ScoreResult;
  /** As score(), every output, the scores as columns (no object per row): what `mtl serve` answers from. */
  scoreRows: RowScorer;
  dispose(): void;
}

/**
 * Load the model directory `dir` for scoring. Throws MtlError for a directory that is missing, corrupt,
 * differs from its manifest, or does not fit its spec (the codes of loadArtifact and MTL5023 for a preprocess.json that does not fit the spec).
 */
export async function loadModel(dir: string, opts: LoadModelOptions = {}): Promise<ServingModel> {
  if (opts.backend !== 'keep') await selectBackend(opts.backend ?? 'auto');
  const plugins = opts.plugins ? [...opts.plugins] : createDefaultRegistry().gatePlugins();
  const art = await loadArtifact(dir, { plugins, ...(opts.onWarning ? { onWarning: opts.onWarning } : {}) });
  try {
    checkState(art.ir, art.preprocess);
    const vocabs = await stateVocabs(art.preprocess, dir);
    const outputs = art.model.outputNames.filter((n) => !n.startsWith(GATE_PREFIX));
    const predictor = artifactPredictor(art, plugins);
    const scoreRows = createRowScorer({
      ir: art.ir,
      preprocess: art.preprocess,
      vocabs,
      outputs,
      predict: (batch) => predictor.predict(batch),
      ...(opts.maxBatch !== undefined ? { maxBatch: opts.maxBatch } : {}),
    });
    const ih = irHash(art.ir);
    const contract = servingContract(art.ir, outputs, { irHash: ih, modelHash: modelHash(ih, art.preprocess, art.model) });
    let disposed = false;
    return {
      dir,
      outputs,
      contract,
      get predictor() {
        return predictor.kind;
      },
      scoreRows,
      score: (rows, o = {}) => scoreRows(rows, o.segments ? { segments: o.segments } : {}).toResult(o.outputs),
      dispose() {
        if (disposed) return;
        disposed = true;
        predictor.dispose();
        art.model.dispose();
      },
    };
  } catch (e) {
    art.model.dispose();
    throw e;
  }
}
