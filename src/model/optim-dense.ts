/**
 * The optimiser for the dense weights (core model layers, uncertainty log-variances). Written on tfjs ops
 * with the update rules of tf.train.adam / adagrad / sgd, rather than using those classes, because their
 * getWeights()/setWeights() are async while ModelRuntime.getState()/setState() are synchronous; owning the
 * slots also makes resume exact (moments and the step counter are plain named tensors).
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerSettings, StateTensor } from './types.js';
import { ADAGRAD_EPSILON, ADAGRAD_INITIAL, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON } from './optim-params.js';
import { decayInPlace, fusedUpdate, scaleInPlace, wasmHeapViews, type HeapViews } from './optim-dense-fused.js';

/** One optimised variable with a stable key (independent of tfjs' process-unique variable names). */
export interface DenseParam {
  key: string;
  variable: tf.Variable;
}

/** Options of {@link DenseOptimizer}. */
export interface DenseOptimizerOptions {
  /**
   * Update in place in the wasm heap with one fused pass per weight (optim-dense-fused.ts) when the backend
   * is wasm/native (default true); false always uses the tfjs-op path (the reference, for tests).
   */
  fused?: boolean;
}

/** What one update uses besides the gradients (src/model/optim-step.ts computes it from the recipe). */
export interface UpdateAt {
  /** This update's (scheduled) learning rate. */
  lr: number;
  /** Clipping's factor on every gradient (1: none). */
  scale: number;
  /** Decoupled weight decay λ: w ← w·(1 − lr·λ) before the update, as torch.optim.AdamW. */
  weightDecay: number;
}

/** Adam / Adagrad / SGD over a fixed list of variables, with synchronous, exact state. */
export class DenseOptimizer {
  private step = 0;
  private readonly slots = new Map<string, tf.Variable[]>();
  private readonly fused: boolean;

  constructor(
    readonly settings: OptimizerSettings,
    private readonly params: DenseParam[],
    options: DenseOptimizerOptions = {},
  ) {
    this.fused = options.fused ?? true;
    for (const p of params) this.slots.set(p.key, this.makeSlots(p.variable));
  }

  /** Fresh slots; made in a tidy so each slot variable is the only holder of its data (fused updates write in place). */
  private makeSlots(v: tf.Variable): tf.Variable[] {
    return tf.tidy(() => {
      switch (this.settings.optimizer) {
        case 'adam':
          return [tf.variable(tf.zerosLike(v), false), tf.variable(tf.zerosLike(v), false)];
        case 'adagrad':
          return [tf.variable(tf.fill(v.shape, ADAGRAD_INITIAL), false)];
        case 'sgd':
          return [];
      }
    });
  }

  /**
   * The fused in-place update of one weight; false (nothing changed) when some operand is not an
   * exclusively held float32 tensor in the wasm heap. Views are taken here, after the last allocation,
   * because heap growth detaches them. A Float32Array gradient (the direct step's) is used as it is.
   */
  private applyFused(heap: HeapViews, p: DenseParam, slots: tf.Variable[], g: tf.Tensor | Float32Array, at: UpdateAt): boolean {
    const size = g instanceof Float32Array ? g.length : g.size;
    if (size !== p.variable.size || !heap.exclusive(p.variable) || !slots.every((s) => heap.exclusive(s))) return false;
    const w = heap.view(p.variable);
    const gv = g instanceof Float32Array ? g : heap.view(g);
    const sv = slots.map((s) => heap.view(s));
    if (!w || !gv || sv.some((s) => !s)) return false;
    const { optimizer } = this.settings;
    const lr = at.lr;
    if (at.weightDecay !== 0) decayInPlace(w, 1 - lr * at.weightDecay);
    if (optimizer === 'sgd') fusedUpdate(w, gv, { kind: 'sgd' }, lr);
    else if (optimizer === 'adagrad') fusedUpdate(w, gv, { kind: 'adagrad', acc: sv[0]! }, lr);
    else fusedUpdate(w, gv, { kind: 'adam', m: sv[0]!, v: sv[1]!, step: this.step }, lr);
    return true;
  }

