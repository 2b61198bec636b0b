/**
 * Validation: the schema check, then every semantic rule in order, then shape inference. Returns a new
 * IR with `width`s (the input is not modified) and every diagnostic. Never throws: a rule that crashes
 * becomes an MTL3999 diagnostic naming it, and the other rules still run.
 */
import { diag } from '../diagnostics/catalog.js';
import { FILE_START, type Diagnostic, type StageResult } from '../diagnostics/types.js';
import type { ModelIR } from '../ir/types.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { RuleContext } from './context.js';
import { RULES } from './rules/index.js';
import { checkSchema } from './schema-check.js';
import { applyShapes, inferWidths } from './shapes.js';
import { buildSymbols } from './symbols.js';

/** Options of {@link validate}. */
export interface ValidateOptions {
  /** Set on every diagnostic that has no file. */
  file?: string;
  /** The loaded gate plugins; without one, gate types and parameters are not checked. */
  registry?: PluginRegistry;
}

/** Validate an IR: schema, semantic rules, shapes. */
export function validate(ir: ModelIR, opts: ValidateOptions = {}): StageResult<ModelIR> {
  const diagnostics: Diagnostic[] = [];
  const guard = <T>(name: string, fallback: T, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      const detail = (e instanceof Error ? e.message : String(e)).replace(/\.$/, '');
      diagnostics.push(diag('MTL3999', FILE_START, { rule: name, detail }));
      return fallback;
    }
  };
  diagnostics.push(...guard('schema-check', [], () => checkSchema(ir, opts.file !== undefined ? { file: opts.file } : {})));
  const symbols = guard('symbols', undefined, () => buildSymbols(ir));
  let value: ModelIR = ir;
  if (symbols) {
    const ctx: RuleContext = {
      ir,
      symbols,
      widths: guard('shapes', new Map<string, number>(), () => inferWidths(symbols)),
      report: (d) => diagnostics.push(d),
      ...(opts.file !== undefined ? { file: opts.file } : {}),
      ...(opts.registry ? { registry: opts.registry } : {}),
    };
    for (const rule of RULES) guard(rule.name, undefined, () => rule(ctx));
    value = guard('shapes', undefined, () => applyShapes(ir, symbols)) ?? value;
  }
  if (opts.file !== undefined) for (const d of diagnostics) if (d.file === undefined) d.file = opts.file;
  return { value: value === ir ? safeCopy(ir) : value, diagnostics };
}

/** A copy of the input, so that callers never share (and mutate) the caller's object. */
function safeCopy(ir: ModelIR): ModelIR {
  try {
    return structuredClone(ir);
  } catch {
    return ir;
  }
}
