/**
 * Renders the six reference diagrams to /tmp/graph-NAME.{svg,png,dot} for a visual check:
 * `npx tsx test/diagram/render-examples.ts [outdir]`. Not a test (vitest only picks up *.test.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderGraph } from '../../src/diagram/index.js';
import { REFERENCE_MODELS, mmoe } from './fixtures.js';

const dir = process.argv[2] ?? '/tmp';
const models = { ...REFERENCE_MODELS, 'mmoe16': () => mmoe(16) };
for (const [name, build] of Object.entries(models)) {
  const ir = build();
  writeFileSync(join(dir, `graph-${name}.svg`), await renderGraph(ir, 'svg'));
  writeFileSync(join(dir, `graph-${name}.png`), await renderGraph(ir, 'png'));
  writeFileSync(join(dir, `graph-${name}.dot`), await renderGraph(ir, 'dot'));
  console.log(`wrote ${join(dir, `graph-${name}`)}.{svg,png,dot}`);
}
