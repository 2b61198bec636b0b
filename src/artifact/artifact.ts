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
 *   DIR/mtl-artifact.json the manifest: kind "model", the IR hash and every other file's SHA-256 (manifest.ts)
 *
 * The directory is written atomically: built completely beside DIR, then swapped in, so a previous
 * model in DIR is replaced only when the new one is complete. Loading verifies every file it reads
 * against the manifest; a directory without one (written before manifests) loads with warning MTL5337.
 * A model with a NaN or infinite weight is neither written nor loaded (MTL5338).
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
import type { Diagnostic } from '../diagnostics/types.js';
import { exists, publishDir, recoverDir, writeFileSynced } from '../util/fs-atomic.js';
import { deserializeModel, firstNonFiniteWeight, serializeModel, WEIGHTS_FILE } from './tfjs-io.js';
import { MANIFEST_FILE, readManifest, verifyFile, writeManifest, type Manifest } from './manifest.js';
import { irHash } from './ir-hash.js';
import { lockHolder } from '../util/dir-lock.js';
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

/** MTL5338 when the serialised weights hold a NaN or infinite value; `where` says which model, e.g. "in 'DIR/weights.bin'". */
function refuseNonFinite(modelJson: string, weights: Uint8Array, where: string, file: string): void {
  const bad = firstNonFiniteWeight(modelJson, weights);
  if (bad) throw new MtlError(diag('MTL5338', FILE_START, { name: bad.name, where, value: String(bad.value), index: String(bad.index) }, { file }));
}

/**
 * Write the model directory `dir` atomically, with its manifest. Throws MtlError MTL5338 (before writing
 * anything) when a weight is NaN or infinite, MTL5308 when it cannot be written.
 */
export async function writeArtifact(dir: string, input: ArtifactInput): Promise<void> {
  const { modelJson, weights } = await serializeModel(input.model);
  refuseNonFinite(modelJson, weights, 'of the trained model', path.join(dir, ARTIFACT_FILES.weights));
  try {
    await publishDir(dir, async (tmp) => {
      await writeFileSynced(path.join(tmp, ARTIFACT_FILES.model), modelJson);
      await writeFileSynced(path.join(tmp, ARTIFACT_FILES.weights), weights);
      await writeFileSynced(path.join(tmp, ARTIFACT_FILES.ir), JSON.stringify(stripLocations(input.ir), null, 2) + '\n');
      await writeFileSynced(path.join(tmp, ARTIFACT_FILES.preprocess), JSON.stringify(input.preprocess) + '\n');
      await writeFileSynced(path.join(tmp, ARTIFACT_FILES.metrics), JSON.stringify(input.metrics, null, 2) + '\n');
      await writeFileSynced(path.join(tmp, ARTIFACT_FILES.readme), readme(input.ir, input.metrics, input.model.outputNames));
      if (input.checkpointFrom && (await exists(input.checkpointFrom))) {
        await fsp.cp(input.checkpointFrom, path.join(tmp, CHECKPOINT_DIR), { recursive: true });
      }
      await writeManifest(tmp, 'model', { irHash: irHash(input.ir) });
    });
  } catch (e) {
    throw writeFailure(dir, e);
  }
}

/**
 * Read one file of a model directory: MTL5303 when missing, MTL5304 when unreadable, MTL5336 when it does
 * not match the manifest (when there is one).
 */
