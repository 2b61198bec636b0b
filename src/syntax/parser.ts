/**
 * The .mtl grammar: a chevrotain CstParser with error recovery (grammar only; the CST is turned into
 * IR by src/ir/builder.ts). Option words inside features, labels, MLPs, data and train blocks are
 * plain identifiers here and are checked by the builder, which gives better messages ("did you mean")
 * than a grammar of keywords could, and keeps those words usable as names.
 */
import { CstParser, type CstNode, type IToken, type TokenType } from 'chevrotain';
import { parserMessages } from './messages.js';
import * as T from './tokens.js';

/** Tokens that cannot start a declaration: consumed one by one at the top level and reported by the builder. */
const STRAY_TOKENS: readonly TokenType[] = [
  T.Identifier, T.NumberLiteral,
  ...T.KEYWORDS.filter((k) => !T.DECLARATION_KEYWORDS.includes(k)),
  ...T.OPERATORS,
];

/** The parser. Construct it once (`theParser()`): chevrotain's grammar analysis is slow. */
export class MtlParser extends CstParser {
  constructor() {
    super([...T.ALL_TOKENS], { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: parserMessages });
    this.performSelfAnalysis();
  }

  /** A whole file: declarations, and stray tokens where a declaration cannot start (so that parsing never stops early). */
  spec = this.RULE('spec', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.declaration) },
        { ALT: () => this.SUBRULE(this.stray) },
      ]);
    });
  });

  stray = this.RULE('stray', () => {
    this.OR(STRAY_TOKENS.map((t) => ({ ALT: () => this.consume(0, t, { LABEL: 'token' }) })));
  });

  /** An optional docstring, then one declaration. */
  declaration = this.RULE('declaration', () => {
    this.OPTION(() => this.CONSUME(T.StringLiteral, { LABEL: 'doc' }));
    this.OR([
      { ALT: () => this.SUBRULE(this.modelDecl) },
      { ALT: () => this.SUBRULE(this.useDecl) },
      { ALT: () => this.SUBRULE(this.dataDecl) },
      { ALT: () => this.SUBRULE(this.featuresDecl) },
      { ALT: () => this.SUBRULE(this.labelsDecl) },
      { ALT: () => this.SUBRULE(this.inputDecl) },
      { ALT: () => this.SUBRULE(this.layerDecl) },
      { ALT: () => this.SUBRULE(this.expertsDecl) },
      { ALT: () => this.SUBRULE(this.gateDecl) },
      { ALT: () => this.SUBRULE(this.towerDecl) },
      { ALT: () => this.SUBRULE(this.taskDecl) },
      { ALT: () => this.SUBRULE(this.metricDecl) },
      { ALT: () => this.SUBRULE(this.trainDecl) },
    ]);
  });

  modelDecl = this.RULE('modelDecl', () => {
    this.CONSUME(T.Model, { LABEL: 'keyword' });
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => this.CONSUME(T.StringLiteral, { LABEL: 'doc' }));
  });

  useDecl = this.RULE('useDecl', () => {
    this.CONSUME(T.Use, { LABEL: 'keyword' });
    this.CONSUME(T.StringLiteral, { LABEL: 'source' });
  });

  dataDecl = this.RULE('dataDecl', () => {
    this.CONSUME(T.Data, { LABEL: 'keyword' });
    this.CONSUME(T.LCurly, { LABEL: 'open' });
    this.MANY(() => this.SUBRULE(this.dataEntry));
    this.CONSUME(T.RCurly, { LABEL: 'close' });
  });

  /** `KEY VALUE`; `train` is a reserved word but also the key of a training file. */
  dataEntry = this.RULE('dataEntry', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'key' }) },
      { ALT: () => this.CONSUME(T.Train, { LABEL: 'key' }) },
    ]);
    this.SUBRULE(this.value);
  });

  featuresDecl = this.RULE('featuresDecl', () => {
    this.CONSUME(T.Features, { LABEL: 'keyword' });
    this.CONSUME(T.LCurly, { LABEL: 'open' });
    this.MANY(() => this.SUBRULE(this.featureEntry));
    this.CONSUME(T.RCurly, { LABEL: 'close' });
  });

  featureEntry = this.RULE('featureEntry', () => {
    this.OPTION(() => this.CONSUME(T.StringLiteral, { LABEL: 'doc' }));
    this.OR([
      { ALT: () => this.CONSUME(T.Categorical, { LABEL: 'kind' }) },
      { ALT: () => this.CONSUME(T.Sequence, { LABEL: 'kind' }) },
      { ALT: () => this.CONSUME(T.Numeric, { LABEL: 'kind' }) },
    ]);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.MANY(() => this.SUBRULE(this.optionEntry));
  });

  /** `WORD VALUE [, VALUE]...` inside features and labels. */
  optionEntry = this.RULE('optionEntry', () => {
    this.CONSUME(T.Identifier, { LABEL: 'key' });
    this.SUBRULE(this.value);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.value);
    });
  });

  labelsDecl = this.RULE('labelsDecl', () => {
    this.CONSUME(T.Labels, { LABEL: 'keyword' });
    this.CONSUME(T.LCurly, { LABEL: 'open' });
    this.MANY(() => this.SUBRULE(this.labelEntry));
    this.CONSUME(T.RCurly, { LABEL: 'close' });
  });

  labelEntry = this.RULE('labelEntry', () => {
    this.OPTION(() => this.CONSUME(T.StringLiteral, { LABEL: 'doc' }));
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Colon);
    this.CONSUME2(T.Identifier, { LABEL: 'type' });
    // `NAME :` starts the next label, so an option is a word not followed by ':'.
    this.MANY({ GATE: () => this.LA(2).tokenType !== T.Colon, DEF: () => this.SUBRULE(this.optionEntry) });
  });

  inputDecl = this.RULE('inputDecl', () => {
    this.CONSUME(T.Input, { LABEL: 'keyword' });
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Equals);
    this.CONSUME(T.Concat);
    this.CONSUME(T.LParen);
    // `*` is every feature, in declaration order.
    this.OR([
      { ALT: () => this.CONSUME2(T.Identifier, { LABEL: 'from' }) },
      { ALT: () => this.CONSUME(T.Star, { LABEL: 'from' }) },
    ]);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.OR2([
        { ALT: () => this.CONSUME3(T.Identifier, { LABEL: 'from' }) },
        { ALT: () => this.CONSUME2(T.Star, { LABEL: 'from' }) },
      ]);
    });
    this.CONSUME(T.RParen, { LABEL: 'close' });
  });

  layerDecl = this.RULE('layerDecl', () => {
    this.CONSUME(T.Layer, { LABEL: 'keyword' });
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.mlpSpec);
    this.CONSUME(T.On);
    this.CONSUME2(T.Identifier, { LABEL: 'on' });
  });

  expertsDecl = this.RULE('expertsDecl', () => {
    this.CONSUME(T.Experts, { LABEL: 'keyword' });
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.LBracket);
    this.SUBRULE(this.number, { LABEL: 'count' });
    this.CONSUME(T.RBracket);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.mlpSpec);
    this.CONSUME(T.On);
    this.CONSUME2(T.Identifier, { LABEL: 'on' });
  });

  gateDecl = this.RULE('gateDecl', () => {
    this.CONSUME(T.Gate, { LABEL: 'keyword' });
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Equals);
    this.CONSUME2(T.Identifier, { LABEL: 'type' });
    this.OPTION(() => this.SUBRULE(this.gateParams));
    this.CONSUME(T.Over);
    this.CONSUME3(T.Identifier, { LABEL: 'over' });
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.CONSUME4(T.Identifier, { LABEL: 'over' });
    });
    this.CONSUME(T.On);
    this.CONSUME5(T.Identifier, { LABEL: 'on' });
  });

  gateParams = this.RULE('gateParams', () => {
    this.CONSUME(T.LParen, { LABEL: 'open' });
    this.OPTION(() => {
      this.SUBRULE(this.param);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.param);
      });
    });
    this.CONSUME(T.RParen, { LABEL: 'close' });
  });

  param = this.RULE('param', () => {
    this.CONSUME(T.Identifier, { LABEL: 'key' });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.value);
  });

  towerDecl = this.RULE('towerDecl', () => {
    this.CONSUME(T.Tower, { LABEL: 'keyword' });
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.mlpSpec);
    this.CONSUME(T.On);
    this.CONSUME2(T.Identifier, { LABEL: 'on' });
    this.CONSUME(T.Arrow);
    this.CONSUME3(T.Identifier, { LABEL: 'output' });
  });

  /** `mlp(U1, U2, ...) [WORD [NUMBER]]...` (activation, `dropout P`, `batchnorm`). */
  mlpSpec = this.RULE('mlpSpec', () => {
    this.CONSUME(T.Mlp, { LABEL: 'keyword' });
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.number, { LABEL: 'units' });
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.number, { LABEL: 'units' });
      });
    });
    this.CONSUME(T.RParen, { LABEL: 'close' });
    this.MANY2(() => this.SUBRULE(this.mlpOption));
  });

  mlpOption = this.RULE('mlpOption', () => {
    this.CONSUME(T.Identifier, { LABEL: 'key' });
    this.OPTION(() => this.SUBRULE(this.number));
  });

  taskDecl = this.RULE('taskDecl', () => {
    this.CONSUME(T.Task, { LABEL: 'keyword' });
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Equals);
    this.CONSUME2(T.Identifier, { LABEL: 'head' });
    this.MANY(() => {
      this.CONSUME(T.Star);
      this.CONSUME3(T.Identifier, { LABEL: 'head' });
    });
    // Clauses in any order; `loss` is required, which the builder checks (better message, full recovery).
    this.MANY2(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.lossClause) },
        { ALT: () => this.SUBRULE(this.weightClause) },
        { ALT: () => this.SUBRULE(this.whereClause) },
      ]);
    });
  });

  lossClause = this.RULE('lossClause', () => {
    this.CONSUME(T.Loss, { LABEL: 'keyword' });
    this.CONSUME(T.Identifier, { LABEL: 'type' });
    this.CONSUME(T.LParen);
    this.SUBRULE(this.labelExpr);
    this.CONSUME(T.RParen, { LABEL: 'close' });
  });

  weightClause = this.RULE('weightClause', () => {
    this.CONSUME(T.Weight, { LABEL: 'keyword' });
    this.SUBRULE(this.number);
  });

  whereClause = this.RULE('whereClause', () => {
    this.CONSUME(T.Where, { LABEL: 'keyword' });
    this.SUBRULE(this.labelExpr);
  });

  byClause = this.RULE('byClause', () => {
    this.CONSUME(T.By, { LABEL: 'keyword' });
    this.CONSUME(T.Identifier, { LABEL: 'column' });
  });

  metricDecl = this.RULE('metricDecl', () => {
    this.CONSUME(T.Metric, { LABEL: 'keyword' });
    this.SUBRULE(this.metricCall);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.byClause) },
        { ALT: () => this.SUBRULE(this.whereClause) },
      ]);
    });
  });

  /** `FN(OUTPUT [, LABELEXPR])`. */
  metricCall = this.RULE('metricCall', () => {
    this.CONSUME(T.Identifier, { LABEL: 'fn' });
    this.CONSUME(T.LParen);
    this.CONSUME2(T.Identifier, { LABEL: 'output' });
    this.OPTION(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE(this.labelExpr);
    });
    this.CONSUME(T.RParen, { LABEL: 'close' });
  });

  trainDecl = this.RULE('trainDecl', () => {
    this.CONSUME(T.Train, { LABEL: 'keyword' });
    this.CONSUME(T.LCurly, { LABEL: 'open' });
    this.MANY(() => this.SUBRULE(this.trainEntry));
    this.CONSUME(T.RCurly, { LABEL: 'close' });
  });

  trainEntry = this.RULE('trainEntry', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.EarlyStop, { LABEL: 'key' });
          this.SUBRULE(this.metricSum);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Identifier, { LABEL: 'key' });
          this.SUBRULE(this.value);
        },
      },
    ]);
  });

  /** `[-] TERM (+|- TERM)...`, e.g. `2 * auc(ctr) - logloss(ctr)`. */
  metricSum = this.RULE('metricSum', () => {
    this.OPTION(() => this.CONSUME(T.Minus, { LABEL: 'lead' }));
    this.SUBRULE(this.metricTerm);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Plus, { LABEL: 'sign' }) },
        { ALT: () => this.CONSUME2(T.Minus, { LABEL: 'sign' }) },
      ]);
      this.SUBRULE2(this.metricTerm);
    });
  });

  metricTerm = this.RULE('metricTerm', () => {
    this.OPTION(() => {
      this.CONSUME(T.NumberLiteral, { LABEL: 'coef' });
      this.CONSUME(T.Star);
    });
    this.SUBRULE(this.metricCall);
  });

  /** A value: number, string, boolean, word or list. */
  value = this.RULE('value', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.number) },
      { ALT: () => this.CONSUME(T.StringLiteral, { LABEL: 'string' }) },
      { ALT: () => this.CONSUME(T.True, { LABEL: 'bool' }) },
      { ALT: () => this.CONSUME(T.False, { LABEL: 'bool' }) },
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'word' }) },
      { ALT: () => this.SUBRULE(this.list) },
    ]);
  });

  number = this.RULE('number', () => {
    this.OPTION(() => this.CONSUME(T.Minus, { LABEL: 'sign' }));
    this.CONSUME(T.NumberLiteral, { LABEL: 'digits' });
  });

  list = this.RULE('list', () => {
    this.CONSUME(T.LBracket, { LABEL: 'open' });
    this.OPTION(() => {
      this.SUBRULE(this.value);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.value);
      });
    });
    this.CONSUME(T.RBracket, { LABEL: 'close' });
  });

  /** Label expressions: `|` binds looser than `&`; `!` binds tightest. */
  labelExpr = this.RULE('labelExpr', () => {
    this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.CONSUME(T.Pipe);
      this.SUBRULE2(this.andExpr);
    });
  });

  andExpr = this.RULE('andExpr', () => {
    this.SUBRULE(this.notExpr);
    this.MANY(() => {
      this.CONSUME(T.Amp);
      this.SUBRULE2(this.notExpr);
    });
  });

  /** `!` repeated iteratively (not recursively): thousands of them cannot overflow the stack. */
  notExpr = this.RULE('notExpr', () => {
    this.MANY(() => this.CONSUME(T.Bang, { LABEL: 'bang' }));
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'label' }) },
      {
        ALT: () => {
          this.CONSUME(T.LParen, { LABEL: 'open' });
          this.SUBRULE(this.labelExpr);
          this.CONSUME(T.RParen, { LABEL: 'close' });
        },
      },
    ]);
  });
}

let parser: MtlParser | undefined;

/** The shared parser instance (created on first use, reused: construction is slow). */
export function theParser(): MtlParser {
  parser ??= new MtlParser();
  return parser;
}

/** Parse a token vector into a CST; the parser's `errors` hold what went wrong. */
export function parseTokens(tokens: IToken[]): { cst: CstNode; errors: MtlParser['errors'] } {
  const p = theParser();
  parserMessages.setTokens(tokens);
  p.input = tokens;
  const cst = p.spec();
  const errors = p.errors;
  parserMessages.setTokens([]);
  return { cst, errors };
}
