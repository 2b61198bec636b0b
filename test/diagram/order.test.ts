/**
 * Left-to-right order of expert groups and gates: shared ones BETWEEN the task-specific ones, as in the PLE
 * paper's figure, whatever order the spec declares them in (the census specs declare the shared experts first).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkText } from '../../src/language/check.js';
import { buildDiagram, layoutGraph } from '../../src/diagram/index.js';
import type { LaidOutDiagram } from '../../src/diagram/layout.js';
import type { ModelIR } from '../../src/ir/types.js';
import { cgc } from './fixtures.js';

function spec(name: string): ModelIR {
  const r = checkText(readFileSync(new URL(`../../specs/${name}.mtl`, import.meta.url), 'utf8'), { file: `${name}.mtl` });
  expect(r.ir, name).toBeDefined();
  return r.ir!;
}

/** Centre x of the box named `name`. */
function cx(d: LaidOutDiagram, name: string): number {
  const n = d.nodes.find((x) => x.id === `node:${name}`)!;
  expect(n, name).toBeDefined();
  return n.x + n.width / 2;
}

function expectBetween(d: LaidOutDiagram, left: string, middle: string, right: string): void {
  expect(cx(d, left), `${left} left of ${middle}`).toBeLessThan(cx(d, middle));
  expect(cx(d, middle), `${middle} left of ${right}`).toBeLessThan(cx(d, right));
}

describe('task columns', () => {
  it('puts PLE shared experts and the shared gate between the task ones, on both levels', async () => {
    const d = await layoutGraph(spec('ple'));
    expectBetween(d, 'income1', 'shared1', 'marital1');
    expectBetween(d, 'g_income1', 'g_shared1', 'g_marital1');
    expectBetween(d, 'income2', 'shared2', 'marital2');
    expect(cx(d, 'income'), 'towers keep task order').toBeLessThan(cx(d, 'marital'));
  });

  it('puts CGC shared experts between the task experts', async () => {
    const d = await layoutGraph(spec('cgc'));
    expectBetween(d, 'income_experts', 'shared', 'marital_experts');
    expect(cx(d, 'g_income')).toBeLessThan(cx(d, 'g_marital'));
  });

  it('orders the diagram model by task column, declaration order within a column', () => {
    const ir = cgc();
    // Declare the shared group first, as the census specs do.
    const shared = ir.nodes.splice(2, 1)[0]!;
    ir.nodes.splice(1, 0, shared);
    const ids = buildDiagram(ir).nodes.filter((n) => n.kind === 'experts').map((n) => n.name);
    expect(ids).toEqual(['ctr_e', 'shared', 'cvr_e']);
    const gates = buildDiagram(ir).nodes.filter((n) => n.kind === 'gate').map((n) => n.name);
    expect(gates).toEqual(['ctr_g', 'cvr_g']);
  });
});
