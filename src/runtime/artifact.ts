/**
 * The trained-model directory:
 *
 *   DIR/model.json        the export model (raw-id inputs → named outputs), standard tfjs layers format
 *   DIR/weights.bin       its weights (one shard)
 *   DIR/ir.json           the validated IR without source locations (the serving contract)
 *   DIR/preprocess.json   preprocessing statistics fitted on the training data
 *   DIR/metrics.json      final metrics, per-epoch history, backend, seed, data, timings
 *   DIR/checkpoint/       the training state for `mtl train --resume` (see checkpoint.ts)
 *   DIR/README.md         a short human description
 *
 * The directory is written atomically: built completely beside DIR, then swapped in, so a previous
 * model in DIR is replaced only when the new one is complete.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ModelIR } from '../ir/types.js';
import { stripLocations } from '../ir/strip.js';
import type { GatePlugin } from '../plugins/api.js';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START } from '../diagnostics/types.js';
import { MtlError, isMtlError } from '../diagnostics/error.js';
import { exists, makeTempDirBeside, recoverDir, removeStaleTemps, swapDir, writeFileSynced } from './fs-atomic.js';
import { deserializeModel, serializeModel, WEIGHTS_FILE } from './tfjs-io.js';
import { CHECKPOINT_DIR } from './checkpoint.js';
import type { MetricsFile } from './run-record.js';
import type { PreprocessState } from './runtime-deps.js';

/** File names inside a model directory. */
export const ARTIFACT_FILES = {
  model: 'model.json',
  weights: WEIGHTS_FILE,
  ir: 'ir.json',
  preprocess: 'preprocess.json',
  metrics: 'metrics.json',
  readme: 'README.md',
} as const;

/** What goes into a model directory. */
export interface ArtifactInput {
  /** The export model (from `ModelRuntime.exportModel()`); not disposed here. */
  model: tf.LayersModel;
  ir: ModelIR;
  preprocess: PreprocessState;
  metrics: MetricsFile;
  /** A checkpoint directory to copy into DIR/checkpoint (usually DIR/checkpoint itself). */
  checkpointFrom?: string;
}

/** A loaded model directory. The caller owns `model` (dispose it when done). */
export interface LoadedArtifact {
  dir: string;
  ir: ModelIR;
  preprocess: PreprocessState;
  model: tf.LayersModel;
  metrics: MetricsFile;
}

/** A short README for the model directory, generated from the IR and metrics. */
function readme(ir: ModelIR, metrics: MetricsFile, outputs: string[]): string {
  const lines = [
    `# ${ir.name}`,
    '',
    ir.doc ? `${ir.doc}\n` : '',
    'Trained with mtl. Load `model.json` with `tf.loadLayersModel` (tfjs-node: `file://DIR/model.json`).',
    '',
    `- inputs: ${ir.features.map((f) => f.name).join(', ')} (see ir.json for types and preprocess.json for the id mapping)`,
    `- outputs: ${outputs.join(', ')}`,
    `- best epoch: ${metrics.bestEpoch ?? 'none'} of ${metrics.history.length}; backend ${metrics.backend}; seed ${metrics.seed}`,
    '',
  ];
  return lines.filter((l, i) => l !== '' || lines[i - 1] !== '').join('\n');
}

/** Turn a file-system failure into MTL5308 naming the file; MtlErrors pass through. */
export function writeFailure(file: string, e: unknown): unknown {
  if (isMtlError(e)) return e;
  const err = e as NodeJS.ErrnoException;
  if (typeof err?.code !== 'string') return e;
  return new MtlError(diag('MTL5308', FILE_START, { file, reason: `${err.code}: ${err.message}` }, { file }));
}

