/**
 * The training loop: fit the preprocessor, compile the model, then per epoch stream shuffled batches
 * through `trainStep`, evaluate the metric plan on the validation part, record history, apply early
 * stopping, and write a checkpoint; finally export the best epoch's weights as the model directory.
 *
 * Repeatability: every epoch's order is a seeded permutation of (seed, epoch) over all training rows (held in
 * memory, or streamed through a temporary file with `shuffle_buffer N`; data/shuffle.ts, spill-shuffle.ts), initialisers are seeded, and
 * the direct step's dropout masks are keyed by the seed and the step number, which checkpoints capture with
 * the rest of the model runtime's state. Hence a run resumed from a checkpoint (even one written mid-epoch
 * after Ctrl-C) ends with the same weights and metrics as an uninterrupted run on the same backend (with
 * dropout, only on the direct step: the tfjs step's dropout is unseeded).
 *
 * Where the state goes: a run never touches `OUT` until it has finished. Its checkpoints go to the staging
 * directory `OUT.partial` (a sibling, see {@link partialDir}); only at the very end is the new model
 * directory (with the last checkpoint copied in as `OUT/checkpoint`) built beside OUT and swapped in, and
 * the staging directory removed. A run that fails or is interrupted (Ctrl-C, kill -9, a full disk) thus
 * leaves the previous model and its checkpoint byte-identical, and its own state in `OUT.partial`, where
 * `--resume` looks first (then in `OUT/checkpoint`, to continue a finished run for more epochs).
 *
 * Incremental training (`init`): a new run that starts from a finished model's weights and preprocessing
 * state (so ids and normalisation map exactly as before) with a fresh optimiser, on new data (init-run.ts).
 */
import * as path from 'node:path';
import type { ModelIR } from '../ir/types.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { FILE_START } from '../diagnostics/types.js';
import { diag } from '../diagnostics/catalog.js';
import { MtlError } from '../diagnostics/error.js';
import type { ModelRuntime, OptimizerSettings, OptimRecipe, TrainingState } from '../model/types.js';
import { CHECKPOINT_DIR, cloneState, hasCheckpoint, readCheckpoint, writeCheckpoint, type CheckpointWriteHooks } from '../artifact/checkpoint.js';
import { irHash } from '../artifact/ir-hash.js';
import { earlyStopTerms, evaluateEarlyStop, metricPlan, type MetricResults } from '../artifact/metric-plan.js';
import { MetricAccumulator } from '../artifact/metric-eval.js';
import { Progress, type ProgressSink } from './progress.js';
import { writeArtifact, writeFailure } from '../artifact/artifact.js';
import { activeBackendName, activeKernelsLabel } from '../exec/backend.js';
import { removeDirAtomic } from '../util/fs-atomic.js';
import { towerPriors } from './tower-priors.js';
import { LabelReservoir } from '../data/label-sample.js';
import { encodedRowBytes, heldShuffleBudget, shufflePlan } from '../data/shuffle-buffer.js';
import { loadInitModel, type InitModel, type InitSource } from './init-run.js';
import { checkResumeData } from './resume-data.js';
import { describeDataRef } from '../data/ref.js';
import type { EffectiveSettings, EpochRecord, MetricsFile } from '../artifact/run-record.js';
import { resolveDeps, type DataRef, type PreprocessState, type RuntimeDeps } from '../artifact/runtime-deps.js';
import type { OptimizerName } from '../ir/ops/index.js';

/**
 * The staging directory of a run writing `outDir`: its checkpoints until the model is published. A sibling
 * (not inside OUT), so that OUT stays byte-identical while a run is in progress or after it fails.
 */
export function partialDir(outDir: string): string {
  return `${path.resolve(outDir)}.partial`;
}

/** Rows of the uniform label sample that the towers' base rates are estimated from (±0.4 % at a rate of 0.5). */
const PRIOR_ROWS = 20_000;

/** Command-line overrides of the spec's `train` settings. */
export interface TrainOverrides {
  epochs?: number;
  batch?: number;
  lr?: number;
  seed?: number;
  optimizer?: OptimizerName;
}

