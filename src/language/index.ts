/**
 * The syntax front end's entry points: `parseSpec` (text → IR + diagnostics) and `analyzeSpec`
 * (the same, keeping the tokens, comments and CST for the formatter and editor features).
 */
import type { CstNode, IToken } from 'chevrotain';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START, type Diagnostic, type StageResult } from '../diagnostics/types.js';
import { BuildContext } from './build-context.js';
import { buildModel, declarationsOf } from './builder.js';
import type { ModelIR } from '../ir/types.js';
import { parseErrorDiagnostics, strayDiagnostics } from './errors.js';
import { lex } from './lexer.js';
import { parseTokens } from './parser.js';
import { isRealToken, LineIndex } from './positions.js';

/** Everything one parse produced. */
export interface SpecAnalysis {
  text: string;
  index: LineIndex;
  tokens: IToken[];
  comments: IToken[];
  cst: CstNode;
  ir: ModelIR;
  /** Lexer and parser diagnostics (the text is not well-formed when there is any). */
  syntaxErrors: Diagnostic[];
  /** Every diagnostic, syntax errors included, in text order. */
  diagnostics: Diagnostic[];
}

/** Most lexer/parser diagnostics reported for one file (a garbage file would otherwise give one per token). */
export const MAX_PARSE_DIAGNOSTICS = 100;

function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
}

/**
 * Longest text parsed (characters). Real specs are a few kilobytes; the guard keeps the editor and
 * CLI responsive on runaway input (a data file opened as a spec, generated garbage).
 */
export const MAX_SPEC_LENGTH = 1_000_000;

/** Lex, parse and build a spec, keeping the intermediate products. Never throws on user input. */
export function analyzeSpec(text: string, file?: string): SpecAnalysis {
  if (text.length > MAX_SPEC_LENGTH) return tooLarge(text, file);
  const index = new LineIndex(text);
  const lexed = lex(text, index, file);
  const { cst, errors, stray } = parseTokens(lexed.tokens, MAX_PARSE_DIAGNOSTICS, index);
  const parseDiags = parseErrorDiagnostics(index, errors, file);
  const errorOffsets = errors.map((e) => (isRealToken(e.token) ? e.token.startOffset : -1)).filter((o) => o >= 0);
  const declStarts = declarationsOf(cst).map((d) => d.offset).filter((o) => o < Number.MAX_SAFE_INTEGER);
  const strays = strayDiagnostics(index, lexed.tokens, stray, errorOffsets, declStarts, file);
  // The lexer drops what is nested too deeply (MTL1004); the parser's complaints about the hole on those lines repeat it.
  const deepLines = new Set(lexed.diagnostics.filter((d) => d.code === 'MTL1004').map((d) => d.range.start.line));
  let syntax = [...parseDiags, ...strays].filter((d) => !deepLines.has(d.range.start.line)).sort(byPosition);
  if (syntax.length > MAX_PARSE_DIAGNOSTICS) syntax = syntax.slice(0, MAX_PARSE_DIAGNOSTICS);
  const ctx = new BuildContext(index, file);
  const ir = buildModel(ctx, cst);
  let syntaxErrors = [...lexed.diagnostics, ...syntax].sort(byPosition);
  if (syntaxErrors.length > MAX_PARSE_DIAGNOSTICS) syntaxErrors = syntaxErrors.slice(0, MAX_PARSE_DIAGNOSTICS);
  const diagnostics = [...syntaxErrors, ...ctx.diagnostics].sort(byPosition);
  return { text, index, tokens: lexed.tokens, comments: lexed.comments, cst, ir, syntaxErrors, diagnostics };
}

/** The analysis of a text over MAX_SPEC_LENGTH: one MTL1006 and an empty IR. */
function tooLarge(text: string, file?: string): SpecAnalysis {
  const index = new LineIndex('');
  const d = diag('MTL1006', FILE_START, { size: text.length, max: MAX_SPEC_LENGTH }, file !== undefined ? { file } : {});
  const ctx = new BuildContext(index, file);
  const { cst } = parseTokens([]);
  const ir = buildModel(ctx, cst);
  return { text, index, tokens: [], comments: [], cst, ir, syntaxErrors: [d], diagnostics: [d] };
}

/** Parse a .mtl spec into the IR. The IR is partial when there are errors; declarations after an error are kept. */
export function parseSpec(text: string, file?: string): StageResult<ModelIR> {
  const a = analyzeSpec(text, file);
  return { value: a.ir, diagnostics: a.diagnostics };
}
