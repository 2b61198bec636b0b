/**
 * The tokens of the .mtl language (chevrotain token types) and a plain-data token table for editors
 * (the TextMate grammar is generated from TOKEN_TABLE, so it is data, never code).
 */
import { createToken, Lexer, type TokenType } from 'chevrotain';
import { CONTEXTUAL_WORDS, FUNCTION_WORDS, OPTION_WORDS, VALUE_WORDS } from './vocabulary.js';

// Sources of the token patterns, kept as strings so the token table can publish them verbatim.
const IDENTIFIER_SOURCE = '[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*';
const NUMBER_SOURCE = '\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?';
const STRING_SOURCE = '"(?:[^"\\\\\\r\\n]|\\\\[^\\r\\n])*"';
const UNTERMINATED_STRING_SOURCE = '"(?:[^"\\\\\\r\\n]|\\\\[^\\r\\n])*\\\\?';
const COMMENT_SOURCE = '(?:#|//)[^\\r\\n]*';

/** Spaces, tabs and line breaks: skipped. */
export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED, line_breaks: true });
/** `# …` and `// …` to the end of the line: kept in the `comments` group for the formatter. */
export const Comment = createToken({ name: 'Comment', pattern: new RegExp(COMMENT_SOURCE), group: 'comments' });

/**
 * A run of characters that cannot start any token. Lexed as one token (in the `invalid` group, reported
 * as MTL1001) because chevrotain's per-character error path is slow on binary or random input.
 */
export const InvalidRun = createToken({ name: 'InvalidRun', pattern: /[^ \t\r\n\f\v\u00a0\ufeffA-Za-z0-9_"#/\-=:,*+&|!()[\]{}]+/, group: 'invalid' });

/** A name: letters, digits, `_`, and `-` between name characters (`noisy-topk`). */
export const Identifier = createToken({ name: 'Identifier', pattern: new RegExp(IDENTIFIER_SOURCE) });
/** An unsigned number; a sign is a separate `-` token so that `a - b` and `-2` both lex cleanly. */
export const NumberLiteral = createToken({ name: 'NumberLiteral', pattern: new RegExp(NUMBER_SOURCE) });
/** A double-quoted string on one line. */
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: new RegExp(STRING_SOURCE) });
/**
 * A string missing its closing quote. It is a StringLiteral for the parser (so the rest of the
 * declaration still parses) and the lexer stage reports it once.
 */
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: new RegExp(UNTERMINATED_STRING_SOURCE),
  categories: [StringLiteral],
});

function keyword(word: string): TokenType {
  return createToken({ name: `Kw_${word}`, label: `'${word}'`, pattern: new RegExp(word), longer_alt: Identifier });
}

/** Declaration keywords. */
export const Model = keyword('model');
export const Use = keyword('use');
export const Data = keyword('data');
export const Features = keyword('features');
export const Labels = keyword('labels');
export const Input = keyword('input');
export const Layer = keyword('layer');
export const Experts = keyword('experts');
export const Gate = keyword('gate');
export const Tower = keyword('tower');
export const Task = keyword('task');
export const Metric = keyword('metric');
export const Train = keyword('train');
/** Feature kinds. */
export const Categorical = keyword('categorical');
export const Sequence = keyword('sequence');
export const Numeric = keyword('numeric');
/** Structural words inside declarations. */
export const Concat = keyword('concat');
export const Mlp = keyword('mlp');
export const Over = keyword('over');
export const On = keyword('on');
export const Loss = keyword('loss');
export const Weight = keyword('weight');
/** `weight_by COL`: sample weights (train block, task, metric). Lexed before `weight`, which is its prefix. */
export const WeightBy = keyword('weight_by');
export const Where = keyword('where');
export const By = keyword('by');
export const EarlyStop = keyword('early_stop');
/** Boolean constants. */
export const True = keyword('true');
export const False = keyword('false');

function operator(name: string, image: string, pattern: RegExp): TokenType {
  return createToken({ name, label: `'${image}'`, pattern });
}

