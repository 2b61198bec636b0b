/**
 * The JSON Schema check of an IR object (whatever front end made it). For IR built from .mtl text this
 * mostly catches builder bugs; ranges come from the nearest declaration's `locs`/`loc`.
 */
import { diag } from '../diagnostics/catalog.js';
import { FILE_START, type Diagnostic, type Range } from '../diagnostics/types.js';
import { irValidator } from './ir-validator.js';
import { schemaErrorsToDiagnostics, type DataPath, type SchemaLocator } from './schema-errors.js';

/** Options of {@link checkSchema}. */
export interface SchemaCheckOptions {
  file?: string;
  /**
   * Leave out errors that a semantic rule reports better (a task without `loss`: task-has-loss).
   * Default true.
   */
  deferToRules?: boolean;
}

/** A locator over an IR's own `loc`/`locs`: the deepest located object on the path, then its `locs` by relative key. */
function locsLocator(ir: unknown): SchemaLocator {
  const locate = (path: DataPath): { range: Range; exact: boolean } | undefined => {
    let best: { range: Range; exact: boolean } | undefined;
    let cur: unknown = ir;
    for (let i = 0; i <= path.length; i++) {
      if (cur && typeof cur === 'object') {
        const o = cur as { loc?: Range; locs?: Record<string, Range> };
        const rest = path.slice(i);
        const rel = rest.join('.');
        const short = rest[0] === 'mlp' ? rest.slice(1).join('.') : undefined;
        const exact = rel && o.locs && typeof o.locs === 'object' ? (o.locs[rel] ?? (short ? o.locs[short] : undefined)) : undefined;
        if (exact) best = { range: exact, exact: true };
        else if (isRange(o.loc)) best = { range: o.loc, exact: rel === '' };
      }
      if (i < path.length) cur = cur && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[path[i]!] : undefined;
    }
    return best;
  };
  return { value: locate, key: (path) => locate(path)?.range };
}

function isRange(r: unknown): r is Range {
  return !!r && typeof r === 'object' && 'start' in r && 'end' in r;
}

/** Validate `ir` against the IR schema; MTL2xxx diagnostics located through the IR's own locations. */
export function checkSchema(ir: unknown, opts: SchemaCheckOptions = {}): Diagnostic[] {
  if (!ir || typeof ir !== 'object' || Array.isArray(ir)) {
    const found = ir === null || ir === undefined ? 'nothing' : Array.isArray(ir) ? 'a list' : `a ${typeof ir}`;
    return [diag('MTL2008', FILE_START, { found }, opts.file !== undefined ? { file: opts.file } : {})];
  }
  const validate = irValidator();
  if (validate(ir)) return [];
  const deferred = (opts.deferToRules ?? true)
    ? (validate.errors ?? []).filter(
        (e) => !(e.keyword === 'required' && /^\/tasks\/\d+$/.test(e.instancePath) && (e.params as { missingProperty?: string }).missingProperty === 'loss'),
      )
    : (validate.errors ?? []);
  return schemaErrorsToDiagnostics(deferred, ir, locsLocator(ir), opts.file);
}
