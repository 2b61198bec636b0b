import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkText } from '../../src/language/check.js';
import { buildDiagram, FEATURES_BLOCK, layoutGraph, renderGraph } from '../../src/diagram/index.js';
import type { ModelIR } from '../../src/ir/types.js';
import { contains, overlaps, parseDot } from './checkers.js';
import { wideMmoe } from './fixtures.js';

function spec(name: string): ModelIR {
  return checkText(readFileSync(new URL(`../../specs/${name}.mtl`, import.meta.url), 'utf8'), { file: `${name}.mtl` }).ir!;
}

describe('many features', () => {
  it('folds more than 10 feature boxes into one block, a chip per encoding, with one arrow per consumer', () => {
    const d = buildDiagram(wideMmoe(40));
    const block = d.nodes.find((n) => n.id === FEATURES_BLOCK)!;
    expect(block.kind).toBe('features');
    expect(block.lines[0]!.text).toBe('features (40)');
    expect(block.chips).toEqual([{ title: '40 categorical · hash 64 · d4', names: Array.from({ length: 40 }, (_, i) => `f${i}`), shared: false }]);
    expect(d.nodes.filter((n) => n.kind === 'feature')).toHaveLength(0);
    expect(d.edges.filter((e) => e.source === FEATURES_BLOCK)).toEqual([
      { id: `${FEATURES_BLOCK}->node:all#data`, source: FEATURES_BLOCK, target: 'node:all', kind: 'data' },
    ]);
    expect(buildDiagram(wideMmoe(10)).nodes.filter((n) => n.kind === 'feature')).toHaveLength(10);
    expect(buildDiagram(wideMmoe(11)).nodes.filter((n) => n.kind === 'feature')).toHaveLength(0);
    expect(buildDiagram(wideMmoe(11)).nodes.filter((n) => n.kind === 'features')).toHaveLength(1);
    expect(buildDiagram(wideMmoe(40), { maxFeatureNodes: 50 }).nodes.filter((n) => n.kind === 'feature')).toHaveLength(40);
  });

  it("groups a census spec's 39 features by kind and encoding, and keeps a 6-feature spec as boxes", () => {
    const block = buildDiagram(spec('ple')).nodes.find((n) => n.id === FEATURES_BLOCK)!;
    expect(block.chips!.map((c) => c.title)).toEqual(['26 categorical · hash 64 · d4', '6 categorical · hash 256 · d4', '3 numeric · standard', '4 numeric · log1p']);
    expect(block.chips!.flatMap((c) => c.names).sort()).toEqual(spec('ple').features.map((f) => f.name).sort());
    const esmm = buildDiagram(spec('esmm'));
    expect(esmm.nodes.some((n) => n.kind === 'features')).toBe(false);
    expect(esmm.nodes.filter((n) => n.kind === 'feature' || n.kind === 'table').length).toBeGreaterThan(0);
  });

  it('lays the chips out as a column inside the block, below the model, in a fraction of the figure', async () => {
    const d = await layoutGraph(wideMmoe(40));
    const block = d.nodes.find((n) => n.id === FEATURES_BLOCK)!;
    expect(block.inner).toHaveLength(1);
    expect(block.chipText![0]!.lines.length).toBeGreaterThan(1); // 40 names wrap
    for (const c of block.inner!) expect(contains(block, c)).toBe(true);
    for (const n of d.nodes) if (n !== block) expect(n.y + n.height).toBeLessThanOrEqual(block.y);
    for (const name of ['ple', 'mmoe', 'cgc']) {
      const g = await layoutGraph(spec(name));
      const b = g.nodes.find((n) => n.id === FEATURES_BLOCK)!;
      for (let i = 0; i < b.inner!.length; i++) {
        expect(contains(b, b.inner![i]!)).toBe(true);
        for (let j = i + 1; j < b.inner!.length; j++) expect(overlaps(b.inner![i]!, b.inner![j]!)).toBe(false);
      }
      // The model's structure dominates: the block takes under 30 % of the figure's height, and its names wrap
      // rather than widen the figure beyond the model (39 chips in a grid took 40 % of the height, twice the width).
      expect(b.height / g.height, name).toBeLessThan(0.3);
      expect(b.width, name).toBeLessThan(600);
    }
  });

  it('names every feature in the SVG, and keeps one node per feature in DOT', async () => {
    const svg = await renderGraph(wideMmoe(40), 'svg');
    for (let i = 0; i < 40; i++) expect(svg).toMatch(new RegExp(`[> ]f${i}[,<]`));
    const g = parseDot(await renderGraph(wideMmoe(40), 'dot'));
    expect([...g.nodes].filter((n) => n.startsWith('feature:'))).toHaveLength(40);
  });
});
