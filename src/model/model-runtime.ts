/**
 * The compiled, trainable model: the core tfjs model (dense per-feature inputs → tower logits, gate
 * weights, auxiliary losses), the JS embedding store with its sparse optimiser, the dense optimiser, the
 * task losses and the uncertainty log-variances. One training step:
 *   lookups (JS) → core forward/backward under tf.variableGrads, with the dense inputs wrapped as
 *   variables so their gradients come back → dense optimiser step → gradients scattered onto the touched
 *   embedding rows → sparse optimiser step.
 */
import * as tf from '@tensorflow/tfjs';
import type { Feature, ModelIR, Task, TowerNode } from '../ir/types.js';
import type { Batch } from '../data/types.js';
import type { ModelRuntime, OptimizerSettings, OutputLayout, Predictions, StateTensor, StepResult, TrainingState } from './types.js';
import type { GatePlugin } from '../plugins/api.js';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START } from '../diagnostics/types.js';
import { MtlError } from '../diagnostics/error.js';
import { EmbeddingStore, isEmbedded, type EmbeddingInit, type Lookup } from './embeddings.js';
import { DenseOptimizer, type DenseParam } from './optim-dense.js';
import { applyUpdate } from './optim-step.js';
import { maskedMean, uncertaintyWeighted } from './losses.js';
import { LOSS_NAMES, lossDef } from '../ir/ops/index.js';
import { evalLabelExpr } from './labels.js';
import { rowWeights, taskWeightColumns } from '../ir/sample-weights.js';
import { buildCore, type CoreGraph } from './tf-model.js';
import { buildExportModel } from './export.js';
import { stateKey } from './fused-experts.js';
import { isTaskOutput, outputLayout } from './layout.js';
import { planDirectStep } from './direct/plan.js';
import { DirectStep } from './direct/step.js';
import { wasmHeap } from '../exec/wasm-heap.js';
import { canonicalTfjsName } from './weight-names.js';

/** Options of {@link createModelRuntime}. */
export interface ModelRuntimeOptions {
  /** Gate plugins by type. */
  gates: (type: string) => GatePlugin | undefined;
  seed: number;
  optimizer: OptimizerSettings;
  /** Rows per embedding table (owning feature), from preprocessing: hash size, vocab size + 1, vocab-file tokens + 1, buckets + 1. */
  tableSizes?: Record<string, number>;
  /** Embedding initialisation; default uniform ±0.05. */
  embeddingInit?: EmbeddingInit;
  /** Fuse expert groups in the training graph (default true); the state and export are the same either way. */
  fuseExperts?: boolean;
  /** Initial logit of each tower's output unit (see CoreOptions.outputBias). */
  outputBias?: Record<string, number>;
  /**
   * Train with the direct step (src/model/direct) when the native backend is active and the model allows
   * it (default true; `MTL_DIRECT_STEP=off` also disables it). False always uses the tfjs step (tests compare both).
   */
  directStep?: boolean;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** The ModelRuntime implementation (see src/model/types.ts). */
export class CompiledModel implements ModelRuntime {
  readonly layout: OutputLayout;
  private readonly core: CoreGraph;
  private readonly store: EmbeddingStore;
  private readonly params: DenseParam[];
  private readonly optimizer: DenseOptimizer;
  private readonly logVars: tf.Variable[];
  private readonly towerIndex: Map<string, number>;
  private readonly towers: Map<string, TowerNode>;
  private readonly direct: DirectStep | undefined;
  /** The same model's forward pass in inference mode (predict), when the direct step applies. */
  private readonly directPredict: DirectStep | undefined;
  private readonly directReason: string | undefined;
  /** Whether the last trainStep ran the direct step; undefined before the first (e.g. a resumed run with nothing left to train). */
  private lastStepDirect: boolean | undefined;
  private steps = 0;

