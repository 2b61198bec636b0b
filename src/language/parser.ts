/**
 * The .mtl grammar: a chevrotain CstParser with error recovery (grammar only; the CST is turned into
 * IR by src/language/builder.ts). Option words inside features, labels, MLPs, data and train blocks are
 * plain identifiers here and are checked by the builder, which gives better messages ("did you mean")
 * than a grammar of keywords could, and keeps those words usable as names.
 */
import { CstParser, EOF, type CstElement, type CstNode, type IRecognitionException, type IToken } from 'chevrotain';
import { describeToken, parserMessages, TOP_LEVEL_JUNK } from './messages.js';
import { isRealToken, type LineIndex } from './positions.js';
import * as T from './tokens.js';
import { SCHEDULE_OPTIONS } from '../ir/ops/index.js';

/** Line index of the text being parsed (set by parseTokens), for the one grammar decision that depends on lines. */
let currentLines: LineIndex | undefined;

/** True when two tokens start on the same line (or lines are unknown). */
function onSameLine(a: IToken, b: IToken): boolean {
  if (!currentLines || !isRealToken(a) || !isRealToken(b)) return true;
  return currentLines.lineOf(a.startOffset) === currentLines.lineOf(b.startOffset);
}

/** Thrown through chevrotain when a parse has found too many errors to be worth finishing. */
class ParseAbandoned extends Error {}

/** The parser. Construct it once (`theParser()`): chevrotain's grammar analysis is slow. */
export class MtlParser extends CstParser {
  constructor() {
    super([...T.ALL_TOKENS], { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: parserMessages });
    this.performSelfAnalysis();
  }

  /** Recognition errors allowed before the parse is abandoned (set by parseTokens). */
  errorBudget = Infinity;

  /** Chevrotain's hook for every recognition error: past the budget, abandon the parse (error recovery is what makes garbage slow). */
  SAVE_ERROR(error: IRecognitionException): IRecognitionException {
    const saved = (this as unknown as { _errors: IRecognitionException[] })._errors;
    if (saved.length >= this.errorBudget) throw new ParseAbandoned();
    return (CstParser.prototype as unknown as { SAVE_ERROR(e: IRecognitionException): IRecognitionException }).SAVE_ERROR.call(this, error);
  }

  /**
   * A whole file: declarations. Where none can start, the parse stops (NotAllInputParsed) and
   * parseTokens skips to the next declaration and parses on, so that nothing after junk is lost.
   */
  spec = this.RULE('spec', () => {
    this.MANY(() => this.SUBRULE(this.declaration));
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
    // Only a string on the same line is the model's docstring; one on the next line documents the next declaration.
    this.OPTION({ GATE: () => onSameLine(this.LA(0), this.LA(1)), DEF: () => this.CONSUME(T.StringLiteral, { LABEL: 'doc' }) });
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
        { ALT: () => this.SUBRULE(this.weightByClause) },
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

  /** `weight_by COL`: the data column of per-row sample weights (task, metric, train block). */
  weightByClause = this.RULE('weightByClause', () => {
    this.CONSUME(T.WeightBy, { LABEL: 'keyword' });
    this.CONSUME(T.Identifier, { LABEL: 'column' });
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
        { ALT: () => this.SUBRULE(this.weightByClause) },
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
      { ALT: () => this.SUBRULE(this.weightByClause) },
      {
        ALT: () => {
          const key = this.CONSUME(T.Identifier, { LABEL: 'key' });
          this.SUBRULE(this.value);
          // `schedule NAME` goes on with option words (`warmup 500`, `every 2 epochs`): only the registry's
          // schedule options continue it, so a train key after it (even on the same line) starts the next entry.
          this.MANY({ GATE: () => key.image === 'schedule' && SCHEDULE_OPTIONS.includes(this.LA(1).image), DEF: () => this.SUBRULE(this.scheduleOption) });
        },
      },
    ]);
  });

