import { describe, expect, it } from 'vitest';
import { buildDiagram, renderGraph } from '../../src/diagram/index.js';
import { escapeXml, svgId } from '../../src/diagram/svg.js';
import { xmlErrors } from './checkers.js';
import { REFERENCE_MODELS, esmm, mmoe } from './fixtures.js';

describe('renderGraph svg', () => {
  for (const [name, build] of Object.entries(REFERENCE_MODELS)) {
    it(`renders ${name} as well-formed, self-contained SVG with every node and arrow`, async () => {
      const ir = build();
      const svg = await renderGraph(ir, 'svg');
      expect(xmlErrors(svg)).toEqual([]);
      expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
      expect(svg).toMatch(/font-family="[^"]*sans-serif"/);
      // Self-contained: no links, images, imported styles or fonts, and url() only to markers in the document.
      expect(svg).not.toMatch(/href|<image|@import|@font-face|url\((?!#arrow-)/);
      const d = buildDiagram(ir);
      for (const n of d.nodes) {
        expect(svg, n.id).toContain(`id="${svgId(n.id)}"`);
        for (const l of n.lines) expect(svg).toContain(`>${escapeXml(l.text)}</text>`);
      }
      for (const e of d.edges) {
        expect(svg, e.id).toMatch(new RegExp(`class="edge ${e.kind}" data-source="${e.source}" data-target="${e.target}"`));
      }
      expect(svg.match(/class="edge /g)).toHaveLength(d.edges.length);
      expect(svg).toContain('id="legend"');
    });
  }

  it('shows the expert count and elides large groups', async () => {
    const svg8 = await renderGraph(mmoe(), 'svg');
    expect(svg8).toContain('>e[8]</text>');
    expect(svg8.match(/>E\d+<\/text>/g)).toHaveLength(8);
    const svg16 = await renderGraph(mmoe(16), 'svg');
    expect(svg16).toContain('>e[16]</text>');
    expect(svg16).toContain('>…</text>');
    expect(svg16).toContain('>E16</text>');
    expect(svg16).not.toContain('>E7</text>');
  });

  it('draws gates as polygons and dashes their inputs', async () => {
    const svg = await renderGraph(mmoe(), 'svg');
    expect(svg.match(/<g id="node-g_\w+" class="node gate"[^]*?<polygon /g)).toHaveLength(2);
    expect(svg).toMatch(/class="edge gate-input"[^>]*stroke-dasharray/);
    expect(svg).not.toMatch(/class="edge mix"[^>]*stroke-dasharray/);
  });

  it('escapes user text and lists only the kinds used in the legend', async () => {
    const ir = esmm();
    ir.doc = 'CTR & CVR <joint> "model"';
    const svg = await renderGraph(ir, 'svg');
    expect(xmlErrors(svg)).toEqual([]);
    expect(svg).toContain('CTR &amp; CVR &lt;joint&gt; &quot;model&quot;');
    expect(svg).toContain('>bce(click &amp; buy)</text>');
    expect(svg).toContain('>shared embedding</text>');
    expect(svg).not.toContain('>experts mixed</text>');
    const bare = await renderGraph(ir, 'svg', { legend: false, title: false });
    expect(bare).not.toContain('id="legend"');
    expect(bare).not.toContain('CTR &amp; CVR');
  });
});