/** Options of {@link train}. */
export interface TrainOptions {
  /** A validated IR. */
  ir: ModelIR;
  /** The gate registry lookup handed to `createModelRuntime`. */
  gates: unknown;
  /** Training data (the validation part is split off it unless `valid` is given). */
  data: DataRef;
  /** A separate validation set. */
  valid?: DataRef;
  /** Directory that relative paths in the spec and data refer to. */
  baseDir: string;
  /** The model directory to write (see artifact.ts). */
  outDir: string;
  overrides?: TrainOverrides;
  /** Continue from `partialDir(outDir)`, else `outDir/checkpoint` (the same spec is required). */
  resume?: boolean;
  /**
   * True when `data`/`valid` were given explicitly (--data, --valid, --rows): on `resume` they must then be
   * the checkpoint's (new data is `init`'s job); otherwise `resume` uses the checkpoint's data.
   */
  dataGiven?: boolean;
  /**
   * A finished model directory to start from: its weights and preprocessing state, a fresh optimiser, this
   * run's data. Its model (the spec without the train and data blocks) must be the spec's.
   */
  init?: InitSource;
  skipBadRows?: boolean;
  /** Progress and epoch summaries; nothing is printed without it. */
  log?: ProgressSink;
  /** Warnings (bad rows skipped, undefined metrics), as they happen; they are also in the result. */
  onWarning?: (d: Diagnostic) => void;
  /** Ctrl-C: the current step finishes, a resumable checkpoint is written, and `train` returns `interrupted: true`. */
  signal?: AbortSignal;
  /** Replace the compiler / data / metric functions (tests). */
  deps?: Partial<RuntimeDeps>;
  /** Test hooks for checkpoint writing. */
  checkpointHooks?: CheckpointWriteHooks;
}

/** What {@link train} returns. */
export interface TrainResult {
  outDir: string;
  history: EpochRecord[];
  /** Epoch whose weights were exported (1-based); null when no epoch completed. */
  bestEpoch: number | null;
  bestScore: number | null;
  /** Validation metrics of the best epoch. */
  metrics: MetricResults;
  /** True when stopped by the signal; the model directory is then untouched and the checkpoint is in `partialDir(outDir)`. */
  interrupted: boolean;
  stoppedEarly: boolean;
  settings: EffectiveSettings;
  parameterCount: number;
  backend: string;
  /** Which training step ran the last batch (`direct` on the native backend) and why not, when the model cannot use it. */
  trainStep?: { kind: 'direct' | 'tfjs'; reason?: string };
  /** Warnings collected during the run. */
  diagnostics: Diagnostic[];
}

/** Running sums of the epoch in progress (checkpointed, so a resumed epoch reports the same losses). */
interface EpochAccumulator {
  batches: number;
  samples: number;
  lossSum: number;
  taskLossSums: Record<string, number>;
  trainSeconds: number;
}

/** Early-stopping state. */
interface EarlyState {
  bestEpoch: number | null;
  bestScore: number | null;
  badEpochs: number;
  stopped: boolean;
  /** True when the `current` state equals the best epoch's (so `best` need not be stored). */
  bestInCurrent: boolean;
}

/** The JSON info stored in a training checkpoint. */
export interface TrainCheckpointInfo {
  /** The epoch in progress (1-based) and how many of its batches are done. */
  position: { epoch: number; batch: number };
  partial: EpochAccumulator;
  history: EpochRecord[];
  early: EarlyState;
  preprocess: PreprocessState;
  settings: EffectiveSettings;
  data: { train: DataRef; valid?: DataRef };
  timings: { preprocessSeconds: number; trainSeconds: number };
  /** Training rows of this run's data (differs from `preprocess.rowsSeen` after `init`); absent in older checkpoints. */
  trainRows?: number;
  /** The model directory the run started from (`init`). */
  init?: string;
}

