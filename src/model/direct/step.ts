/**
 * The direct training step: forward, loss and backward of a {@link DirectPlan} computed by the addon's
 * kernels on the wasm heap, without tfjs's tape. The tfjs step dispatches ~400 small kernels per MMoE
 * step, each with JS bookkeeping, transposes and temporaries; this step makes ~60 addon calls on
 * preallocated buffers (bench/README.md has the before/after profile). The same class runs a prediction
 * plan's forward pass ({@link DirectStep.infer}).
 *
 * Memory: one arena allocated in the wasm heap holds the weight gradients and the per-column statistics,
 * then every buffer's values and gradients for `capacity` examples (reallocated when a larger batch
 * comes). The weights are the tfjs model's own variables, read in place; the dense optimiser then updates
 * them in place
 * (DenseOptimizer.apply with gradient arrays), so predict, export and checkpoints see the same weights
 * whichever step trained them. Embedding lookups and their sparse updates are the EmbeddingStore's.
 *
 * Dropout masks and gate noise come from a counter-based generator keyed by (seed, step number, layer and block,
 * or gate), so runs with dropout or noisy gates are repeatable and a resumed run (the checkpoint records the
 * step number) draws the masks and the noise an uninterrupted one would have drawn. The generator is the C
 * kernels' (native/mtl_step_math.c: splitmix64 counters; Gaussians by Marsaglia's polar method with a log of
 * its own), so the addon and the WebAssembly build draw the same bits.
 *
 * Gradients: each buffer has a "written" flag per step; the first contribution writes (β = 0) and later
 * ones add (β = 1), so nothing is zeroed. A buffer nobody wrote a gradient into contributes nothing, and a
 * weight that got no gradient is skipped by the optimiser, as the tfjs step skips a variable the loss does
 * not depend on.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Feature, Task, TowerNode } from '../../ir/types.js';
import type { Batch } from '../../data/types.js';
import type { StepResult } from '../types.js';
import type { EmbeddingStore, Lookup } from '../embeddings.js';
import { isEmbedded } from '../embeddings.js';
import type { DenseOptimizer } from '../optim-dense.js';
import { applyUpdate } from '../optim-step.js';
import { BATCH_NORM_EPSILON, BATCH_NORM_MOMENTUM, type DirectPlan, type PlanOp } from './plan.js';
import { combineTaskLosses, taskLoss } from '../../exec/direct/loss.js';
import { ACTIVATION_CODES, directKernels, type DirectKernels } from '../../exec/direct/kernels.js';
import { IMPORTANCE_EPSILON } from '../../ir/ops/gate-normalizers.js';

/** The identity's kernel code (a gelu layer adds its bias with it, then activates a copy). */
const LINEAR = ACTIVATION_CODES.linear!;
import { wasmHeap, type WasmHeap } from '../../exec/wasm-heap.js';
import { poisonBytes } from '../../exec/wasm-poison.js';

/** Labels and row weights of one task for a batch (what CompiledModel.targets computes). */
export interface TaskTargets {
  task: Task;
  y: Float32Array;
  /** The row weights of the loss's weighted mean: the `where` mask times the `weight_by` sample weights. */
  mask: Float32Array;
}

/** What the step works with besides its plan. */
export interface DirectStepDeps {
  store: EmbeddingStore;
  /**
   * The model's variables by key: the plan's weights and batch-norm statistics, and `uncertainty/TASK` when
   * weighting is uncertainty.
   */
  variables: Map<string, tf.Variable>;
  /** The training seed: with the step number it keys the dropout masks. */
  seed: number;
  optimizer: DenseOptimizer;
  /** The optimiser's parameter keys in its order (gradients are handed over in this order). */
  optimizerKeys: string[];
  towers: Map<string, TowerNode>;
  /** Log-variance variable keys, one per task in IR order, when the IR uses uncertainty weighting. */
  logVarKeys: string[];
  /** A plain numeric feature's values for a batch (CompiledModel's checks and messages). */
  denseColumn(feature: Feature, batch: Batch): Float32Array;
}

const I = (...values: number[]): Int32Array => Int32Array.from(values);
const betas = (...values: number[]): Float32Array => Float32Array.from(values);

