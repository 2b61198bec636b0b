/**
 * The objective of a tune: a weighted sum of validation metrics, written like the spec's `early_stop`
 * expression (`auc(edu) + auc(marital)`, `-logloss(ctr)`, `2 * auc(ctr) - 0.5 * logloss(cvr)`), evaluated
 * with the same code as early stopping (artifact/metric-plan.ts) on a trial's validation metrics. Without
 * `--objective`, the spec's own early_stop expression and mode are the objective.
 */
import type { MetricFn, MetricTerm, ModelIR } from '../ir/types.js';
import { earlyStopTerms, evaluateEarlyStop, type MetricResults, type ResolvedTerm } from '../artifact/metric-plan.js';
import { MAXIMISED_METRICS, METRIC_FNS } from '../language/vocabulary.js';
import { suggest } from '../diagnostics/suggest.js';

/** A resolved objective. */
export interface Objective {
  /** As written (or the spec's early_stop, printed). */
  text: string;
  direction: 'maximize' | 'minimize';
  terms: ResolvedTerm[];
}

/** Why an objective cannot be used (message for MTL5717). */
export class ObjectiveError extends Error {}

const TERM = /^\s*([+-])?\s*(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*\*\s*)?([a-z_]+)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*/;

/** Parse `text` into metric terms on `ir`'s outputs (tasks and towers). */
export function parseObjective(text: string, ir: ModelIR): MetricTerm[] {
  // The outputs with a default label: each task, and the tower a task has as its single head (metric-plan.ts).
  const outputs = [...new Set([...ir.tasks.map((t) => t.name), ...ir.tasks.flatMap((t) => (t.head.length === 1 ? t.head : []))])];
  const terms: MetricTerm[] = [];
  let rest = text;
  while (rest.trim()) {
    const m = TERM.exec(rest);
    if (!m || (terms.length > 0 && !m[1])) throw new ObjectiveError(`cannot read '${rest.trim()}' (terms are [COEF *] METRIC(OUTPUT), joined by + or -)`);
    const [, sign, coef, fn, output] = m;
    if (!(METRIC_FNS as readonly string[]).includes(fn!)) throw new ObjectiveError(`'${fn}' is not a metric${suggest(fn!, METRIC_FNS) ? ` (did you mean '${suggest(fn!, METRIC_FNS)}'?)` : ''}`);
    if (!outputs.includes(output!)) throw new ObjectiveError(`the spec has no output '${output}'${suggest(output!, outputs) ? ` (did you mean '${suggest(output!, outputs)}'?)` : ''}; its outputs: ${outputs.join(', ')}`);
    terms.push({ coef: (sign === '-' ? -1 : 1) * (coef === undefined ? 1 : Number(coef)), metric: { fn: fn as MetricFn, output: output! } });
    rest = rest.slice(m[0].length);
  }
  if (!terms.length) throw new ObjectiveError('it is empty');
  return terms;
}

/**
 * The objective of a tune: `text` (with `direction`, else the direction its metrics agree on), or the spec's
 * early_stop. Throws {@link ObjectiveError} when neither is there or the text is not an objective.
 */
export function resolveObjective(ir: ModelIR, text: string | undefined, direction: 'maximize' | 'minimize' | undefined): Objective {
  if (text === undefined) {
    const es = ir.train.earlyStop;
    if (!es) throw new ObjectiveError('the spec has no early_stop expression to default to: give --objective');
    const terms = earlyStopTerms(ir);
    return { text: terms.map((t) => t.text).join(' + '), direction: direction ?? (es.mode === 'min' ? 'minimize' : 'maximize'), terms };
  }
  const parsed = parseObjective(text, ir);
  const dirs = new Set(parsed.map((t) => (MAXIMISED_METRICS.includes(t.metric.fn) === t.coef >= 0 ? 'maximize' : 'minimize')));
  if (!direction && dirs.size > 1) throw new ObjectiveError('its terms disagree on the direction: give --direction maximize or minimize');
  const withTerms: ModelIR = { ...ir, train: { ...ir.train, earlyStop: { terms: parsed, mode: 'max', patience: 1 } } };
  return { text: text.trim(), direction: direction ?? ([...dirs][0] as 'maximize' | 'minimize'), terms: earlyStopTerms(withTerms) };
}

/** The objective's value on validation metrics; null when a term is undefined (a single class, no rows). */
export function objectiveValue(o: Objective, metrics: MetricResults): number | null {
  return evaluateEarlyStop(o.terms, metrics).value;
}

/** A value as a score where higher is better (what the samplers and the pruner compare). */
export function toScore(o: Objective, value: number): number {
  return o.direction === 'maximize' ? value : -value;
}
