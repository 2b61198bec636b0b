import { diag } from '../../diagnostics/catalog.js';
import type { RuleContext } from '../context.js';
import { reportUnknown } from '../context.js';
import { allMetrics, exprSites, leaves, metricName } from '../exprs.js';
import { propRange, type PropRange } from '../ranges.js';
import { cap, kindPhrase, nodePhrase, nodeRefs } from '../refs.js';

/**
 * Invariant: every reference names a declaration of the right kind:
 * - `from` and `on` name a feature or a node; `over` names something declared (its kind is checked by gate-over-experts);
 * - `shares` names a feature; a task's head names towers; label expressions (losses, masks, metric labels) name labels;
 * - a metric's output names a tower or a task (early-stop metrics are checked by early-stop-outputs).
 * Unknown names get MTL3001 with a did-you-mean; names of the wrong kind get MTL3031. Empty names are
 * placeholders left by the text builder after a reported syntax error, and are skipped.
 */
export function knownReferences(ctx: RuleContext): void {
  const s = ctx.symbols;
  const names = (list: Array<{ name: string }>): string[] => [...new Set(list.map((x) => x.name))];
  const featuresAndNodes = [...names(s.features), ...names(s.nodes)];
  const towers = names(s.nodes.filter((n) => n.kind === 'tower'));
  const wrongKind = (at: PropRange, owner: string, name: string, expected: string): void => {
    const entry = s.any(name);
    if (!entry) return;
    ctx.report(diag('MTL3031', at.range, { owner, name, kind: kindPhrase(entry).replace(/^an? /, ''), expected }));
  };

  for (const ref of nodeRefs(s)) {
    const at = propRange(ref.from, ref.key);
    const owner = cap(nodePhrase(ref.from));
    if (s.node(ref.name) || s.feature(ref.name)) continue;
    if (s.any(ref.name)) {
      if (ref.via !== 'over') wrongKind(at, owner, ref.name, 'a feature or a node');
      continue;
    }
    reportUnknown(ctx, at, owner, ref.name, ref.via === 'over' ? names(s.nodes.filter((n) => n.kind === 'experts')) : featuresAndNodes, ref.via === 'over' ? 'expert groups' : 'features and nodes');
  }

  for (const f of s.features) {
    const shares = (f as { shares?: unknown }).shares;
    if (typeof shares !== 'string' || shares === '' || s.feature(shares)) continue;
    const at = propRange(f, 'shares');
    if (s.any(shares)) wrongKind(at, `Feature '${f.name}'`, shares, 'a feature');
    else reportUnknown(ctx, at, `Feature '${f.name}'`, shares, names(s.features.filter((x) => x.kind !== 'numeric')), 'categorical and sequence features');
  }

  for (const t of s.tasks) {
    const head = Array.isArray(t.head) ? t.head : [];
    head.forEach((name, i) => {
      if (typeof name !== 'string' || name === '' || s.tower(name)) return;
      const at = propRange(t, `head.${i}`, 'head');
      if (s.any(name)) wrongKind(at, `Task '${t.name}'`, name, 'a tower');
      else reportUnknown(ctx, at, `Task '${t.name}'`, name, towers, 'towers');
    });
  }

  const labels = names(s.labels);
  for (const site of exprSites(s, ctx.ir?.train?.earlyStop)) {
    for (const leaf of leaves(site.expr)) {
      if (leaf.label === '' || s.label(leaf.label)) continue;
      const at: PropRange = leaf.loc ? { range: leaf.loc, exact: true } : propRange(site.decl, ...site.keys);
      if (s.any(leaf.label)) wrongKind(at, cap(site.owner), leaf.label, 'a label');
      else reportUnknown(ctx, at, cap(site.owner), leaf.label, labels, 'labels');
    }
  }

  for (const { metric, early } of allMetrics(s, undefined)) {
    if (early || typeof metric.output !== 'string' || metric.output === '' || s.isOutput(metric.output)) continue;
    const at = propRange(metric, 'output');
    const owner = cap(metricName(metric, early));
    if (s.any(metric.output)) wrongKind(at, owner, metric.output, 'a tower or a task');
    else reportUnknown(ctx, at, owner, metric.output, s.outputs(), 'outputs');
  }
}