  constructor(
    readonly ir: ModelIR,
    private readonly opts: ModelRuntimeOptions,
  ) {
    for (const task of ir.tasks) {
      if (!lossDef(task.loss.type)) {
        throw new MtlError(diag('MTL5204', task.locs?.['loss.type'] ?? task.loc ?? FILE_START, { task: task.name, loss: task.loss.type, supported: LOSS_NAMES.join(', ') }));
      }
    }
    this.layout = outputLayout(ir);
    this.core = buildCore(ir, { ...opts, fuseExperts: opts.fuseExperts ?? true });
    this.store = new EmbeddingStore(ir.features, {
      seed: opts.seed,
      optimizer: opts.optimizer,
      ...(opts.tableSizes ? { tableSizes: opts.tableSizes } : {}),
      ...(opts.embeddingInit ? { init: opts.embeddingInit } : {}),
    });
    this.towerIndex = new Map(this.core.towers.map((t, i) => [t.name, i]));
    this.towers = new Map(this.core.towers.map((t) => [t.name, t]));
    this.logVars = ir.train.weighting === 'uncertainty' ? ir.tasks.map(() => tf.variable(tf.scalar(0), true)) : [];
    this.params = [
      ...this.core.model.trainableWeights.map((w) => ({ key: stateKey(w.originalName), variable: w.read() as tf.Variable })),
      ...this.logVars.map((v, i) => ({ key: `uncertainty/${ir.tasks[i]!.name}`, variable: v })),
    ];
    const keys = new Set<string>();
    for (const w of this.core.model.weights) {
      if (keys.has(w.originalName)) throw new Error(`internal: two weights are named '${w.originalName}'`);
      keys.add(w.originalName);
    }
    this.optimizer = new DenseOptimizer(opts.optimizer, this.params);
    const weightSizes = new Map(this.core.model.weights.map((w) => [stateKey(w.originalName), w.shape.reduce<number>((a, b) => a * (b ?? 1), 1)]));
    const planned =
      opts.directStep === false || process.env['MTL_DIRECT_STEP'] === 'off'
        ? { reason: opts.directStep === false ? 'disabled' : 'disabled by MTL_DIRECT_STEP=off' }
        : planDirectStep(ir, { auxLosses: this.core.aux, weightSizes, gates: opts.gates });
    if ('plan' in planned) {
      const deps = {
        store: this.store,
        variables: new Map([...this.core.model.weights.map((w) => [stateKey(w.originalName), w.read() as tf.Variable] as const), ...this.params.map((p) => [p.key, p.variable] as const)]),
        seed: opts.seed,
        optimizer: this.optimizer,
        optimizerKeys: this.params.map((p) => p.key),
        towers: this.towers,
        logVarKeys: this.logVars.map((_, i) => `uncertainty/${ir.tasks[i]!.name}`),
        denseColumn: (feature: Feature, batch: Batch) => denseColumn(feature, batch.features[feature.name], batch.size),
      };
      this.direct = new DirectStep(planned.plan, deps);
      const forPredict = planDirectStep(ir, { auxLosses: this.core.aux, weightSizes, gates: opts.gates }, 'predict');
      if ('plan' in forPredict) this.directPredict = new DirectStep(forPredict.plan, deps);
    } else {
      this.directReason = planned.reason;
    }
  }

  /**
   * Which step trained the last batch: `direct` (src/model/direct, native backend) or `tfjs`, with the
   * reason when the model cannot use the direct step at all.
   */
  trainStepKind(): { kind: 'direct' | 'tfjs'; reason?: string } {
    if (this.lastStepDirect ?? this.direct !== undefined) return { kind: 'direct' };
    return this.directReason !== undefined ? { kind: 'tfjs', reason: this.directReason } : { kind: 'tfjs' };
  }

  parameterCount(): number {
    let n = this.store.parameterCount() + this.logVars.length;
    for (const w of this.core.model.trainableWeights) n += w.shape.reduce<number>((a, b) => a * (b ?? 1), 1);
    return n;
  }