/** Operators and punctuation. */
export const Arrow = operator('Arrow', '->', /->/);
export const Equals = operator('Equals', '=', /=/);
export const Colon = operator('Colon', ':', /:/);
export const Comma = operator('Comma', ',', /,/);
export const Star = operator('Star', '*', /\*/);
export const Plus = operator('Plus', '+', /\+/);
export const Minus = operator('Minus', '-', /-/);
export const Amp = operator('Amp', '&', /&/);
export const Pipe = operator('Pipe', '|', /\|/);
export const Bang = operator('Bang', '!', /!/);
export const LParen = operator('LParen', '(', /\(/);
export const RParen = operator('RParen', ')', /\)/);
export const LBracket = operator('LBracket', '[', /\[/);
export const RBracket = operator('RBracket', ']', /]/);
export const LCurly = operator('LCurly', '{', /\{/);
export const RCurly = operator('RCurly', '}', /\}/);

/** Declaration keywords, in the order of docs/language.md. */
export const DECLARATION_KEYWORDS: readonly TokenType[] = [Model, Use, Data, Features, Labels, Input, Layer, Experts, Gate, Tower, Task, Metric, Train];
/** Feature kind keywords. */
export const FEATURE_KINDS: readonly TokenType[] = [Categorical, Sequence, Numeric];
/** Every reserved word. */
export const KEYWORDS: readonly TokenType[] = [
  ...DECLARATION_KEYWORDS, ...FEATURE_KINDS, Concat, Mlp, Over, On, Loss, WeightBy, Weight, Where, By, EarlyStop, True, False,
];
/** Operators and punctuation (`->` before `-`). */
export const OPERATORS: readonly TokenType[] = [Arrow, Equals, Colon, Comma, Star, Plus, Minus, Amp, Pipe, Bang, LParen, RParen, LBracket, RBracket, LCurly, RCurly];

/** Every token type in lexing order: comments before operators, keywords before Identifier. */
export const ALL_TOKENS: readonly TokenType[] = [
  WhiteSpace, Comment, StringLiteral, UnterminatedString, NumberLiteral, ...KEYWORDS, Identifier, ...OPERATORS, InvalidRun,
];

/** The plain token table for editors (JSON-serialisable data). */
export interface TokenTable {
  /** Reserved words: cannot be names. */
  keywords: string[];
  /** Of which: words that start a declaration. */
  declarationKeywords: string[];
  /** Words with a meaning in one context only (option words, setting keys, enumerated values); valid names elsewhere. */
  contextualWords: string[];
  /** The contextual words by role, for highlighting: settings and options, computations, enumerated values. */
  contextualRoles: { option: string[]; function: string[]; value: string[] };
  /** Operator and punctuation images. */
  operators: string[];
  /** Bracket pairs. */
  brackets: Array<[string, string]>;
  /** Line comment starters. */
  lineComments: string[];
  /** Regular-expression sources (JavaScript/Oniguruma compatible). */
  patterns: { comment: string; string: string; number: string; identifier: string };
}

const wordOf = (t: TokenType): string => t.name.slice('Kw_'.length);
const imageOf = (t: TokenType): string => (t.LABEL ?? '').slice(1, -1);

/** The token table: what an editor grammar needs to highlight .mtl files. */
export const TOKEN_TABLE: Readonly<TokenTable> = Object.freeze({
  keywords: KEYWORDS.map(wordOf),
  declarationKeywords: DECLARATION_KEYWORDS.map(wordOf),
  contextualWords: [...CONTEXTUAL_WORDS],
  // A reserved word listed among the settings for completeness (`early_stop`) is highlighted as a keyword.
  contextualRoles: {
    option: OPTION_WORDS.filter((w) => !KEYWORDS.map(wordOf).includes(w)),
    function: FUNCTION_WORDS.filter((w) => !KEYWORDS.map(wordOf).includes(w)),
    value: VALUE_WORDS.filter((w) => !KEYWORDS.map(wordOf).includes(w)),
  },
  operators: OPERATORS.map(imageOf),
  brackets: [['(', ')'], ['[', ']'], ['{', '}']] as Array<[string, string]>,
  lineComments: ['#', '//'],
  patterns: { comment: COMMENT_SOURCE, string: STRING_SOURCE, number: NUMBER_SOURCE, identifier: IDENTIFIER_SOURCE },
});
