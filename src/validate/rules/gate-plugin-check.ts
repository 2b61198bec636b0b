import { diag, fillTemplate } from '../../diagnostics/catalog.js';
import type { Diagnostic } from '../../diagnostics/types.js';
import type { GateCheckContext } from '../../plugins/api.js';
import type { RuleContext } from '../context.js';
import { propRange } from '../ranges.js';

/**
 * Invariant: a gate passes its plugin's own `check` (rules beyond the parameter schema, e.g. top-k
 * not above the number of experts). Runs only when the gate's parameters are valid and its widths
 * are known; a `check` that throws is reported as MTL4011, not propagated.
 */
export function gatePluginCheck(ctx: RuleContext): void {
  const registry = ctx.registry;
  if (!registry) return;
  for (const gate of ctx.symbols.nodes) {
    if (gate.kind !== 'gate' || typeof gate.type !== 'string' || !Array.isArray(gate.over)) continue;
    const plugin = registry.get(gate.type)?.plugin;
    if (!plugin?.check) continue;
    if ((registry.validateParams(gate.type, gate.params ?? {}) ?? []).length) continue;
    const groups = gate.over.map((name) => ctx.symbols.node(name));
    if (!groups.every((g) => g?.kind === 'experts' && typeof g.count === 'number')) continue;
    const expertCount = groups.reduce((sum, g) => sum + (g as { count: number }).count, 0);
    const expertWidth = ctx.widths.get(gate.over[0] ?? '');
    const inputWidth = ctx.widths.get(gate.on);
    if (expertWidth === undefined || inputWidth === undefined) continue;
    const checkCtx: GateCheckContext = {
      gate,
      expertCount,
      expertWidth,
      inputWidth,
      report(d) {
        const at = d.property ? propRange(gate, d.property, 'type') : propRange(gate, 'type');
        // A code of the plugin's own table fills its templates; the report's message/hint/severity override.
        const own = d.code !== undefined ? plugin.codes?.[d.code] : undefined;
        const message = d.message ?? (own ? fillTemplate(own.message, d.args) : `Gate '${gate.name}' fails a check of its plugin.`);
        const hint = d.hint ?? (own?.hint !== undefined ? fillTemplate(own.hint, d.args) : undefined);
        const severity = d.severity ?? own?.severity;
        const out: Diagnostic = diag('MTL4010', at.range, { name: gate.name }, {
          message,
          ...(hint !== undefined ? { hint } : {}),
          ...(severity !== undefined ? { severity } : {}),
        });
        if (typeof d.code === 'string' && /^MTL4\d{3}$/.test(d.code)) out.code = d.code;
        ctx.report(out);
      },
    };
    try {
      plugin.check(checkCtx);
    } catch (e) {
      const detail = (e instanceof Error ? e.message : String(e)).replace(/\.$/, '');
      ctx.report(diag('MTL4011', propRange(gate, 'type').range, { type: gate.type, name: gate.name, detail }));
    }
  }
}