  /** Dense inputs of the core model for a batch; embedded ones come with their lookups (for the backward pass). */
  private inputs(batch: Batch): { tensors: tf.Tensor2D[]; lookups: Array<Lookup | undefined> } {
    const tensors: tf.Tensor2D[] = [];
    const lookups: Array<Lookup | undefined> = [];
    const n = batch.size;
    try {
      for (const f of this.core.features) {
        const column = batch.features[f.name];
        if (isEmbedded(f)) {
          const lookup = this.store.lookup(f.name, column, n);
          lookups.push(lookup);
          tensors.push(tf.tensor2d(lookup.values, [n, lookup.dim]));
        } else {
          tensors.push(tf.tensor2d(denseColumn(f, column, n), [n, 1]));
          lookups.push(undefined);
        }
      }
    } catch (e) {
      tensors.forEach((t) => t.dispose());
      throw e;
    }
    return { tensors, lookups };
  }

  /** Per-task labels and row weights of a batch: the mask (`where`) times the sample weights (`weight_by`). */
  private targets(batch: Batch): Array<{ task: Task; y: Float32Array; mask: Float32Array }> {
    return this.ir.tasks.map((task) => {
      const mask = rowWeights(taskWeightColumns(this.ir, task), batch.weights, batch.size);
      if (task.mask) {
        const m = evalLabelExpr(task.mask, batch.labels, batch.size);
        for (let i = 0; i < batch.size; i++) mask[i] = mask[i]! * m[i]!;
      }
      return { task, y: evalLabelExpr(task.loss.label, batch.labels, batch.size), mask };
    });
  }

  /** Per-example loss of a task from the core outputs. */
  private taskLoss(task: Task, outs: tf.Tensor[], y: tf.Tensor1D, n: number): tf.Tensor {
    const logits = task.head.map((h) => tf.reshape(outs[this.towerIndex.get(h)!]!, [n]));
    const sigmoidHead = task.head.every((h) => this.towers.get(h)!.output === 'sigmoid');
    // The constructor checked that every task's loss is registered.
    return lossDef(task.loss.type)!.tfjs(tf, { logits, sigmoidHead }, y);
  }

  trainStep(batch: Batch): StepResult {
    const n = batch.size;
    const targets = this.targets(batch);
    const direct = this.direct?.step(batch, targets, this.steps);
    this.lastStepDirect = direct !== undefined;
    if (direct) {
      this.steps += 1;
      return direct;
    }
    const { tensors, lookups } = this.inputs(batch);
    const inputVars: Array<tf.Variable | undefined> = tensors.map((t, i) => (lookups[i] ? tf.variable(t, true) : undefined));
    const feed = tensors.map((t, i) => inputVars[i] ?? t);
    const taskLosses: tf.Scalar[] = [];
    const weights = this.ir.tasks.map((t) => t.weight);
    const core = this.core;
    const varList = [...this.params.map((p) => p.variable), ...inputVars.filter((v): v is tf.Variable => v !== undefined)];
    let result: { value: tf.Scalar; grads: tf.NamedTensorMap };
    try {
      result = tf.variableGrads(() => {
        const raw = core.model.apply(feed, { training: true });
        const outs = Array.isArray(raw) ? (raw as tf.Tensor[]) : [raw as tf.Tensor];
        const losses = targets.map(({ task, y, mask }) => maskedMean(this.taskLoss(task, outs, tf.tensor1d(y), n), mask));
        losses.forEach((l) => taskLosses.push(tf.keep(l)));
        let total: tf.Scalar =
          this.logVars.length > 0 ? uncertaintyWeighted(losses, weights, this.logVars) : (tf.addN(losses.map((l, t) => tf.mul(l, weights[t]!))) as tf.Scalar);
        const auxStart = core.towers.length + core.gates.length;
        core.aux.forEach((a, i) => {
          total = tf.add(total, tf.mul(tf.mean(outs[auxStart + i]!), a.weight));
        });
        return total;
      }, varList);
    } finally {
      tensors.forEach((t) => t.dispose());
    }
    try {
      // Embedding gradients first: clipping (optim-step.ts) takes the norm over them and the dense ones.
      lookups.forEach((lookup, i) => {
        const g = lookup ? result.grads[inputVars[i]!.name] : undefined;
        if (lookup && g) this.store.backward(lookup, g.dataSync() as Float32Array);
      });
      applyUpdate(this.optimizer, this.params.map((p) => result.grads[p.variable.name]), this.store);
      this.steps += 1;
      const loss = result.value.dataSync()[0]!;
      const perTask: Record<string, number> = {};
      this.ir.tasks.forEach((t, i) => (perTask[t.name] = taskLosses[i]!.dataSync()[0]!));
      return { loss, taskLosses: perTask };
    } finally {
      result.value.dispose();
      Object.values(result.grads).forEach((g) => g.dispose());
      taskLosses.forEach((t) => t.dispose());
      inputVars.forEach((v) => v?.dispose());
    }
  }

