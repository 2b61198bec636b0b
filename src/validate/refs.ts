/**
 * The references between graph nodes (`from`, `on`, `over`), with the `locs` key of each, and
 * phrases naming declarations in messages.
 */
import type { Feature, GraphNode } from '../ir/types.js';
import type { SymbolEntry, SymbolTable } from './symbols.js';

/** One reference from a node to a feature or node. */
export interface NodeRef {
  from: GraphNode;
  name: string;
  /** The `locs` key of the reference: "from.1", "on", "over.0". */
  key: string;
  via: 'from' | 'on' | 'over';
}

/**
 * Every node-to-node/feature reference, in declaration order (tolerates malformed nodes). Empty names
 * are placeholders the text builder leaves after a syntax error (already reported), so they are skipped.
 */
export function nodeRefs(symbols: SymbolTable): NodeRef[] {
  const out: NodeRef[] = [];
  for (const n of symbols.nodes) {
    if (n.kind === 'input') {
      (Array.isArray(n.from) ? n.from : []).forEach((name, i) => typeof name === 'string' && name !== '' && out.push({ from: n, name, key: `from.${i}`, via: 'from' }));
      continue;
    }
    if (n.kind === 'gate') {
      (Array.isArray(n.over) ? n.over : []).forEach((name, i) => typeof name === 'string' && name !== '' && out.push({ from: n, name, key: `over.${i}`, via: 'over' }));
    }
    const on = (n as { on?: unknown }).on;
    if (typeof on === 'string' && on !== '') out.push({ from: n, name: on, key: 'on', via: 'on' });
  }
  return out;
}

/** "gate 'g'", "feature 'user_id'": a declaration named in a sentence. */
export function nodePhrase(n: GraphNode): string {
  return `${n.kind} '${n.name}'`;
}

/** "feature 'user_id'". */
export function featurePhrase(f: Feature): string {
  return `feature '${f.name}'`;
}

/** Capitalise the first letter (phrases that start a sentence). */
export function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** "a tower", "an input", "a label": what a symbol is, with its article. */
export function kindPhrase(e: SymbolEntry): string {
  const word = e.kind === 'node' ? (e.decl as GraphNode).kind : e.kind;
  const noun = word === 'experts' ? 'expert group' : word;
  return `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;
}
