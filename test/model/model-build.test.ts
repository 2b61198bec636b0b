import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createModelRuntime } from '../../src/model/index.js';
import { isMtlError } from '../../src/diagnostics/error.js';
import { esmmIR, mmoeIR, options, randomBatch } from './fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('createModelRuntime: structure', () => {
  it('counts the MMoE-like parameters (computed by hand)', () => {
    const rt = createModelRuntime(mmoeIR(), options());
    // embeddings: user 50×4 + item 31×4 (hist shares it) + age 3×2 = 330; experts 3 × (15·8 + 8) = 384;
    // gates 2 × (15·3 + 3) = 96; towers 2 × ((8·4 + 4) + (4 + 1)) = 82.
    expect(rt.parameterCount()).toBe(330 + 384 + 96 + 82);
    expect(rt.layout).toEqual({ outputs: ['t1', 't2'], gates: ['g1', 'g2'] });
    rt.dispose();
  });

  it('counts the ESMM-like parameters (computed by hand)', () => {
    const rt = createModelRuntime(esmmIR(), options());
    // embeddings 40×4 + 21×4 = 244; ctr: 13·8 (no bias under batch norm) + 2·8 + 8·4 + 2·4 + (4 + 1) = 165;
    // cvr: 13·6 + 6 + (6 + 1) = 91; 3 uncertainty log-variances.
    expect(rt.parameterCount()).toBe(244 + 165 + 91 + 3);
    expect(rt.layout).toEqual({ outputs: ['ctr', 'cvr', 'ctcvr', 'cvr_clicked'], gates: [] });
    rt.dispose();
  });

  it('initialises every expert independently and deterministically for a seed', () => {
    const a = createModelRuntime(mmoeIR(), options()).getState().tensors;
    const b = createModelRuntime(mmoeIR(), options()).getState().tensors;
    const kernels = [0, 1, 2].map((i) => a[`dense/expert_e_${i}_dense_0/kernel`]!.data);
    for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) expect(Array.from(kernels[i]!)).not.toEqual(Array.from(kernels[j]!));
    expect(Object.keys(a)).toEqual(Object.keys(b));
    for (const k of Object.keys(a)) expect(Array.from(a[k]!.data)).toEqual(Array.from(b[k]!.data));
    const c = createModelRuntime(mmoeIR(), options({ seed: 8 })).getState().tensors;
    expect(Array.from(c['dense/expert_e_0_dense_0/kernel']!.data)).not.toEqual(Array.from(kernels[0]!));
    expect(Array.from(c['embedding/user']!.data)).not.toEqual(Array.from(a['embedding/user']!.data));
  });

  it('names layers from the IR', () => {
    const names = Object.keys(createModelRuntime(mmoeIR(), options()).getState().tensors);
    for (const n of ['dense/expert_e_2_dense_0/kernel', 'dense/gate_g1_logits/kernel', 'dense/tower_t1_dense_0/bias', 'dense/tower_t2_out/kernel', 'embedding/item', 'embedding/age'])
      expect(names).toContain(n);
    expect(names).not.toContain('embedding/hist');
  });

  it('predicts probabilities, products and gate weights that sum to 1', () => {
    const ir = mmoeIR();
    const rt = createModelRuntime(ir, options());
    const p = rt.predict(randomBatch(ir, 6, 1));
    expect(p.outputs['t1']!.length).toBe(6);
    for (const v of p.outputs['t1']!) expect(v > 0 && v < 1).toBe(true);
    expect(p.gates['g1']!.experts).toBe(3);
    for (let b = 0; b < 6; b++) {
      const w = p.gates['g2']!.weights.subarray(b * 3, b * 3 + 3);
      expect(w[0]! + w[1]! + w[2]!).toBeCloseTo(1, 5);
    }
    const esmm = esmmIR();
    const re = createModelRuntime(esmm, options());
    const q = re.predict(randomBatch(esmm, 5, 2));
    for (let b = 0; b < 5; b++) {
      expect(q.outputs['ctcvr']![b]).toBeCloseTo(q.outputs['ctr']![b]! * q.outputs['cvr']![b]!, 6);
      expect(q.outputs['cvr_clicked']![b]).toBe(q.outputs['cvr']![b]);
    }
    rt.dispose();
    re.dispose();
  });

  it('reports a gate type that no plugin provides (MTL5202) and a broken batch (MTL5205)', () => {
    let error: unknown;
    try {
      createModelRuntime(mmoeIR(), options({ gates: () => undefined }));
    } catch (e) {
      error = e;
    }
    expect(isMtlError(error) && error.diagnostics[0]!.code).toBe('MTL5202');
    const ir = esmmIR();
    const rt = createModelRuntime(ir, options());
    const batch = randomBatch(ir, 4, 3);
    (batch.features['user'] as { rows: Int32Array }).rows[2] = 40;
    try {
      rt.predict(batch);
      error = undefined;
    } catch (e) {
      error = e;
    }
    expect(isMtlError(error) && error.diagnostics[0]!.code).toBe('MTL5205');
    expect(isMtlError(error) && error.diagnostics[0]!.message).toContain("'user'");
    rt.dispose();
  });
});
