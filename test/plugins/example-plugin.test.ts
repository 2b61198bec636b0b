import { beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { assertGatePluginConformance } from '../../src/conformance/testing.js';
import type { PluginFactory } from '../../src/plugins/index.js';
import { checkFile, hasErrors } from '../../src/language/check.js';
// @ts-expect-error: the example is plain JavaScript without declarations, as a plugin author would write it.
import expertAttention from '../../plugins/examples/expert-attention/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const exampleDir = path.resolve(here, '../../plugins/examples/expert-attention');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const spec = (gate: string): string => `model example
use "./plugins/examples/expert-attention/index.js"
features {
  numeric a
  numeric b
}
labels { y: binary }
input all = concat(a, b)
experts e[3] = mlp(4) relu on all
${gate}
tower t = mlp(4) relu on g -> sigmoid
task t = t loss bce(y)
`;

describe('the example plugin (plugins/examples/expert-attention)', () => {
  it('passes the conformance suite', async () => {
    const report = await assertGatePluginConformance(expertAttention as PluginFactory, { params: { dim: 4 } });
    expect(report.plugin).toBe('expert-attention');
  });

  it('loads by path from a spec, and its gate type and parameters are checked with located diagnostics', async () => {
    const file = path.resolve(here, '../../spec-example.mtl');
    const ok = await checkFile(spec('gate g = expert-attention(dim: 4) over e on all'), file);
    expect(hasErrors(ok.diagnostics)).toBe(false);
    expect(ok.registry.get('expert-attention')?.source).toBe('./plugins/examples/expert-attention/index.js');

    const misspelt = await checkFile(spec('gate g = expert-atention(dim: 4) over e on all'), file);
    const unknownType = misspelt.diagnostics.find((d) => d.severity === 'error' && d.range.start.line === 9);
    expect(unknownType?.range.start.character).toBe(9);
    expect(JSON.stringify(unknownType)).toContain('expert-attention');

    const badParam = await checkFile(spec('gate g = expert-attention(dims: 4) over e on all'), file);
    const d = badParam.diagnostics.find((x) => x.code === 'MTL4008');
    expect(d?.range.start.line).toBe(9);
    expect(d?.hint).toContain("did you mean 'dim'");
  });

  it('ships a package.json and its own one-line conformance test', async () => {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(path.join(exampleDir, 'package.json'), 'utf8')) as { type: string; peerDependencies: Record<string, string> };
    expect(pkg.type).toBe('module');
    expect(pkg.peerDependencies['mtl']).toBeDefined();
    expect(await readFile(path.join(exampleDir, 'conformance.test.js'), 'utf8')).toContain("assertGatePluginConformance(expertAttention");
  });
});
