/**
 * The formatter: the canonical layout of a syntactically valid spec. It re-spaces the token stream
 * (so the IR cannot change) with line breaks taken from the CST: one declaration per line, block
 * entries on their own lines indented by 2, a blank line around blocks and between groups of
 * different declaration kinds (graph nodes count as one kind) and where the user had one, docstrings on their own line. Comments survive: a comment on
 * the same line as the code before it stays there; any other comment keeps its own line, indented
 * like the code that follows it. Formatting is idempotent.
 */
import type { CstNode, IToken } from 'chevrotain';
import type { StageResult } from '../diagnostics/types.js';
import { declarationsOf } from './builder.js';
import { edgeTokens, subs, tok } from './build-context.js';
import { analyzeSpec } from './index.js';
import * as T from './tokens.js';

const GRAPH_RULES = new Set(['inputDecl', 'layerDecl', 'expertsDecl', 'gateDecl', 'towerDecl']);

/** How a token starts its line. */
interface Break {
  indent: number;
  /** decl: a declaration; entry: a block entry; tight: a new line that never gets a blank line before it. */
  kind: 'decl' | 'entry' | 'tight';
  /** Declarations of one group need no blank line between them. */
  group?: string;
}

/**
 * Where the lines of a spec start, from its CST; and the tokens followed by padding: in a features block
 * the kind and name columns are aligned (gofmt-style), since long feature lists are read as a table.
 */
function layoutOf(cst: CstNode): { breaks: Map<number, Break>; attached: Set<number>; padAfter: Map<number, number> } {
  const breaks = new Map<number, Break>();
  const attached = new Set<number>();
  const padAfter = new Map<number, number>();
  let blockId = 0;
  for (const d of declarationsOf(cst)) {
    const doc = tok(d.declaration, 'doc');
    const keyword = tok(d.node, 'keyword');
    if (!keyword) continue;
    const isBlock = tok(d.node, 'open') !== undefined;
    // Blocks are always set apart; graph nodes form one group (a PLE level keeps its experts and
    // gates together); tasks and metrics group by kind.
    const group = isBlock ? `block${blockId++}` : GRAPH_RULES.has(d.rule) ? 'graph' : d.rule;
    breaks.set((doc ?? keyword).startOffset, { indent: 0, kind: 'decl', group });
    if (doc) breaks.set(keyword.startOffset, { indent: 0, kind: 'tight' });
    if (d.rule === 'expertsDecl') {
      const bracket = d.node.children['LBracket']?.[0] as IToken | undefined;
      if (bracket) attached.add(bracket.startOffset);
    }
    if (!isBlock) continue;
    const entries = ['dataEntry', 'featureEntry', 'labelEntry', 'trainEntry'].flatMap((r) => subs(d.node, r));
    for (const entry of entries) {
      const first = edgeTokens(entry)?.[0];
      if (!first) continue;
      breaks.set(first.startOffset, { indent: 1, kind: 'entry' });
      const entryDoc = tok(entry, 'doc');
      const after = tok(entry, 'kind') ?? tok(entry, 'name');
      if (entryDoc && after) breaks.set(after.startOffset, { indent: 1, kind: 'tight' });
    }
    const close = tok(d.node, 'close');
    if (close && entries.length > 0) breaks.set(close.startOffset, { indent: 0, kind: 'tight' });
    alignColumns(subs(d.node, 'featureEntry'), ['kind', 'name'], padAfter);
  }
  return { breaks, attached, padAfter };
}

/** Pad the named tokens of block entries to the widest of each column (entries missing a column are skipped). */
function alignColumns(entries: CstNode[], columns: string[], padAfter: Map<number, number>): void {
  for (const column of columns) {
    const toks = entries.map((e) => tok(e, column)).filter((t): t is IToken => t !== undefined && t.image.length > 0);
    const width = Math.max(0, ...toks.map((t) => t.image.length));
    for (const t of toks) padAfter.set(t.startOffset, width);
  }
}

const NO_SPACE_AFTER = new Set([T.LParen, T.LBracket, T.Bang]);
const NO_SPACE_BEFORE = new Set([T.RParen, T.RBracket, T.Comma, T.Colon]);
const CALLERS = new Set([T.Identifier, T.Concat, T.Mlp]);

