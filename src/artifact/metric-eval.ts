/**
 * Streaming evaluation of a metric plan: predictions and labels are collected batch by batch
 * (metrics such as AUC need every row), then each planned metric is computed once.
 */
import type { Batch } from '../data/types.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { FILE_START } from '../diagnostics/types.js';
import { diag } from '../diagnostics/catalog.js';
import type { ModelIR } from '../ir/types.js';
import { rowWeights } from '../ir/sample-weights.js';
import type { MetricResults, PlannedMetric } from './metric-plan.js';
import type { RuntimeDeps } from './runtime-deps.js';

/** Growable float32 storage, so that collecting N rows costs O(N) and not O(N × batches). */
class FloatList {
  private buf = new Float32Array(1024);
  length = 0;
  push(values: Float32Array): void {
    if (this.length + values.length > this.buf.length) {
      const next = new Float32Array(Math.max(this.buf.length * 2, this.length + values.length));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    this.buf.set(values, this.length);
    this.length += values.length;
  }
  values(): Float32Array {
    return this.buf.subarray(0, this.length);
  }
}

/** What is collected for one planned metric. */
interface Slot {
  plan: PlannedMetric;
  pred: FloatList;
  label: FloatList;
  mask?: FloatList;
  groups?: string[];
  weights?: FloatList;
}

/** Which output to read when an output name has no predictions of its own: a task's single head tower. */
function aliases(ir: ModelIR): Map<string, string> {
  const map = new Map<string, string>();
  for (const t of ir.tasks) if (t.head.length === 1 && t.head[0] !== t.name) map.set(t.name, t.head[0]!);
  return map;
}

/** Collects predictions and labels for a metric plan, then computes it. */
export class MetricAccumulator {
  private readonly slots: Slot[];
  private readonly alias: Map<string, string>;
  /** Rows seen so far. */
  rows = 0;

  constructor(
    ir: ModelIR,
    plan: PlannedMetric[],
    private readonly deps: Pick<RuntimeDeps, 'computeMetric' | 'evalLabelExpr'>,
  ) {
    this.alias = aliases(ir);
    this.slots = plan.map((p) => {
      const s: Slot = { plan: p, pred: new FloatList(), label: new FloatList() };
      if (p.mask) s.mask = new FloatList();
      if (p.groupBy !== undefined) s.groups = [];
      if (p.weights) s.weights = new FloatList();
      return s;
    });
  }

  /** Add a batch and the model's outputs for it (output name → one value per row). */
  add(batch: Batch, outputs: Record<string, Float32Array>): void {
    this.rows += batch.size;
    for (const s of this.slots) {
      const p = s.plan;
      const pred = outputs[p.output] ?? outputs[this.alias.get(p.output) ?? ''];
      if (!pred) throw new Error(`internal: no predictions for output '${p.output}'`);
      s.pred.push(pred.subarray(0, batch.size));
      s.label.push(this.deps.evalLabelExpr(p.label, batch.labels, batch.size));
      if (s.mask && p.mask) s.mask.push(this.deps.evalLabelExpr(p.mask, batch.labels, batch.size));
      if (s.weights && p.weights) s.weights.push(rowWeights(p.weights, batch.weights, batch.size));
      if (s.groups && p.groupBy !== undefined) {
        const g = batch.groups[p.groupBy];
        for (let i = 0; i < batch.size; i++) s.groups.push(g?.[i] ?? '');
      }
    }
  }

  /**
   * Compute every planned metric. A metric that cannot be computed is null, with a warning MTL5305
   * naming `part` (e.g. "the validation data of epoch 2") and the reason.
   */
  finish(part: string): { value: MetricResults; diagnostics: Diagnostic[] } {
    const value: MetricResults = {};
    const diagnostics: Diagnostic[] = [];
    for (const s of this.slots) {
      const p = s.plan;
      const opts: { mask?: Float32Array; groups?: string[]; weights?: Float32Array } = {};
      if (s.mask) opts.mask = s.mask.values();
      if (s.groups) opts.groups = s.groups;
      if (s.weights) opts.weights = s.weights.values();
      let v: number | null = this.deps.computeMetric(p.fn, s.pred.values(), s.label.values(), opts);
      if (v !== null && !Number.isFinite(v)) v = null;
      (value[p.output] ??= {})[p.key] = v;
      if (v === null) diagnostics.push(diag('MTL5305', FILE_START, { key: p.key, output: p.output, part, reason: nullReason(s) }));
    }
    return { value, diagnostics };
  }
}

/** Why a metric is undefined, for the warning. */
function nullReason(s: Slot): string {
  const label = s.label.values();
  const mask = s.mask?.values();
  let rows = 0;
  let pos = 0;
  for (let i = 0; i < label.length; i++) {
    if (mask && !(mask[i]! > 0.5)) continue;
    rows++;
    if (label[i]! > 0.5) pos++;
  }
  if (rows === 0) return s.mask ? 'no row is in its mask' : 'there are no rows';
  const weights = s.weights?.values();
  if (weights && !weights.some((w, i) => w > 0 && (!mask || mask[i]! > 0.5))) return 'every row it counts has sample weight 0';
  if (s.plan.fn === 'auc' || s.plan.fn === 'gauc') {
    if (pos === 0 || pos === rows) return `all ${rows} rows have label ${pos === 0 ? 0 : 1}`;
    if (s.plan.fn === 'gauc') return 'no group has both classes';
  }
  return 'the value is not a finite number';
}
