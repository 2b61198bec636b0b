/**
 * Completion: keywords valid at the cursor, names in scope (experts, gates, towers, labels,
 * features), gate types of the loaded plugins, a gate type's parameter names, and the losses, activations
 * and optimisers of the op registry (src/ir/ops). The context is
 * read from the tokens before the cursor (comments and strings blanked), so it works on text that
 * does not parse yet; the names come from the last analysis that had an IR.
 */
import { CompletionItemKind, InsertTextFormat, type CompletionItem, type Position } from 'vscode-languageserver/node.js';
import { gatePlugin, gateTypes, type Analysis } from './analysis.js';
import { KEYWORD_DOCS } from './keyword-docs.js';
import { describePlugin, describeSymbol, schemaProperties } from './hover.js';
import type { SymbolDef, SymbolKindName } from './symbol-index.js';
import { codeOnly, offsetAt } from './text.js';
import { TOKEN_TABLE } from '../language/tokens.js';
import { LOSS_NAMES } from '../ir/ops/index.js';
import {
  ACTIVATIONS, CATEGORICAL_OPTIONS, LABEL_OPTIONS, LABEL_TYPES, METRIC_FNS, MISSING_WORDS, MLP_OPTIONS, MODES, NORMALIZATIONS,
  NUMERIC_OPTIONS, OPTIMIZERS, POOLINGS, SEQUENCE_OPTIONS, TOWER_OUTPUTS, TRAIN_KEYS, WEIGHTINGS,
  EMBEDDING_OPTIMIZERS, EVERY_UNITS, SCHEDULES,
} from '../language/vocabulary.js';

/** A token of the prefix: a word, a number or one punctuation mark. */
interface Tok { text: string; start: number }

const TOKEN = /[A-Za-z_][A-Za-z0-9_-]*|-?\d+(?:\.\d+)?(?:e-?\d+)?|->|"[^"\n]*"?|\S/g;
const TOP = [...TOKEN_TABLE.declarationKeywords];
const FEATURE_KINDS = ['categorical', 'sequence', 'numeric'];
const NODE_KINDS: SymbolKindName[] = ['input', 'layer', 'gate', 'tower'];

/** What the cursor is in, as far as completion cares. */
export type CompletionContext =
  | { kind: 'top' }
  | { kind: 'block'; block: 'features' | 'labels' | 'train' | 'data' }
  | { kind: 'names'; kinds: SymbolKindName[] }
  | { kind: 'keywords'; words: string[]; names?: SymbolKindName[] }
  | { kind: 'gateType' }
  | { kind: 'gateParam'; type: string }
  | { kind: 'none' };

