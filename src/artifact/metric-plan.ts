/**
 * Which metrics to compute for a model, and how they are named in results (metrics.json, history,
 * `mtl evaluate`, early stopping).
 *
 * Every task gets default metrics on its output, against its label, restricted to its mask:
 * each loss's `defaultMetrics` in the op registry (src/ir/ops: `bce` → auc + logloss, `mse` → mse + mae; an unregistered loss: auc + logloss when the task's output is a
 * probability, else mse + mae). Each `metric` line of the spec adds one more; its label defaults to the
 * label of the task whose output it is, or whose single head it is (the *default label* of the output),
 * and its mask is exactly what the line says (none when absent).
 *
 * Results are `{ [output]: { [key]: number | null } }`. A key is the function name, decorated only
 * where the metric differs from the output's task:
 *
 *   KEY := FN [ "(" LABEL ")" ] [ "@" MASK ] [ "/" GROUP ] { "*" WEIGHT_COLUMN }
 *
 * - `(LABEL)` when the label is not the output's default label (always, for an output no task heads);
 * - `@MASK` when the mask differs from the task's mask; `@all` when the task is masked but the metric is not;
 * - `/GROUP` the group-by column of gauc;
 * - `*COL` for each sample-weight column the metric is weighted by: a `metric … weight_by COL` line's column,
 *   and for a task with `weight_by` (its own or the train block's) its default metrics are reported twice,
 *   unweighted and weighted by the same columns as its loss (`auc*instance_weight`).
 * LABEL and MASK are label expressions printed compactly (`click&buy`, `!click`, `(a|b)&c`).
 * Examples: `auc`, `logloss`, `auc@click`, `auc(buy)@click`, `gauc/user_id`, `logloss*instance_weight`.
 * A metric that cannot be computed (one class only, no rows) is `null`, never NaN.
 */
import type { LabelExpr, Metric, MetricFn, MetricTerm, ModelIR, Task, TowerNode } from '../ir/types.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { FILE_START } from '../diagnostics/types.js';
import { diag } from '../diagnostics/catalog.js';
import { lossDef } from '../ir/ops/index.js';
import { metricWeightColumns, taskWeightColumns } from '../ir/sample-weights.js';

/** One metric to compute. */
export interface PlannedMetric {
  /** The output it is computed on. */
  output: string;
  /** Its key within the output's results (see the module comment). */
  key: string;
  fn: MetricFn;
  label: LabelExpr;
  mask?: LabelExpr;
  groupBy?: string;
  /** Sample-weight columns whose product weighs each row (`weight_by`); absent: every row counts 1. */
  weights?: string[];
}

/** Metric values: output → key → value (null when undefined, e.g. a single class). */
export type MetricResults = Record<string, Record<string, number | null>>;

/** An early-stopping term resolved to a result entry. `key` is absent when the metric names nothing computable. */
export interface ResolvedTerm {
  coef: number;
  output: string;
  key?: string;
  /** The term as written, for messages, e.g. `auc(ctcvr)`. */
  text: string;
}

/** The task an output stands for: the task of that name, else the first task whose single head it is. */
interface OutputDefault {
  label: LabelExpr;
  mask?: LabelExpr;
  task: Task;
}

/** Print a label expression compactly; `&` binds tighter than `|`, `!` tightest. */
export function printLabelExpr(e: LabelExpr): string {
  const prec = (x: LabelExpr): number => ('label' in x ? 3 : x.op === 'not' ? 2 : x.op === 'and' ? 1 : 0);
  const wrap = (x: LabelExpr, min: number): string => (prec(x) < min ? `(${printLabelExpr(x)})` : printLabelExpr(x));
  if ('label' in e) return e.label;
  if (e.op === 'not') return `!${wrap(e.arg, 2)}`;
  const sep = e.op === 'and' ? '&' : '|';
  return e.args.map((a) => wrap(a, e.op === 'and' ? 1 : 0)).join(sep);
}

/** Label expressions equal up to locations (undefined equals undefined). */
function sameExpr(a: LabelExpr | undefined, b: LabelExpr | undefined): boolean {
  if (!a || !b) return a === b;
  return printLabelExpr(a) === printLabelExpr(b);
}

/** The default label and mask of every output that a task stands for. */
function outputDefaults(ir: ModelIR): Map<string, OutputDefault> {
  const map = new Map<string, OutputDefault>();
  const entry = (t: Task): OutputDefault => (t.mask ? { label: t.loss.label, mask: t.mask, task: t } : { label: t.loss.label, task: t });
  for (const t of ir.tasks) map.set(t.name, entry(t));
  for (const t of ir.tasks) {
    const head = t.head[0];
    if (t.head.length === 1 && head !== undefined && !map.has(head)) map.set(head, entry(t));
  }
  return map;
}

