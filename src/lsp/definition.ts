/** Go to definition: from a name (a use or a definition) to every declaration of that name. */
import type { Location, Position } from 'vscode-languageserver/node.js';
import type { Analysis } from './analysis.js';
import { nameAt } from './symbol-index.js';

/** The declarations of the name at `pos` (a task and the tower it heads are both returned). */
export function definition(a: Analysis, pos: Position): Location[] {
  const hit = nameAt(a.index, pos);
  if (!hit) return [];
  return (a.index.byName.get(hit.name) ?? []).filter((d) => d.nameRange).map((d) => ({ uri: a.uri, range: d.nameRange! }));
}
