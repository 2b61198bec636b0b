import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import softmax from '../../plugins/softmax/index.js';
import { assertGatePluginConformance, runGatePluginConformance } from '../../src/conformance/testing.js';
import type { GatePlugin, PluginFactory } from '../../src/plugins/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A softmax plugin with some fields replaced. */
const broken = (patch: (p: GatePlugin) => Partial<GatePlugin>): PluginFactory => () => {
  const p = softmax();
  return { ...p, name: 'broken', ...patch(p) };
};

/** A custom layer that the plugin forgets to list in `layers`: the saved model cannot reload. */
class Unlisted extends tf.layers.Layer {
  static className = 'mtl_test>Unlisted';
  constructor(args: { name?: string } = {}) {
    super({ name: args.name ?? 'unlisted' });
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.mul(Array.isArray(inputs) ? inputs[0]! : inputs, 2));
  }
}

async function failed(factory: PluginFactory): Promise<Record<string, string>> {
  const report = await runGatePluginConformance(factory);
  expect(report.ok).toBe(false);
  return Object.fromEntries(report.checks.filter((c) => !c.ok).map((c) => [c.name, c.detail]));
}

describe('the conformance suite catches broken plugins', () => {
  it('an invalid plugin object fails the factory check and skips the rest', async () => {
    const f = await failed(broken(() => ({ name: 'has space' })));
    expect(f['factory']).toMatch(/must start with a letter/);
    expect(Object.keys(f)).toEqual(['factory', 'schema', 'check', 'diagnostics', 'build', 'train', 'reload', 'direct']);
  });

  it('a schema that accepts unknown parameters or lacks descriptions', async () => {
    const open = await failed(broken(() => ({ paramsSchema: { type: 'object', properties: { temperature: { type: 'number', description: 'T' } } } })));
    expect(open['schema']).toMatch(/additionalProperties/);
    const undocumented = await failed(broken(() => ({ paramsSchema: { type: 'object', properties: { temperature: { type: 'number' } }, additionalProperties: false } })));
    expect(undocumented['schema']).toMatch(/temperature.*description/);
  });

  it('a check that throws, or reports an error on a valid gate', async () => {
    const throws = await failed(broken(() => ({ check: () => { throw new Error('boom'); } })));
    expect(throws['check']).toBe('boom');
    expect(throws['diagnostics']).toMatch(/MTL4011/);
    const noisy = await failed(broken(() => ({ check: (ctx) => ctx.report({ message: 'always wrong' }) })));
    expect(noisy['check']).toMatch(/always wrong/);
  });

  it('a build with the wrong output shape', async () => {
    const f = await failed(broken((p) => ({ build: (ctx) => ({ ...p.build(ctx), output: ctx.input }) })));
    expect(f['build']).toMatch(/output has shape \[batch, 5\], expected \[batch, 4\]/);
    expect(f['train']).toMatch(/MTL5203|output/);
  });

  it('a custom layer missing from `layers` fails the reload check', async () => {
    const f = await failed(
      broken((p) => ({
        build: (ctx) => {
          const r = p.build(ctx);
          return { ...r, output: new Unlisted({ name: `${ctx.prefix}_twice` }).apply(r.output) as tf.SymbolicTensor };
        },
      })),
    );
    expect(Object.keys(f)).toEqual(['reload']);
    expect(f['reload']).toMatch(/does not reload.*layers/);
  });

  it('a direct binding that names a weight build does not make fails the direct check', async () => {
    const f = await failed(broken(() => ({ direct: () => ({ normalizer: 'softmax', temperature: 1, scale: 1, weights: { kernel: 'gate_g_dense/kernel' } }) })));
    expect(Object.keys(f)).toEqual(['direct']);
    expect(f['direct']).toBe("the direct step cannot use the `direct` binding: gate g's direct binding names the weight 'gate_g_dense/kernel', which its build does not create");
  });

  it('unseeded randomness fails the train check', async () => {
    const f = await failed(
      broken((p) => ({
        build: (ctx) => p.build({ ...ctx, seed: Math.floor(Math.random() * 1e9) }),
      })),
    );
    expect(f['train']).toMatch(/different losses/);
  });

  it('assertGatePluginConformance throws one error listing the failures', async () => {
    await expect(assertGatePluginConformance(broken(() => ({ check: () => { throw new Error('boom'); } })))).rejects.toThrow(/'broken' fails 2 conformance check\(s\):\n {2}- check: boom/);
  });
});
