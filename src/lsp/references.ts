/** Find references: every occurrence of the name at the cursor (its uses, and its declarations when asked). */
import type { Location, Position } from 'vscode-languageserver/node.js';
import type { Analysis } from './analysis.js';
import { nameAt, occurrences } from './symbol-index.js';

/** The occurrences of the name at `pos`, sorted by position. */
export function references(a: Analysis, pos: Position, includeDeclaration: boolean): Location[] {
  const hit = nameAt(a.index, pos);
  if (!hit) return [];
  return occurrences(a.index, hit.name, includeDeclaration)
    .sort((x, y) => x.start.line - y.start.line || x.start.character - y.start.character)
    .map((range) => ({ uri: a.uri, range }));
}
