import { describe, expect, it } from 'vitest';
import { buildDiagram, FEATURES_BLOCK, layoutGraph, renderGraph } from '../../src/graph/index.js';
import { contains, overlaps, parseDot } from './checkers.js';
import { wideMmoe } from './fixtures.js';

describe('many features', () => {
  it('folds more than 10 feature boxes into one block of chips with one arrow per consumer', () => {
    const d = buildDiagram(wideMmoe(40));
    const block = d.nodes.find((n) => n.id === FEATURES_BLOCK)!;
    expect(block.kind).toBe('features');
    expect(block.lines[0]!.text).toBe('features (40)');
    expect(block.chips).toHaveLength(40);
    expect(block.chips![7]).toEqual({ title: 'f7', detail: 'hash 64 · d4', shared: false });
    expect(d.nodes.filter((n) => n.kind === 'feature')).toHaveLength(0);
    expect(d.edges.filter((e) => e.source === FEATURES_BLOCK)).toEqual([
      { id: `${FEATURES_BLOCK}->node:all#data`, source: FEATURES_BLOCK, target: 'node:all', kind: 'data' },
    ]);
    expect(buildDiagram(wideMmoe(10)).nodes.filter((n) => n.kind === 'feature')).toHaveLength(10);
    expect(buildDiagram(wideMmoe(40), { maxFeatureNodes: 50 }).nodes.filter((n) => n.kind === 'feature')).toHaveLength(40);
  });

  it('lays the chips out as a grid inside the block, below the rest of the model', async () => {
    const d = await layoutGraph(wideMmoe(40));
    const block = d.nodes.find((n) => n.id === FEATURES_BLOCK)!;
    expect(block.inner).toHaveLength(40);
    for (const c of block.inner!) expect(contains(block, c)).toBe(true);
    for (let i = 0; i < block.inner!.length; i++) {
      for (let j = i + 1; j < block.inner!.length; j++) expect(overlaps(block.inner![i]!, block.inner![j]!)).toBe(false);
    }
    // A grid, not a row: no wider than eight chips.
    expect(new Set(block.inner!.map((c) => c.x)).size).toBeLessThanOrEqual(8);
    for (const n of d.nodes) if (n !== block) expect(n.y + n.height).toBeLessThanOrEqual(block.y);
  });

  it('names every feature in the SVG, and keeps one node per feature in DOT', async () => {
    const svg = await renderGraph(wideMmoe(40), 'svg');
    for (let i = 0; i < 40; i++) expect(svg).toContain(`>f${i}</text>`);
    const g = parseDot(await renderGraph(wideMmoe(40), 'dot'));
    expect([...g.nodes].filter((n) => n.startsWith('feature:'))).toHaveLength(40);
  });
});
