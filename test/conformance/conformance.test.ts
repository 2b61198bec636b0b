import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import softmax from '../../plugins/softmax/index.js';
import noisyTopK from '../../plugins/noisy-topk/index.js';
import sigmoid from '../../plugins/sigmoid/index.js';
import { assertGatePluginConformance, runGatePluginConformance } from '../../src/conformance/testing.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the conformance suite on the first-party plugins', () => {
  it('passes softmax (default and with a temperature)', async () => {
    const report = await assertGatePluginConformance(softmax, { params: { temperature: 0.5 } });
    expect(report.plugin).toBe('softmax');
    expect(report.checks.map((c) => c.name)).toEqual(['factory', 'schema', 'check', 'diagnostics', 'build', 'train', 'reload', 'direct']);
    expect(report.checks.every((c) => c.ok)).toBe(true);
    expect((await runGatePluginConformance(softmax)).ok).toBe(true);
  });

  it('passes noisy-topk with noise and the balance loss, and its check reports k above the expert count at params.k', async () => {
    const report = await assertGatePluginConformance(noisyTopK, {
      params: { k: 2, noise: true, balance_weight: 0.1 },
      expertCount: 4,
      checkCases: [
        { params: { k: 5 }, property: 'params.k', code: 'MTL4101' },
        { params: { k: 4 }, property: 'params.k', code: 'MTL4102', severity: 'warning' },
      ],
    });
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.name === 'build')!.detail).toContain('1 auxiliary loss');
  });

  it('passes sigmoid with a PEPNet scale', async () => {
    const report = await assertGatePluginConformance(sigmoid, { params: { scale: 2, temperature: 2 } });
    expect(report.plugin).toBe('sigmoid');
  });
});