/** The direct step of one compiled model (see the module comment). Call {@link dispose} to free its arena. */
export class DirectStep {
  private heap: WasmHeap | undefined;
  private arena: { offset: number; capacity: number } | undefined;
  /** Per buffer: offset of its values and of its gradient, relative to the activation region. */
  private readonly valueAt: number[] = [];
  private readonly gradAt: number[] = [];
  /** Floats per example of all per-example buffers (values and gradients). */
  private readonly rowFloats: number;
  /** Offset of each weight's gradient in the arena, then of each fixed buffer. */
  private readonly weightGradAt = new Map<string, number>();
  /** Floats of the batch-independent part: weight gradients and fixed (one-row) buffers. */
  private readonly fixedFloats: number;

  constructor(
    readonly plan: DirectPlan,
    private readonly deps: DirectStepDeps,
  ) {
    let w = 0;
    for (const [key, size] of plan.weights) {
      this.weightGradAt.set(key, w);
      w += size;
    }
    for (const key of deps.logVarKeys) {
      this.weightGradAt.set(key, w);
      w += 1;
    }
    let row = 0;
    for (const b of plan.buffers) {
      if (b.fixed) {
        this.valueAt.push(w);
        w += b.cols * b.blocks;
      } else {
        this.valueAt.push(row);
        row += b.cols * b.blocks;
      }
    }
    for (const b of plan.buffers) {
      this.gradAt.push(b.needsGrad && !b.fixed ? row : -1);
      if (b.needsGrad && !b.fixed) row += b.cols * b.blocks;
    }
    this.rowFloats = row;
    this.fixedFloats = w;
  }

  /**
   * Make sure the arena holds `rows` examples: the same arena as long as the batch fits and the backend is the
   * same (`wasmHeap()` makes a new WasmHeap object per call, so compare what it belongs to), else a larger one
   * (allocating may grow the heap: take memory views after).
   */
  private ensureArena(heap: WasmHeap, rows: number): { offset: number; capacity: number } {
    if (this.arena && this.heap?.owner === heap.owner && this.arena.capacity >= rows) {
      this.heap = heap;
      return this.arena;
    }
    const capacity = Math.max(rows, this.arena?.capacity ?? 0);
    this.dispose();
    const offset = heap.allocate(this.arenaFloats(capacity));
    this.heap = heap;
    this.arena = { offset, capacity };
    return this.arena;
  }

  /**
   * The forward pass of a batch: weight offsets, inputs, arena, then every operation. Undefined when it
   * cannot run now (another backend is active, a weight is not in the wasm heap, or — when the pass updates
   * batch-norm statistics in place — a statistic shares its data); nothing has changed then.
   */
  private forward(batch: Batch, stepNumber: number): { ctx: StepContext; lookups: Map<number, Lookup>; arena: number } | undefined {
    const n = batch.size;
    const heap = wasmHeap();
    const K = directKernels();
    if (!heap || !K || n === 0) return undefined;
    if (this.heap && heap.owner !== this.heap.owner) {
      this.arena = undefined; // the old backend and its heap are gone
      this.heap = undefined;
    }
    const writesStatistics = this.plan.ops.some((op) => op.kind === 'dense' && op.layers.some((l) => l.norm && !l.norm.inference));
    const weightAt = new Map<string, number>();
    for (const key of [...this.plan.weights.keys(), ...this.plan.statistics.keys(), ...this.deps.logVarKeys]) {
      const v = this.deps.variables.get(key);
      const at = v ? heap.offsetOf(v) : undefined;
      if (at === undefined) return undefined;
      // Statistics are written in place: only when no other tensor shares their data.
      if (writesStatistics && this.plan.statistics.has(key) && !heap.exclusive(v!)) return undefined;
      weightAt.set(key, at);
    }
    const arena = this.ensureArena(heap, n);
    const mem = heap.memory();
    // MTL_WASM_POISON: the arena is reused from step to step; poisoned, a value this step reads before writing shows.
    poisonBytes(mem.buffer, arena.offset * 4, this.arenaFloats(arena.capacity) * 4);
    const ctx = new StepContext(K, mem, arena.offset, arena.offset + this.fixedFloats, arena.capacity, n, this, weightAt, { seed: this.deps.seed, step: stepNumber });
    // Inputs before any operation (they can throw on a malformed batch; only the scratch arena has been written
    // then): lookups gather straight into their buffers, with no batch-sized copy in between.
    const lookups = new Map<number, Lookup>();
    for (const op of this.plan.ops) {
      if (op.kind !== 'feature') continue;
      const at = ctx.value(op.out);
      const into = mem.subarray(at, at + n * ctx.cols(op.out));
      if (isEmbedded(op.feature)) lookups.set(op.out, this.deps.store.lookup(op.feature.name, batch.features[op.feature.name], n, into));
      else into.set(this.deps.denseColumn(op.feature, batch).subarray(0, n));
    }
    for (const op of this.plan.ops) ctx.forward(op);
    return { ctx, lookups, arena: arena.offset };
  }

