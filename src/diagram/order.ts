/**
 * Left-to-right order of a diagram's boxes, as in the papers' figures: each task's own boxes in one column in
 * task order, and what is shared between tasks in the middle. In PLE and CGC that puts the shared experts
 * BETWEEN task A's and task B's experts (Tang et al., Fig. 4–5), so each task gate reaches its own experts and
 * the shared ones without its arrows crossing the other task's column. The layout keeps this order (ELK's
 * model order), so sorting the node list is all it takes.
 */
import type { Diagram, DiagramNode } from './model.js';

/** The tasks (indices into the diagram's task boxes) each node's output reaches, following arrows downstream. */
function reachedTasks(diagram: Diagram): Map<string, Set<number>> {
  const taskIndex = new Map(diagram.nodes.filter((n) => n.kind === 'task').map((n, i) => [n.id, i] as const));
  const out = new Map<string, string[]>();
  for (const e of diagram.edges) out.set(e.source, [...(out.get(e.source) ?? []), e.target]);
  const memo = new Map<string, Set<number>>();
  const visit = (id: string, path: Set<string>): Set<number> => {
    const known = memo.get(id);
    if (known) return known;
    const tasks = new Set<number>();
    const own = taskIndex.get(id);
    if (own !== undefined) tasks.add(own);
    if (path.has(id)) return tasks; // a cycle (invalid IR): stop rather than recurse forever
    path.add(id);
    for (const t of out.get(id) ?? []) for (const i of visit(t, path)) tasks.add(i);
    path.delete(id);
    memo.set(id, tasks);
    return tasks;
  };
  for (const n of diagram.nodes) visit(n.id, new Set());
  return memo;
}

/**
 * The task a node belongs to, or undefined when it serves several. An expert group belongs to the tasks that
 * every gate mixing it leads to: PLE's `income1` is mixed by the income gate and by the shared gate, so it is
 * income's, while `shared1` is mixed by both task gates, so it is shared. Other nodes belong to the tasks
 * their output reaches.
 */
function ownerTask(n: DiagramNode, diagram: Diagram, reach: Map<string, Set<number>>): number | undefined {
  let tasks = reach.get(n.id) ?? new Set<number>();
  if (n.kind === 'experts') {
    const gates = diagram.edges.filter((e) => e.kind === 'mix' && e.source === n.id).map((e) => reach.get(e.target) ?? new Set<number>());
    if (gates.length > 0) tasks = new Set([...gates[0]!].filter((t) => gates.every((g) => g.has(t))));
  }
  return tasks.size === 1 ? [...tasks][0] : undefined;
}

/**
 * The diagram's nodes and edges reordered: features first as declared, then every other box by column (task
 * 0's, …, the shared column in the middle, …, the last task's), declaration order within a column. Edges follow
 * their targets' order, which ELK's model-order pass also reads.
 */
export function orderByTaskColumns(diagram: Diagram): Diagram {
  const taskCount = diagram.nodes.filter((n) => n.kind === 'task').length;
  if (taskCount < 2) return diagram;
  const reach = reachedTasks(diagram);
  const middle = Math.floor(taskCount / 2);
  const column = (n: DiagramNode): number => {
    if (n.kind === 'feature' || n.kind === 'table' || n.kind === 'features') return -1;
    const t = ownerTask(n, diagram, reach);
    // Shared boxes take the middle column: tasks 0..middle-1 to their left, the rest to their right.
    return t === undefined ? middle : t < middle ? t : t + 1;
  };
  const col = new Map(diagram.nodes.map((n) => [n.id, column(n)] as const));
  const nodes = diagram.nodes.map((n, i) => ({ n, i })).sort((a, b) => col.get(a.n.id)! - col.get(b.n.id)! || a.i - b.i).map((x) => x.n);
  const pos = new Map(nodes.map((n, i) => [n.id, i] as const));
  const edges = [...diagram.edges].map((e, i) => ({ e, i })).sort((a, b) => (pos.get(a.e.target) ?? 0) - (pos.get(b.e.target) ?? 0) || (pos.get(a.e.source) ?? 0) - (pos.get(b.e.source) ?? 0) || a.i - b.i).map((x) => x.e);
  return { ...diagram, nodes, edges };
}
