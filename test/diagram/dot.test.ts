import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildDiagram, renderGraph } from '../../src/diagram/index.js';
import { parseDot } from './checkers.js';
import { REFERENCE_MODELS, esmm, mmoe } from './fixtures.js';
import { hasDot } from '../optional-tools.js';

/** Whether Graphviz is installed here (it is not required; when present it double-checks the output). */

describe('renderGraph dot', () => {
  for (const [name, build] of Object.entries(REFERENCE_MODELS)) {
    it(`renders ${name} as a DOT digraph with clusters and every node and arrow`, async () => {
      const ir = build();
      const dot = await renderGraph(ir, 'dot');
      const g = parseDot(dot);
      const d = buildDiagram(ir);
      expect(g.graphAttrs.rankdir).toBe('BT');
      expect(g.graphAttrs.compound).toBe('true');
      expect(g.subgraphs).toContain('cluster_cluster_features');
      for (const n of d.nodes) {
        if (n.experts) {
          expect(g.subgraphs).toContain(`cluster_node_${n.name}`);
          n.experts.boxes.forEach((_, i) => expect(g.nodes.has(`${n.id}#${i}`)).toBe(true));
        } else {
          expect(g.nodes.has(n.id), n.id).toBe(true);
        }
      }
      const visible = g.edges.filter((e) => e.attrs.style !== 'invis');
      expect(visible).toHaveLength(d.edges.length);
      for (const e of visible) expect(g.nodes.has(e.from) && g.nodes.has(e.to), `${e.from} -> ${e.to}`).toBe(true);
    });
  }

  it('attaches arrows to expert groups through their cluster', async () => {
    const g = parseDot(await renderGraph(mmoe(), 'dot'));
    const into = g.edges.find((e) => e.attrs.lhead === 'cluster_node_e');
    expect(into?.from).toBe('node:all');
    const out = g.edges.filter((e) => e.attrs.ltail === 'cluster_node_e');
    expect(out.map((e) => e.to).sort()).toEqual(['node:g_income', 'node:g_marital']);
    const dashed = g.edges.filter((e) => e.attrs.style === 'dashed');
    expect(dashed.map((e) => e.to).sort()).toEqual(['node:g_income', 'node:g_marital']);
  });

  it('escapes quotes and uses TB when drawn top-down', async () => {
    const ir = esmm();
    ir.doc = 'say "hi" \\ & <b>';
    const dot = await renderGraph(ir, 'dot', { direction: 'down' });
    const g = parseDot(dot);
    expect(g.graphAttrs.rankdir).toBe('TB');
    expect(g.graphAttrs.label).toContain('say "hi"');
  });

  it.skipIf(!hasDot())('is accepted by Graphviz when it is installed', async () => {
    for (const build of Object.values(REFERENCE_MODELS)) {
      const dot = await renderGraph(build(), 'dot');
      const svg = execFileSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8' });
      expect(svg).toContain('<svg');
    }
  });
});
