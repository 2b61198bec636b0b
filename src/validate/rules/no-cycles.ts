import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { propRange } from '../ranges.js';
import { nodeRefs, type NodeRef } from '../refs.js';

/**
 * Invariant: the graph of nodes (edges from each node to the nodes it reads through `from`, `on` and
 * `over`) is acyclic. Each cycle is reported once, at its first-declared node, naming the path
 * ("a -> b -> a").
 */
export function noCycles(ctx: RuleContext): void {
  const s = ctx.symbols;
  const edges = new Map<string, NodeRef[]>();
  for (const ref of nodeRefs(s)) {
    if (!s.node(ref.name)) continue;
    const list = edges.get(ref.from.name) ?? [];
    list.push(ref);
    edges.set(ref.from.name, list);
  }
  const order = [...new Set(s.nodes.map((n) => n.name))];
  const state = new Map<string, 'open' | 'done'>();
  const stack: NodeRef[] = [];
  const reported = new Set<string>();

  const visit = (name: string): void => {
    state.set(name, 'open');
    for (const ref of edges.get(name) ?? []) {
      const mark = state.get(ref.name);
      if (mark === 'open') {
        // The cycle is the part of the stack from the first edge leaving ref.name, plus this edge.
        const start = stack.findIndex((r) => r.from.name === ref.name);
        const cycle = [...stack.slice(start === -1 ? stack.length : start), ref];
        const members = cycle.map((r) => r.from.name);
        const key = [...members].sort().join('\u0000');
        if (reported.has(key)) continue;
        reported.add(key);
        // Name the path from the first-declared member, so the message is stable.
        const firstName = order.find((n) => members.includes(n)) ?? members[0]!;
        const rot = members.indexOf(firstName);
        const rotated = [...cycle.slice(rot), ...cycle.slice(0, rot)];
        const path = [...rotated.map((r) => r.from.name), firstName].join(' -> ');
        const edge = rotated[0]!;
        ctx.report(diag('MTL3003', propRange(edge.from, edge.key).range, { name: firstName, path }));
      } else if (mark === undefined) {
        stack.push(ref);
        visit(ref.name);
        stack.pop();
      }
    }
    state.set(name, 'done');
  };
  for (const name of order) if (!state.has(name)) visit(name);
}
