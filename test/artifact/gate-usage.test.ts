import { describe, expect, it } from 'vitest';
import { checkText } from '../../src/language/check.js';
import { gateExpertLabels, unusedExpertWarnings } from '../../src/artifact/gate-usage.js';
import type { GateNode } from '../../src/ir/types.js';

const SPEC = `model m
features { numeric x normalize none }
labels { a: binary  b: binary }
input all = concat(x)
experts shared[2] = mlp(4) on all
experts own[2] = mlp(4) on all
gate ga = softmax over own, shared on all
gate gb = softmax over shared on all
tower ta = mlp(4) on ga -> sigmoid
tower tb = mlp(4) on gb -> sigmoid
task ta = ta loss bce(a)
task tb = tb loss bce(b)
`;

describe('gate usage', () => {
  const { ir, diagnostics } = checkText(SPEC, { file: 'm.mtl' });
  it('parses the fixture cleanly', () => {
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('labels each gate weight with its expert, groups in `over` order', () => {
    const ga = ir!.nodes.find((n) => n.name === 'ga') as GateNode;
    expect(gateExpertLabels(ir!, ga)).toEqual(['own[0]', 'own[1]', 'shared[0]', 'shared[1]']);
  });

  it('warns about an expert under 1% in every gate that mixes it, and only that one', () => {
    const warnings = unusedExpertWarnings(ir!, { ga: [0.5, 0.005, 0.003, 0.492], gb: [0.004, 0.996] }, 'm.mtl');
    expect(warnings.map((w) => [w.code, w.severity])).toEqual([
      ['MTL5320', 'warning'],
      ['MTL5320', 'warning'],
    ]);
    expect(warnings[0]!.message).toContain('own[1]');
    expect(warnings[1]!.message).toContain('shared[0]');
    expect(warnings[1]!.message).toContain('ga, gb');
    // The range points at the expert group's declaration (line 5 for `shared`).
    expect(warnings[1]!.range.start.line).toBe(4);
  });

  it('does not warn when another gate uses the expert', () => {
    expect(unusedExpertWarnings(ir!, { ga: [0.25, 0.25, 0.005, 0.495], gb: [0.5, 0.5] })).toEqual([]);
  });
});