  /**
   * One training step, or undefined when this step cannot run now (see {@link forward}) — nothing has
   * changed then and the caller runs the tfjs step.
   */
  step(batch: Batch, targets: TaskTargets[], stepNumber: number): StepResult | undefined {
    const pass = this.forward(batch, stepNumber);
    if (!pass) return undefined;
    const { ctx, lookups, arena } = pass;
    const { mem, n } = ctx;
    const result = this.loss(ctx, targets, ctx.weightOffsets);
    for (let i = this.plan.ops.length - 1; i >= 0; i--) ctx.backward(this.plan.ops[i]!);
    // Gate auxiliary losses (computed with their gradients in the backward pass) join the total, not a task.
    result.loss += ctx.auxLoss;

    for (const [buffer, lookup] of lookups) {
      if (ctx.written[buffer]) this.deps.store.backward(lookup, mem.subarray(ctx.grad(buffer), ctx.grad(buffer) + n * lookup.dim));
    }
    const grads = this.deps.optimizerKeys.map((key) => {
      const at = this.weightGradAt.get(key);
      return at !== undefined && ctx.weightWritten.has(key) ? mem.subarray(arena + at, arena + at + this.weightSize(key)) : undefined;
    });
    applyUpdate(this.deps.optimizer, grads, this.deps.store);
    return result;
  }

  /**
   * Predictions of a prediction plan ({@link planDirectStep} mode `predict`): every tower's logits and every
   * gate's weights ([rows × experts], row-major), copied out; undefined when the pass cannot run now.
   */
  infer(batch: Batch): { towerLogits: Map<string, Float32Array>; gateWeights: Map<string, Float32Array> } | undefined {
    const pass = this.forward(batch, 0);
    if (!pass) return undefined;
    const { ctx } = pass;
    const copy = (buffer: number): Float32Array => {
      const at = ctx.value(buffer);
      return ctx.mem.slice(at, at + ctx.n * ctx.cols(buffer));
    };
    return {
      towerLogits: new Map([...this.plan.towerLogits].map(([name, buffer]) => [name, copy(buffer)])),
      gateWeights: new Map([...this.plan.gateWeights].map(([name, buffer]) => [name, copy(buffer)])),
    };
  }

  /** Floats of an arena for `capacity` examples. */
  private arenaFloats(capacity: number): number {
    return this.fixedFloats + this.rowFloats * capacity;
  }

  private weightSize(key: string): number {
    return this.plan.weights.get(key) ?? 1;
  }

  /** Task losses from the tower logits; writes each head tower's logit gradient. */
  private loss(ctx: StepContext, targets: TaskTargets[], weightAt: Map<string, number>): StepResult {
    const { n, mem } = ctx;
    const logits = (tower: string): Float32Array => {
      const at = ctx.value(this.plan.towerLogits.get(tower)!);
      return mem.subarray(at, at + n);
    };
    const perTask = targets.map(({ task, y, mask }) =>
      taskLoss(
        {
          loss: task.loss.type,
          sigmoidHead: task.head.every((h) => this.deps.towers.get(h)!.output === 'sigmoid'),
          logits: task.head.map(logits),
          y,
          mask,
          weight: task.weight,
        },
        n,
      ),
    );
    const logVars = this.deps.logVarKeys.length > 0 ? this.deps.logVarKeys.map((k) => mem[weightAt.get(k)!]!) : undefined;
    const combined = combineTaskLosses(
      perTask.map((t) => t.loss),
      targets.map((t) => t.task.weight),
      logVars,
    );
    const dz = new Map<string, Float64Array>();
    targets.forEach(({ task }, t) => {
      task.head.forEach((tower, i) => {
        let acc = dz.get(tower);
        if (!acc) dz.set(tower, (acc = new Float64Array(n)));
        const d = perTask[t]!.dLogits[i]!;
        const factor = combined.factors[t]!;
        for (let b = 0; b < n; b++) acc[b]! += factor * d[b]!;
      });
    });
    for (const [tower, d] of dz) {
      const buffer = this.plan.towerLogits.get(tower)!;
      mem.set(d, ctx.grad(buffer));
      ctx.written[buffer] = 1;
    }
    this.deps.logVarKeys.forEach((key, t) => {
      mem[ctx.weightGrad(key)] = combined.dLogVars[t]!;
      ctx.weightWritten.add(key);
    });
    const taskLosses: Record<string, number> = {};
    targets.forEach(({ task }, t) => (taskLosses[task.name] = perTask[t]!.loss));
    return { loss: combined.total, taskLosses };
  }

