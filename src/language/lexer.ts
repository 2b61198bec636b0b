/**
 * The lexing stage: text → tokens for the parser, comment tokens for the formatter, and the
 * diagnostics only the token stream can give (bad characters, unterminated strings, numbers that
 * overflow, nesting too deep for the recursive parser).
 */
import { Lexer, type IToken } from 'chevrotain';
import { diag } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { endOf, type LineIndex } from './positions.js';
import { ALL_TOKENS, Bang, LBracket, LParen, NumberLiteral, RBracket, RParen, UnterminatedString } from './tokens.js';

/** Deepest nesting of parentheses and brackets (and longest run of `!`) handed to the parser: the grammar and the IR nest per level. */
export const MAX_NESTING = 64;

/** Most runs of bad characters reported per file. */
export const MAX_LEXER_DIAGNOSTICS = 100;

/** The result of lexing. */
export interface LexResult {
  /** Tokens for the parser (comments excluded; over-deep nesting removed). */
  tokens: IToken[];
  /** Comment tokens, in text order. */
  comments: IToken[];
  diagnostics: Diagnostic[];
}

// Built once: chevrotain analyses the token patterns at construction, which is slow.
let lexer: Lexer | undefined;
function theLexer(): Lexer {
  lexer ??= new Lexer([...ALL_TOKENS], { positionTracking: 'onlyOffset', ensureOptimizations: false });
  return lexer;
}

/** Show a run of bad characters readably: printable ones as is, others as \uXXXX. */
function showChars(run: string): string {
  const shown = [...run.slice(0, 24)]
    .map((c) => {
      const code = c.codePointAt(0)!;
      return code < 0x20 || (code >= 0x7f && code < 0xa0) || code === 0xfffd ? `\\u${code.toString(16).padStart(4, '0')}` : c;
    })
    .join('');
  return `'${shown}${run.length > 24 ? '…' : ''}'`;
}

/** Lex a spec. Never throws on user input. */
export function lex(text: string, index: LineIndex, file?: string): LexResult {
  const extras = file !== undefined ? { file } : {};
  const result = theLexer().tokenize(text);
  const diagnostics: Diagnostic[] = [];

  // One diagnostic per run of bad characters (adjacent lexer errors are merged).
  let runStart = -1;
  let runEnd = -1;
  let reportedRuns = 0;
  const flush = (): void => {
    if (runStart < 0) return;
    // Past this many, binary input only costs time: later runs are not reported.
    if (++reportedRuns > MAX_LEXER_DIAGNOSTICS) {
      runStart = -1;
      return;
    }
    const run = text.slice(runStart, runEnd);
    diagnostics.push(diag('MTL1001', index.spanRange(runStart, runEnd - 1), { plural: run.length > 1 ? 's' : '', text: showChars(run) }, extras));
    runStart = -1;
  };
  // Bad characters come as InvalidRun tokens and, for the rare ones that start a token elsewhere
  // (a lone `/`), as lexer errors: merge both, in text order.
  const bad = [
    ...result.errors.map((e) => ({ offset: e.offset, length: e.length })),
    ...((result.groups['invalid'] as IToken[] | undefined) ?? []).map((t) => ({ offset: t.startOffset, length: t.image.length })),
  ].sort((a, b) => a.offset - b.offset);
  for (const e of bad) {
    if (runStart >= 0 && e.offset <= runEnd) runEnd = Math.max(runEnd, e.offset + e.length);
    else {
      flush();
      runStart = e.offset;
      runEnd = e.offset + e.length;
    }
  }
  flush();

  // Token checks, and removal of what is nested deeper than the parser can recurse.
  const tokens: IToken[] = [];
  let depth = 0;
  let reported = false;
  let bangs = 0;
  for (const t of result.tokens) {
    const type = t.tokenType;
    // A run of `!` nests the IR one level per `!`: bounded like parentheses.
    bangs = type === Bang ? bangs + 1 : 0;
    if (bangs > MAX_NESTING) {
      if (bangs === MAX_NESTING + 1) diagnostics.push(diag('MTL1004', index.spanRange(t.startOffset, endOf(t)), { max: MAX_NESTING }, extras));
      continue;
    }
    if (type === UnterminatedString) diagnostics.push(diag('MTL1002', index.spanRange(t.startOffset, endOf(t)), {}, extras));
    else if (type === NumberLiteral && !Number.isFinite(Number(t.image))) {
      diagnostics.push(diag('MTL1003', index.spanRange(t.startOffset, endOf(t)), { text: t.image.length > 40 ? `${t.image.slice(0, 40)}…` : t.image }, extras));
    }
    if (type === LParen || type === LBracket) {
      depth++;
      if (depth > MAX_NESTING) {
        if (!reported) diagnostics.push(diag('MTL1004', index.spanRange(t.startOffset, endOf(t)), { max: MAX_NESTING }, extras));
        reported = true;
        continue;
      }
    } else if (type === RParen || type === RBracket) {
      if (depth > 0) depth--;
      if (depth >= MAX_NESTING) continue;
      if (depth < MAX_NESTING) reported = false;
    } else if (depth > MAX_NESTING) continue;
    tokens.push(t);
  }
  diagnostics.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return { tokens, comments: (result.groups['comments'] as IToken[] | undefined) ?? [], diagnostics };
}
