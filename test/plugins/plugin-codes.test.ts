/** Plugins own their diagnostic codes: `codes` holds the templates, `report({ code, args })` fills them. */
import { describe, expect, it } from 'vitest';
import { checkText } from '../../src/language/check.js';
import { createDefaultRegistry } from '../../src/plugins/load.js';
import { definePlugin, type GatePlugin } from '../../src/plugins/index.js';
import softmax from '../../plugins/softmax/index.js';
import { runGatePluginConformance } from '../../src/conformance/testing.js';

/** The softmax gate plus a check that reports through a code of its own table. */
const picky = definePlugin(
  (): GatePlugin => ({
    ...softmax(),
    name: 'picky',
    codes: {
      MTL4901: { severity: 'warning', title: 'few experts', message: "Gate '{name}' mixes only {count} experts.", hint: 'use at least {min}', doc: 'A test code.' },
    },
    check(ctx) {
      if (ctx.expertCount < 3) ctx.report({ code: 'MTL4901', args: { name: ctx.gate.name, count: ctx.expertCount, min: 3 } });
    },
  }),
);

const SPEC = `model m
features {
  numeric a
}
labels {
  y: binary
}
input x = concat(a)
experts e[2] = mlp(4) on x
gate g = picky over e on x
tower t = mlp(2) on g -> sigmoid
task t = t loss bce(y)
`;

describe("a plugin's own codes", () => {
  it('fill the message, hint and severity of a report that gives only the code and arguments', () => {
    const registry = createDefaultRegistry();
    registry.register(picky(), 'test');
    const d = checkText(SPEC, { registry }).diagnostics.find((x) => x.code === 'MTL4901');
    expect(d).toMatchObject({ code: 'MTL4901', severity: 'warning', message: "Gate 'g' mixes only 2 experts.", hint: 'use at least 3' });
  });

  it('noisy-topk reports its codes from its own table', () => {
    const d = checkText(SPEC.replace('picky', 'noisy-topk(k: 3)')).diagnostics.find((x) => x.code === 'MTL4101');
    expect(d).toMatchObject({ severity: 'error', message: "Gate 'g' keeps k = 3 experts but mixes only 2.", hint: "use k ≤ 2, or add experts to the groups after 'over'" });
  });

  it('are checked by the conformance kit', async () => {
    const bad = definePlugin(() => ({ ...picky(), codes: { X1: { severity: 'error', title: 't', message: 'm', doc: 'd' } } }));
    const report = await runGatePluginConformance(bad);
    expect(report.checks.find((c) => !c.ok)?.detail).toMatch(/plugin codes are MTL4xxx/);
  }, 60_000);
});