  /** True when {@link predict} runs the direct forward pass (native backend, a model the direct step plans). */
  predictsDirectly(): boolean {
    return this.directPredict !== undefined && wasmHeap() !== undefined;
  }

  /**
   * Take the weights of an export model of the same IR (a saved model directory's model.json): embedding
   * tables (`embedding_OWNER/embeddings`) into the store, every core weight by name. Throws an Error naming
   * the first weight that is missing or of another size; the optimiser state is left as it is (inference).
   */
  loadExportWeights(model: tf.LayersModel): void {
    const byName = new Map(model.weights.map((w) => [canonicalTfjsName(w.originalName), w]));
    const tables: Array<[Float32Array, tf.Tensor]> = [];
    for (const [name, w] of byName) {
      const m = /^embedding_(.+)\/embeddings$/.exec(name);
      if (!m) continue;
      const table = this.store.tableOf(m[1]!);
      if (!table || table.owner !== m[1] || table.data.length !== w.read().size) throw new Error(`the saved embedding '${name}' does not match the model's tables`);
      tables.push([table.data, w.read()]);
    }
    const writes: Array<[tf.LayerVariable, tf.Tensor]> = [];
    for (const w of this.core.model.weights) {
      const key = stateKey(w.originalName);
      const saved = byName.get(key);
      if (!saved || saved.read().size !== w.read().size) throw new Error(`the saved model has no weight '${key}' of ${w.read().size} values`);
      writes.push([w, saved.read()]);
    }
    for (const [data, t] of tables) data.set(t.dataSync() as Float32Array);
    tf.tidy(() => writes.forEach(([w, t]) => w.write(tf.tensor(t.dataSync() as Float32Array, w.shape.map((d) => d ?? 1), 'float32'))));
  }

  /** Tower logits then gate weights for a batch, in core output order: the direct forward pass when it can run, else tfjs's. */
  private coreOutputs(batch: Batch): Float32Array[] {
    const direct = this.directPredict?.infer(batch);
    if (direct) return [...this.core.towers.map((t) => direct.towerLogits.get(t.name)!), ...this.core.gates.map((g) => direct.gateWeights.get(g.name)!)];
    const { tensors } = this.inputs(batch);
    try {
      // The tensors leave the tidy and are read after it: tf.tidy walks every element of typed arrays it returns.
      const outs = tf.tidy(() => {
        const raw = this.core.model.apply(tensors, { training: false });
        return (Array.isArray(raw) ? (raw as tf.Tensor[]) : [raw as tf.Tensor]).slice(0, this.core.towers.length + this.core.gates.length);
      });
      try {
        return outs.map((t) => t.dataSync() as Float32Array);
      } finally {
        outs.forEach((t) => t.dispose());
      }
    } finally {
      tensors.forEach((t) => t.dispose());
    }
  }

  predict(batch: Batch): Predictions {
    const n = batch.size;
    const values = this.coreOutputs(batch);
    const outputs: Record<string, Float32Array> = {};
    const towerValue = (name: string): Float32Array => {
      const i = this.towerIndex.get(name)!;
      const out = new Float32Array(n);
      const z = values[i]!;
      const sig = this.core.towers[i]!.output === 'sigmoid';
      for (let b = 0; b < n; b++) out[b] = sig ? sigmoid(z[b]!) : z[b]!;
      return out;
    };
    for (const t of this.core.towers) outputs[t.name] = towerValue(t.name);
    for (const task of this.ir.tasks.filter(isTaskOutput)) {
      const out = new Float32Array(n).fill(1);
      for (const h of task.head) {
        const p = outputs[h]!;
        for (let b = 0; b < n; b++) out[b] *= p[b]!;
      }
      outputs[task.name] = out;
    }
    const gates: Predictions['gates'] = {};
    this.core.gates.forEach((g, i) => {
      const w = values[this.core.towers.length + i]!;
      gates[g.name] = { weights: new Float32Array(w), experts: w.length / Math.max(n, 1) };
    });
    return { outputs, gates };
  }

