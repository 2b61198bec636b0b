import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createModelRuntime } from '../../src/model/index.js';
import { buildCore } from '../../src/model/tf-model.js';
import { canFuse, stateKey } from '../../src/model/fused-experts.js';
import { selectBackend } from '../../src/exec/backend.js';
import type { ExpertsNode, GraphNode, ModelIR } from '../../src/ir/types.js';
import { mmoeIR, options, randomBatch } from './fixtures.js';

const mlp = (units: number[], activation: 'relu' | 'tanh' = 'relu') => ({ units, activation, dropout: 0, batchNorm: false });

/** MMoE-like with 2-layer experts (exercises the batched matMul). */
function deepMmoe(): ModelIR {
  const ir = mmoeIR();
  ir.nodes = ir.nodes.map((n) => (n.kind === 'experts' ? { ...n, mlp: mlp([8, 6]), width: 6 } : n.kind === 'gate' ? { ...n, width: 6 } : n));
  return ir;
}

/** PLE-like level: two groups (one tanh, three layers) mixed by one gate, another group alone. */
function pleLike(): ModelIR {
  const ir = mmoeIR();
  const nodes: GraphNode[] = [
    ir.nodes[0]!,
    { kind: 'experts', name: 's', count: 2, on: 'all', mlp: mlp([8, 5, 4], 'tanh'), width: 4 },
    { kind: 'experts', name: 'a', count: 3, on: 'all', mlp: mlp([7, 4]), width: 4 },
    { kind: 'gate', name: 'g1', type: 'softmax', params: {}, over: ['a', 's'], on: 'all', width: 4 },
    { kind: 'gate', name: 'g2', type: 'softmax', params: {}, over: ['s'], on: 'all', width: 4 },
    { kind: 'tower', name: 't1', on: 'g1', mlp: mlp([4]), output: 'sigmoid', width: 1 },
    { kind: 'tower', name: 't2', on: 'g2', mlp: mlp([4]), output: 'sigmoid', width: 1 },
  ];
  return { ...ir, nodes };
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  expect(worst).toBeLessThan(tol);
}

/** Train fused and unfused runtimes side by side; compare predictions, losses and the whole state. */
function compare(ir: ModelIR): void {
  const fused = createModelRuntime(ir, options());
  const plain = createModelRuntime(ir, options({ fuseExperts: false }));
  try {
    // Same initial state, key for key (fused weights carry the unfused names).
    const s0 = fused.getState().tensors;
    const p0 = plain.getState().tensors;
    expect(Object.keys(s0).sort()).toEqual(Object.keys(p0).sort());
    for (const k of Object.keys(p0)) expect(Array.from(s0[k]!.data)).toEqual(Array.from(p0[k]!.data));
    const probe = randomBatch(ir, 12, 77);
    const a = fused.predict(probe);
    const b = plain.predict(probe);
    for (const k of Object.keys(b.outputs)) expectClose(a.outputs[k]!, b.outputs[k]!, 1e-5);
    for (const k of Object.keys(b.gates)) expectClose(a.gates[k]!.weights, b.gates[k]!.weights, 1e-5);
    for (let s = 0; s < 4; s++) {
      const batch = randomBatch(ir, 24, 500 + s);
      const ra = fused.trainStep(batch);
      const rb = plain.trainStep(batch);
      expect(Math.abs(ra.loss - rb.loss)).toBeLessThan(1e-5);
    }
    const s1 = fused.getState().tensors;
    const p1 = plain.getState().tensors;
    for (const k of Object.keys(p1)) expectClose(s1[k]!.data, p1[k]!.data, 1e-4);
    // The export model (always unfused) predicts what the fused runtime predicts.
    const exported = fused.exportModel();
    expect(exported.layers.some((l) => l.getClassName() === 'MtlFusedExperts')).toBe(false);
    exported.dispose();
  } finally {
    fused.dispose();
    plain.dispose();
  }
}

describe('expert fusion', () => {
  it('fuses only groups without batch norm or dropout, with several experts', () => {
    const e = mmoeIR().nodes.find((n): n is ExpertsNode => n.kind === 'experts')!;
    expect(canFuse(e)).toBe(true);
    expect(canFuse({ ...e, count: 1 })).toBe(false);
    expect(canFuse({ ...e, mlp: { ...e.mlp, dropout: 0.1 } })).toBe(false);
    expect(canFuse({ ...e, mlp: { ...e.mlp, batchNorm: true } })).toBe(false);
    expect(canFuse({ ...e, mlp: { ...e.mlp, activation: 'gelu' } })).toBe(false);
    expect(stateKey('expert_e_fused/3_dense_1_kernel')).toBe('expert_e_3_dense_1/kernel');
    expect(stateKey('tower_t1_dense_0/bias')).toBe('tower_t1_dense_0/bias');
  });

  it('builds one fused layer per group instead of per-expert Dense layers', () => {
    const ir = pleLike();
    const fused = buildCore(ir, { gates: options().gates, seed: 7, fuseExperts: true });
    const plain = buildCore(ir, { gates: options().gates, seed: 7 });
    const names = (m: tf.LayersModel): string[] => m.layers.map((l) => l.name);
    expect(names(fused.model).filter((n) => n.endsWith('_fused')).sort()).toEqual(['expert_a_fused', 'expert_s_fused']);
    expect(names(fused.model).some((n) => /^expert_._\d_dense/.test(n))).toBe(false);
    expect(names(plain.model).filter((n) => /^expert_._\d_dense/.test(n))).toHaveLength(2 * 3 + 3 * 2);
    expect(fused.model.countParams()).toBe(plain.model.countParams());
    fused.model.dispose();
    plain.model.dispose();
  });

  describe('equals the unfused graph (predictions, losses, weights after training)', () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      describe(backend, () => {
        beforeAll(async () => {
          if (backend === 'cpu') await tf.setBackend('cpu');
          else await selectBackend('wasm');
        });
        it('one-layer experts (MMoE-like)', () => compare(mmoeIR()));
        it('two-layer experts', () => compare(deepMmoe()));
        it('two groups under one gate, three-layer tanh experts (PLE-like)', () => compare(pleLike()));
      });
    }
    afterAll(async () => {
      await tf.setBackend('cpu');
    });
  });
});
