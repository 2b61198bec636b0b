import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Ajv } from 'ajv';
import softmax from '../../plugins/softmax/index.js';
import type { GateNode } from '../../src/ir/types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function buildGate(temperature?: number) {
  const plugin = softmax();
  const input = tf.input({ shape: [5] });
  const experts = tf.input({ shape: [3, 4] });
  const gate: GateNode = { kind: 'gate', name: 'g', type: 'softmax', params: temperature === undefined ? {} : { temperature }, over: ['e'], on: 'x' };
  const r = plugin.build({ tf, gate, params: gate.params, input, experts, expertCount: 3, expertWidth: 4, inputWidth: 5, prefix: 'gate_g', seed: 3, addAuxLoss: () => undefined });
  return tf.model({ inputs: [input, experts], outputs: [r.output, r.weights] });
}

describe('softmax gate plugin', () => {
  it('has a schema that compiles and accepts only a positive temperature', () => {
    const plugin = softmax();
    expect(plugin.name).toBe('softmax');
    const validate = new Ajv({ useDefaults: true }).compile(plugin.paramsSchema);
    const params: Record<string, unknown> = {};
    expect(validate(params)).toBe(true);
    expect(params).toEqual({ temperature: 1 });
    expect(validate({ temperature: 0 })).toBe(false);
    expect(validate({ k: 2 })).toBe(false);
  });

  it('mixes the experts with softmax weights, sharpened by a low temperature, and reloads equal', async () => {
    const x = tf.randomNormal([4, 5], 0, 3, 'float32', 1);
    const ex = tf.randomNormal([4, 3, 4], 0, 1, 'float32', 2);
    const [out, w] = buildGate().predict([x, ex]) as tf.Tensor[];
    expect(out!.shape).toEqual([4, 4]);
    const wv = w!.arraySync() as number[][];
    const ev = ex.arraySync() as number[][][];
    const ov = out!.arraySync() as number[][];
    for (let b = 0; b < 4; b++) {
      expect(wv[b]!.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
      for (let d = 0; d < 4; d++) expect(ov[b]![d]).toBeCloseTo(wv[b]!.reduce((s, v, i) => s + v * ev[b]![i]![d]!, 0), 5);
    }
    const cold = buildGate(0.25);
    const wc = (cold.predict([x, ex]) as tf.Tensor[])[1]!.arraySync() as number[][];
    // Same seed, same logits: dividing them by 0.25 raises the largest weight.
    for (let b = 0; b < 4; b++) expect(Math.max(...wc[b]!)).toBeGreaterThanOrEqual(Math.max(...wv[b]!) - 1e-6);
    let saved: tf.io.ModelArtifacts | undefined;
    await cold.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const wl = (loaded.predict([x, ex]) as tf.Tensor[])[1]!.arraySync() as number[][];
    expect(wl).toEqual(wc);
  });
});
