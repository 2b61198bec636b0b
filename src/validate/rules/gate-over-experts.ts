import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { propRange } from '../ranges.js';
import { kindPhrase, nodeRefs } from '../refs.js';

/** Invariant: a gate's `over` names only expert groups (unknown names are reported by known-references). */
export function gateOverExperts(ctx: RuleContext): void {
  const s = ctx.symbols;
  for (const ref of nodeRefs(s)) {
    if (ref.via !== 'over') continue;
    const node = s.node(ref.name);
    if (node?.kind === 'experts') continue;
    const entry = node ? { name: node.name, kind: 'node' as const, decl: node } : s.any(ref.name);
    if (!entry) continue;
    ctx.report(diag('MTL3019', propRange(ref.from, ref.key).range, { name: ref.from.name, target: ref.name, kind: kindPhrase(entry) }));
  }
}
