/**
 * The syntax front end's entry points: `parseSpec` (text → IR + diagnostics) and `analyzeSpec`
 * (the same, keeping the tokens, comments and CST for the formatter and editor features).
 */
import type { CstNode, IToken } from 'chevrotain';
import type { Diagnostic, StageResult } from '../diagnostics/types.js';
import { BuildContext } from '../ir/build-context.js';
import { buildModel, declarationsOf, strayTokensOf } from '../ir/builder.js';
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

/** Most parser diagnostics reported for one file (a garbage file would otherwise give one per token). */
export const MAX_PARSE_DIAGNOSTICS = 100;

function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
}

/** Lex, parse and build a spec, keeping the intermediate products. Never throws on user input. */
export function analyzeSpec(text: string, file?: string): SpecAnalysis {
  const index = new LineIndex(text);
  const lexed = lex(text, index, file);
  const { cst, errors } = parseTokens(lexed.tokens);
  const parseDiags = parseErrorDiagnostics(index, errors, file);
  const errorOffsets = errors.map((e) => (isRealToken(e.token) ? e.token.startOffset : -1)).filter((o) => o >= 0);
  const declStarts = declarationsOf(cst).map((d) => d.offset).filter((o) => o < Number.MAX_SAFE_INTEGER);
  const strays = strayDiagnostics(index, lexed.tokens, strayTokensOf(cst), errorOffsets, declStarts, file);
  let syntax = [...parseDiags, ...strays].sort(byPosition);
  if (syntax.length > MAX_PARSE_DIAGNOSTICS) syntax = syntax.slice(0, MAX_PARSE_DIAGNOSTICS);
  const ctx = new BuildContext(index, file);
  const ir = buildModel(ctx, cst);
  const syntaxErrors = [...lexed.diagnostics, ...syntax].sort(byPosition);
  const diagnostics = [...syntaxErrors, ...ctx.diagnostics].sort(byPosition);
  return { text, index, tokens: lexed.tokens, comments: lexed.comments, cst, ir, syntaxErrors, diagnostics };
}

/** Parse a .mtl spec into the IR. The IR is partial when there are errors; declarations after an error are kept. */
export function parseSpec(text: string, file?: string): StageResult<ModelIR> {
  const a = analyzeSpec(text, file);
  return { value: a.ir, diagnostics: a.diagnostics };
}