/** Write the model directory `dir` atomically. Throws MtlError MTL5308 when it cannot be written. */
export async function writeArtifact(dir: string, input: ArtifactInput): Promise<void> {
  let tmp: string | undefined;
  try {
    await recoverDir(dir);
    await removeStaleTemps(dir);
    tmp = await makeTempDirBeside(dir);
    const { modelJson, weights } = await serializeModel(input.model);
    await writeFileSynced(path.join(tmp, ARTIFACT_FILES.model), modelJson);
    await writeFileSynced(path.join(tmp, ARTIFACT_FILES.weights), weights);
    await writeFileSynced(path.join(tmp, ARTIFACT_FILES.ir), JSON.stringify(stripLocations(input.ir), null, 2) + '\n');
    await writeFileSynced(path.join(tmp, ARTIFACT_FILES.preprocess), JSON.stringify(input.preprocess) + '\n');
    await writeFileSynced(path.join(tmp, ARTIFACT_FILES.metrics), JSON.stringify(input.metrics, null, 2) + '\n');
    await writeFileSynced(path.join(tmp, ARTIFACT_FILES.readme), readme(input.ir, input.metrics, input.model.outputNames));
    if (input.checkpointFrom && (await exists(input.checkpointFrom))) {
      await fsp.cp(input.checkpointFrom, path.join(tmp, CHECKPOINT_DIR), { recursive: true });
    }
    await swapDir(tmp, dir);
    tmp = undefined;
  } catch (e) {
    throw writeFailure(dir, e);
  } finally {
    if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
  }
}

/** Read one file of a model directory: MTL5303 when missing, MTL5304 when JSON parsing fails. */
async function readFile(dir: string, name: string): Promise<Buffer> {
  const file = path.join(dir, name);
  try {
    return await fsp.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new MtlError(diag('MTL5303', FILE_START, { dir, file: name }, { file }));
    throw new MtlError(diag('MTL5304', FILE_START, { file, reason: `it cannot be read (${code ?? (e as Error).message})` }, { file }));
  }
}

/** Read and parse one JSON file of a model directory. */
async function readJson<T>(dir: string, name: string, check: (v: unknown) => string | undefined): Promise<T> {
  const file = path.join(dir, name);
  let value: unknown;
  try {
    value = JSON.parse((await readFile(dir, name)).toString('utf8'));
  } catch (e) {
    if (isMtlError(e)) throw e;
    throw new MtlError(diag('MTL5304', FILE_START, { file, reason: `it is not valid JSON (${(e as Error).message})` }, { file }));
  }
  const problem = check(value);
  if (problem) throw new MtlError(diag('MTL5304', FILE_START, { file, reason: problem }, { file }));
  return value as T;
}

/** A plain-object check with required keys, for the JSON files. */
function hasKeys(...keys: string[]): (v: unknown) => string | undefined {
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'it is not a JSON object';
    const missing = keys.filter((k) => !(k in v));
    return missing.length ? `it lacks ${missing.map((k) => `'${k}'`).join(', ')}` : undefined;
  };
}

/** Register the custom tfjs layer classes of gate plugins, so that a saved model using them deserialises. */
export function registerPluginLayers(plugins: Iterable<GatePlugin>): void {
  for (const p of plugins) {
    for (const cls of p.layers ?? []) tf.serialization.registerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
  }
}

/**
 * Load a model directory written by {@link writeArtifact}. Throws MtlError MTL5303 (missing file) or
 * MTL5304 (corrupt file), naming the file. Plugins whose gates use custom layers must be given (or
 * registered before).
 */
export async function loadArtifact(dir: string, opts: { plugins?: Iterable<GatePlugin> } = {}): Promise<LoadedArtifact> {
  await recoverDir(dir).catch(() => false);
  if (!(await exists(dir))) throw new MtlError(diag('MTL5303', FILE_START, { dir, file: ARTIFACT_FILES.model }, { file: dir }));
  const ir = await readJson<ModelIR>(dir, ARTIFACT_FILES.ir, hasKeys('version', 'name', 'features', 'tasks', 'nodes'));
  const preprocess = await readJson<PreprocessState>(dir, ARTIFACT_FILES.preprocess, hasKeys('version', 'features'));
  const metrics = await readJson<MetricsFile>(dir, ARTIFACT_FILES.metrics, hasKeys('version', 'final', 'history'));
  const modelText = (await readFile(dir, ARTIFACT_FILES.model)).toString('utf8');
  const weights = await readFile(dir, ARTIFACT_FILES.weights);
  if (opts.plugins) registerPluginLayers(opts.plugins);
  let model: tf.LayersModel;
  try {
    model = await deserializeModel(modelText, weights);
  } catch (e) {
    const file = path.join(dir, ARTIFACT_FILES.model);
    throw new MtlError(diag('MTL5304', FILE_START, { file, reason: (e as Error).message.replace(/\.$/, '') }, { file }));
  }
  return { dir, ir, preprocess, model, metrics };
}
