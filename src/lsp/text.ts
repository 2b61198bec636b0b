/**
 * Text helpers shared by the editor features: positions, identifier under the cursor, and a
 * "code only" view of a document (comments and string contents blanked) for context scanning.
 */
import type { Position, Range } from '../diagnostics/types.js';

/** Characters of an identifier (letters, digits, `_`, and `-` not first; see docs/language.md). */
const IDENT_CHAR = /[A-Za-z0-9_-]/;
const IDENT_START = /[A-Za-z_]/;

/** The lines of a text, split on \n (a trailing \r is kept out). */
export function splitLines(text: string): string[] {
  return text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** True when `pos` is inside `range` or touches its end (a cursor right after a name still means that name). */
export function touches(range: Range, pos: Position): boolean {
  return comparePos(range.start, pos) <= 0 && comparePos(pos, range.end) <= 0;
}

/** Order two positions: negative when `a` is before `b`. */
export function comparePos(a: Position, b: Position): number {
  return a.line !== b.line ? a.line - b.line : a.character - b.character;
}

/** The identifier around `pos` (or ending at it), or undefined. */
export function wordAt(lines: string[], pos: Position): { word: string; range: Range } | undefined {
  const line = lines[pos.line];
  if (line === undefined) return undefined;
  let start = Math.min(pos.character, line.length);
  let end = start;
  while (start > 0 && IDENT_CHAR.test(line[start - 1]!)) start--;
  while (end < line.length && IDENT_CHAR.test(line[end]!)) end++;
  // '-' may not start a name: skip leading dashes/digits that cannot begin an identifier.
  while (start < end && !IDENT_START.test(line[start]!)) start++;
  if (start >= end) return undefined;
  return { word: line.slice(start, end), range: { start: { line: pos.line, character: start }, end: { line: pos.line, character: end } } };
}

/** The text covered by `range` (single- or multi-line). */
export function textAt(lines: string[], range: Range): string {
  if (range.start.line === range.end.line) return (lines[range.start.line] ?? '').slice(range.start.character, range.end.character);
  const parts = [(lines[range.start.line] ?? '').slice(range.start.character)];
  for (let l = range.start.line + 1; l < range.end.line; l++) parts.push(lines[l] ?? '');
  parts.push((lines[range.end.line] ?? '').slice(0, range.end.character));
  return parts.join('\n');
}

/** True when `s` is a whole identifier. */
export function isIdentifier(s: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(s);
}

/**
 * The text with comments and the contents of string literals replaced by spaces (length and line
 * breaks kept), so that bracket and keyword scanning never trips on `#` in a string or `{` in a comment.
 */
export function codeOnly(text: string): string {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') { out.push(' '); i++; }
    } else if (c === '"') {
      out.push('"'); i++;
      while (i < text.length && text[i] !== '"' && text[i] !== '\n') {
        if (text[i] === '\\' && i + 1 < text.length && text[i + 1] !== '\n') { out.push('  '); i += 2; continue; }
        out.push(' '); i++;
      }
      if (text[i] === '"') { out.push('"'); i++; }
    } else { out.push(c); i++; }
  }
  return out.join('');
}

/** The offset of `pos` in `text` (clamped to the text). */
export function offsetAt(text: string, pos: Position): number {
  let line = 0;
  let i = 0;
  while (line < pos.line) {
    const nl = text.indexOf('\n', i);
    if (nl < 0) return text.length;
    i = nl + 1; line++;
  }
  const nl = text.indexOf('\n', i);
  const lineEnd = nl < 0 ? text.length : nl;
  return Math.min(i + pos.character, lineEnd);
}

/** The range of a whole document (for full-text edits). */
export function wholeRange(lines: string[]): Range {
  const last = lines.length - 1;
  return { start: { line: 0, character: 0 }, end: { line: last, character: lines[last]!.length } };
}