  /** Relative offsets, for StepContext: `fixed` buffers' values are in the batch-independent part. */
  layoutOf(buffer: number): { value: number; grad: number; cols: number; fixed: boolean } {
    const b = this.plan.buffers[buffer]!;
    return { value: this.valueAt[buffer]!, grad: this.gradAt[buffer]!, cols: b.cols, fixed: b.fixed === true };
  }

  /** Relative offset of a weight's gradient, for StepContext. */
  weightGradOffset(key: string): number {
    return this.weightGradAt.get(key)!;
  }

  /** Free the arena (the step allocates a new one if it runs again). */
  dispose(): void {
    if (this.arena && this.heap) {
      try {
        this.heap.free(this.arena.offset);
      } catch {
        // The backend was disposed with its heap; nothing is left to free.
      }
    }
    this.arena = undefined;
  }
}

/** One step's absolute offsets, gradient flags and the forward/backward of each operation. */
class StepContext {
  readonly written: Uint8Array;
  readonly weightWritten = new Set<string>();
  /** The gates' auxiliary losses, weighted, summed by their backward passes. */
  auxLoss = 0;

  constructor(
    private readonly K: DirectKernels,
    readonly mem: Float32Array,
    private readonly fixedBase: number,
    private readonly activationBase: number,
    private readonly capacity: number,
    readonly n: number,
    private readonly step: DirectStep,
    readonly weightOffsets: Map<string, number>,
    private readonly random: { seed: number; step: number },
  ) {
    this.written = new Uint8Array(step.plan.buffers.length);
  }

  value(buffer: number, block = 0): number {
    const l = this.step.layoutOf(buffer);
    if (l.fixed) return this.fixedBase + l.value + block * l.cols;
    return this.activationBase + l.value * this.capacity + block * this.capacity * l.cols;
  }

  grad(buffer: number, block = 0): number {
    const l = this.step.layoutOf(buffer);
    if (l.grad < 0) throw new Error(`internal: buffer ${this.step.plan.buffers[buffer]!.name} has no gradient`);
    return this.activationBase + l.grad * this.capacity + block * this.capacity * l.cols;
  }

  /** Offsets of every block of `buffer` (values, or gradients with `grad`). */
  private blocks(buffer: number, count: number, grad = false): Int32Array {
    return Int32Array.from({ length: count }, (_, i) => (grad ? this.grad(buffer, i) : this.value(buffer, i)));
  }

  private weights(keys: string[]): Int32Array {
    return Int32Array.from(keys, (k) => this.weight(k));
  }

  private weightGrads(keys: string[]): Int32Array {
    for (const k of keys) this.weightWritten.add(k);
    return Int32Array.from(keys, (k) => this.weightGrad(k));
  }

  cols(buffer: number): number {
    return this.step.plan.buffers[buffer]!.cols;
  }

  weight(key: string): number {
    return this.weightOffsets.get(key)!;
  }

  weightGrad(key: string): number {
    return this.fixedBase + this.step.weightGradOffset(key);
  }

  /** β for the next gradient contribution to `buffer` (0 first, then 1), marking it written. */
  private beta(buffer: number): number {
    const b = this.written[buffer] ? 1 : 0;
    this.written[buffer] = 1;
    return b;
  }

  private needsGrad(buffer: number): boolean {
    return this.step.plan.buffers[buffer]!.needsGrad;
  }

