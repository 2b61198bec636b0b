/** Formatting: the same printer as `mtl fmt`, as one whole-document edit; nothing when the text does not parse. */
import type { TextEdit } from 'vscode-languageserver/node.js';
import { formatSpec } from '../language/printer.js';
import { splitLines, wholeRange } from './text.js';

/** The edits that format `text` (empty when it is already formatted or cannot be formatted). */
export function formatDocument(text: string, file?: string): TextEdit[] {
  const r = formatSpec(text, file);
  if (r.value === undefined || r.value === text) return [];
  return [{ range: wholeRange(splitLines(text)), newText: r.value }];
}
