/**
 * A private evaluator of label expressions for losses and masks. The shared one belongs in
 * src/runtime/labels.ts (another area); this copy keeps the compiler self-contained until it lands,
 * with the same signature so the import can be swapped.
 */
import type { LabelExpr } from '../ir/types.js';

/**
 * Evaluate `expr` row by row: a label is its value, `and` the product, `or` the maximum, `not` 1 - x.
 * On 0/1 labels this is boolean logic; a missing label column reads as 0.
 */
export function evalLabelExpr(expr: LabelExpr, labels: Record<string, Float32Array>, size: number): Float32Array {
  const out = new Float32Array(size);
  if ('label' in expr) {
    const column = labels[expr.label];
    if (column) out.set(column.subarray(0, size));
    return out;
  }
  if (expr.op === 'not') {
    const inner = evalLabelExpr(expr.arg, labels, size);
    for (let i = 0; i < size; i++) out[i] = 1 - inner[i]!;
    return out;
  }
  const parts = expr.args.map((a) => evalLabelExpr(a, labels, size));
  out.fill(expr.op === 'and' ? 1 : 0);
  for (const part of parts) {
    for (let i = 0; i < size; i++) out[i] = expr.op === 'and' ? out[i]! * part[i]! : Math.max(out[i]!, part[i]!);
  }
  return out;
}