  forward(op: PlanOp): void {
    const { K, mem, n } = this;
    switch (op.kind) {
      case 'feature':
        return; // values were copied in by the step
      case 'concat': {
        const out = this.cols(op.out);
        let at = 0;
        for (const p of op.parts) {
          K.copyColsAt(mem, this.value(p), this.cols(p), this.value(op.out) + at, out, n, this.cols(p), false);
          at += this.cols(p);
        }
        return;
      }
      case 'dense': {
        const { count } = op;
        let fanIn = this.cols(op.input);
        op.layers.forEach((layer, j) => {
          const inputs = j === 0 ? new Int32Array(count).fill(this.value(op.input)) : this.blocks(op.layers[j - 1]!.out, count);
          const linear = this.blocks(layer.linear, count);
          const activated = this.blocks(layer.activated, count);
          // With `pre` (gelu), the normalised / biased values stay there and the activation goes to `activated`.
          const normalised = layer.pre === undefined ? activated : this.blocks(layer.pre, count);
          const act = layer.pre === undefined ? layer.act : LINEAR;
          const noBias = new Int32Array(count).fill(-1);
          K.gemmAt(mem, false, false, n, layer.units, fanIn, inputs, this.weights(layer.kernels), linear, new Float32Array(count));
          if (layer.norm?.inference) {
            const bn = layer.norm;
            K.batchNormInferAt(mem, n, layer.units, BATCH_NORM_EPSILON, linear, this.weights(bn.gammas), this.weights(bn.betas), this.weights(bn.movingMeans), this.weights(bn.movingVariances), normalised);
            K.biasActAt(mem, n, layer.units, act, normalised, noBias);
          } else if (layer.norm) {
            const bn = layer.norm;
            K.batchNormAt(mem, n, layer.units, BATCH_NORM_EPSILON, BATCH_NORM_MOMENTUM, linear, this.weights(bn.gammas), this.weights(bn.betas), this.weights(bn.movingMeans), this.weights(bn.movingVariances), this.blocks(bn.xhat, count), this.blocks(bn.invStd, count), normalised);
            K.biasActAt(mem, n, layer.units, act, normalised, noBias);
          } else {
            K.biasActAt(mem, n, layer.units, act, linear, this.weights(layer.biases!));
          }
          if (layer.pre !== undefined) {
            const size = n * layer.units;
            normalised.forEach((from, b) => K.copyColsAt(mem, from, size, activated[b]!, size, 1, size, false));
            K.biasActAt(mem, n, layer.units, layer.act, activated, noBias);
          }
          if (layer.dropout) {
            const d = layer.dropout;
            const streams = Int32Array.from({ length: count }, (_, i) => d.stream + i);
            K.dropoutAt(mem, n * layer.units, d.rate, this.random.seed, this.random.step, streams, activated, this.blocks(layer.out, count), this.blocks(d.mask, count));
          }
          fanIn = layer.units;
        });
        return;
      }
      case 'gate': {
        const experts = this.cols(op.weights);
        const fanIn = this.cols(op.input);
        K.gemmAt(mem, false, false, n, experts, fanIn, I(this.value(op.input)), I(this.weight(op.kernel)), I(this.value(op.logits)), betas(0));
        if (op.bias) K.biasActAt(mem, n, experts, LINEAR, I(this.value(op.logits)), I(this.weight(op.bias)));
        if (op.noise) {
          const u = this.value(op.noise.logits);
          K.gemmAt(mem, false, false, n, experts, fanIn, I(this.value(op.input)), I(this.weight(op.noise.kernel)), I(u), betas(0));
          K.gateNoiseAt(mem, n, experts, this.random.seed, this.random.step, op.noise.stream, this.value(op.logits), u, this.value(op.noise.eps));
        }
        K.gateWeightsAt(mem, op.normalizer, n, experts, op.k, op.invTemperature, op.scale, this.value(op.logits), this.value(op.weights));
        if (op.experts.length > 0) K.mixAt(mem, n, this.cols(op.out), this.value(op.weights), Int32Array.from(op.experts, (e) => this.value(e.buffer, e.block)), this.value(op.out));
        return;
      }
    }
  }

  /** A gate's logits layer X → Y backward: dW = Xᵀ·dY, db = Σ dY (with a bias), and dX (+)= dY·Wᵀ when X needs it. */
  private gateLogitsBackward(input: number, units: number, kernel: string, bias: string | undefined, dy: number): void {
    const { K, mem, n } = this;
    const fanIn = this.cols(input);
    K.gemmAt(mem, true, false, fanIn, units, n, I(this.value(input)), I(dy), this.weightGrads([kernel]), betas(0));
    if (bias) K.colSumAt(mem, n, units, I(dy), this.weightGrads([bias]));
    if (this.needsGrad(input)) {
      K.gemmAt(mem, false, true, n, fanIn, units, I(dy), I(this.weight(kernel)), I(this.grad(input)), betas(this.beta(input)));
    }
  }

