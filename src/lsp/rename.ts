/**
 * Rename: every declaration and use of a name. The new name must be an identifier and must not
 * collide with another declared name (names are unique across kinds) nor be a reserved word.
 */
import { ResponseError, ErrorCodes, type Position, type Range, type WorkspaceEdit } from 'vscode-languageserver/node.js';
import type { Analysis } from './analysis.js';
import { nameAt, occurrences } from './symbol-index.js';
import { isIdentifier } from './text.js';
import { TOKEN_TABLE } from '../language/tokens.js';

/** The range of the renameable name at `pos`, with its text as placeholder; undefined if none. */
export function prepareRename(a: Analysis, pos: Position): { range: Range; placeholder: string } | undefined {
  const hit = nameAt(a.index, pos);
  if (!hit) return undefined;
  return { range: hit.range, placeholder: hit.name };
}

/** The edits that rename the name at `pos`; throws a ResponseError (sent to the client) for an invalid new name. */
export function rename(a: Analysis, pos: Position, newName: string): WorkspaceEdit | null {
  const hit = nameAt(a.index, pos);
  if (!hit) return null;
  if (!isIdentifier(newName)) throw new ResponseError(ErrorCodes.InvalidParams, `'${newName}' is not a valid name (letters, digits, '_' and '-', not first).`);
  if (TOKEN_TABLE.keywords.includes(newName)) throw new ResponseError(ErrorCodes.InvalidParams, `'${newName}' is a reserved word.`);
  if (newName !== hit.name && a.index.byName.has(newName)) throw new ResponseError(ErrorCodes.InvalidParams, `'${newName}' is already declared.`);
  const edits = occurrences(a.index, hit.name, true).map((range) => ({ range, newText: newName }));
  return { changes: { [a.uri]: edits } };
}
