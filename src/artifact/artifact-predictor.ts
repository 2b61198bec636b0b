/**
 * The fast way to score a saved model directory on the native backend: rebuild the model runtime from
 * ir.json, load the saved weights into it, and predict with the direct forward pass (src/model/direct),
 * ~3× the saved tfjs-layers model's speed per batch. Used by `mtl eval`, `mtl predict` and `mtl report`
 * through predictOverData.
 *
 * It is only an accelerator of the saved model, never a second source of truth: it is used when the
 * native backend is active and the direct step can run the model, and its predictions on the first batch
 * must equal the saved model's (within 1e-4) — otherwise, or on any error while building it, the saved
 * model predicts every batch, as it does on every other backend.
 */
import { createModelRuntime } from '../model/index.js';
import type { ModelRuntime, Predictions } from '../model/types.js';
import type { GatePlugin } from '../plugins/api.js';
import { createDefaultRegistry } from '../plugins/load.js';
import type { LoadedArtifact } from './artifact.js';
import type { Batch } from '../data/types.js';
import { directKernels } from '../exec/direct/kernels.js';
import { predictBatch } from './export-run.js';

/** Predictions for batches of one saved model. */
export interface ArtifactPredictor {
  predict(batch: Batch): Predictions;
  /** Which path predicts: the direct forward pass or the saved tfjs model. */
  readonly kind: 'direct' | 'saved model';
  dispose(): void;
}

/** Largest |a − b| / max(1, |b|) between two predictions of the same batch (Infinity when their keys differ). */
export function predictionDifference(a: Predictions, b: Predictions): number {
  let worst = 0;
  const pairs: Array<[Float32Array | undefined, Float32Array]> = [
    ...Object.entries(b.outputs).map(([k, v]) => [a.outputs[k], v] as [Float32Array | undefined, Float32Array]),
    ...Object.entries(b.gates).map(([k, v]) => [a.gates[k]?.weights, v.weights] as [Float32Array | undefined, Float32Array]),
  ];
  for (const [x, y] of pairs) {
    if (!x || x.length !== y.length) return Infinity;
    for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!) / Math.max(1, Math.abs(y[i]!)));
  }
  return worst;
}

const AGREEMENT = 1e-4;

/** The optimiser of a runtime that only predicts: stateless (its learning rate is never used). */
const INFERENCE_OPTIMIZER = { optimizer: 'sgd', lr: 0 } as const;

/** The saved model's own predictor (every backend). */
function savedModel(art: LoadedArtifact): ArtifactPredictor {
  return { kind: 'saved model', predict: (batch) => predictBatch(art.model, batch), dispose: () => undefined };
}

/**
 * A runtime holding the saved weights that predicts directly, or undefined (not native, unsupported, mismatch).
 * It is an inference-only runtime: no optimiser state, and its training step's buffers are never allocated
 * (the direct step allocates its arena on the first step, which never comes).
 */
function directRuntime(art: LoadedArtifact, plugins: Iterable<GatePlugin> | undefined): ModelRuntime | undefined {
  if (!directKernels()) return undefined;
  const list = plugins ? [...plugins] : createDefaultRegistry().gatePlugins();
  const tableSizes: Record<string, number> = {};
  for (const layer of art.model.layers) {
    const m = /^embedding_(.+)$/.exec(layer.name);
    const config = layer.getConfig() as { inputDim?: number };
    if (m && typeof config.inputDim === 'number') tableSizes[m[1]!] = config.inputDim;
  }
  let runtime: ModelRuntime | undefined;
  try {
    runtime = createModelRuntime(art.ir, {
      gates: (type) => list.find((p) => p.name === type),
      seed: art.ir.train.seed,
      // Prediction never steps: plain SGD keeps no optimiser state, where the spec's own optimiser would
      // allocate its slots for nothing (Adam: m, v and a scratch copy of every table, ~500 MB for mmoe at V = 1e5).
      optimizer: INFERENCE_OPTIMIZER,
      tableSizes,
    });
    if (!runtime.predictsDirectly?.() || !runtime.loadExportWeights) throw new Error('no direct forward pass');
    runtime.loadExportWeights(art.model);
    return runtime;
  } catch {
    runtime?.dispose();
    return undefined;
  }
}

/**
 * The predictor for a saved model: the direct forward pass when it applies and agrees with the saved model
 * on the first batch, else the saved model.
 */
export function artifactPredictor(art: LoadedArtifact, plugins?: Iterable<GatePlugin>): ArtifactPredictor {
  const runtime = directRuntime(art, plugins);
  if (!runtime) return savedModel(art);
  let checked = false;
  let fallback: ArtifactPredictor | undefined;
  return {
    get kind() {
      return fallback ? fallback.kind : 'direct';
    },
    predict(batch) {
      if (fallback) return fallback.predict(batch);
      const fast = runtime.predict(batch);
      if (checked) return fast;
      checked = true;
      const saved = predictBatch(art.model, batch);
      if (predictionDifference(fast, saved) <= AGREEMENT) return fast;
      fallback = savedModel(art);
      runtime.dispose();
      return saved;
    },
    dispose() {
      if (!fallback) runtime.dispose();
    },
  };
}