/** The spec's settings with the overrides applied. */
export function effectiveSettings(ir: ModelIR, o: TrainOverrides = {}): EffectiveSettings {
  return {
    optimizer: o.optimizer ?? ir.train.optimizer,
    lr: o.lr ?? ir.train.lr,
    batch: o.batch ?? ir.train.batch,
    epochs: o.epochs ?? ir.train.epochs,
    seed: o.seed ?? ir.train.seed,
    validSplit: ir.train.validSplit,
  };
}

/**
 * The optimiser settings a training run hands the model runtime: the (overridden) optimiser and rate with the
 * train block's recipe for a run over `trainRows` rows per epoch. Everything that trains a runtime (`mtl train`,
 * the benchmark) builds them here, so a train-block setting such as `embedding_optimizer` cannot be dropped.
 */
export function optimizerSettings(ir: ModelIR, settings: EffectiveSettings, trainRows: number, warn: (d: Diagnostic) => void): OptimizerSettings {
  return { optimizer: settings.optimizer, lr: settings.lr, recipe: optimRecipe(ir, settings, trainRows, warn) };
}

/**
 * The train block's optimisation recipe with the run's length (updates per epoch × epochs, which a schedule
 * spans); warns (MTL5070) when the warm-up is as long as the run.
 */
function optimRecipe(ir: ModelIR, settings: EffectiveSettings, trainRows: number, warn: (d: Diagnostic) => void): OptimRecipe {
  const t = ir.train;
  const stepsPerEpoch = Math.max(1, Math.ceil(trainRows / settings.batch));
  const recipe: OptimRecipe = { stepsPerEpoch, epochs: settings.epochs };
  if (t.schedule) recipe.schedule = t.schedule;
  if (t.weightDecay !== undefined) recipe.weightDecay = t.weightDecay;
  if (t.embeddingL2 !== undefined) recipe.embeddingL2 = t.embeddingL2;
  if (t.clipNorm !== undefined) recipe.clipNorm = t.clipNorm;
  if (t.embeddingOptimizer !== undefined) recipe.embeddingOptimizer = t.embeddingOptimizer;
  const total = stepsPerEpoch * settings.epochs;
  if (t.schedule?.warmup !== undefined && t.schedule.warmup >= total) {
    warn(diag('MTL5070', t.locs?.['schedule'] ?? FILE_START, { warmup: t.schedule.warmup, total, epochs: settings.epochs, perEpoch: stepsPerEpoch }));
  }
  return recipe;
}

/** A fresh epoch accumulator. */
function emptyAccumulator(): EpochAccumulator {
  return { batches: 0, samples: 0, lossSum: 0, taskLossSums: {}, trainSeconds: 0 };
}

/** Seconds since `t0` (performance.now milliseconds). */
function since(t0: number): number {
  return (performance.now() - t0) / 1000;
}

/** Width the epoch summary wraps at, so it reads in an 80–120 column terminal. */
const SUMMARY_WIDTH = 100;

/**
 * An epoch summary: the losses, throughput and time on the first line, then the validation metrics
 * (`output.key value`) and the early-stopping score on indented lines of at most {@link SUMMARY_WIDTH}.
 */
function summary(r: EpochRecord, epochs: number, best: boolean): string {
  const tasks = Object.entries(r.taskLosses).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ');
  const head = `epoch ${r.epoch}/${epochs}  loss ${r.loss.toFixed(4)}${tasks ? ` (${tasks})` : ''}  ${Math.round(r.samplesPerSecond).toLocaleString('en-US')} samples/s  ${r.seconds.toFixed(1)} s`;
  const items = Object.entries(r.metrics).flatMap(([out, m]) => Object.entries(m).map(([k, v]) => `${out}.${k} ${v === null ? 'n/a' : v.toFixed(4)}`));
  if (r.score !== undefined) items.push(`score ${r.score === null ? 'n/a' : r.score.toFixed(4)}${best ? ' *' : ''}`);
  const lines = [head];
  let line = '';
  for (const item of items) {
    if (line && `  valid  ${line}  ${item}`.length > SUMMARY_WIDTH) {
      lines.push(`  valid  ${line}`);
      line = '';
    }
    line = line ? `${line}  ${item}` : item;
  }
  if (line) lines.push(`  valid  ${line}`);
  return lines.join('\n');
}

