/**
 * Label expressions as the rules see them: where they occur in a spec, their leaves, their text,
 * and whether they are binary.
 */
import type { Range } from '../diagnostics/types.js';
import type { LabelExpr, Located, Metric } from '../ir/types.js';
import { propRange } from './ranges.js';
import type { SymbolTable } from './symbols.js';

/** One label reference inside an expression. */
export interface LabelLeaf {
  label: string;
  loc?: Range;
}

/** The label leaves of an expression, left to right (tolerates malformed expressions). */
export function leaves(expr: LabelExpr | undefined): LabelLeaf[] {
  const out: LabelLeaf[] = [];
  const walk = (e: unknown): void => {
    if (!e || typeof e !== 'object') return;
    const x = e as { label?: unknown; args?: unknown; arg?: unknown; loc?: Range };
    if (typeof x.label === 'string') out.push(x.loc ? { label: x.label, loc: x.loc } : { label: x.label });
    if (Array.isArray(x.args)) x.args.forEach(walk);
    if (x.arg !== undefined) walk(x.arg);
  };
  walk(expr);
  return out;
}

/** The expression as written in .mtl (`click & !buy`), for messages. */
export function exprText(expr: LabelExpr | undefined): string {
  const go = (e: unknown, parentOp?: string): string => {
    if (!e || typeof e !== 'object') return '?';
    const x = e as { label?: string; op?: string; args?: unknown[]; arg?: unknown };
    if (typeof x.label === 'string') return x.label;
    if (x.op === 'not') return `!${go(x.arg, 'not')}`;
    const sym = x.op === 'and' ? ' & ' : ' | ';
    const s = (x.args ?? []).map((a) => go(a, x.op)).join(sym);
    return parentOp && parentOp !== x.op ? `(${s})` : s;
  };
  return go(expr);
}

/** Where an expression occurs, for messages and ranges. */
export interface ExprSite {
  /** Phrase naming the owner: "task 'ctr'", "metric auc(cvr)". */
  owner: string;
  /** The declaration holding the expression (for its `locs`). */
  decl: Located;
  /** Keys of `decl.locs` that locate the expression. */
  keys: string[];
  role: 'loss' | 'mask' | 'metric-label' | 'metric-mask';
  expr: LabelExpr;
}

/** The range of an expression: its own `loc`, else the owner's property, else the owner. */
export function exprRange(site: ExprSite): Range {
  return site.expr.loc ?? propRange(site.decl, ...site.keys).range;
}

/** The metrics of a spec: declared ones, then the early-stop terms' (with `early` set). */
export function allMetrics(symbols: SymbolTable, earlyStop: { terms?: unknown } | undefined): Array<{ metric: Metric; early: boolean }> {
  const out = symbols.metrics.map((metric) => ({ metric, early: false }));
  const terms = Array.isArray(earlyStop?.terms) ? earlyStop.terms : [];
  for (const t of terms) {
    const metric = (t as { metric?: unknown } | undefined)?.metric;
    if (metric && typeof metric === 'object') out.push({ metric: metric as Metric, early: true });
  }
  return out;
}

/** A phrase naming a metric: "metric auc(cvr)" or "the early-stop metric auc(cvr)". */
export function metricName(m: Metric, early: boolean): string {
  return `${early ? 'the early-stop metric' : 'metric'} ${m.fn}(${m.output})`;
}

/** Every label expression of the spec: task losses and masks, metric labels and masks (early-stop ones too). */
export function exprSites(symbols: SymbolTable, earlyStop: { terms?: unknown } | undefined): ExprSite[] {
  const out: ExprSite[] = [];
  const isExpr = (e: unknown): e is LabelExpr => typeof e === 'object' && e !== null && !Array.isArray(e);
  for (const t of symbols.tasks) {
    const owner = `task '${t.name}'`;
    if (t.loss && typeof t.loss === 'object' && isExpr(t.loss.label)) out.push({ owner, decl: t, keys: ['loss.label', 'label'], role: 'loss', expr: t.loss.label });
    if (isExpr(t.mask)) out.push({ owner, decl: t, keys: ['mask'], role: 'mask', expr: t.mask });
  }
  for (const { metric, early } of allMetrics(symbols, earlyStop)) {
    const owner = metricName(metric, early);
    if (isExpr(metric.label)) out.push({ owner, decl: metric, keys: ['label'], role: 'metric-label', expr: metric.label });
    if (isExpr(metric.mask)) out.push({ owner, decl: metric, keys: ['mask'], role: 'metric-mask', expr: metric.mask });
  }
  return out;
}

/**
 * Whether an expression is binary: every leaf a binary label (an expression with operators is binary
 * when its operands are). `unknown` when a leaf names no label (reported elsewhere).
 */
export function exprType(expr: LabelExpr | undefined, symbols: SymbolTable): 'binary' | 'real' | 'unknown' {
  let unknown = false;
  for (const leaf of leaves(expr)) {
    const label = symbols.label(leaf.label);
    if (!label) unknown = true;
    else if (label.type !== 'binary') return 'real';
  }
  return unknown ? 'unknown' : 'binary';
}

/**
 * The label a metric is computed against: its own, else its output task's loss label, else the label
 * of the single task that its tower heads alone. `reason` explains when there is none.
 */
export function metricLabel(metric: Metric, symbols: SymbolTable): { expr?: LabelExpr; reason?: string } {
  if (metric.label) return { expr: metric.label };
  const task = symbols.task(metric.output);
  if (task) return task.loss?.label ? { expr: task.loss.label } : { reason: `task '${task.name}' has no loss` };
  if (!symbols.tower(metric.output)) return { reason: `'${metric.output}' is not an output` };
  const headed = symbols.tasks.filter((t) => Array.isArray(t.head) && t.head.length === 1 && t.head[0] === metric.output && t.loss?.label);
  const distinct = [...new Set(headed.map((t) => exprText(t.loss.label)))];
  if (distinct.length === 1) return { expr: headed[0]!.loss.label };
  if (!distinct.length) return { reason: `tower '${metric.output}' is not the head of any task` };
  return { reason: `tower '${metric.output}' heads tasks with different labels (${distinct.join(', ')})` };
}
