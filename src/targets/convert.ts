/**
 * Weights both ways between the targets, by name (see src/targets/pytorch/names.ts):
 *
 * - {@link convertTfjsToTorch}: a tfjs model directory (model.json + weights.bin + ir.json + preprocess.json)
 *   → a PyTorch run directory (model.safetensors holding the state dict, ir.json, preprocess.json) that the
 *   generated package loads with `--init` or `predict.py --model`.
 * - {@link convertTorchToTfjs}: a PyTorch run directory → a complete tfjs model directory (the export model
 *   rebuilt from the IR by the tfjs compiler, its weights replaced), which evaluates, serves and opens in a
 *   browser like one trained by `mtl train`.
 *
 * Dense kernels are [in, out] in tfjs and [out, in] in PyTorch; every other tensor has the same layout.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { ModelIR } from '../ir/types.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { FILE_START } from '../diagnostics/types.js';
import { diag } from '../diagnostics/catalog.js';
import { isMtlError } from '../diagnostics/error.js';
import { publishDir } from '../util/fs-atomic.js';
import { MANIFEST_FILE, verifyDirFiles, writeManifest } from '../artifact/manifest.js';
import { parameterNames, type ParamName } from './pytorch/names.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from './convert-safetensors.js';
import { canonicalTfjsName } from '../model/weight-names.js';
import { withVocabSizes, type PreprocessState } from '../data/state.js';

/** The weights file of a PyTorch run directory. */
export const TORCH_WEIGHTS_FILE = 'model.safetensors';

/** The result of a conversion: diagnostics only (empty on success). */
export interface ConvertResult {
  diagnostics: Diagnostic[];
}

/** Transpose a row-major [rows, cols] matrix. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}

export { canonicalTfjsName } from '../model/weight-names.js';

/** Product of a shape. */
function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * tfjs-named weights (tfjs layouts) → a PyTorch state dict for `ir`. Throws an Error whose message is the
 * reason when a tensor of the model is missing or has another shape.
 */
export function tfjsToStateDict(ir: ModelIR, weights: Map<string, NamedTensor>): Record<string, NamedTensor> {
  const byName = new Map<string, NamedTensor>();
  for (const [name, t] of weights) byName.set(canonicalTfjsName(name), t);
  const out: Record<string, NamedTensor> = {};
  for (const p of parameterNames(ir)) {
    const t = byName.get(p.tfjs);
    if (!t) throw new Error(`it has no tensor '${p.tfjs}'`);
    if (t.shape.join(',') !== p.shape.join(',')) throw new Error(`'${p.tfjs}' has shape [${t.shape}], the model needs [${p.shape}]`);
    out[p.torch] = p.transpose ? { shape: [p.shape[1]!, p.shape[0]!], data: transpose2d(t.data, p.shape[0]!, p.shape[1]!) } : { shape: p.shape, data: t.data };
  }
  return out;
}

/** A PyTorch state dict → tfjs-named weights (tfjs layouts) for `ir`. Throws with the reason on a mismatch. */
export function stateDictToTfjs(ir: ModelIR, state: Record<string, NamedTensor>): Map<string, NamedTensor> {
  const out = new Map<string, NamedTensor>();
  for (const p of parameterNames(ir)) {
    const t = state[p.torch];
    const want = p.transpose ? [p.shape[1]!, p.shape[0]!] : p.shape;
    if (!t) throw new Error(`it has no tensor '${p.torch}'`);
    if (t.shape.join(',') !== want.join(',')) throw new Error(`'${p.torch}' has shape [${t.shape}], the model needs [${want}]`);
    out.set(p.tfjs, p.transpose ? { shape: p.shape, data: transpose2d(t.data, want[0]!, want[1]!) } : { shape: p.shape, data: t.data });
  }
  return out;
}

/** A model.json weights manifest. */
interface WeightsManifest {
  weightsManifest: Array<{ paths: string[]; weights: Array<{ name: string; shape: number[]; dtype: string }> }>;
}