async function readFile(dir: string, name: string, manifest: Manifest | undefined): Promise<Buffer> {
  const file = path.join(dir, name);
  try {
    const bytes = await fsp.readFile(file);
    if (manifest) verifyFile(dir, manifest, name, bytes);
    return bytes;
  } catch (e) {
    if (isMtlError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new MtlError(diag('MTL5303', FILE_START, { dir, file: name }, { file }));
    throw new MtlError(diag('MTL5304', FILE_START, { file, reason: `it cannot be read (${code ?? (e as Error).message})` }, { file }));
  }
}

/** Read and parse one JSON file of a model directory. */
async function readJson<T>(dir: string, name: string, manifest: Manifest | undefined, check: (v: unknown) => string | undefined): Promise<T> {
  const file = path.join(dir, name);
  let value: unknown;
  try {
    value = JSON.parse((await readFile(dir, name, manifest)).toString('utf8'));
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

/** Options of {@link loadArtifact}. */
export interface LoadArtifactOptions {
  /** Gate plugins whose custom layers the model may use. */
  plugins?: Iterable<GatePlugin>;
  /** Receives MTL5337 when the directory has no manifest (it loads unverified). */
  onWarning?: (d: Diagnostic) => void;
}

/**
 * Load a model directory written by {@link writeArtifact}. Throws MtlError MTL5303 (missing file), MTL5304
 * (corrupt file), MTL5336 (a file differs from the manifest) or MTL5338 (a non-finite weight), naming the
 * file. Plugins whose gates use custom layers must be given (or registered before).
 */
export async function loadArtifact(dir: string, opts: LoadArtifactOptions = {}): Promise<LoadedArtifact> {
  // Undo a swap cut by a killed writer, but never that of a live one (it is between its two renames).
  if (!(await lockHolder(dir))) await recoverDir(dir).catch(() => false);
  const { manifest, ir, metrics } = await readVerifiedRecord(dir, ARTIFACT_FILES.model, opts.onWarning);
  const preprocess = await readJson<PreprocessState>(dir, ARTIFACT_FILES.preprocess, manifest, hasKeys('version', 'features'));
  const modelText = (await readFile(dir, ARTIFACT_FILES.model, manifest)).toString('utf8');
  const weights = await readFile(dir, ARTIFACT_FILES.weights, manifest);
  if (opts.plugins) registerPluginLayers(opts.plugins);
  let model: tf.LayersModel;
  const modelFile = path.join(dir, ARTIFACT_FILES.model);
  try {
    refuseNonFinite(modelText, weights, `in '${path.join(dir, ARTIFACT_FILES.weights)}'`, path.join(dir, ARTIFACT_FILES.weights));
    model = await deserializeModel(modelText, weights);
  } catch (e) {
    if (isMtlError(e)) throw e;
    throw new MtlError(diag('MTL5304', FILE_START, { file: modelFile, reason: (e as Error).message.replace(/\.$/, '') }, { file: modelFile }));
  }
  const missing = missingOutput(ir, model.outputNames);
  if (missing !== undefined) {
    model.dispose();
    throw new MtlError(diag('MTL5311', FILE_START, { dir, reason: `model.json has no output '${missing}', which ir.json declares (outputs: ${model.outputNames.join(', ')})` }, { file: modelFile }));
  }
  return { dir, ir, preprocess, model, metrics };
}

/** The JSON half of a model directory: what `mtl compare` needs, without deserialising the weights. */
export interface ArtifactRecord {
  dir: string;
  ir: ModelIR;
  metrics: MetricsFile;
}

/**
 * Read only ir.json and metrics.json of a model directory, verified against its manifest as
 * {@link loadArtifact} verifies them (and the manifest's IR hash against ir.json), without loading the model:
 * comparing many runs should not pay for their weights. Throws MtlError MTL5303, MTL5304 or MTL5336 naming
 * the file; a directory without a manifest reads with warning MTL5337 through `onWarning`.
 */
export async function readArtifactRecord(dir: string, opts: Pick<LoadArtifactOptions, 'onWarning'> = {}): Promise<ArtifactRecord> {
  const { ir, metrics } = await readVerifiedRecord(dir, ARTIFACT_FILES.metrics, opts.onWarning);
  return { dir, ir, metrics };
}

/**
 * The manifest, ir.json and metrics.json of `dir`, each verified; `missing` is the file MTL5303 names when
 * the directory itself does not exist. Shared by {@link loadArtifact} and {@link readArtifactRecord}.
 */
async function readVerifiedRecord(
  dir: string,
  missing: string,
  onWarning: ((d: Diagnostic) => void) | undefined,
): Promise<{ manifest: Manifest | undefined; ir: ModelIR; metrics: MetricsFile }> {
  if (!(await exists(dir))) throw new MtlError(diag('MTL5303', FILE_START, { dir, file: missing }, { file: dir }));
  const manifest = await readManifest(dir);
  if (!manifest) onWarning?.(diag('MTL5337', FILE_START, { dir, manifest: MANIFEST_FILE }, { file: dir }));
  else if (manifest.kind !== 'model') {
    const file = path.join(dir, MANIFEST_FILE);
    throw new MtlError(diag('MTL5304', FILE_START, { file, reason: `it describes a ${manifest.kind}, not a model directory` }, { file }));
  }
  const ir = await readJson<ModelIR>(dir, ARTIFACT_FILES.ir, manifest, hasKeys('version', 'name', 'features', 'tasks', 'nodes'));
  const metrics = await readJson<MetricsFile>(dir, ARTIFACT_FILES.metrics, manifest, hasKeys('version', 'final', 'history'));
  if (manifest?.irHash !== undefined && manifest.irHash !== irHash(ir)) {
    const file = path.join(dir, ARTIFACT_FILES.ir);
    throw new MtlError(diag('MTL5336', FILE_START, { file, reason: `it is not the spec the weights were trained from (its hash differs from the one in ${MANIFEST_FILE})` }, { file }));
  }
  return { manifest, ir, metrics };
}

/**
 * The first task or metric output of the IR that the saved model does not produce (a task with a single
 * head may be read from that head's tower, as metric-eval.ts does), or undefined when all are there.
 */
function missingOutput(ir: ModelIR, outputNames: string[]): string | undefined {
  const names = new Set(outputNames);
  const head = new Map(ir.tasks.filter((t) => t.head.length === 1).map((t) => [t.name, t.head[0]!] as const));
  const has = (o: string): boolean => names.has(o) || names.has(head.get(o) ?? '');
  for (const o of [...ir.tasks.map((t) => t.name), ...ir.metrics.map((m) => m.output)]) if (!has(o)) return o;
  return undefined;
}

/**
 * The data files recorded in a model directory's metrics.json (training and validation files), which
 * `mtl report` reads by default: inputs that an output must not replace. Empty when there are none or the
 * file is unreadable (loading reports that).
 */
export async function recordedDataFiles(dir: string): Promise<string[]> {
  try {
    const m = JSON.parse(await fsp.readFile(path.join(dir, ARTIFACT_FILES.metrics), 'utf8')) as Partial<MetricsFile>;
    return [m.data?.train, m.data?.valid].flatMap((r) => (r?.kind === 'file' ? [path.resolve(dir, r.path)] : []));
  } catch {
    return [];
  }
}
