import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import softmax from '../../plugins/softmax/index.js';
import { checkText } from '../../src/language/check.js';
import { createModelRuntime } from '../../src/model/index.js';
import { PluginRegistry } from '../../src/plugins/registry.js';
import type { GatePlugin } from '../../src/plugins/api.js';
import { isMtlError, type MtlError } from '../../src/diagnostics/error.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const crashing = (): GatePlugin => ({
  ...softmax(),
  name: 'crashy',
  check: () => {
    throw new Error('check exploded');
  },
  build: () => {
    throw new Error('build exploded');
  },
});

const SPEC = `model m
features {
  numeric a
}
labels { y: binary }
experts e[2] = mlp(4) relu on a
gate g = crashy over e on a
tower t = mlp(4) relu on g -> sigmoid
tower u = mlp(4) relu on nowhere -> sigmoid
task t = t loss bce(y)
`;

describe('a plugin that throws', () => {
  it('in check is reported with its name at the gate type, and the rest of the spec is still checked', () => {
    const registry = new PluginRegistry();
    expect(registry.register(crashing(), 'test')).toEqual([]);
    const r = checkText(SPEC, { file: 'm.mtl', registry });
    const crash = r.diagnostics.find((d) => d.code === 'MTL4011');
    expect(crash?.message).toContain("'crashy'");
    expect(crash?.message).toContain('check exploded');
    expect(crash?.range.start).toEqual({ line: 6, character: 9 });
    expect(r.diagnostics.some((d) => d.range.start.line === 8 && d.message.includes('nowhere'))).toBe(true);
  });

  it('in build is reported by the compiler with the gate and plugin names', () => {
    const r = checkText(SPEC.replace('tower u = mlp(4) relu on nowhere -> sigmoid\n', '').replace('crashy', 'softmax'), { file: 'm.mtl' });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const ir = { ...r.ir!, nodes: r.ir!.nodes.map((n) => (n.kind === 'gate' ? { ...n, type: 'crashy' } : n)) };
    const plugin = crashing();
    let caught: unknown;
    try {
      createModelRuntime(ir, { gates: (t) => (t === 'crashy' ? plugin : undefined), seed: 1, optimizer: { optimizer: 'adam', lr: 0.01 } });
    } catch (e) {
      caught = e;
    }
    expect(isMtlError(caught)).toBe(true);
    const d = (caught as MtlError).diagnostics[0]!;
    expect(d.code).toBe('MTL5203');
    expect(d.message).toContain('crashy');
    expect(d.message).toContain('build exploded');
  });
});