/** The space between two tokens on one line. */
function spaceBetween(prev: IToken, cur: IToken, unaryMinusBefore: boolean, attached: Set<number>): string {
  const p = prev.tokenType;
  const c = cur.tokenType;
  if (NO_SPACE_AFTER.has(p) || NO_SPACE_BEFORE.has(c) || unaryMinusBefore) return '';
  if (c === T.LParen && CALLERS.has(p)) return '';
  if (attached.has(cur.startOffset)) return '';
  if (p === T.LCurly && c === T.RCurly) return '';
  return ' ';
}

/** Format a spec; undefined (with the diagnostics) when it has syntax errors. */
export function formatSpec(text: string, file?: string): StageResult<string | undefined> {
  const a = analyzeSpec(text, file);
  if (a.syntaxErrors.length > 0) return { value: undefined, diagnostics: a.diagnostics };
  const { breaks, attached, padAfter } = layoutOf(a.cst);
  const items = [...a.tokens, ...a.comments].sort((x, y) => x.startOffset - y.startOffset);
  const lineOf = (offset: number): number => a.index.lineOf(offset);

  const lines: string[] = [];
  let line = '';
  let declIndent = 0; // indent of the construct the current line belongs to
  let prev: IToken | undefined; // previous non-comment token
  let prevEndLine = -1; // source line where the previous item (token or comment) ended
  let lastGroup: string | undefined;
  let mustBreak = false; // after a comment, the next token starts a new line
  let unaryMinus = false;
  let consumedBlank: number | undefined; // a token whose blank-line decision a leading comment already took

  const newLine = (indent: number, blank: boolean): void => {
    if (line !== '' || lines.length > 0) {
      lines.push(line);
      if (blank && lines.length > 0 && lines[lines.length - 1] !== '') lines.push('');
    }
    line = '  '.repeat(indent);
  };
  const sourceBlankBefore = (offset: number): boolean => prevEndLine >= 0 && lineOf(offset) - prevEndLine >= 2;

  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const startLine = lineOf(item.startOffset);
    if (item.tokenType === T.Comment) {
      const body = item.image.replace(/\s+$/, '');
      if (prevEndLine === startLine && line.trim() !== '') {
        line += ` ${body}`; // trailing comment stays on its line
      } else {
        // Own-line comment: placed like the next token's line (blank line rules included).
        let next: IToken | undefined;
        for (let j = i + 1; j < items.length; j++) if (items[j]!.tokenType !== T.Comment) { next = items[j]; break; }
        const b = next ? breaks.get(next.startOffset) : undefined;
        let indent: number;
        let blank = sourceBlankBefore(item.startOffset);
        if (!next) indent = 0;
        else if (b) {
          indent = next.tokenType === T.RCurly ? b.indent + 1 : b.indent;
          if (b.kind === 'decl' && consumedBlank !== next.startOffset) {
            if (lastGroup !== undefined && b.group !== lastGroup) blank = true;
            consumedBlank = next.startOffset;
          }
          if (b.kind === 'tight' && next.tokenType !== T.RCurly) blank = false;
        } else indent = declIndent + 1;
        newLine(indent, blank && lines.length + (line !== '' ? 1 : 0) > 0);
        line += body;
      }
      prevEndLine = startLine;
      mustBreak = true;
      continue;
    }

    const b = breaks.get(item.startOffset);
    if (b) {
      let blank = false;
      if (b.kind !== 'tight') blank = sourceBlankBefore(item.startOffset);
      if (b.kind === 'decl') {
        if (consumedBlank !== item.startOffset && lastGroup !== undefined && b.group !== lastGroup) blank = true;
        lastGroup = b.group;
      }
      newLine(b.indent, blank);
      declIndent = b.indent;
      line += item.image;
    } else if (mustBreak || !prev) {
      newLine(prev ? declIndent + 1 : 0, false);
      line += item.image;
    } else {
      const pad = padAfter.get(prev.startOffset);
      const space = spaceBetween(prev, item, unaryMinus, attached);
      line += (pad !== undefined && space === ' ' ? ' '.repeat(pad - prev.image.length + 1) : space) + item.image;
    }
    unaryMinus = item.tokenType === T.Minus && prev?.tokenType !== T.RParen;
    mustBreak = false;
    prev = item;
    prevEndLine = lineOf(item.startOffset + item.image.length);
  }
  if (line !== '' || lines.length > 0) lines.push(line);
  const out = lines.map((l) => l.replace(/\s+$/, '')).join('\n');
  return { value: out === '' ? '' : `${out}\n`, diagnostics: a.diagnostics };
}
