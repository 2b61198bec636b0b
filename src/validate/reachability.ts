/**
 * What the model outputs depend on: the nodes and features reachable backwards from the towers
 * (through `from`, `on`, `over`, and `shares` between features). Shared by the unused-* rules.
 */
import { nodeRefs } from './refs.js';
import type { SymbolTable } from './symbols.js';

/** Names of the nodes and features that some tower depends on. */
export function reachableFromOutputs(symbols: SymbolTable): Set<string> {
  const deps = new Map<string, string[]>();
  for (const ref of nodeRefs(symbols)) {
    const list = deps.get(ref.from.name) ?? [];
    list.push(ref.name);
    deps.set(ref.from.name, list);
  }
  for (const f of symbols.features) {
    if (f.kind !== 'numeric' && typeof f.shares === 'string') deps.set(f.name, [...(deps.get(f.name) ?? []), f.shares]);
  }
  const seen = new Set<string>();
  const stack = symbols.nodes.filter((n) => n.kind === 'tower').map((n) => n.name);
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    stack.push(...(deps.get(name) ?? []));
  }
  return seen;
}