  backward(op: PlanOp): void {
    const { K, mem, n } = this;
    switch (op.kind) {
      case 'feature':
        return;
      case 'concat': {
        if (!this.written[op.out]) return;
        const out = this.cols(op.out);
        let at = 0;
        for (const p of op.parts) {
          if (this.needsGrad(p)) K.copyColsAt(mem, this.grad(op.out) + at, out, this.grad(p), this.cols(p), n, this.cols(p), this.beta(p) === 1);
          at += this.cols(p);
        }
        return;
      }
      case 'dense': {
        const { count } = op;
        const blocks = Array.from({ length: count }, (_, i) => i);
        for (let j = op.layers.length - 1; j >= 0; j--) {
          const layer = op.layers[j]!;
          if (!this.written[layer.out]) return;
          const size = n * layer.units;
          const dActivated = this.blocks(layer.activated, count, true);
          if (layer.dropout) K.mulAt(mem, size, this.blocks(layer.out, count, true), this.blocks(layer.dropout.mask, count), dActivated);
          // gelu (`pre`): its derivative from its input; dActivated then holds the gradient of `pre`.
          K.actGradAt(mem, size, layer.act, dActivated, this.blocks(layer.pre ?? layer.activated, count));
          const dLinear = this.blocks(layer.linear, count, true);
          if (layer.pre !== undefined && !layer.norm) dActivated.forEach((from, b) => K.copyColsAt(mem, from, size, dLinear[b]!, size, 1, size, false));
          if (layer.norm) {
            const bn = layer.norm;
            K.batchNormGradAt(mem, n, layer.units, dActivated, this.blocks(bn.xhat, count), this.blocks(bn.invStd, count), this.weights(bn.gammas), dLinear, this.weightGrads(bn.gammas), this.weightGrads(bn.betas));
          }
          const prev = j === 0 ? undefined : op.layers[j - 1]!.out;
          const fanIn = prev === undefined ? this.cols(op.input) : this.cols(prev);
          const inputs = prev === undefined ? new Int32Array(count).fill(this.value(op.input)) : this.blocks(prev, count);
          K.gemmAt(mem, true, false, fanIn, layer.units, n, inputs, dLinear, this.weightGrads(layer.kernels), new Float32Array(count));
          if (layer.biases) K.colSumAt(mem, n, layer.units, dLinear, this.weightGrads(layer.biases));
          const kernels = this.weights(layer.kernels);
          if (prev !== undefined) {
            this.written[prev] = 1;
            K.gemmAt(mem, false, true, n, fanIn, layer.units, dLinear, kernels, this.blocks(prev, count, true), new Float32Array(count));
          } else if (this.needsGrad(op.input)) {
            // Every block reads the same input: the first product writes (or adds to) dX, the others add.
            const first = this.beta(op.input);
            const b = Float32Array.from(blocks, (i) => (i === 0 ? first : 1));
            K.gemmAt(mem, false, true, n, fanIn, layer.units, dLinear, kernels, new Int32Array(count).fill(this.grad(op.input)), b);
          }
        }
        return;
      }
      case 'gate': {
        const mixed = this.written[op.out] === 1;
        if (!mixed && op.importance === undefined) return;
        const experts = this.cols(op.weights);
        // The weights' gradient goes into the logits' gradient buffer, which gateWeightsGradAt turns into dH in place.
        const dw = this.grad(op.logits);
        if (mixed) {
          const accumulate = Int32Array.from(op.experts, (e) => this.written[e.buffer]!);
          K.mixGradAt(
            mem,
            n,
            this.cols(op.out),
            this.value(op.weights),
            Int32Array.from(op.experts, (e) => this.value(e.buffer, e.block)),
            this.grad(op.out),
            Int32Array.from(op.experts, (e) => this.grad(e.buffer, e.block)),
            accumulate,
            dw,
          );
          for (const e of op.experts) this.written[e.buffer] = 1;
        }
        if (op.importance !== undefined) this.auxLoss += K.importanceLossAt(mem, n, experts, op.importance, IMPORTANCE_EPSILON, this.value(op.weights), dw, mixed);
        K.gateWeightsGradAt(mem, op.normalizer, n, experts, op.invTemperature, op.scale, this.value(op.weights), dw, dw);
        this.gateLogitsBackward(op.input, experts, op.kernel, op.bias, dw);
        if (op.noise) {
          // dU = dH ⊙ ε ⊙ σ(U), then the noise layer's own X → U backward (no bias).
          const du = this.grad(op.noise.logits);
          K.gateNoiseGradAt(mem, n * experts, dw, this.value(op.noise.eps), this.value(op.noise.logits), du);
          this.gateLogitsBackward(op.input, experts, op.noise.kernel, undefined, du);
        }
        return;
      }
    }
  }
}
