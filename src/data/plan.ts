/**
 * What a pass over the data reads, resolved from the IR: each feature's column and effective id space
 * (following `shares` to the owning feature), each label's column, the group-by columns of metrics and the
 * `weight_by` columns of sample weights.
 * Unresolvable references (a validator's job) fall back to the feature's own settings rather than throwing.
 */
import type { Feature, IdSpace, Label, ModelIR } from '../ir/types.js';
import type { WantedColumn } from './source.js';
import { weightColumns } from '../ir/sample-weights.js';

/** A feature to decode. */
export interface FeaturePlan {
  feature: Feature;
  column: string;
  /** The feature whose id space / table is used (itself unless `shares`). */
  owner: string;
  /** The effective id space (the owner's) for categorical and sequence features. */
  ids?: IdSpace;
}

/** A label to decode. */
export interface LabelPlan {
  label: Label;
  column: string;
  positive?: ReadonlySet<string>;
}

/** A group-by column to carry (Batch.groups is keyed by `key`, the metric's `groupBy` as written). */
export interface GroupPlan {
  key: string;
  column: string;
}

/** Everything one pass reads. */
export interface ReadPlan {
  features: FeaturePlan[];
  labels: LabelPlan[];
  groups: GroupPlan[];
  /** The `weight_by` columns (Batch.weights is keyed by column). */
  weights: string[];
  /** Distinct columns, in order of first use; indexes of {@link FeaturePlan}s etc. refer to it through `columnIndex`. */
  wanted: WantedColumn[];
  /** Column name → index in `wanted`. */
  columnIndex: Map<string, number>;
}

/** Follow `shares` to the feature that owns the table (stops on cycles and unknown names). */
export function ownerOf(ir: ModelIR, f: Feature): Feature {
  const byName = new Map(ir.features.map((x) => [x.name, x]));
  let cur: Feature = f;
  const seen = new Set<string>([f.name]);
  while (cur.kind !== 'numeric' && cur.shares !== undefined) {
    const next = byName.get(cur.shares);
    if (!next || seen.has(next.name)) break;
    seen.add(next.name);
    cur = next;
  }
  return cur;
}

/** Build the read plan. Labels and groups only when `needLabels`. */
export function makePlan(ir: ModelIR, needLabels: boolean): ReadPlan {
  const wanted: WantedColumn[] = [];
  const columnIndex = new Map<string, number>();
  const want = (column: string, user: string, separator?: string): void => {
    if (columnIndex.has(column)) return;
    columnIndex.set(column, wanted.length);
    wanted.push(separator !== undefined ? { column, user, separator } : { column, user });
  };

  const features: FeaturePlan[] = ir.features.map((f) => {
    const column = f.column ?? f.name;
    want(column, `feature '${f.name}'`, f.kind === 'sequence' ? f.separator : undefined);
    if (f.kind === 'numeric') return { feature: f, column, owner: f.name };
    const owner = ownerOf(ir, f);
    const ids = owner.kind === 'numeric' ? f.ids : owner.ids;
    return { feature: f, column, owner: owner.name, ids };
  });

  const labels: LabelPlan[] = [];
  const groups: GroupPlan[] = [];
  if (needLabels) {
    for (const l of ir.labels) {
      const column = l.column ?? l.name;
      want(column, `label '${l.name}'`);
      labels.push(l.positive && l.positive.length ? { label: l, column, positive: new Set(l.positive.map((p) => p.trim())) } : { label: l, column });
    }
    const seen = new Set<string>();
    for (const m of ir.metrics) {
      if (m.groupBy === undefined || seen.has(m.groupBy)) continue;
      seen.add(m.groupBy);
      // `by user_id` names a column; when it names a feature, that feature's column is meant.
      const f = ir.features.find((x) => x.name === m.groupBy);
      const column = f ? (f.column ?? f.name) : m.groupBy;
      want(column, `metric ${m.fn}(${m.output}) by ${m.groupBy}`);
      groups.push({ key: m.groupBy, column });
    }
    for (const column of weightColumns(ir)) want(column, `weight_by ${column}`);
  }
  return { features, labels, groups, weights: needLabels ? weightColumns(ir) : [], wanted, columnIndex };
}