/** Work out the completion context at `offset` of `text`. */
export function completionContext(text: string, offset: number): CompletionContext {
  const code = codeOnly(text.slice(0, offset));
  // Inside a string: nothing to offer.
  if ((code.match(/"/g)?.length ?? 0) % 2 === 1) return { kind: 'none' };
  const toks: Tok[] = [];
  for (const m of code.matchAll(TOKEN)) toks.push({ text: m[0], start: m.index! });
  // The partial word at the cursor is what is being completed: drop it.
  if (toks.length && /^[A-Za-z_]/.test(toks[toks.length - 1]!.text) && toks[toks.length - 1]!.start + toks[toks.length - 1]!.text.length === code.length) toks.pop();
  // Enclosing block and the current statement (tokens since the last statement keyword at depth 0 or block start).
  let block: string | undefined;
  let stmtStart = 0;
  const blockStack: string[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!.text;
    if (t === '{') { blockStack.push(toks[i - 1]?.text ?? ''); stmtStart = i + 1; }
    else if (t === '}') { blockStack.pop(); stmtStart = i + 1; }
    else if (blockStack.length === 0 && TOP.includes(t)) stmtStart = i;
    else if (blockStack.length > 0 && isBlockStatementStart(blockStack[blockStack.length - 1]!, toks, i)) stmtStart = i;
  }
  block = blockStack[blockStack.length - 1];
  const stmt = toks.slice(stmtStart);
  const last = stmt[stmt.length - 1]?.text;
  const prev = stmt[stmt.length - 2]?.text;
  const words = stmt.map((t) => t.text);
  const lead = words[0];

  // At the start of a line (one declaration per line by convention) a new declaration or entry begins.
  const lineStart = /(^|\n)[ \t]*[A-Za-z0-9_-]*$/.test(code);
  if (block !== undefined) return blockContext(block, lineStart ? [] : words, lineStart ? undefined : last, lineStart ? undefined : prev);
  if (stmt.length === 0 || lineStart) return { kind: 'top' };
  const openParen = unclosedParen(words);
  const open = openParen >= 0 ? words[openParen - 1] : undefined;
  switch (lead) {
    case 'input':
      if (last === '=') return { kind: 'keywords', words: ['concat'] };
      if (open === 'concat' && (last === '(' || last === ',')) return { kind: 'names', kinds: ['feature', ...NODE_KINDS] };
      break;
    case 'layer': case 'experts': case 'tower':
      if (last === '=') return { kind: 'keywords', words: ['mlp'] };
      if (last === 'on') return { kind: 'names', kinds: ['feature', ...NODE_KINDS] };
      if (last === '->') return { kind: 'keywords', words: [...TOWER_OUTPUTS] };
      if (openParen < 0 && words.includes('mlp') && !words.includes('on')) return { kind: 'keywords', words: [...ACTIVATIONS, ...MLP_OPTIONS, 'on'] };
      if (openParen < 0 && lead === 'tower' && words.includes('on') && last !== '->') return { kind: 'keywords', words: ['->'] };
      break;
    case 'gate': {
      if (last === '=') return { kind: 'gateType' };
      if (open !== undefined && words[openParen - 2] === '=' && (last === '(' || last === ',')) return { kind: 'gateParam', type: open };
      if (last === 'on') return { kind: 'names', kinds: ['feature', ...NODE_KINDS] };
      const overAt = words.lastIndexOf('over');
      if (overAt >= 0 && !words.includes('on') && (last === 'over' || last === ',')) return { kind: 'names', kinds: ['experts'] };
      if (openParen < 0 && words.length > 3 && !words.includes('over')) return { kind: 'keywords', words: ['over'] };
      if (overAt >= 0 && !words.includes('on') && last !== 'over' && last !== ',') return { kind: 'keywords', words: ['on'] };
      break;
    }
    case 'task':
      if (last === '=' || last === '*') return { kind: 'names', kinds: ['tower'] };
      if (last === 'loss') return { kind: 'keywords', words: [...LOSS_NAMES] };
      if (['(', '&', '|', '!', 'where'].includes(last ?? '') && (words.includes('loss') || words.includes('where'))) return { kind: 'names', kinds: ['label'] };
      if (last === 'weight_by') return { kind: 'none' }; // a data column: no declaration names it
      if (openParen < 0 && words.includes('loss')) return { kind: 'keywords', words: ['weight', 'where', 'weight_by'] };
      if (openParen < 0 && words.length >= 4 && last !== '=' ) return { kind: 'keywords', words: ['loss'] };
      break;
    case 'metric':
      if (last === 'metric') return { kind: 'keywords', words: [...METRIC_FNS] };
      if (openParen >= 0 && last === '(') return { kind: 'names', kinds: ['tower', 'task'] };
      if (openParen >= 0 && last === ',') return { kind: 'names', kinds: ['label'] };
      if (['&', '|', '!', '(', 'where'].includes(last ?? '')) return { kind: 'names', kinds: ['label'] };
      if (last === 'by') return { kind: 'names', kinds: ['feature'] };
      if (last === 'weight_by') return { kind: 'none' };
      if (openParen < 0) return { kind: 'keywords', words: ['by', 'where', 'weight_by'] };
      break;
    case 'model': case 'use':
      if (stmt.length >= 2) return { kind: 'top' };
      return { kind: 'none' };
  }
  return { kind: 'keywords', words: TOP, names: ['feature', 'label', ...NODE_KINDS, 'experts', 'task'] };
}

function isBlockStatementStart(block: string, toks: Tok[], i: number): boolean {
  const t = toks[i]!.text;
  if (block === 'features') return t === 'categorical' || t === 'sequence' || t === 'numeric';
  if (block === 'labels') return toks[i + 1]?.text === ':' && /^[A-Za-z_]/.test(t);
  return false;
}

function blockContext(block: string, words: string[], last: string | undefined, prev: string | undefined): CompletionContext {
  switch (block) {
    case 'features':
      if (words.length === 0) return { kind: 'block', block: 'features' };
      if (last === 'shares') return { kind: 'names', kinds: ['feature'] };
      if (last === 'pool') return { kind: 'keywords', words: [...POOLINGS] };
      if (last === 'normalize') return { kind: 'keywords', words: [...NORMALIZATIONS] };
      if (last === 'missing') return { kind: 'keywords', words: [...MISSING_WORDS] };
      if (words.length >= 2) {
        const opts: readonly string[] = words[0] === 'numeric' ? NUMERIC_OPTIONS : words[0] === 'sequence' ? SEQUENCE_OPTIONS : CATEGORICAL_OPTIONS;
        return { kind: 'keywords', words: [...opts, ...FEATURE_KINDS] };
      }
      return { kind: 'none' };
    case 'labels':
      if (last === ':') return { kind: 'keywords', words: [...LABEL_TYPES] };
      if (words.length >= 3) return { kind: 'keywords', words: [...LABEL_OPTIONS] };
      return { kind: 'none' };
    case 'train':
      if (last === 'optimizer') return { kind: 'keywords', words: [...OPTIMIZERS] };
      if (last === 'weighting') return { kind: 'keywords', words: [...WEIGHTINGS] };
      if (last === 'embedding_optimizer') return { kind: 'keywords', words: [...EMBEDDING_OPTIMIZERS] };
      if (last === 'schedule') return { kind: 'keywords', words: [...SCHEDULES] };
      // `every N` takes its unit next.
      if (prev === 'every' && /^[0-9]/.test(last ?? '')) return { kind: 'keywords', words: [...EVERY_UNITS] };
      if (last === 'mode') return { kind: 'keywords', words: [...MODES] };
      if (last === 'weight_by') return { kind: 'none' };
      if (last === 'early_stop' || last === '+' || (last === '-' && prev !== undefined) || last === '*') return { kind: 'keywords', words: [...METRIC_FNS] };
      if (last === '(') return { kind: 'names', kinds: ['tower', 'task'] };
      return { kind: 'block', block: 'train' };
    case 'data':
      return { kind: 'block', block: 'data' };
  }
  return { kind: 'none' };
}

/** Index of the innermost unclosed '(' among the words, or -1. */
function unclosedParen(words: string[]): number {
  const stack: number[] = [];
  words.forEach((w, i) => { if (w === '(') stack.push(i); else if (w === ')') stack.pop(); });
  return stack.length ? stack[stack.length - 1]! : -1;
}

const SYMBOL_ITEM_KIND: Record<SymbolKindName, CompletionItemKind> = {
  model: CompletionItemKind.Module, feature: CompletionItemKind.Field, label: CompletionItemKind.Constant,
  input: CompletionItemKind.Variable, layer: CompletionItemKind.Class, experts: CompletionItemKind.Class,
  gate: CompletionItemKind.Function, tower: CompletionItemKind.Interface, task: CompletionItemKind.Event,
};

/** The completion items at `pos`. `a` supplies names and plugins (the last analysis with an IR). */
export function complete(text: string, pos: Position, a: Analysis | undefined): CompletionItem[] {
  const ctx = completionContext(text, offsetAt(text, pos));
  const items: CompletionItem[] = [];
  const keyword = (w: string): void => {
    const d = Object.prototype.hasOwnProperty.call(KEYWORD_DOCS, w) ? KEYWORD_DOCS[w] : undefined;
    items.push({ label: w, kind: CompletionItemKind.Keyword, ...(d ? { detail: d.syntax, documentation: d.doc } : {}) });
  };
  const names = (kinds: SymbolKindName[]): void => {
    const seen = new Set<string>();
    for (const d of a?.index.defs ?? []) {
      if (!kinds.includes(d.kind) || seen.has(d.name)) continue;
      seen.add(d.name);
      items.push(nameItem(d));
    }
  };
  switch (ctx.kind) {
    case 'top': TOP.forEach(keyword); break;
    case 'block':
      if (ctx.block === 'features') FEATURE_KINDS.forEach(keyword);
      if (ctx.block === 'train') TRAIN_KEYS.forEach(keyword);
      if (ctx.block === 'data') ['synth', 'rows', 'train', 'valid'].forEach(keyword);
      break;
    case 'names': names(ctx.kinds); break;
    case 'keywords': ctx.words.forEach(keyword); if (ctx.names) names(ctx.names); break;
    case 'gateType':
      for (const type of gateTypes(a?.registry)) {
        const plugin = gatePlugin(a?.registry, type);
        items.push({ label: type, kind: CompletionItemKind.Function, detail: 'gate type', ...(plugin ? { documentation: { kind: 'markdown', value: describePlugin(plugin) } } : {}) });
      }
      break;
    case 'gateParam': {
      const plugin = gatePlugin(a?.registry, ctx.type);
      if (!plugin) break;
      for (const [name, schema] of Object.entries(schemaProperties(plugin))) {
        items.push({
          label: name, kind: CompletionItemKind.Property, detail: typeof schema.type === 'string' ? schema.type : 'parameter',
          ...(typeof schema.description === 'string' ? { documentation: schema.description } : {}),
          insertText: `${name}: \${1}`, insertTextFormat: InsertTextFormat.Snippet,
        });
      }
      break;
    }
    case 'none': break;
  }
  return items;
}

function nameItem(d: SymbolDef): CompletionItem {
  return { label: d.name, kind: SYMBOL_ITEM_KIND[d.kind], detail: d.kind, documentation: { kind: 'markdown', value: describeSymbol(d) } };
}
