import { diag } from '../../diagnostics/catalog.js';
import { suggest } from '../../diagnostics/suggest.js';
import type { RuleContext } from '../context.js';
import { propRange } from '../ranges.js';

/**
 * Invariant: every gate's type is provided by a loaded plugin. The hint names a close type and lists
 * the loaded ones. Silent without a registry (the caller has no plugins to check against).
 */
export function knownGateType(ctx: RuleContext): void {
  const registry = ctx.registry;
  if (!registry) return;
  const types = registry.types();
  for (const gate of ctx.symbols.nodes) {
    if (gate.kind !== 'gate' || typeof gate.type !== 'string' || gate.type === '' || registry.get(gate.type)) continue;
    const at = propRange(gate, 'type');
    const guess = suggest(gate.type, types);
    const loaded = types.length ? `loaded gate types: ${types.join(', ')}` : 'no gate plugin is loaded';
    const hint = `${guess !== undefined ? `did you mean '${guess}'? ` : ''}${loaded}; load another with \`use "PACKAGE-OR-PATH"\``;
    ctx.report(
      diag('MTL3009', at.range, { name: gate.name, type: gate.type }, {
        hint,
        ...(guess !== undefined && at.exact ? { fix: { title: `Replace '${gate.type}' with '${guess}'`, edits: [{ range: at.range, newText: guess }] } } : {}),
      }),
    );
  }
}