  getState(): TrainingState {
    const tensors: Record<string, StateTensor> = {};
    for (const w of this.core.model.weights) {
      tensors[`dense/${stateKey(w.originalName)}`] = { shape: w.shape.map((d) => d ?? 1), data: new Float32Array(w.read().dataSync()) };
    }
    this.logVars.forEach((v, i) => (tensors[`uncertainty/${this.ir.tasks[i]!.name}`] = { shape: [], data: new Float32Array(v.dataSync()) }));
    Object.assign(tensors, this.store.getState());
    const opt = this.optimizer.getState('dense_opt');
    Object.assign(tensors, opt.tensors);
    return { tensors, meta: { steps: this.steps, denseOptimizerStep: opt.step, optimizer: { ...this.opts.optimizer }, seed: this.opts.seed } };
  }

  setState(state: TrainingState): void {
    const expected = this.getState();
    const problems: string[] = [];
    const optional = new Set(this.store.optionalState());
    for (const [name, t] of Object.entries(expected.tensors)) {
      const got = state.tensors[name];
      if (!got && optional.has(name)) continue;
      if (!got) problems.push(`'${name}' is missing`);
      else if (got.data.length !== t.data.length) problems.push(`'${name}' has ${got.data.length} values, expected ${t.data.length}`);
    }
    const savedOpt = (state.meta['optimizer'] as OptimizerSettings | undefined)?.optimizer;
    if (savedOpt !== undefined && savedOpt !== this.opts.optimizer.optimizer) problems.unshift(`it was trained with ${savedOpt}, not ${this.opts.optimizer.optimizer}`);
    if (problems.length > 0) {
      const shown = problems.slice(0, 3).join('; ') + (problems.length > 3 ? `; and ${problems.length - 3} more` : '');
      throw new MtlError(diag('MTL5206', FILE_START, { reason: shown }));
    }
    tf.tidy(() => {
      for (const w of this.core.model.weights) {
        const t = state.tensors[`dense/${stateKey(w.originalName)}`]!;
        w.write(tf.tensor(t.data, w.shape.map((d) => d ?? 1)));
      }
      this.logVars.forEach((v, i) => v.assign(tf.scalar(state.tensors[`uncertainty/${this.ir.tasks[i]!.name}`]!.data[0]!)));
    });
    // The dense optimiser's update count is the last update the tables had, too.
    const updates = Number(state.meta['denseOptimizerStep'] ?? 0);
    this.store.setState(state.tensors, updates);
    this.optimizer.setState('dense_opt', state.tensors, updates);
    this.steps = Number(state.meta['steps'] ?? 0);
  }

  exportModel(): tf.LayersModel {
    // Rows that still owe dense-equivalent Adam updates get them first: the export holds dense Adam's tables.
    this.store.catchUpAll();
    // The export graph is unfused (built-in layers only); weights are matched by state key.
    const current = new Map(this.core.model.weights.map((w) => [stateKey(w.originalName), w.read() as tf.Tensor]));
    return buildExportModel(this.ir, this.opts, this.store, current);
  }

  dispose(): void {
    this.direct?.dispose();
    this.directPredict?.dispose();
    this.core.model.dispose();
    this.optimizer.dispose();
    this.logVars.forEach((v) => v.dispose());
  }
}

/** The normalised values of a plain numeric feature. Throws MtlError (MTL5205) on a malformed column. */
function denseColumn(f: Feature, column: Batch['features'][string] | undefined, n: number): Float32Array {
  const fail = (reason: string): MtlError => new MtlError(diag('MTL5205', f.loc ?? FILE_START, { feature: f.name, reason }));
  if (!column) throw fail('the column is missing');
  if (column.kind !== 'dense') throw fail(`expected numeric values, got a ${column.kind} column`);
  if (column.values.length < n) throw fail(`${column.values.length} values for ${n} examples`);
  return column.values.subarray(0, n);
}
