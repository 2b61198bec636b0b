/**
 * What every validation rule receives: the IR, its symbol table, the inferred widths, the plugin
 * registry (absent when the caller has none: plugin-dependent rules then stay silent) and `report`.
 * Also the shared way to report a misspelt reference (did-you-mean hint and quick fix).
 */
import { diag } from '../diagnostics/catalog.js';
import { suggest } from '../diagnostics/suggest.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { ModelIR } from '../ir/types.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { PropRange } from './ranges.js';
import type { SymbolTable } from './symbols.js';

/** The context of one validation run, handed to each rule. */
export interface RuleContext {
  ir: ModelIR;
  file?: string;
  symbols: SymbolTable;
  /** Output width of each feature and node (by name), where it can be inferred. */
  widths: ReadonlyMap<string, number>;
  registry?: PluginRegistry;
  report(d: Diagnostic): void;
}

/** A validation rule: checks one invariant and reports through `ctx.report`. */
export type Rule = (ctx: RuleContext) => void;

/** The hint for a name that is not among `candidates`: a did-you-mean, else the list (shortened). */
export function candidatesHint(name: string, candidates: readonly string[], what: string): { hint: string; guess?: string } {
  const guess = suggest(name, candidates);
  if (guess !== undefined) return { hint: `did you mean '${guess}'?`, guess };
  if (!candidates.length) return { hint: `there are no ${what} declared` };
  const shown = candidates.slice(0, 12).join(', ') + (candidates.length > 12 ? ', ...' : '');
  return { hint: `declared ${what}: ${shown}` };
}

/** Report an MTL3001 unknown reference at `at`, with a did-you-mean among `candidates` (and a quick fix when the range is exact). */
export function reportUnknown(ctx: RuleContext, at: PropRange, owner: string, name: string, candidates: readonly string[], what: string): void {
  const { hint, guess } = candidatesHint(name, candidates, what);
  ctx.report(
    diag('MTL3001', at.range, { owner, name }, {
      hint,
      ...(guess !== undefined && at.exact ? { fix: { title: `Replace '${name}' with '${guess}'`, edits: [{ range: at.range, newText: guess }] } } : {}),
    }),
  );
}