/** Read the weights of a tfjs model directory by name (float32; int32 converted). */
export async function readTfjsWeights(dir: string): Promise<Map<string, NamedTensor>> {
  const modelJson = JSON.parse(await fsp.readFile(path.join(dir, 'model.json'), 'utf8')) as WeightsManifest;
  const out = new Map<string, NamedTensor>();
  for (const group of modelJson.weightsManifest ?? []) {
    const bytes = Buffer.concat(await Promise.all(group.paths.map((p) => fsp.readFile(path.join(dir, p)))));
    const buf = Buffer.from(bytes); // aligned copy
    let offset = 0;
    for (const w of group.weights) {
      const n = size(w.shape);
      if (w.dtype !== 'float32' && w.dtype !== 'int32') throw new Error(`weight '${w.name}' has the unsupported dtype ${w.dtype}`);
      if (offset + n * 4 > buf.length) throw new Error(`weight '${w.name}' runs past the end of the weights file`);
      const view = new DataView(buf.buffer, buf.byteOffset + offset, n * 4);
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = w.dtype === 'float32' ? view.getFloat32(i * 4, true) : view.getInt32(i * 4, true);
      out.set(w.name, { shape: w.shape, data });
      offset += n * 4;
    }
  }
  return out;
}

/** Write files into `outDir` atomically (a temporary directory beside it, renamed over it), with a manifest of `kind` pytorch-run. */
async function writeDirAtomic(outDir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  await publishDir(outDir, async (tmp) => {
    for (const [name, data] of Object.entries(files)) await fsp.writeFile(path.join(tmp, name), data);
    await writeManifest(tmp, 'pytorch-run');
  });
}

