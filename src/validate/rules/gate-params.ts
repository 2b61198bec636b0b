import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { propRange } from '../ranges.js';

/**
 * Invariant: a gate's parameters satisfy its plugin's `paramsSchema`. Each problem points at the
 * parameter (`locs["params.KEY"]`), else at the gate's type.
 */
export function gateParams(ctx: RuleContext): void {
  const registry = ctx.registry;
  if (!registry) return;
  for (const gate of ctx.symbols.nodes) {
    if (gate.kind !== 'gate' || typeof gate.type !== 'string') continue;
    const issues = registry.validateParams(gate.type, gate.params ?? {});
    for (const issue of issues ?? []) {
      const top = issue.property.split('.').slice(0, 2).join('.');
      const at = propRange(gate, issue.property, top, 'type');
      ctx.report(diag('MTL4008', at.range, { name: gate.name, detail: issue.message }, issue.hint !== undefined ? { hint: issue.hint } : {}));
    }
  }
}