  /** One schedule option: `warmup 500`, `min_lr 1e-5`, `gamma 0.5`, `every 2 epochs`. */
  scheduleOption = this.RULE('scheduleOption', () => {
    const key = this.CONSUME(T.Identifier, { LABEL: 'key' });
    this.SUBRULE(this.number);
    this.OPTION({
      GATE: () => key.image === 'every' && this.LA(1).tokenType === T.Identifier && onSameLine(key, this.LA(1)),
      DEF: () => this.CONSUME2(T.Identifier, { LABEL: 'unit' }),
    });
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

/** Tokens per parsing chunk (chunks end before a declaration keyword). */
const CHUNK_TOKENS = 1000;

/**
 * Split a token vector before declaration keywords, about every CHUNK_TOKENS tokens. A docstring
 * stays with its declaration; `train` splits only outside braces (it is also a data key).
 */
function chunksOf(tokens: IToken[]): IToken[][] {
  const chunks: IToken[][] = [];
  let start = 0;
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const type = tokens[i]!.tokenType;
    if (type === T.LCurly) depth++;
    else if (type === T.RCurly) depth = Math.max(0, depth - 1);
    if (i - start < CHUNK_TOKENS || !T.DECLARATION_KEYWORDS.includes(type) || (type === T.Train && depth > 0)) continue;
    let cut = i;
    const before = tokens[i - 1]?.tokenType;
    const isModelDoc = tokens[i - 3]?.tokenType === T.Model && onSameLine(tokens[i - 2]!, tokens[i - 1]!);
    const isDoc = before === T.StringLiteral && tokens[i - 2]?.tokenType !== T.Use && !isModelDoc;
    if (isDoc) cut = i - 1;
    if (cut <= start) continue;
    chunks.push(tokens.slice(start, cut));
    start = cut;
    depth = 0;
  }
  chunks.push(tokens.slice(start));
  return chunks;
}

/** True when a declaration starts at tokens[i] (its keyword, or a docstring before one). */
function startsDeclaration(tokens: IToken[], i: number): boolean {
  const type = tokens[i]!.tokenType;
  if (T.DECLARATION_KEYWORDS.includes(type)) return true;
  const next = tokens[i + 1]?.tokenType;
  return (type === T.StringLiteral || type === T.UnterminatedString) && next !== undefined && T.DECLARATION_KEYWORDS.includes(next);
}

/** Index of the token starting at `offset` (binary search). */
function indexAt(tokens: IToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (tokens[m]!.startOffset < offset) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** Offset of the first real token of a CST node (depth-first, leftmost). */
function firstOffset(node: CstNode): number | undefined {
  let best: number | undefined;
  for (const list of Object.values(node.children)) {
    for (const e of list) {
      const o = 'tokenType' in e ? (isRealToken(e) ? e.startOffset : undefined) : firstOffset(e);
      if (o !== undefined && (best === undefined || o < best)) best = o;
      break; // children lists are in text order: the first element of each list is its earliest
    }
  }
  return best;
}

/** What parseTokens produces. */
export interface ParsedTokens {
  cst: CstNode;
  errors: IRecognitionException[];
  /** Tokens skipped at the top level because no declaration can start there, in text order. */
  stray: IToken[];
}

/**
 * Parse a token vector into a CST, chunk by chunk (the CSTs are merged), stopping once `maxErrors`
 * errors are found: on broken or huge input, error recovery is what costs time. Junk between
 * declarations is skipped (returned as `stray`) and parsing goes on after it.
 */
export function parseTokens(tokens: IToken[], maxErrors = Infinity, lines?: LineIndex): ParsedTokens {
  const p = theParser();
  // Chevrotain's recognition exceptions are Errors: capturing a stack for each one dominated the
  // time of parsing broken files, and nothing reads those stacks.
  const stackLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const children: Record<string, CstElement[]> = {};
  const errors: IRecognitionException[] = [];
  const stray: IToken[] = [];
  try {
    parserMessages.setTokens(tokens);
    currentLines = lines;
    const chunks = chunksOf(tokens);
    outer: for (let c = 0; c < chunks.length && errors.length < maxErrors; c++) {
      const next = chunks[c + 1]?.[0];
      let chunk = chunks[c]!;
      while (chunk.length > 0) {
        p.input = chunk;
        p.errorBudget = maxErrors - errors.length;
        let cst: CstNode;
        try {
          cst = p.spec();
        } catch (e) {
          // Abandoned: this chunk's CST is lost, its errors are kept, and parsing stops.
          if (!(e instanceof ParseAbandoned)) throw e;
          errors.push(...p.errors);
          break outer;
        }
        const junk = p.errors.find((e) => e.name === 'NotAllInputParsedException' || e.message === TOP_LEVEL_JUNK);
        const redundant = junk?.token;
        // Recovery may have parsed on past the junk; that part is parsed again after skipping it.
        const before = (e: CstElement): boolean => !redundant || (firstOffset(e as CstNode) ?? -1) < redundant.startOffset;
        for (const [key, list] of Object.entries(cst.children)) {
          const into = (children[key] ??= []);
          for (const e of list) if (before(e)) into.push(e);
        }
        for (const e of p.errors) {
          if (e === junk || (redundant && isRealToken(e.token) && e.token.startOffset >= redundant.startOffset)) continue;
          // The end of a chunk is not the end of the file: the next token is what was found.
          if (next && e.token.tokenType === EOF) {
            (e as { token: IToken }).token = next;
            e.message = e.message.replace(/found the end of the file\.$/, `found ${describeToken(next)}.`);
          }
          errors.push(e);
        }
        if (!redundant) break;
        const from = indexAt(chunk, redundant.startOffset);
        let to = from;
        do stray.push(chunk[to++]!);
        while (to < chunk.length && !startsDeclaration(chunk, to));
        chunk = chunk.slice(to);
      }
    }
    return { cst: { name: 'spec', children }, errors: errors.slice(0, maxErrors), stray };
  } finally {
    Error.stackTraceLimit = stackLimit;
    p.errorBudget = Infinity;
    currentLines = undefined;
    parserMessages.setTokens([]);
  }
}
