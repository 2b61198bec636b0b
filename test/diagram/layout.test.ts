import { describe, expect, it } from 'vitest';
import { layoutGraph } from '../../src/diagram/index.js';
import { nodeSize, type LaidOutDiagram, type Point } from '../../src/diagram/layout.js';
import { FONT } from '../../src/diagram/style.js';
import { textWidth } from '../../src/diagram/text.js';
import { contains, overlaps } from './checkers.js';
import { REFERENCE_MODELS, mmoe } from './fixtures.js';

const CASES: [string, () => ReturnType<typeof mmoe>][] = [...Object.entries(REFERENCE_MODELS), ['mmoe16', () => mmoe(16)]];

/** Distance from a point to a box's border region (0 when on or inside it). */
function distanceToBox(p: Point, b: { x: number; y: number; width: number; height: number }): number {
  const dx = Math.max(b.x - p.x, 0, p.x - (b.x + b.width));
  const dy = Math.max(b.y - p.y, 0, p.y - (b.y + b.height));
  return Math.hypot(dx, dy);
}

function checkLayout(d: LaidOutDiagram): void {
  const { nodes } = d;
  // No two boxes overlap.
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      expect(overlaps(nodes[i]!, nodes[j]!), `${nodes[i]!.id} overlaps ${nodes[j]!.id}`).toBe(false);
    }
  }
  const canvas = { x: 0, y: 0, width: d.width, height: d.height };
  for (const n of nodes) {
    expect(contains(canvas, n), `${n.id} inside the canvas`).toBe(true);
    // Every line of text fits in its box (the box was sized from the same estimate).
    for (const l of n.lines) {
      const w = l.role === 'title' ? textWidth(l.text, FONT.title, true) : textWidth(l.text, FONT.detail);
      expect(w, `${n.id}: "${l.text}" fits`).toBeLessThanOrEqual(n.width);
    }
    expect(n.height).toBeGreaterThanOrEqual(nodeSize(n).height);
    for (const b of n.inner ?? []) expect(contains(n, b), `${n.id}: expert box inside the group`).toBe(true);
  }
  // Each cluster holds its members and no other box.
  for (const c of d.clusters) {
    for (const n of nodes) {
      if (n.cluster === c.id) expect(contains(c, n), `${n.id} inside ${c.id}`).toBe(true);
      else expect(overlaps(c, n), `${n.id} outside ${c.id}`).toBe(false);
    }
  }
  // Every arrow is routed from its source's border to its target's border, with axis-parallel segments.
  const byId = new Map(nodes.map((n) => [n.id, n] as const));
  for (const e of d.edges) {
    expect(e.points.length, `${e.id} routed`).toBeGreaterThanOrEqual(2);
    expect(distanceToBox(e.points[0]!, byId.get(e.source)!)).toBeLessThan(1);
    expect(distanceToBox(e.points[e.points.length - 1]!, byId.get(e.target)!)).toBeLessThan(1);
    for (let k = 1; k < e.points.length; k++) {
      const a = e.points[k - 1]!;
      const b = e.points[k]!;
      expect(Math.abs(a.x - b.x) < 0.01 || Math.abs(a.y - b.y) < 0.01, `${e.id} orthogonal`).toBe(true);
    }
  }
}

describe('layoutDiagram', () => {
  for (const [name, build] of CASES) {
    it(`lays out ${name} without overlaps, inputs at the bottom and task heads at the top`, async () => {
      const d = await layoutGraph(build());
      checkLayout(d);
      const features = d.nodes.filter((n) => n.kind === 'feature' || n.kind === 'table');
      const tasks = d.nodes.filter((n) => n.kind === 'task');
      const others = d.nodes.filter((n) => !features.includes(n) && !tasks.includes(n));
      const top = Math.min(...features.map((n) => n.y));
      const bottom = Math.max(...tasks.map((n) => n.y + n.height));
      for (const n of others) {
        expect(n.y + n.height, `${n.id} above the features`).toBeLessThanOrEqual(top);
        expect(n.y, `${n.id} below the tasks`).toBeGreaterThanOrEqual(bottom);
      }
      // The task heads form one row, aligned top and bottom.
      expect(new Set(tasks.map((t) => t.y)).size).toBe(1);
      expect(new Set(tasks.map((t) => t.height)).size).toBe(1);
    });
  }

  it('keeps declaration order left to right', async () => {
    const d = await layoutGraph(REFERENCE_MODELS.ple!());
    const x = (id: string) => d.nodes.find((n) => n.id === id)!.x;
    expect(x('node:ctr1')).toBeLessThan(x('node:shared1'));
    expect(x('node:shared1')).toBeLessThan(x('node:cvr1'));
    expect(x('task:ctr')).toBeLessThan(x('task:cvr'));
    const m = await layoutGraph(mmoe());
    const fx = (id: string) => m.nodes.find((n) => n.id === id)!.x;
    expect(fx('feature:age')).toBeLessThan(fx('feature:education'));
    expect(fx('feature:occupation')).toBeLessThan(fx('feature:hours'));
  });

  it('draws top-down when asked', async () => {
    const d = await layoutGraph(mmoe(), { direction: 'down' });
    checkLayout(d);
    expect(d.direction).toBe('down');
    const y = (id: string) => d.nodes.find((n) => n.id === id)!.y;
    expect(y('feature:age')).toBeLessThan(y('node:e'));
    expect(y('node:e')).toBeLessThan(y('task:income'));
  });
});
