/**
 * Parser errors and stray top-level tokens → MTL1010/MTL1011 diagnostics, with hints for the common
 * cases (a reserved word used as a name, a misspelt keyword).
 */
import { EOF, type IRecognitionException, type IToken } from 'chevrotain';
import { diag } from '../diagnostics/catalog.js';
import { suggest } from '../diagnostics/suggest.js';
import type { Diagnostic, Range } from '../diagnostics/types.js';
import { describeToken, isKeyword } from './messages.js';
import { endOf, isRealToken, type LineIndex } from './positions.js';
import { Identifier, TOKEN_TABLE } from './tokens.js';

/** Where an error is shown: the offending token, else just after the previous one, else the end of the text. */
function errorRange(index: LineIndex, e: IRecognitionException): Range {
  const t = e.token;
  if (isRealToken(t) && t.tokenType !== EOF) return index.spanRange(t.startOffset, endOf(t));
  const prev = (e as IRecognitionException & { previousToken?: IToken }).previousToken;
  if (isRealToken(prev)) return index.pointRange(endOf(prev) + 1);
  return index.pointRange(index.length);
}

/** A hint for a parser error, when one helps. */
function errorHint(e: IRecognitionException): string | undefined {
  const t = e.token;
  if (!isRealToken(t) || t.tokenType === EOF) return undefined;
  if (e.message.startsWith('Expected a name') && isKeyword(t.tokenType)) {
    return `'${t.image}' is a reserved word and cannot be used as a name; choose another name.`;
  }
  const expectedWord = /^Expected '([a-z_]+)'/.exec(e.message)?.[1];
  if (expectedWord && t.tokenType === Identifier && suggest(t.image, [expectedWord]) !== undefined) return `Did you mean '${expectedWord}'?`;
  // A misspelt keyword (`categorial`, `towr`) lexes as a name and derails the parser where it stands.
  const keyword = t.tokenType === Identifier ? suggest(t.image, TOKEN_TABLE.keywords) : undefined;
  if (keyword !== undefined) return `Did you mean '${keyword}'?`;
  return undefined;
}

/** Diagnostics for the parser's errors (one per position). */
export function parseErrorDiagnostics(index: LineIndex, errors: IRecognitionException[], file?: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const range = errorRange(index, e);
    const key = `${range.start.line}:${range.start.character}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const hint = errorHint(e);
    const code = e.name === 'NotAllInputParsedException' ? 'MTL1011' : 'MTL1010';
    out.push(diag(code, range, { text: e.message }, { ...(file !== undefined ? { file } : {}), ...(hint !== undefined ? { hint } : {}) }));
  }
  return out;
}

/**
 * Diagnostics for runs of stray tokens (skipped where no declaration can start). A run after a parser
 * error in the same declaration is the rest of that broken declaration, already reported: skipped.
 * `declStarts`: start offsets of the declarations, ascending.
 */
export function strayDiagnostics(index: LineIndex, tokens: IToken[], stray: IToken[], errorOffsets: number[], declStarts: number[], file?: string): Diagnostic[] {
  const sorted = [...errorOffsets].sort((a, b) => a - b);
  /** True when some parser error lies in [lo, hi]. */
  const errorIn = (lo: number, hi: number): boolean => {
    let a = 0;
    let b = sorted.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (sorted[m]! < lo) a = m + 1;
      else b = m;
    }
    return a < sorted.length && sorted[a]! <= hi;
  };
  const out: Diagnostic[] = [];
  if (stray.length === 0) return out;
  // Index of each token in the vector, found by walking both sorted lists together.
  const positions: number[] = [];
  let j = 0;
  for (const t of stray) {
    while (j < tokens.length && tokens[j]!.startOffset < t.startOffset) j++;
    positions.push(j);
  }
  let start = 0;
  for (let i = 1; i <= stray.length; i++) {
    if (i < stray.length && positions[i] === positions[i - 1]! + 1) continue;
    const first = stray[start]!;
    const last = stray[i - 1]!;
    // The declaration before the run (binary search), or the run itself when there is none.
    let lo = 0;
    let hi = declStarts.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (declStarts[m]! < first.startOffset) lo = m + 1;
      else hi = m;
    }
    const from = lo > 0 ? declStarts[lo - 1]! : first.startOffset;
    const reported = errorIn(from, last.startOffset);
    if (!reported) {
      const close = first.tokenType === Identifier ? suggest(first.image, TOKEN_TABLE.declarationKeywords) : undefined;
      out.push(
        diag('MTL1011', index.spanRange(first.startOffset, endOf(last)), { text: `Unexpected ${describeToken(first)}: expected a declaration (model, use, data, features, labels, input, layer, experts, gate, tower, task, metric or train).` }, {
          ...(file !== undefined ? { file } : {}),
          hint: close !== undefined ? `Did you mean '${close}'?` : 'Every declaration starts with its keyword, e.g. `tower NAME = mlp(64) on NODE -> sigmoid`.',
        }),
      );
    }
    start = i;
  }
  return out;
}
