/**
 * Shared machinery of the CST→IR builder: CST access that tolerates nodes cut short by error
 * recovery, ranges, diagnostics, and the readers of values, numbers, strings and label expressions.
 */
import type { CstElement, CstNode, IToken } from 'chevrotain';
import { diag, type DiagnosticExtras } from '../diagnostics/catalog.js';
import { suggest } from '../diagnostics/suggest.js';
import type { Diagnostic, Range } from '../diagnostics/types.js';
import { isRealToken, tokensRange, type LineIndex } from './positions.js';
import { UnterminatedString } from './tokens.js';
import type { JsonValue, LabelExpr } from '../ir/types.js';

// ---------------------------------------------------------------- CST access

function isToken(e: CstElement): e is IToken {
  return (e as IToken).tokenType !== undefined;
}

/** The i-th token under `label`, if it exists and was not invented by error recovery. */
export function tok(node: CstNode | undefined, label: string, i = 0): IToken | undefined {
  const e = node?.children[label]?.[i];
  return e && isToken(e) && isRealToken(e) ? e : undefined;
}

/** Every real token under `label`. */
export function toks(node: CstNode | undefined, label: string): IToken[] {
  return (node?.children[label] ?? []).filter((e): e is IToken => isToken(e) && isRealToken(e));
}

/** The i-th sub-node under `label`. */
export function sub(node: CstNode | undefined, label: string, i = 0): CstNode | undefined {
  const e = node?.children[label]?.[i];
  return e && !isToken(e) ? e : undefined;
}

/** Every sub-node under `label`. */
export function subs(node: CstNode | undefined, label: string): CstNode[] {
  return (node?.children[label] ?? []).filter((e): e is CstNode => !isToken(e));
}

/** First and last real tokens of a node (iterative walk: CSTs may be deep). */
export function edgeTokens(node: CstNode | undefined): [IToken, IToken] | undefined {
  if (!node) return undefined;
  let first: IToken | undefined;
  let last: IToken | undefined;
  const stack: CstNode[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    for (const list of Object.values(n.children)) {
      for (const e of list) {
        if (isToken(e)) {
          if (!isRealToken(e)) continue;
          if (!first || e.startOffset < first.startOffset) first = e;
          if (!last || e.startOffset > last.startOffset) last = e;
        } else stack.push(e);
      }
    }
  }
  return first && last ? [first, last] : undefined;
}

// ---------------------------------------------------------------- values

/** A value as written, before it is given a meaning. */
export type Value =
  | { kind: 'number'; value: number; range: Range }
  | { kind: 'string'; value: string; range: Range }
  | { kind: 'bool'; value: boolean; range: Range }
  | { kind: 'word'; value: string; range: Range }
  | { kind: 'list'; items: Value[]; range: Range };

/** What a value is called in messages. */
export function kindName(v: Value): string {
  switch (v.kind) {
    case 'number': return `the number ${v.value}`;
    case 'string': return `the string ${JSON.stringify(v.value)}`;
    case 'bool': return `'${v.value}'`;
    case 'word': return `the word '${v.value}'`;
    case 'list': return 'a list';
  }
}

/** A value as JSON (words become strings). */
export function toJson(v: Value): JsonValue {
  return v.kind === 'list' ? v.items.map(toJson) : v.value;
}

// ---------------------------------------------------------------- the context

/** The builder's state for one file: the text's line index, the file name and the diagnostics so far. */
export class BuildContext {
  readonly diagnostics: Diagnostic[] = [];
  private readonly extras: DiagnosticExtras;

  constructor(readonly index: LineIndex, readonly file?: string) {
    this.extras = file !== undefined ? { file } : {};
  }

  /** Report a catalog diagnostic. */
  report(code: string, range: Range, args: Record<string, string | number> = {}, extras: DiagnosticExtras = {}): void {
    this.diagnostics.push(diag(code, range, args, { ...this.extras, ...extras }));
  }

  /** Report an unknown word with a did-you-mean hint (or the list of what is allowed). */
  reportUnknown(code: string, range: Range, word: string, candidates: readonly string[], args: Record<string, string | number>): void {
    const close = suggest(word, candidates);
    const hint = close !== undefined ? `Did you mean '${close}'?` : `Expected one of: ${candidates.join(', ')}.`;
    const fix = close !== undefined ? { title: `Replace '${word}' with '${close}'`, edits: [{ range, newText: close }] } : undefined;
    this.report(code, range, { word, ...args }, fix ? { hint, fix } : { hint });
  }

  /** Range of one token, or of the span between two (recovery tokens ignored). */
  range(first: IToken | undefined, last?: IToken): Range | undefined {
    return tokensRange(this.index, first, last ?? first);
  }

  /** Range of a whole node (its first to last real token). */
  nodeRange(node: CstNode | undefined): Range | undefined {
    const edges = edgeTokens(node);
    return edges ? this.range(edges[0], edges[1]) : undefined;
  }

  /** A range for a diagnostic about something missing: the node's range, else the start of the file. */
  fallback(...candidates: Array<Range | undefined>): Range {
    for (const c of candidates) if (c) return c;
    return this.index.pointRange(0);
  }

  /** The number of a `number` node (`-`? digits); undefined when recovery left it empty. */
  number(node: CstNode | undefined): { value: number; range: Range } | undefined {
    const digits = tok(node, 'digits');
    if (!digits) return undefined;
    const sign = tok(node, 'sign');
    let value = Number(digits.image);
    // Overflow was reported by the lexer; keep the IR plain JSON.
    if (!Number.isFinite(value)) value = 0;
    if (sign) value = -value;
    if (Object.is(value, -0)) value = 0;
    return { value, range: this.range(sign ?? digits, digits)! };
  }