/**
 * Train a model and write its directory `opts.outDir`. Throws MtlError for user-facing failures (bad
 * data, a checkpoint of another spec, a non-finite loss, an unwritable directory); no half-written
 * model directory or checkpoint is ever left.
 */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const deps = await resolveDeps(opts.deps, ['createModelRuntime', 'fitPreprocessor', 'readBatches', 'tableSizes', 'computeMetric', 'evalLabelExpr']);
  const { ir } = opts;
  const hash = irHash(ir);
  // Checkpoints of this run go to the staging directory; OUT is replaced only by the finished model.
  const ckDir = partialDir(opts.outDir);
  const finishedCk = path.join(opts.outDir, CHECKPOINT_DIR);
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const warn = (d: Diagnostic): void => {
    const id = `${d.code}\u0000${d.message}`;
    if (seen.has(id)) return;
    seen.add(id);
    diagnostics.push(d);
    opts.onWarning?.(d);
  };
  const dataOpts = { baseDir: opts.baseDir, skipBadRows: opts.skipBadRows ?? false, onWarning: warn };

  // ---- settings, preprocessing state and position: from the checkpoint on resume, fresh otherwise.
  let settings = effectiveSettings(ir, opts.overrides);
  let info: TrainCheckpointInfo;
  let resumeStates: Record<string, TrainingState> | undefined;
  let initModel: InitModel | undefined;
  const labelSample = new LabelReservoir(PRIOR_ROWS, settings.seed);
  if (opts.resume) {
    const from = (await hasCheckpoint(ckDir)) ? ckDir : finishedCk;
    const ck = await readCheckpoint<TrainCheckpointInfo>(from);
    if (!ck) throw new MtlError(diag('MTL5301', FILE_START, { dir: opts.outDir }, { file: ckDir }));
    if (ck.irHash !== hash) throw new MtlError(diag('MTL5300', FILE_START, { dir: from }, { file: from }));
    const saved = ck.info.settings;
    for (const key of ['optimizer', 'lr', 'batch', 'seed'] as const) {
      const given = opts.overrides?.[key];
      if (given !== undefined && given !== saved[key]) {
        throw new MtlError(
          diag('MTL5300', FILE_START, { dir: ckDir }, {
            file: from,
            message: `The checkpoint in '${from}' was trained with ${key} ${saved[key]}, not ${given}.`,
            hint: `Resume without --${key}, or train from scratch.`,
          }),
        );
      }
    }
    if (opts.dataGiven) checkResumeData(from, ck.info.data, opts.valid ? { train: opts.data, valid: opts.valid } : { train: opts.data });
    settings = { ...saved, epochs: opts.overrides?.epochs ?? ir.train.epochs };
    info = { ...ck.info, settings };
    resumeStates = ck.states;
  } else {
    // A fresh run starts over: an earlier interrupted run's staging checkpoint is discarded.
    if (await hasCheckpoint(ckDir)) {
      opts.log?.write(`starting over: the interrupted run's checkpoint in ${ckDir} is discarded (--resume continues it instead)\n`);
      await removeDirAtomic(ckDir);
    }
    if (opts.init) initModel = await loadInitModel(opts.init, ir, opts.log, warn);
    const t0 = performance.now();
    // The preprocessing pass reads the whole training file before the first step: say so, or a large file looks hung.
    // With `init` it only checks and counts the new rows: the model's own state encodes them (ids map as before).
    opts.log?.write(`preprocessing: reading the training data (${describeDataRef(opts.data)})...\n`);
    const fitted = await deps.fitPreprocessor(ir, opts.data, { ...dataOpts, validSplit: settings.validSplit, seed: settings.seed, hasValidFile: opts.valid !== undefined, labelSample }).catch((e: unknown) => {
      initModel?.dispose(); // bad data: the loaded model's tensors would outlive the failed run
      throw e;
    });
    const data: TrainCheckpointInfo['data'] = opts.valid ? { train: opts.data, valid: opts.valid } : { train: opts.data };
    opts.log?.write(`preprocessing: ${fitted.rowsSeen.toLocaleString('en-US')} training rows in ${since(t0).toFixed(1)} s${initModel ? ` (ids, vocabularies and normalisation from ${opts.init?.dir})` : ''}\n`);
    // The shuffle buffer is resolved once and recorded, so a resumed run replays the same order on any machine.
    const plan = shufflePlan(ir.train.shuffleBuffer, fitted.rowsSeen, encodedRowBytes(ir), heldShuffleBudget());
    if (plan.bounded) {
      const mb = (b: number): string => Math.ceil(b / 2 ** 20).toLocaleString('en-US');
      warn(diag('MTL5650', FILE_START, { data: describeDataRef(opts.data), rows: plan.bounded.partRows.toLocaleString('en-US'), size: mb(plan.bounded.partBytes), block: plan.rows.toLocaleString('en-US') }));
    }
    settings = { ...settings, shuffleBuffer: Number.isFinite(plan.rows) ? plan.rows : 'all' };
    info = {
      position: { epoch: 1, batch: 0 },
      partial: emptyAccumulator(),
      history: [],
      early: { bestEpoch: null, bestScore: null, badEpochs: 0, stopped: false, bestInCurrent: false },
      preprocess: initModel ? initModel.preprocess : fitted,
      settings,
      data,
      timings: { preprocessSeconds: since(t0), trainSeconds: 0 },
      trainRows: fitted.rowsSeen,
      ...(opts.init ? { init: opts.init.dir } : {}),
    };
  }
  const trainData = info.data.train;
  const validData = info.data.valid;
  // Checkpoints from before `shuffle_buffer` hold no resolved buffer: they get the spec's (or the whole part).
  const shuffleBuffer = settings.shuffleBuffer ?? ir.train.shuffleBuffer ?? 'all';
  const shuffleRows = shuffleBuffer === 'all' ? Infinity : shuffleBuffer;
  const validPart = validData ? `the validation file ${describeDataRef(validData)}` : `the validation split (valid_split ${settings.validSplit}) of ${describeDataRef(trainData)}`;

  // Output biases start at the base rates of a uniform sample of the training part (tower-priors.ts). On
  // resume the checkpoint's weights replace them, and after `init` the model's own; a fresh run only.
  const outputBias = resumeStates || initModel ? {} : towerPriors(ir, [labelSample.rows()], deps.evalLabelExpr);
  const runtime = deps.createModelRuntime(ir, {
    gates: opts.gates,
    seed: settings.seed,
    optimizer: optimizerSettings(ir, settings, info.trainRows ?? info.preprocess.rowsSeen, warn),
    tableSizes: deps.tableSizes(ir, info.preprocess),
    outputBias,
  });
  try {
    let bestState: TrainingState | undefined;
    // `init`: the model's weights, with the fresh runtime's optimiser state (a new run on new data).
    if (initModel) initModel.loadInto(runtime);
    if (resumeStates?.current) {
      runtime.setState(resumeStates.current);
      if (resumeStates.best) bestState = resumeStates.best;
      else if (info.early.bestInCurrent) bestState = cloneState(resumeStates.current);
    }
    const plan = metricPlan(ir);
    const terms = earlyStopTerms(ir);
    const earlyStop = ir.train.earlyStop;
    // Training rows are counted by the preprocessing pass: the progress line shows batch b/B and an ETA.
    const rowsSeen = info.trainRows ?? info.preprocess.rowsSeen;
    opts.log?.write(`validation: ${validPart}\n`);
    const progress = new Progress(opts.log, settings.epochs, Number.isFinite(rowsSeen) && rowsSeen > 0 ? Math.ceil(rowsSeen / settings.batch) : undefined);

    const checkpoint = async (): Promise<void> => {
      const states: Record<string, TrainingState> = { current: runtime.getState() };
      if (bestState && !info.early.bestInCurrent) states.best = bestState;
      try {
        await writeCheckpoint(ckDir, { irHash: hash, info, states }, opts.checkpointHooks);
      } catch (e) {
        throw writeFailure(ckDir, e);
      }
    };
    const result = (interrupted: boolean): TrainResult => {
      const best = info.early.bestEpoch === null ? undefined : info.history.find((h) => h.epoch === info.early.bestEpoch);
      return {
        outDir: opts.outDir,
        history: info.history,
        bestEpoch: info.early.bestEpoch,
        bestScore: info.early.bestScore,
        metrics: best?.metrics ?? {},
        interrupted,
        stoppedEarly: info.early.stopped,
        settings,
        parameterCount: runtime.parameterCount(),
        backend: activeBackendName(),
        ...(runtime.trainStepKind ? { trainStep: runtime.trainStepKind() } : {}),
        diagnostics,
      };
    };

    while (info.position.epoch <= settings.epochs && !info.early.stopped) {
      const epoch = info.position.epoch;
      const skip = info.position.batch;
      const acc = info.partial;
      const epochStart = performance.now();
      progress.startEpoch();
      // ---- train: replay the epoch's shuffled order, skipping batches done before an interruption.
      let index = 0;
      let aborted = false;
      const stream = deps.readBatches(ir, info.preprocess, trainData, {
        ...dataOpts,
        batchSize: settings.batch,
        part: validData ? 'all' : 'train',
        validSplit: settings.validSplit,
        seed: settings.seed,
        shuffle: true,
        shuffleRows,
        ...(Number.isFinite(rowsSeen) && rowsSeen > 0 ? { partRows: rowsSeen } : {}),
        epoch,
        needLabels: true,
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      let stepStart = performance.now();
      let lastYield = stepStart;
      for await (const batch of stream) {
        index++;
        if (index <= skip) {
          stepStart = performance.now();
          continue;
        }
        const r = runtime.trainStep(batch);
        if (!Number.isFinite(r.loss)) {
          throw new MtlError(diag('MTL5309', FILE_START, { value: String(r.loss), epoch, batch: index }));
        }
        acc.batches = index;
        acc.samples += batch.size;
        acc.lossSum += r.loss * batch.size;
        for (const [task, l] of Object.entries(r.taskLosses)) acc.taskLossSums[task] = (acc.taskLossSums[task] ?? 0) + l * batch.size;
        acc.trainSeconds += since(stepStart);
        info.early.bestInCurrent = false;
        progress.step(epoch, index, batch.size, r.loss);
        // Built-in data is generated without I/O waits, so the loop never yields to the event loop on its own:
        // let Ctrl-C (a macrotask) in every ~50 ms, so it is honoured at the end of the current step.
        if (performance.now() - lastYield > 50) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
        stepStart = performance.now();
        if (opts.signal?.aborted) {
          aborted = true;
          break;
        }
      }
      // A stream cut short by the signal (while reading, before any step could notice it) is an interruption too.
      if (opts.signal?.aborted) aborted = true;
      if (aborted) {
        info.position = { epoch, batch: index };
        info.timings.trainSeconds += since(epochStart);
        await checkpoint();
        progress.line(`interrupted at epoch ${epoch}, batch ${index}; resume with --resume`);
        return result(true);
      }

      // ---- validate.
      const metrics = await validate(runtime, ir, plan, info, settings, trainData, validData, validPart, dataOpts, deps, warn);
      const samples = Math.max(acc.samples, 1);
      const taskLosses: Record<string, number> = {};
      for (const [task, s] of Object.entries(acc.taskLossSums)) taskLosses[task] = s / samples;
      const record: EpochRecord = {
        epoch,
        loss: acc.lossSum / samples,
        taskLosses,
        metrics: metrics ?? {},
        samples: acc.samples,
        samplesPerSecond: acc.trainSeconds > 0 ? acc.samples / acc.trainSeconds : 0,
        seconds: since(epochStart),
      };

      // ---- early stopping (or, without it, the last epoch is the best).
      let improved: boolean;
      if (earlyStop && metrics) {
        const { value, diagnostics: ds } = evaluateEarlyStop(terms, metrics, { epoch });
        ds.forEach(warn);
        record.score = value;
        const best = info.early.bestScore;
        improved = value !== null && (best === null || (earlyStop.mode === 'max' ? value > best : value < best));
        if (info.early.bestEpoch === null && value === null) improved = true; // keep some weights, even if undefined
        if (value !== null && improved) info.early.bestScore = value;
        if (improved) info.early.badEpochs = 0;
        else info.early.badEpochs++;
        // `patience N`: stop after N epochs in a row without improvement (Keras's and the PyTorch target's
        // rule). Reaching the last epoch is not stopping early, whatever the count.
        if (info.early.badEpochs >= earlyStop.patience && epoch < settings.epochs) info.early.stopped = true;
      } else {
        improved = true;
      }
      if (improved) {
        info.early.bestEpoch = epoch;
        info.early.bestInCurrent = true;
        bestState = cloneState(runtime.getState());
      }
      info.history.push(record);
      info.position = { epoch: epoch + 1, batch: 0 };
      info.partial = emptyAccumulator();
      info.timings.trainSeconds += since(epochStart);
      await checkpoint();
      progress.line(summary(record, settings.epochs, improved && earlyStop !== undefined));
      if (info.early.stopped) progress.line(`early stopping: no improvement for ${earlyStop?.patience ?? 0} epoch(s); best epoch ${info.early.bestEpoch}`);
      if (opts.signal?.aborted && (info.position.epoch <= settings.epochs && !info.early.stopped)) {
        progress.line(`interrupted after epoch ${epoch}; resume with --resume`);
        return result(true);
      }
    }

    // ---- export the best epoch's weights.
    if (bestState && !info.early.bestInCurrent) runtime.setState(bestState);
    const model = runtime.exportModel();
    try {
      const res = result(false);
      const metricsFile: MetricsFile = {
        version: 1,
        model: ir.name,
        final: res.metrics,
        bestEpoch: res.bestEpoch,
        bestScore: res.bestScore,
        stoppedEarly: res.stoppedEarly,
        history: info.history,
        backend: res.backend,
        kernels: activeKernelsLabel(),
        ...(res.trainStep ? { trainStep: res.trainStep } : {}),
        seed: settings.seed,
        settings,
        data: info.data,
        ...(info.init ? { init: info.init } : {}),
        parameterCount: res.parameterCount,
        timings: info.timings,
      };
      await writeArtifact(opts.outDir, { model, ir, preprocess: info.preprocess, metrics: metricsFile, checkpointFrom: ckDir });
      // Published: the staging copy is redundant now. Best effort: the model is already complete, and a copy
      // left behind (a kill, an error here) only lets a later --resume find the finished state.
      await removeDirAtomic(ckDir).catch(() => undefined);
      return res;
    } finally {
      model.dispose();
    }
  } finally {
    runtime.dispose();
  }
}

/** Evaluate the metric plan on the validation part. Returns undefined (and warns once) without validation rows. */
async function validate(
  runtime: ModelRuntime,
  ir: ModelIR,
  plan: ReturnType<typeof metricPlan>,
  info: TrainCheckpointInfo,
  settings: EffectiveSettings,
  trainData: DataRef,
  validData: DataRef | undefined,
  validPart: string,
  dataOpts: { baseDir: string; skipBadRows: boolean; onWarning: (d: Diagnostic) => void },
  deps: RuntimeDeps,
  warn: (d: Diagnostic) => void,
): Promise<MetricResults | undefined> {
  const acc = new MetricAccumulator(ir, plan, deps);
  const stream = deps.readBatches(ir, info.preprocess, validData ?? trainData, {
    ...dataOpts,
    batchSize: settings.batch,
    part: validData ? 'all' : 'valid',
    validSplit: settings.validSplit,
    seed: settings.seed,
    shuffle: false,
    needLabels: true,
  });
  for await (const batch of stream) acc.add(batch, runtime.predict(batch).outputs);
  if (acc.rows === 0) {
    warn(diag('MTL5307', FILE_START, { part: validPart }));
    return undefined;
  }
  const { value, diagnostics } = acc.finish(validPart);
  diagnostics.forEach(warn);
  return value;
}
