/**
 * Where a diagnostic about a declaration points: the exact property (`locs[key]`), else the
 * declaration (`loc`), else the start of the file.
 */
import { FILE_START, type Range } from '../diagnostics/types.js';
import type { Located } from '../ir/types.js';

/** A range and whether it is the property's own range (only then is a quick-fix edit safe). */
export interface PropRange {
  range: Range;
  exact: boolean;
}

/**
 * The range of the first of `keys` found in `decl.locs`, else `decl.loc`, else FILE_START.
 * Several keys allow for the builders' conventions ("mlp.units.0" from YAML, "units.0" from text).
 */
export function propRange(decl: Partial<Located> | undefined, ...keys: string[]): PropRange {
  const locs = decl?.locs;
  if (locs && typeof locs === 'object') {
    for (const k of keys) {
      const r = locs[k];
      if (r) return { range: r, exact: true };
    }
  }
  return { range: decl?.loc ?? FILE_START, exact: false };
}

/** Just the range of {@link propRange}. */
export function rangeOf(decl: Partial<Located> | undefined, ...keys: string[]): Range {
  return propRange(decl, ...keys).range;
}

/** The keys under which an mlp property may be located: "mlp.units.0" (YAML) and "units.0" (text). */
export function mlpKeys(prop: string): string[] {
  return [`mlp.${prop}`, prop];
}
