/**
 * Evaluating label expressions (`click & buy`, `!click`, `click | cart`) row by row, for losses, masks and
 * metrics. On 0/1 labels this is boolean logic; on soft labels it stays in [0, 1]: `and` is the product,
 * `or` the maximum, `not` 1 − x. The one evaluator for the compiler's losses, the metrics and the priors.
 */
import type { LabelExpr } from '../ir/types.js';

/** Evaluate `expr` over `size` rows. A label absent from `labels` reads as 0 (the validator rejects unknown labels). */
export function evalLabelExpr(expr: LabelExpr, labels: Record<string, Float32Array>, size: number): Float32Array {
  const out = new Float32Array(size);
  if ('label' in expr) {
    const column = labels[expr.label];
    if (column) out.set(column.length > size ? column.subarray(0, size) : column);
    return out;
  }
  if (expr.op === 'not') {
    const inner = evalLabelExpr(expr.arg, labels, size);
    for (let i = 0; i < size; i++) out[i] = 1 - inner[i]!;
    return out;
  }
  if (expr.op === 'and') {
    out.fill(1);
    for (const a of expr.args) {
      const part = evalLabelExpr(a, labels, size);
      for (let i = 0; i < size; i++) out[i] = out[i]! * part[i]!;
    }
    return out;
  }
  for (const a of expr.args) {
    const part = evalLabelExpr(a, labels, size);
    for (let i = 0; i < size; i++) if (part[i]! > out[i]!) out[i] = part[i]!;
  }
  return out;
}
