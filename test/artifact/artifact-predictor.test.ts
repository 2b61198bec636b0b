/**
 * Scoring a saved model with the direct forward pass (src/artifact/artifact-predictor.ts): used on the native
 * backend for models the direct step plans, equal to the saved tfjs model's predictions, and never trusted
 * blindly — a disagreement on the first batch, another backend, or a model it cannot plan all give the
 * saved model's own predictions. The direct cases need the OpenBLAS addon (skipped with the reason otherwise).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createModelRuntime } from '../../src/model/index.js';
import type { Predictions } from '../../src/model/types.js';
import type { ModelIR } from '../../src/ir/types.js';
import type { LoadedArtifact } from '../../src/artifact/artifact.js';
import { artifactPredictor, predictionDifference } from '../../src/artifact/artifact-predictor.js';
import { predictBatch } from '../../src/artifact/export-run.js';
import { loadNativeBlas, nativeBlasError } from '../../src/exec/native-blas.js';
import { selectBackend } from '../../src/exec/backend.js';
import noisyTopk from '../../plugins/noisy-topk/index.js';
import softmax from '../../plugins/softmax/index.js';
import { esmmIR, mmoeIR, options, randomBatch } from '../model/fixtures.js';

const available = loadNativeBlas() !== undefined;
const skipNote = available ? '' : ` (SKIPPED: OpenBLAS addon not built: ${nativeBlasError()})`;

/** A trained model exported as a saved model directory would hold it (only what the predictor reads). */
function savedModel(ir: ModelIR, opts = options()): LoadedArtifact {
  const rt = createModelRuntime(ir, opts);
  for (let s = 0; s < 4; s++) rt.trainStep(randomBatch(ir, 32, 40 + s));
  const model = rt.exportModel();
  rt.dispose();
  return { dir: '/saved', ir, model, preprocess: {} as LoadedArtifact['preprocess'], metrics: {} as LoadedArtifact['metrics'] };
}

/** A gate plugin without a `direct` binding: models with it keep the tfjs graph. */
const plain = { ...softmax(), name: 'plain', direct: undefined };
const plugins = [softmax(), noisyTopk(), plain];
const byName = (t: string) => plugins.find((p) => p.name === t);

/** MMoE with noisy-topk gates (noise and the importance loss on in training: none at prediction). */
function topkIR(): ModelIR {
  const ir = mmoeIR();
  ir.nodes = ir.nodes.map((n) => (n.kind === 'gate' ? { ...n, type: 'noisy-topk', params: { k: 2, balance_weight: 0.1 } } : n));
  return ir;
}

describe('predictionDifference', () => {
  it('is the largest relative difference over outputs and gate weights, Infinity when they do not match up', () => {
    const a: Predictions = { outputs: { t: Float32Array.of(0.5, 2) }, gates: { g: { weights: Float32Array.of(0.25, 0.75), experts: 2 } } };
    const b: Predictions = { outputs: { t: Float32Array.of(0.5, 2.2) }, gates: { g: { weights: Float32Array.of(0.25, 0.7), experts: 2 } } };
    expect(predictionDifference(a, b)).toBeCloseTo(0.2 / 2.2, 6);
    expect(predictionDifference(a, { ...b, outputs: { u: Float32Array.of(1, 1) } })).toBe(Infinity);
  });
});

describe.skipIf(!available)(`scoring saved models with the direct forward pass${skipNote}`, () => {
  beforeAll(async () => {
    expect((await selectBackend('native')).name).toBe('native');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const [label, make] of [
    ['mmoe', () => mmoeIR()],
    ['esmm with batch norm and a product head', () => esmmIR('mean')],
    ['mmoe with noisy-topk gates', topkIR],
  ] as const) {
    it(`predicts what the saved model predicts (${label})`, () => {
      const ir = make();
      const art = savedModel(ir, options({ gates: byName }));
      const predictor = artifactPredictor(art, plugins);
      try {
        expect(predictor.kind).toBe('direct');
        for (const seed of [1, 2, 3]) {
          const batch = randomBatch(ir, seed === 2 ? 1 : 50, 900 + seed);
          expect(predictionDifference(predictor.predict(batch), predictBatch(art.model, batch))).toBeLessThan(1e-5);
        }
        expect(predictor.kind).toBe('direct');
      } finally {
        predictor.dispose();
        art.model.dispose();
      }
    });
  }

  it('falls back to the saved model when the first batch disagrees', () => {
    const ir = mmoeIR();
    const art = savedModel(ir);
    const predictor = artifactPredictor(art, plugins);
    try {
      // The saved model changes after the predictor took its weights: the check on the first batch sees it.
      const w = art.model.weights.find((v) => v.originalName.startsWith('tower_t1_out/kernel'))!;
      w.write(tf.add(w.read(), 1));
      const batch = randomBatch(ir, 20, 5);
      expect(predictionDifference(predictor.predict(batch), predictBatch(art.model, batch))).toBe(0);
      expect(predictor.kind).toBe('saved model');
      const next = randomBatch(ir, 20, 6);
      expect(predictionDifference(predictor.predict(next), predictBatch(art.model, next))).toBe(0);
    } finally {
      predictor.dispose();
      art.model.dispose();
    }
  });

  it('uses the saved model for a model the direct step cannot plan, and on another backend', async () => {
    const ir = mmoeIR();
    ir.nodes = ir.nodes.map((n) => (n.kind === 'gate' ? { ...n, type: 'plain' } : n));
    const art = savedModel(ir, options({ gates: byName }));
    expect(artifactPredictor(art, plugins).kind).toBe('saved model');
    art.model.dispose();
    await tf.setBackend('cpu');
    try {
      const plain = savedModel(mmoeIR());
      expect(artifactPredictor(plain, plugins).kind).toBe('saved model');
      plain.model.dispose();
    } finally {
      await selectBackend('native');
    }
  });
});
