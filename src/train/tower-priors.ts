/**
 * Starting each tower's output unit at its base rate.
 *
 * A sigmoid tower that starts at logit 0 predicts 0.5 for a 2 % task, and with Adam at lr 1e-3 its bias
 * moves ~1e-3 per step: early epochs are spent on calibration, and early stopping (which often picks epoch 1
 * on click data, the "one-epoch" overfitting of CTR models) then exports an under-calibrated model whose
 * logloss loses to a constant. Initialising the output bias at the log-odds of the base rate (the usual
 * practice in production CTR models) removes that. Rates come from a uniform sample of the training part's
 * labels (data/label-sample.ts: the whole part, so a file sorted by time or label gives the overall rate):
 * - a tower that is the single head of a bce task starts at logit(rate of the task's label under its mask);
 * - a tower inside a product head (ESMM's cvr in ctr × cvr) starts at logit(rate / product of the other
 *   towers' rates), once the others are known;
 * - a linear tower that is the head of an mse task starts at the label's mean.
 */
import type { ModelIR, TowerNode } from '../ir/types.js';
import type { LabelSampleRows } from '../data/label-sample.js';
import type { LabelExpr } from '../ir/types.js';
import { lossDef } from '../ir/ops/index.js';

/** How label expressions are evaluated (src/model/labels.ts). */
export type EvalLabelExpr = (expr: LabelExpr, labels: Record<string, Float32Array>, size: number) => Float32Array;

const CLIP = 1e-4;
const logit = (p: number): number => {
  const q = Math.min(1 - CLIP, Math.max(CLIP, p));
  return Math.log(q / (1 - q));
};

/** Initial output biases (logits for sigmoid towers, means for linear ones) by tower name. */
export function towerPriors(ir: ModelIR, batches: readonly LabelSampleRows[], evalLabelExpr: EvalLabelExpr): Record<string, number> {
  // Masked mean of each task's label over the sample.
  const taskMean = new Map<string, number>();
  for (const task of ir.tasks) {
    if (!lossDef(task.loss.type)?.prior) continue;
    let sum = 0;
    let count = 0;
    for (const b of batches) {
      const y = evalLabelExpr(task.loss.label, b.labels, b.size);
      const m = task.mask ? evalLabelExpr(task.mask, b.labels, b.size) : undefined;
      for (let i = 0; i < b.size; i++) {
        const w = m ? m[i]! : 1;
        sum += w * y[i]!;
        count += w;
      }
    }
    if (count > 0) taskMean.set(task.name, sum / count);
  }

  const towers = new Map(ir.nodes.filter((n): n is TowerNode => n.kind === 'tower').map((t) => [t.name, t]));
  const rate = new Map<string, number>();
  const out: Record<string, number> = {};
  for (const task of ir.tasks) {
    const mean = taskMean.get(task.name);
    const tower = task.head.length === 1 ? towers.get(task.head[0]!) : undefined;
    if (mean === undefined || !tower || out[tower.name] !== undefined) continue;
    const prior = lossDef(task.loss.type)?.prior;
    if (prior === 'rate' && tower.output === 'sigmoid') rate.set(tower.name, mean);
    if (prior === 'mean' && tower.output === 'linear') out[tower.name] = mean;
  }
  // Towers inside product heads: solve for the one unknown factor; repeat while that makes progress.
  for (let changed = true; changed; ) {
    changed = false;
    for (const task of ir.tasks) {
      const mean = taskMean.get(task.name);
      if (mean === undefined || lossDef(task.loss.type)?.prior !== 'rate' || task.head.length < 2) continue;
      const unknown = task.head.filter((t) => !rate.has(t));
      if (unknown.length !== 1 || towers.get(unknown[0]!)?.output !== 'sigmoid') continue;
      const known = task.head.filter((t) => rate.has(t)).reduce((p, t) => p * rate.get(t)!, 1);
      if (known <= 0) continue;
      rate.set(unknown[0]!, Math.min(1 - CLIP, mean / known));
      changed = true;
    }
  }
  for (const [tower, p] of rate) out[tower] = logit(p);
  return out;
}
