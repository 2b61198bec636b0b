/**
 * Parser error messages users understand: "Expected '=' after the gate name 'g1', found 'over'."
 * Chevrotain calls this provider while parsing; it needs the token vector to describe what came
 * before the error, so parseTokens() hands it the tokens for the duration of one parse.
 */
import { EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from 'chevrotain';
import * as T from './tokens.js';

/** What a declaration keyword's name is called in messages. */
const NAME_OF: ReadonlyMap<TokenType, string> = new Map([
  [T.Model, 'the model name'],
  [T.Input, 'the input name'],
  [T.Layer, 'the layer name'],
  [T.Experts, 'the expert group name'],
  [T.Gate, 'the gate name'],
  [T.Tower, 'the tower name'],
  [T.Task, 'the task name'],
  [T.Categorical, 'the feature name'],
  [T.Sequence, 'the feature name'],
  [T.Numeric, 'the feature name'],
]);

/** Readable names of what a rule starts with, for "expected …" lists. */
const RULE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  declaration: 'a declaration (model, use, data, features, labels, input, layer, experts, gate, tower, task, metric or train)',
  value: 'a value (a number, a string, a word, true, false or a [list])',
  number: 'a number',
  labelExpr: 'a label expression',
  notExpr: 'a label name or (',
  featureEntry: "a feature ('categorical', 'sequence' or 'numeric')",
  trainEntry: 'a train setting',
};

const KEYWORD_SET: ReadonlySet<TokenType> = new Set(T.KEYWORDS);

/** True when a token type is a reserved word. */
export function isKeyword(type: TokenType): boolean {
  return KEYWORD_SET.has(type);
}

/** How an expected token type is named: `'='`, `a name`, `a number`. */
export function describeType(type: TokenType): string {
  if (type === T.Identifier) return 'a name';
  if (type === T.NumberLiteral) return 'a number';
  if (type === T.StringLiteral || type === T.UnterminatedString) return 'a string';
  if (type === EOF) return 'the end of the file';
  return type.LABEL ?? type.name;
}

/** How a found token is named: `'over'`, `the end of the file`. */
export function describeToken(token: IToken | undefined): string {
  if (!token || token.tokenType === EOF) return 'the end of the file';
  const image = token.image.length > 30 ? `${token.image.slice(0, 30)}…` : token.image;
  if (token.tokenType === T.StringLiteral || token.tokenType === T.UnterminatedString) return `the string ${image}`;
  return `'${image}'`;
}

function joinOr(items: string[]): string {
  if (items.length <= 1) return items[0] ?? 'something else';
  const shown = items.length > 6 ? [...items.slice(0, 6), 'others'] : items;
  return `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`;
}

/** The message of errors that only mean "no declaration starts here" (handled by parseTokens, never shown). */
export const TOP_LEVEL_JUNK = '\u0000top-level junk';

/** The provider, with the token vector of the parse under way. */
class MessageProvider implements IParserErrorMessageProvider {
  private tokens: IToken[] = [];

  /** Hand over the tokens of the next parse (and drop them after it). */
  setTokens(tokens: IToken[]): void {
    this.tokens = tokens;
  }

  /** The token before `t` in the vector (binary search on offsets). */
  private before(t: IToken): IToken | undefined {
    const ts = this.tokens;
    let lo = 0;
    let hi = ts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const o = ts[mid]!.startOffset;
      if (o === t.startOffset) return mid > 0 ? ts[mid - 1] : undefined;
      if (o < t.startOffset) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** " after the gate name 'g1'" / " after '='" / "" at the start of the file. */
  private after(previous: IToken | undefined): string {
    if (!previous || !Number.isFinite(previous.startOffset) || previous.tokenType === EOF) return '';
    if (previous.tokenType === T.Identifier) {
      const kw = this.before(previous);
      const what = kw ? NAME_OF.get(kw.tokenType) : undefined;
      if (what) return ` after ${what} '${previous.image}'`;
    }
    return ` after ${describeToken(previous)}`;
  }

  buildMismatchTokenMessage(o: { expected: TokenType; actual: IToken; previous: IToken; ruleName: string }): string {
    // The top level expected the end of the file: junk where no declaration starts (parseTokens skips it).
    if (o.expected === EOF) return TOP_LEVEL_JUNK;
    return `Expected ${describeType(o.expected)}${this.after(o.previous)}, found ${describeToken(o.actual)}.`;
  }

  buildNotAllInputParsedMessage(): string {
    return TOP_LEVEL_JUNK;
  }

  buildNoViableAltMessage(o: { expectedPathsPerAlt: TokenType[][][]; actual: IToken[]; previous: IToken; customUserDescription?: string; ruleName: string }): string {
    const expected = RULE_DESCRIPTIONS[o.ruleName] ?? joinOr([...new Set(o.expectedPathsPerAlt.flatMap((paths) => paths.map((p) => (p[0] ? describeType(p[0]) : ''))).filter(Boolean))]);
    return `Expected ${expected}${this.after(o.previous)}, found ${describeToken(o.actual[0])}.`;
  }

  buildEarlyExitMessage(o: { expectedIterationPaths: TokenType[][]; actual: IToken[]; previous: IToken; customUserDescription?: string; ruleName: string }): string {
    const expected = joinOr([...new Set(o.expectedIterationPaths.map((p) => (p[0] ? describeType(p[0]) : '')).filter(Boolean))]);
    return `Expected at least one ${expected}${this.after(o.previous)}, found ${describeToken(o.actual[0])}.`;
  }
}

/** The one provider instance given to the parser. */
export const parserMessages = new MessageProvider();
