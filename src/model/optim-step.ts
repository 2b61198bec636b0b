/**
 * One optimiser update with the train block's recipe, shared by the tfjs step and the direct step (both end
 * here): the scheduled learning rate of this update, global gradient-norm clipping over the dense gradients
 * and the embedding rows' summed gradients (as torch.nn.utils.clip_grad_norm_), then the dense update
 * (with decoupled weight decay) and the embedding tables' update (with L2 on the touched rows).
 *
 * The schedule's position is the dense optimiser's update count, which checkpoints hold
 * (`denseOptimizerStep`), so `--resume` continues mid-schedule exactly.
 */
import type * as tf from '@tensorflow/tfjs';
import { DEFAULT_GAMMA, scheduleDef, scheduleLr, type ScheduleContext } from '../ir/ops/index.js';
import type { DenseOptimizer } from './optim-dense.js';
import type { EmbeddingStore } from './embeddings.js';
import type { OptimizerSettings } from './types.js';
import { activeNativeBlas } from '../exec/native-blas.js';

/** clip_grad_norm_'s guard against a zero norm: coef = max_norm / (norm + 1e-6). */
export const CLIP_EPSILON = 1e-6;

/** The schedule's context from the settings, or undefined without a schedule. */
export function scheduleContext(settings: OptimizerSettings): ScheduleContext | undefined {
  const r = settings.recipe;
  const s = r?.schedule;
  if (!s) return undefined;
  const stepsPerEpoch = Math.max(1, r.stepsPerEpoch ?? 1);
  return {
    lr: settings.lr,
    totalSteps: stepsPerEpoch * Math.max(1, r.epochs ?? 1),
    stepsPerEpoch,
    warmup: s.warmup ?? 0,
    minLr: s.minLr ?? 0,
    everySteps: Math.max(1, (s.every ?? 1) * (s.everyUnit === 'steps' ? 1 : stepsPerEpoch)),
    gamma: s.gamma ?? DEFAULT_GAMMA,
  };
}

/** The learning rate of update `k` (0-based) under `settings` (the constant lr without a schedule). */
export function learningRateAt(settings: OptimizerSettings, k: number): number {
  const c = scheduleContext(settings);
  const def = settings.recipe?.schedule ? scheduleDef(settings.recipe.schedule.type) : undefined;
  return c && def ? scheduleLr(def, k, c) : settings.lr;
}

/**
 * Σg² of a dense gradient (a tensor is read back; only when clipping), in double in index order: in the
 * addon on the native backend (the same sum, same bits), else this loop. `useNative` false: the loop (tests).
 */
export function squaredSum(g: tf.Tensor | Float32Array, useNative = true): number {
  const a = g instanceof Float32Array ? g : (g.dataSync() as Float32Array);
  const native = useNative ? activeNativeBlas() : undefined;
  if (native) return native.sumSquares(a);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return s;
}

/**
 * Apply one update with the dense optimiser's settings: `grads` parallel to its params, the embedding
 * gradients pending in `store`. Returns the learning rate used.
 */
export function applyUpdate(dense: DenseOptimizer, grads: Array<tf.Tensor | Float32Array | undefined>, store: EmbeddingStore): number {
  const settings = dense.settings;
  const k = dense.updates();
  const lr = learningRateAt(settings, k);
  const r = settings.recipe ?? {};
  const pending = store.takeGradients();
  let scale = 1;
  if (r.clipNorm !== undefined) {
    let sq = 0;
    for (const g of grads) if (g) sq += squaredSum(g);
    for (const p of pending) sq += squaredSum(p.grads);
    const coef = r.clipNorm / (Math.sqrt(sq) + CLIP_EPSILON);
    if (coef < 1) scale = coef;
  }
  dense.apply(grads, { lr, scale, weightDecay: r.weightDecay ?? 0 });
  store.applyGradients(pending, { lr, scale, l2: r.embeddingL2 ?? 0, step: k + 1 });
  return lr;
}
