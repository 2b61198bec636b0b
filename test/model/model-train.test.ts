import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createModelRuntime } from '../../src/model/index.js';
import type { ModelIR } from '../../src/ir/types.js';
import type { Batch } from '../../src/data/types.js';
import { esmmIR, mmoeIR, options, randomBatch } from './fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The export model's inputs for a batch, in its input order. */
function exportFeed(model: tf.LayersModel, ir: ModelIR, batch: Batch): tf.Tensor[] {
  return model.inputNames.map((name) => {
    const base = name.endsWith('__w') ? name.slice(0, -3) : name;
    const col = batch.features[base]!;
    const f = ir.features.find((x) => x.name === base)!;
    if (col.kind === 'dense') return tf.tensor2d(col.values, [batch.size, 1]);
    if (col.kind === 'ids') return tf.tensor1d(col.rows, 'int32');
    const L = col.maxLen;
    expect(f.kind).toBe('sequence');
    return name.endsWith('__w') ? tf.tensor2d(col.weights, [batch.size, L]) : tf.tensor2d(col.rows, [batch.size, L], 'int32');
  });
}

describe('training', () => {
  for (const [label, make] of [
    ['MMoE-like', mmoeIR],
    ['ESMM-like', esmmIR],
  ] as const) {
    it(`decreases the loss over 50 steps on a learnable target (${label})`, () => {
      const ir = make();
      const rt = createModelRuntime(ir, options());
      const losses: number[] = [];
      for (let s = 0; s < 50; s++) losses.push(rt.trainStep(randomBatch(ir, 32, 100 + (s % 10))).loss);
      const first = losses.slice(0, 5).reduce((a, b) => a + b) / 5;
      const last = losses.slice(-5).reduce((a, b) => a + b) / 5;
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(last).toBeLessThan(first * 0.8);
      rt.dispose();
    });
  }

  it('gives a masked task exactly 0 and keeps everything finite when the batch has no row in the mask', () => {
    const ir = esmmIR();
    const rt = createModelRuntime(ir, options());
    const before = rt.getState().tensors['dense/tower_cvr_dense_0/kernel']!.data;
    const r = rt.trainStep(randomBatch(ir, 16, 5, { clickRate: 0 }));
    expect(r.taskLosses['cvr_clicked']).toBe(0);
    expect(Number.isFinite(r.loss)).toBe(true);
    const state = rt.getState().tensors;
    for (const t of Object.values(state)) expect(t.data.every(Number.isFinite)).toBe(true);
    // ctcvr (label click & buy = 0 everywhere) still trains cvr, with finite values.
    expect(Array.from(state['dense/tower_cvr_dense_0/kernel']!.data)).not.toEqual(Array.from(before));
    rt.dispose();
  });

  it('resumes exactly: getState → setState on a fresh runtime gives identical predictions and next losses', () => {
    for (const make of [esmmIR, mmoeIR]) {
      const ir = make();
      const a = createModelRuntime(ir, options());
      for (let s = 0; s < 5; s++) a.trainStep(randomBatch(ir, 16, 200 + s));
      const state = a.getState();
      const b = createModelRuntime(ir, options({ seed: 99 }));
      b.setState(structuredClone(state));
      const probe = randomBatch(ir, 8, 300);
      expect(b.predict(probe)).toEqual(a.predict(probe));
      for (let s = 0; s < 3; s++) {
        const batch = randomBatch(ir, 16, 400 + s);
        expect(b.trainStep(batch)).toEqual(a.trainStep(batch));
      }
      expect(b.predict(probe)).toEqual(a.predict(probe));
      a.dispose();
      b.dispose();
    }
  });

  it('rejects a state of another model (MTL5206)', () => {
    const a = createModelRuntime(esmmIR(), options());
    const b = createModelRuntime(mmoeIR(), options());
    expect(() => b.setState(a.getState())).toThrow(/MTL5206/);
    a.dispose();
    b.dispose();
  });
});

describe('exportModel', () => {
  for (const [label, make] of [
    ['MMoE-like', () => mmoeIR()],
    ['ESMM-like, max pooling', () => esmmIR('max')],
    ['ESMM-like, sum pooling', () => esmmIR('sum')],
  ] as const) {
    it(`predicts what the runtime predicts, also after a save/load round trip (${label})`, async () => {
      const ir = make();
      const rt = createModelRuntime(ir, options());
      for (let s = 0; s < 3; s++) rt.trainStep(randomBatch(ir, 16, 500 + s));
      const batch = randomBatch(ir, 9, 600);
      const expected = rt.predict(batch);
      const model = rt.exportModel();
      expect(model.outputNames).toEqual([...rt.layout.outputs, ...rt.layout.gates.map((g) => `gate__${g}`)]);
      // Flat: the core layers are the export model's own (a nested multi-output model would run once per output).
      expect(model.layers.filter((l) => l instanceof tf.LayersModel).map((l) => l.name)).toEqual([]);
      expect(model.layers.some((l) => l.name.startsWith('tower_'))).toBe(true);
      // Training goes on after the export: the export model keeps the values it was built with.
      const before = model.getWeights().map((w) => w.dataSync().slice());
      rt.trainStep(randomBatch(ir, 16, 700));
      model.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(before[i]!)));
      let saved: tf.io.ModelArtifacts | undefined;
      await model.save(tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }));
      const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
      for (const m of [model, loaded]) {
        const feed = exportFeed(m, ir, batch);
        const outs = m.predict(feed) as tf.Tensor[];
        rt.layout.outputs.forEach((name, i) => {
          const got = outs[i]!.dataSync();
          for (let b = 0; b < batch.size; b++) expect(Math.abs(got[b]! - expected.outputs[name]![b]!)).toBeLessThan(1e-5);
        });
        rt.layout.gates.forEach((g, i) => {
          const got = outs[rt.layout.outputs.length + i]!.dataSync();
          const want = expected.gates[g]!.weights;
          for (let k = 0; k < want.length; k++) expect(Math.abs(got[k]! - want[k]!)).toBeLessThan(1e-5);
        });
        tf.dispose([...feed, ...outs]);
      }
      model.dispose();
      loaded.dispose();
      rt.dispose();
    });
  }
});