/** The default metric functions of a task. */
function taskDefaultFns(ir: ModelIR, t: Task): MetricFn[] {
  const def = lossDef(t.loss.type);
  if (def) return [...def.defaultMetrics];
  const towers = new Map(ir.nodes.filter((n): n is TowerNode => n.kind === 'tower').map((n) => [n.name, n]));
  const probability = t.head.every((h) => towers.get(h)?.output === 'sigmoid');
  return probability ? ['auc', 'logloss'] : ['mse', 'mae'];
}

/** Resolve a spec metric against the output defaults; undefined when it has no label to compare with. */
function resolve(defaults: Map<string, OutputDefault>, m: Metric, weights: readonly string[] = metricWeightColumns(m)): PlannedMetric | undefined {
  const def = defaults.get(m.output);
  const label = m.label ?? def?.label;
  if (!label) return undefined;
  let key: string = m.fn;
  if (!def || !sameExpr(label, def.label)) key += `(${printLabelExpr(label)})`;
  const defMask = def?.mask;
  if (!sameExpr(m.mask, defMask)) key += `@${m.mask ? printLabelExpr(m.mask) : 'all'}`;
  if (m.groupBy !== undefined) key += `/${m.groupBy}`;
  for (const column of weights) key += `*${column}`;
  const p: PlannedMetric = { output: m.output, key, fn: m.fn, label };
  if (m.mask) p.mask = m.mask;
  if (m.groupBy !== undefined) p.groupBy = m.groupBy;
  if (weights.length > 0) p.weights = [...weights];
  return p;
}

/**
 * The metrics to compute for `ir`, in a stable order: each task's defaults (tasks in spec order), then
 * the spec's metric lines, then early-stopping metrics not already present. Duplicates (same output and
 * key) appear once. Metrics without a resolvable label (reported by the validator) are left out.
 */
export function metricPlan(ir: ModelIR): PlannedMetric[] {
  const defaults = outputDefaults(ir);
  const plan: PlannedMetric[] = [];
  const seen = new Set<string>();
  const add = (p: PlannedMetric | undefined): void => {
    if (!p) return;
    const id = `${p.output}\u0000${p.key}`;
    if (seen.has(id)) return;
    seen.add(id);
    plan.push(p);
  };
  for (const t of ir.tasks) {
    const weights = taskWeightColumns(ir, t);
    for (const fn of taskDefaultFns(ir, t)) {
      const m: Metric = t.mask ? { fn, output: t.name, mask: t.mask } : { fn, output: t.name };
      add(resolve(defaults, m, []));
      // A weighted task also reports its defaults weighted as its loss is (keys `auc*COL`).
      if (weights.length > 0) add(resolve(defaults, m, weights));
    }
  }
  for (const m of ir.metrics) add(resolve(defaults, m));
  for (const term of ir.train.earlyStop?.terms ?? []) add(resolve(defaults, term.metric));
  return plan;
}

/** The text of an early-stopping term's metric, e.g. `auc(ctcvr)`. */
function termText(t: MetricTerm): string {
  const m = t.metric;
  let s = `${m.fn}(${m.output}${m.label ? `, ${printLabelExpr(m.label)}` : ''})`;
  if (m.groupBy !== undefined) s += ` by ${m.groupBy}`;
  if (m.mask) s += ` where ${printLabelExpr(m.mask)}`;
  return t.coef === 1 ? s : `${t.coef} * ${s}`;
}

/** The spec's early-stopping terms resolved to result keys (empty when the spec has no early stopping). */
export function earlyStopTerms(ir: ModelIR): ResolvedTerm[] {
  const defaults = outputDefaults(ir);
  return (ir.train.earlyStop?.terms ?? []).map((t) => {
    const p = resolve(defaults, t.metric);
    const r: ResolvedTerm = { coef: t.coef, output: t.metric.output, text: termText(t) };
    if (p) r.key = p.key;
    return r;
  });
}

/**
 * The early-stopping score: Σ coef × metric. Null (with a warning MTL5306) when a term's metric is
 * null or missing, so that an undefined AUC never turns into NaN or a spurious "best" epoch.
 */
export function evaluateEarlyStop(terms: ResolvedTerm[], results: MetricResults, where: { epoch?: number } = {}): { value: number | null; diagnostics: Diagnostic[] } {
  let sum = 0;
  for (const t of terms) {
    const v = t.key === undefined ? undefined : results[t.output]?.[t.key];
    if (v === null || v === undefined || !Number.isFinite(v)) {
      const epoch = where.epoch === undefined ? '' : ` of epoch ${where.epoch}`;
      return { value: null, diagnostics: [diag('MTL5306', FILE_START, { term: t.text, epoch })] };
    }
    sum += t.coef * v;
  }
  return { value: sum, diagnostics: [] };
}