  /** The text of a string token, unescaped (invalid escapes are reported and kept as written). */
  string(t: IToken): string {
    const unterminated = t.tokenType === UnterminatedString;
    let body = t.image.slice(1, unterminated ? undefined : -1);
    if (unterminated && body.endsWith('\\') && !body.endsWith('\\\\')) body = body.slice(0, -1);
    if (!body.includes('\\')) return body;
    let out = '';
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!;
      if (c !== '\\' || i + 1 >= body.length) {
        out += c;
        continue;
      }
      const n = body[++i]!;
      const mapped = ({ '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r' } as Record<string, string>)[n];
      if (mapped !== undefined) out += mapped;
      else {
        const at = t.startOffset + i; // the backslash: +1 for the opening quote, -1 back from the escaped character
        this.report('MTL1005', this.index.spanRange(at, at + 1), { text: `\\${n}` });
        out += `\\${n}`;
      }
    }
    return out;
  }

  /** Read a `value` node; undefined when recovery left it empty. */
  value(node: CstNode | undefined): Value | undefined {
    if (!node) return undefined;
    const num = sub(node, 'number');
    if (num) {
      const n = this.number(num);
      return n && { kind: 'number', ...n };
    }
    const s = tok(node, 'string');
    if (s) return { kind: 'string', value: this.string(s), range: this.range(s)! };
    const b = tok(node, 'bool');
    if (b) return { kind: 'bool', value: b.image === 'true', range: this.range(b)! };
    const w = tok(node, 'word');
    if (w) return { kind: 'word', value: w.image, range: this.range(w)! };
    const list = sub(node, 'list');
    if (list) {
      const range = this.nodeRange(list);
      if (!range) return undefined;
      const items: Value[] = [];
      for (const v of subs(list, 'value')) {
        const item = this.value(v);
        if (item) items.push(item);
      }
      return { kind: 'list', items, range };
    }
    return undefined;
  }

  /**
   * A label expression from a `labelExpr` node. Depth is bounded by the lexer's nesting limit, and
   * `!` chains and `&`/`|` lists are handled iteratively.
   */
  labelExpr(node: CstNode | undefined): LabelExpr | undefined {
    if (!node) return undefined;
    const ands = subs(node, 'andExpr').map((a) => this.andExpr(a)).filter((e): e is LabelExpr => e !== undefined);
    if (ands.length === 0) return undefined;
    if (ands.length === 1) return ands[0];
    return { op: 'or', args: ands, ...this.locOf(node) };
  }

  private andExpr(node: CstNode): LabelExpr | undefined {
    const nots = subs(node, 'notExpr').map((n) => this.notExpr(n)).filter((e): e is LabelExpr => e !== undefined);
    if (nots.length === 0) return undefined;
    if (nots.length === 1) return nots[0];
    return { op: 'and', args: nots, ...this.locOf(node) };
  }

  private notExpr(node: CstNode): LabelExpr | undefined {
    let inner: LabelExpr | undefined;
    const label = tok(node, 'label');
    if (label) inner = { label: label.image, loc: this.range(label)! };
    else {
      inner = this.labelExpr(sub(node, 'labelExpr'));
      // Parentheses belong to the expression's range.
      const open = tok(node, 'open');
      const close = tok(node, 'close');
      if (inner && open && close) inner.loc = this.range(open, close)!;
    }
    if (!inner) return undefined;
    const bangs = toks(node, 'bang');
    for (let i = bangs.length - 1; i >= 0; i--) {
      const end = edgeTokens(node)![1];
      inner = { op: 'not', arg: inner, loc: this.range(bangs[i], end)! };
    }
    return inner;
  }

  private locOf(node: CstNode): { loc?: Range } {
    const r = this.nodeRange(node);
    return r ? { loc: r } : {};
  }

  /**
   * A word that must be one of `allowed` (an activation, a pooling …). Reports MTL1040 and returns
   * undefined when it is not.
   */
  oneOf<W extends string>(v: Value | undefined, allowed: readonly W[], what: string): W | undefined {
    if (!v) return undefined;
    if ((v.kind === 'word' || v.kind === 'string') && (allowed as readonly string[]).includes(v.value)) return v.value as W;
    const shown = v.kind === 'word' || v.kind === 'string' ? v.value : kindName(v);
    const close = v.kind === 'word' || v.kind === 'string' ? suggest(v.value, allowed) : undefined;
    this.report('MTL1040', v.range, { what, value: shown }, { hint: close !== undefined ? `Did you mean '${close}'? Allowed: ${allowed.join(', ')}.` : `Allowed: ${allowed.join(', ')}.` });
    return undefined;
  }

  /** A value that must be a number; reports MTL1043 otherwise. */
  numberValue(v: Value | undefined, word: string): number | undefined {
    if (!v) return undefined;
    if (v.kind === 'number') return v.value;
    this.report('MTL1043', v.range, { word, expected: 'a number', found: kindName(v) });
    return undefined;
  }

  /** A value that must be a string (a bare word is accepted too); reports MTL1043 otherwise. */
  textValue(v: Value | undefined, word: string, allowWord = true): string | undefined {
    if (!v) return undefined;
    if (v.kind === 'string' || (allowWord && v.kind === 'word')) return v.value;
    this.report('MTL1043', v.range, { word, expected: 'a string', found: kindName(v) });
    return undefined;
  }
}