/** Read a JSON file, or undefined when it is absent. */
async function readJsonIfAny(file: string): Promise<unknown> {
  try {
    return JSON.parse(await fsp.readFile(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Turn a conversion failure into a diagnostic: unreadable files MTL5402 (or MTL5303 when missing), mismatches MTL5401. */
function failure(file: string, e: unknown, stage: 'read' | 'match' | 'write'): Diagnostic {
  if (isMtlError(e) && e.diagnostics[0]) return e.diagnostics[0];
  const err = e as NodeJS.ErrnoException;
  const reason = err?.message ?? String(e);
  if (stage === 'write') return diag('MTL5308', FILE_START, { file, reason });
  if (stage === 'read' && err?.code === 'ENOENT') return diag('MTL5303', FILE_START, { dir: path.dirname(file), file: path.basename(file) });
  return diag(stage === 'match' ? 'MTL5401' : 'MTL5402', FILE_START, { file, reason: reason.replace(/\.$/, '') });
}

/**
 * A tfjs model directory → a PyTorch run directory `outDir` (model.safetensors, ir.json, preprocess.json).
 * Never throws on user input: problems come back as diagnostics.
 */
export async function convertTfjsToTorch(artifactDir: string, outDir: string): Promise<ConvertResult> {
  let ir: ModelIR;
  let weights: Map<string, NamedTensor>;
  let preprocess: string;
  const warnings: Diagnostic[] = [];
  try {
    // The source model directory is verified against its manifest first (a directory without one converts, unverified).
    if (!(await verifyDirFiles(artifactDir, ['model.json', 'weights.bin', 'ir.json', 'preprocess.json']))) {
      warnings.push(diag('MTL5337', FILE_START, { dir: artifactDir, manifest: MANIFEST_FILE }));
    }
    ir = JSON.parse(await fsp.readFile(path.join(artifactDir, 'ir.json'), 'utf8')) as ModelIR;
    preprocess = await fsp.readFile(path.join(artifactDir, 'preprocess.json'), 'utf8');
    weights = await readTfjsWeights(artifactDir);
  } catch (e) {
    return { diagnostics: [failure(path.join(artifactDir, 'model.json'), e, 'read')] };
  }
  let state: Record<string, NamedTensor>;
  try {
    // ir.json leaves the sizes of vocabulary files open; the fitted state knows them (and so the table sizes).
    state = tfjsToStateDict(withVocabSizes(ir, JSON.parse(preprocess) as PreprocessState), weights);
  } catch (e) {
    return { diagnostics: [failure(path.join(artifactDir, 'model.json'), e, 'match')] };
  }
  try {
    await writeDirAtomic(outDir, {
      [TORCH_WEIGHTS_FILE]: encodeSafetensors(state, { format: 'pt', model: ir.name, converted_from: 'tfjs' }),
      'ir.json': JSON.stringify(ir, null, 2) + '\n',
      'preprocess.json': preprocess,
    });
  } catch (e) {
    return { diagnostics: [...warnings, failure(outDir, e, 'write')] };
  }
  return { diagnostics: warnings };
}

/** Options of {@link convertTorchToTfjs}. */
export interface TorchToTfjsOptions {
  /** Resolves gate types to plugins for the tfjs compiler; default: the first-party plugins. */
  gates?: (type: string) => unknown;
}

/**
 * A PyTorch run directory (model.safetensors, ir.json, preprocess.json, optionally metrics.json) → a complete
 * tfjs model directory `outDir`: the export model is rebuilt from the IR by the tfjs compiler and given the
 * converted weights. Never throws on user input.
 */
export async function convertTorchToTfjs(torchDir: string, outDir: string, opts: TorchToTfjsOptions = {}): Promise<ConvertResult> {
  const weightsFile = path.join(torchDir, TORCH_WEIGHTS_FILE);
  let ir: ModelIR;
  let state: Record<string, NamedTensor>;
  let preprocess: unknown;
  let torchMetrics: unknown;
  try {
    ir = JSON.parse(await fsp.readFile(path.join(torchDir, 'ir.json'), 'utf8')) as ModelIR;
    preprocess = JSON.parse(await fsp.readFile(path.join(torchDir, 'preprocess.json'), 'utf8'));
    torchMetrics = await readJsonIfAny(path.join(torchDir, 'metrics.json'));
    state = decodeSafetensors(await fsp.readFile(weightsFile));
  } catch (e) {
    return { diagnostics: [failure(weightsFile, e, 'read')] };
  }
  let named: Map<string, NamedTensor>;
  try {
    named = stateDictToTfjs(ir, state);
  } catch (e) {
    return { diagnostics: [failure(weightsFile, e, 'match')] };
  }
  // The tfjs side is loaded lazily: converting to PyTorch needs no tfjs at all.
  const [tf, compile, plugins, artifact] = await Promise.all([
    import('@tensorflow/tfjs'),
    import('../model/index.js'),
    import('../plugins/load.js'),
    import('../artifact/artifact.js'),
  ]);
  const registry = plugins.createDefaultRegistry();
  const gates = opts.gates ?? ((type: string) => registry.get(type)?.plugin);
  const tableSizes: Record<string, number> = {};
  for (const p of parameterNames(ir)) if (p.tfjs.endsWith('/embeddings')) tableSizes[p.tfjs.slice('embedding_'.length, -'/embeddings'.length)] = p.shape[0]!;
  let runtime: ReturnType<typeof compile.createModelRuntime> | undefined;
  let model: import('@tensorflow/tfjs').LayersModel | undefined;
  try {
    runtime = compile.createModelRuntime(ir, {
      gates: gates as Parameters<typeof compile.createModelRuntime>[1]['gates'],
      seed: ir.train.seed,
      optimizer: { optimizer: ir.train.optimizer, lr: ir.train.lr },
      tableSizes,
    });
    model = runtime.exportModel();
    const wanted = new Set(parameterNames(ir).map((p: ParamName) => p.tfjs));
    for (const w of model.weights) {
      const key = canonicalTfjsName(w.originalName);
      const t = named.get(key);
      if (!t) {
        if (wanted.has(key)) throw new Error(`it has no tensor for '${key}'`);
        continue;
      }
      w.write(tf.tensor(t.data, t.shape));
      wanted.delete(key);
    }
    if (wanted.size) throw new Error(`the tfjs model has no weight '${[...wanted][0]}'`);
  } catch (e) {
    model?.dispose();
    runtime?.dispose();
    return { diagnostics: [failure(weightsFile, e, 'match')] };
  }
  const m = (torchMetrics ?? {}) as { history?: unknown[]; final?: unknown };
  const metrics = {
    version: 1,
    model: ir.name,
    final: m.final ?? {},
    bestEpoch: Array.isArray(m.history) && m.history.length ? m.history.length : null,
    bestScore: null,
    stoppedEarly: false,
    history: [],
    backend: 'pytorch',
    seed: ir.train.seed,
    settings: { ...ir.train },
    data: { train: { kind: 'file', path: 'converted from PyTorch' } },
    parameterCount: runtime.parameterCount(),
    timings: { preprocessSeconds: 0, trainSeconds: 0 },
  };
  try {
    await artifact.writeArtifact(outDir, { model, ir, preprocess: preprocess as never, metrics: metrics as never });
  } catch (e) {
    return { diagnostics: [failure(outDir, e, 'write')] };
  } finally {
    model.dispose();
    runtime.dispose();
  }
  return { diagnostics: [] };
}
