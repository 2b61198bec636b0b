/**
 * The conformance kit's `direct` check where the direct step runs (the native backend, or wasm with mtl's
 * kernels): the first-party gates' bindings compute what their `build` builds, and a binding whose math differs
 * (a temperature `build` does not apply) fails with the loss of each step. On cpu the same check only plans
 * (test/conformance).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import softmax from '../../plugins/softmax/index.js';
import sigmoid from '../../plugins/sigmoid/index.js';
import noisyTopK from '../../plugins/noisy-topk/index.js';
import { runGatePluginConformance } from '../../src/conformance/testing.js';
import { loadNativeBlas, nativeBlasError } from '../../src/exec/native-blas.js';
import { selectBackend } from '../../src/exec/backend.js';
import type { GatePlugin, PluginFactory } from '../../src/plugins/index.js';

const addon = loadNativeBlas() !== undefined;

/** The `direct` check's detail, requiring every check but those named in `fails` to pass and those to fail. */
async function directDetail(factory: PluginFactory, params: Record<string, unknown>, fails: string[] = []): Promise<string> {
  const report = await runGatePluginConformance(factory, { params: params as never, expertCount: 4 });
  const failed = report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
  expect(failed.map((f) => f.split(':')[0]), failed.join('\n')).toEqual(fails);
  return report.checks.find((c) => c.name === 'direct')!.detail;
}

describe.skipIf(!addon)(`the conformance kit's direct check on the native backend${addon ? '' : ` (SKIPPED: ${nativeBlasError()})`}`, () => {
  beforeAll(async () => {
    expect((await selectBackend('native')).name).toBe('native');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('passes the first-party gates, comparing one training step and the predictions with the tfjs step', async () => {
    expect(await directDetail(softmax, { temperature: 0.5 })).toMatch(/^one training step gives the tfjs step's loss \(.*\), then the direct step predicts what the tfjs model does/);
    expect(await directDetail(sigmoid, { scale: 2 })).toMatch(/^one training step gives the tfjs step's loss/);
    expect(await directDetail(noisyTopK, { k: 2, noise: false, balance_weight: 0.1 })).toMatch(/^one training step gives the tfjs step's loss/);
    // With noise the two steps draw different noise: only the (noise-free) predictions are compared.
    expect(await directDetail(noisyTopK, { k: 2, balance_weight: 0.1 })).toMatch(/^the direct step predicts what the tfjs model does .*noise is drawn differently/);
  }, 60_000);

  it('fails a binding whose math is not what build builds', async () => {
    const wrong: PluginFactory = () => {
      const p: GatePlugin = softmax();
      return { ...p, name: 'wrong', direct: () => ({ normalizer: 'softmax', temperature: 3, scale: 1 }) };
    };
    // reload fails too: on this backend the runtime predicts with the direct step, which the saved tfjs model does not match.
    expect(await directDetail(wrong, {}, ['reload', 'direct'])).toMatch(/^one training step gives the loss .* on the direct step and .* on the tfjs step: the binding does not compute what build builds$/);
  }, 60_000);
});
