import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import noisyTopK, { noisyTopKParams } from '../../plugins/noisy-topk/index.js';
import { NoisyTopKLayer } from '../../plugins/noisy-topk/layer.js';
import { ImportanceLossLayer } from '../../plugins/noisy-topk/importance.js';
import { createModelRuntime } from '../../src/model/index.js';
import type { GatePlugin } from '../../src/plugins/api.js';
import type { ModelIR } from '../../src/ir/types.js';
import { mmoeIR, randomBatch } from '../model/fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const x = (): tf.Tensor2D => tf.randomNormal([6, 5], 0, 2, 'float32', 11) as tf.Tensor2D;

function rows(t: tf.Tensor): number[][] {
  return t.arraySync() as number[][];
}

describe('the mtl>NoisyTopK layer', () => {
  it('keeps exactly k experts per example with weights summing to 1 and exact zeros elsewhere', () => {
    const layer = new NoisyTopKLayer({ experts: 5, k: 2, noise: true, temperature: 1, seed: 3 });
    const w = rows(layer.apply(x(), { training: false }) as tf.Tensor);
    for (const row of w) {
      expect(row.filter((v) => v > 0)).toHaveLength(2);
      expect(row.filter((v) => v === 0)).toHaveLength(3);
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    }
  });

  it('adds noise only in training, a fresh draw per call, reproducible for a seed', () => {
    const make = () => new NoisyTopKLayer({ experts: 4, k: 4, noise: true, temperature: 1, seed: 5 });
    const a = make();
    const input = x();
    const clean1 = rows(a.apply(input, { training: false }) as tf.Tensor);
    const clean2 = rows(a.apply(input, { training: false }) as tf.Tensor);
    expect(clean2).toEqual(clean1);
    const noisy1 = rows(a.apply(input, { training: true }) as tf.Tensor);
    const noisy2 = rows(a.apply(input, { training: true }) as tf.Tensor);
    expect(noisy1).not.toEqual(clean1);
    expect(noisy2).not.toEqual(noisy1);
    const b = make();
    b.apply(input, { training: false });
    b.setWeights(a.getWeights());
    expect(rows(b.apply(input, { training: true }) as tf.Tensor)).toEqual(noisy1);
  });

  it('has no noise weights when noise is off, and passes gradients only to the kept logits', () => {
    const layer = new NoisyTopKLayer({ experts: 4, k: 1, noise: false, temperature: 0.5, seed: 2 });
    const input = tf.tensor2d([[1, 2, 3]]);
    layer.apply(input);
    expect(layer.getWeights()).toHaveLength(1);
    const kernel = layer.trainableWeights[0]!.read() as tf.Variable;
    // With k = 1 the single weight is 1 whatever the logits: the loss is flat, so the gradient is exactly 0.
    const g = tf.variableGrads(() => tf.sum(layer.apply(input, { training: true }) as tf.Tensor) as tf.Scalar, [kernel]);
    expect(Array.from(g.grads[kernel.name]!.dataSync()).every((v) => v === 0)).toBe(true);
  });

  it('serialises its settings and reloads with identical predictions', async () => {
    const input = tf.input({ shape: [5] });
    const weights = new NoisyTopKLayer({ experts: 4, k: 2, noise: true, temperature: 0.7, seed: 9, name: 'g_topk' }).apply(input) as tf.SymbolicTensor;
    const aux = new ImportanceLossLayer({ name: 'g_importance' }).apply(weights) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: [weights, aux] });
    const config = (model.getLayer('g_topk') as NoisyTopKLayer).getConfig();
    expect(config).toMatchObject({ name: 'g_topk', experts: 4, k: 2, noise: true, temperature: 0.7, seed: 9 });
    tf.serialization.registerClass(NoisyTopKLayer);
    tf.serialization.registerClass(ImportanceLossLayer);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    expect(JSON.stringify(saved!.modelTopology)).toContain('mtl>NoisyTopK');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const before = (model.predict(x()) as tf.Tensor[]).map(rows);
    const after = (loaded.predict(x()) as tf.Tensor[]).map(rows);
    expect(after).toEqual(before);
  });
});

describe('the importance loss', () => {
  it('is the squared coefficient of variation of the per-expert weight sums, repeated per row', () => {
    const w = tf.tensor2d([
      [1, 0, 0],
      [0.5, 0.5, 0],
    ]);
    // Importance = [1.5, 0.5, 0]: mean 2/3, variance ((5/6)² + (1/6)² + (2/3)²) / 3 = 7/18, CV² = 7/8.
    const out = rows(new ImportanceLossLayer().apply(w) as tf.Tensor);
    expect(out).toHaveLength(2);
    for (const r of out) expect(r[0]).toBeCloseTo(7 / 8, 5);
    expect(rows(new ImportanceLossLayer().apply(tf.fill([4, 3], 1 / 3)) as tf.Tensor)[0]![0]).toBeCloseTo(0, 6);
  });
});

describe('the noisy-topk plugin in a compiled model', () => {
  const irWith = (params: Record<string, number | boolean>): ModelIR => {
    const ir = mmoeIR();
    ir.nodes = ir.nodes.map((n) => (n.kind === 'gate' ? { ...n, type: 'noisy-topk', params } : n));
    return ir;
  };
  const options = (plugin: GatePlugin) => ({ gates: (t: string) => (t === plugin.name ? plugin : undefined), seed: 7, optimizer: { optimizer: 'adam' as const, lr: 0.01 } });

  it('fills its defaults', () => {
    expect(noisyTopKParams({})).toEqual({ k: 2, noise: true, balanceWeight: 0, temperature: 1 });
    expect(noisyTopKParams({ k: 1, noise: false, balance_weight: 0.1, temperature: 2 })).toEqual({ k: 1, noise: false, balanceWeight: 0.1, temperature: 2 });
  });

  it('adds balance_weight × CV² of the gate weights to the training loss', () => {
    const plugin = noisyTopK();
    const batch = randomBatch(mmoeIR(), 16, 3);
    const plain = createModelRuntime(irWith({ k: 2, noise: false }), options(plugin));
    const balanced = createModelRuntime(irWith({ k: 2, noise: false, balance_weight: 0.5 }), options(plugin));
    try {
      const predicted = balanced.predict(batch);
      const cv2 = (g: { weights: Float32Array; experts: number }): number => {
        const sums = new Array<number>(g.experts).fill(0);
        g.weights.forEach((v, i) => (sums[i % g.experts]! += v));
        const mean = sums.reduce((s, v) => s + v, 0) / sums.length;
        return sums.reduce((s, v) => s + (v - mean) ** 2, 0) / sums.length / mean ** 2;
      };
      const expected = 0.5 * (cv2(predicted.gates['g1']!) + cv2(predicted.gates['g2']!));
      for (const g of Object.values(predicted.gates)) {
        for (let b = 0; b < 16; b++) expect(Array.from(g.weights.subarray(b * 3, b * 3 + 3)).filter((v) => v === 0)).toHaveLength(1);
      }
      const gap = balanced.trainStep(batch).loss - plain.trainStep(batch).loss;
      expect(expected).toBeGreaterThan(0);
      expect(gap).toBeCloseTo(expected, 4);
    } finally {
      plain.dispose();
      balanced.dispose();
    }
  });
});