  /**
   * Apply one update; `grads` is parallel to the constructor's params (a missing gradient skips the
   * variable). A gradient may be a tensor or a Float32Array of the variable's size (row-major).
   * Fused in-place updates go first (they allocate nothing); the rest then take the tfjs-op path, with
   * array gradients copied out beforehand (they may be views of the wasm heap, which allocation can detach).
   */
  apply(grads: Array<tf.Tensor | Float32Array | undefined>, at: UpdateAt = { lr: this.settings.lr, scale: 1, weightDecay: 0 }): void {
    this.step += 1;
    // Clipping: array gradients (the direct step's scratch) are scaled in place, tensors into new ones freed below.
    const scaled: tf.Tensor[] = [];
    if (at.scale !== 1) {
      grads = grads.map((g) => {
        if (!g) return g;
        if (g instanceof Float32Array) {
          scaleInPlace(g, at.scale);
          return g;
        }
        const t = tf.mul(g, at.scale);
        scaled.push(t);
        return t;
      });
    }
    try {
      this.applyScaled(grads, at);
    } finally {
      scaled.forEach((t) => t.dispose());
    }
  }

  /** {@link apply} after clipping. */
  private applyScaled(grads: Array<tf.Tensor | Float32Array | undefined>, at: UpdateAt): void {
    const heap = this.fused ? wasmHeapViews() : undefined;
    const rest: Array<{ p: DenseParam; g: tf.Tensor | Float32Array }> = [];
    this.params.forEach((p, i) => {
      const g = grads[i];
      if (!g) return;
      if (heap && this.applyFused(heap, p, this.slots.get(p.key)!, g, at)) return;
      rest.push({ p, g: g instanceof Float32Array ? g.slice() : g });
    });
    if (rest.length === 0) return;
    const { optimizer } = this.settings;
    const lr = at.lr;
    const c1 = 1 - Math.pow(ADAM_BETA1, this.step);
    const c2 = 1 - Math.pow(ADAM_BETA2, this.step);
    tf.tidy(() => {
      for (const { p, g: grad } of rest) {
        const g = grad instanceof Float32Array ? tf.tensor(grad, p.variable.shape, 'float32') : grad;
        const slots = this.slots.get(p.key)!;
        if (at.weightDecay !== 0) p.variable.assign(tf.mul(p.variable, 1 - lr * at.weightDecay));
        if (optimizer === 'sgd') {
          p.variable.assign(tf.sub(p.variable, tf.mul(g, lr)));
        } else if (optimizer === 'adagrad') {
          const acc = tf.add(slots[0]!, tf.square(g));
          slots[0]!.assign(acc);
          p.variable.assign(tf.sub(p.variable, tf.mul(tf.div(g, tf.sqrt(tf.add(acc, ADAGRAD_EPSILON))), lr)));
        } else {
          const m = tf.add(tf.mul(slots[0]!, ADAM_BETA1), tf.mul(g, 1 - ADAM_BETA1));
          const v = tf.add(tf.mul(slots[1]!, ADAM_BETA2), tf.mul(tf.square(g), 1 - ADAM_BETA2));
          slots[0]!.assign(m);
          slots[1]!.assign(v);
          const update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), ADAM_EPSILON));
          p.variable.assign(tf.sub(p.variable, tf.mul(update, lr)));
        }
      }
    });
  }

  /** Updates applied so far (the learning-rate schedule's position; restored by setState). */
  updates(): number {
    return this.step;
  }

  /** Slots as named tensors (`PREFIX/KEY/slotIndex`) and the step counter. */
  getState(prefix: string): { tensors: Record<string, StateTensor>; step: number } {
    const tensors: Record<string, StateTensor> = {};
    for (const [key, slots] of this.slots) {
      slots.forEach((s, i) => {
        tensors[`${prefix}/${key}/${i}`] = { shape: s.shape.slice(), data: new Float32Array(s.dataSync()) };
      });
    }
    return { tensors, step: this.step };
  }

  /** Restore slots and step; returns the names of slots that were missing or of the wrong size. */
  setState(prefix: string, tensors: Record<string, StateTensor>, step: number): string[] {
    const problems: string[] = [];
    tf.tidy(() => {
      for (const [key, slots] of this.slots) {
        slots.forEach((s, i) => {
          const name = `${prefix}/${key}/${i}`;
          const t = tensors[name];
          if (!t || t.data.length !== s.size) problems.push(name);
          else s.assign(tf.tensor(t.data, s.shape, 'float32'));
        });
      }
    });
    this.step = step;
    return problems;
  }

  /** Free the slot variables. */
  dispose(): void {
    for (const slots of this.slots.values()) slots.forEach((s) => s.dispose());
    this.slots.clear();
  }
}
