/**
 * Dropping follow-on diagnostics after a syntax error: the parser recovers with placeholder values
 * (a missing size becomes 0, a skipped declaration is absent), so the validator would report the same
 * mistake a second time ("size must be positive, not 0") or blame its victims ("node is unused", "no task").
 */
import type { Diagnostic, Position, Range } from '../diagnostics/types.js';
import type { ModelIR } from '../ir/types.js';

/** Findings about the whole spec (unused declarations, no task) that a declaration lost to a syntax error makes false. */
const WHOLE_SPEC_CODES = new Set(['MTL3014', 'MTL3015', 'MTL3016', 'MTL3027']);

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

function contains(r: Range, p: Position): boolean {
  return before(r.start, p) && before(p, r.end);
}

/** The source ranges of the spec's declarations (features, labels, nodes, tasks, metrics, train). */
function declarationRanges(ir: ModelIR | undefined): Range[] {
  if (!ir) return [];
  const lists: unknown[] = [ir.features, ir.labels, ir.nodes, ir.tasks, ir.metrics];
  const out: Range[] = [];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const d of list) if (d && typeof d === 'object' && 'loc' in d && d.loc) out.push(d.loc as Range);
  }
  const train = (ir as { train?: { loc?: Range } }).train;
  if (train?.loc) out.push(train.loc);
  return out;
}

/** Errors in the use graph (unknown name, an expert group read directly, a cycle, no task at all): they make "unused" warnings false. */
const BROKEN_REFERENCE_CODES = new Set(['MTL3001', 'MTL3003', 'MTL3018', 'MTL3019', 'MTL3027']);
const UNUSED_CODES = new Set(['MTL3014', 'MTL3015', 'MTL3016']);

/**
 * Remove the "unused" warnings that a broken reference causes: `tower t = mlp(8) on alll` makes the input
 * `all` and its features look unused, but the mistake is the one name, already reported.
 */
export function dropUnusedAfterBrokenReferences(semantic: Diagnostic[]): Diagnostic[] {
  if (!semantic.some((d) => BROKEN_REFERENCE_CODES.has(d.code))) return semantic;
  return semantic.filter((d) => !UNUSED_CODES.has(d.code));
}

/**
 * Remove the `semantic` diagnostics that repeat a syntax error: any on a declaration that holds a syntax
 * error, and the whole-spec findings (unused declarations, no task). Without syntax errors, only the
 * unused warnings caused by broken references are removed.
 */
export function dropCascades(syntax: readonly Diagnostic[], semantic: Diagnostic[], ir: ModelIR | undefined): Diagnostic[] {
  const errors = syntax.filter((d) => d.severity === 'error');
  if (!errors.length) return dropUnusedAfterBrokenReferences(semantic);
  const broken = declarationRanges(ir).filter((r) => errors.some((e) => contains(r, e.range.start)));
  return semantic.filter((d) => !WHOLE_SPEC_CODES.has(d.code) && !broken.some((r) => contains(r, d.range.start)));
}

/**
 * Re-explain "unknown gate type" (MTL3009) when a `use` plugin failed to load or was refused: the type is
 * most likely that plugin's, so the hint points at the `use` line's error instead of suggesting another
 * `use` line (the spec has one). The quick fix towards a close known type stays.
 */
export function blameUnloadedPlugins(plugins: readonly Diagnostic[], semantic: Diagnostic[]): Diagnostic[] {
  const failed = plugins.filter((d) => d.severity === 'error');
  if (!failed.length) return semantic;
  const lines = failed.map((d) => `line ${d.range.start.line + 1} (${d.code})`).join(', ');
  return semantic.map((d) =>
    d.code !== 'MTL3009'
      ? d
      : { ...d, hint: `a \`use\` plugin was not loaded, see ${lines}; this type is probably its`, related: failed.map((f) => ({ range: f.range, message: f.message })) },
  );
}
