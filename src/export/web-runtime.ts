/**
 * The scoring runtime of an exported page: loads the model files next to the page over HTTP and scores
 * records in the browser with the same code as `mtl predict` and `mtl serve` — the scoring core
 * (src/serve/score.ts: records → cells → preprocessed batch, per-row errors) and the saved model's
 * forward pass (predictBatch) — on tfjs's wasm backend, the backend `mtl predict --backend wasm` uses.
 *
 * The direct forward pass is not available here: it runs on the native addon's C kernels, which a browser
 * cannot load. Nothing here imports Node: esbuild bundles this file for the browser (src/export/web-bundle.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { ModelIR } from '../ir/types.js';
import type { PreprocessState } from '../data/state.js';
import type { Vocabulary } from '../data/vocab.js';
import { createScorer, type ScoreResult } from '../serve/score.js';
import { GATE_PREFIX, predictBatch } from '../artifact/export-run.js';
import { BUILTIN_PLUGIN_FACTORIES } from '../plugins/builtin.js';
import type { VocabState } from '../data/state.js';

/**
 * Where the page finds the model's files, relative to the page: the exporter writes this into index.html
 * (src/export/web.ts), so the file names are defined once, on the Node side.
 */
export interface WebModelFiles {
  model: string;
  ir: string;
  preprocess: string;
  vocabs: string;
}

/** vocabs.json: the vocabulary of each `vocab "FILE"` feature (by owning feature), as token → row pairs. */
export type WebVocabs = Record<string, { state: VocabState; rows: Array<[string, number]> }>;

/** A model loaded in the page. */
export interface WebModel {
  /** The spec's model name. */
  readonly name: string;
  /** Output names, in model order (gate weights excluded). */
  readonly outputs: readonly string[];
  /** The tfjs backend that scores ('wasm', or 'cpu' where wasm could not start). */
  readonly backend: string;
  /** Score records: one score per output per record, per-record errors naming the field. */
  score(records: readonly unknown[]): ScoreResult;
}

/** Fetch a JSON file of the export; an Error naming the URL and the HTTP status when it fails. */
async function fetchJson<T>(url: URL): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot load ${url.pathname}: HTTP ${res.status} ${res.statusText}`);
  return (await res.json()) as T;
}

/** The backends the page can score on (`?backend=cpu` in the page's URL picks one). */
export type WebBackend = 'wasm' | 'cpu';

/**
 * Start the wasm backend with its binaries from `base` (the export ships them: no CDN), single-threaded
 * as in `mtl predict` (threads would need cross-origin isolation headers a plain static server does not
 * send); the cpu backend when wasm cannot start or `cpu` is asked for. Returns the backend's name.
 */
async function startBackend(base: URL, wanted: WebBackend): Promise<string> {
  if (wanted === 'cpu') {
    await tf.setBackend('cpu');
    return 'cpu';
  }
  setWasmPaths(base.href);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  try {
    if (await tf.setBackend('wasm')) return 'wasm';
  } catch {
    /* below: cpu */
  }
  await tf.setBackend('cpu');
  return 'cpu';
}

/**
 * Load the exported model: `files` relative to `base` (the page's folder URL, ending in '/'), scoring on
 * `backend` (default wasm, the backend of `mtl predict --backend wasm`; cpu matches `--backend cpu`).
 */
export async function loadWebModel(base: URL, files: WebModelFiles, backend: WebBackend = 'wasm'): Promise<WebModel> {
  const [ir, preprocess, vocabList] = await Promise.all([
    fetchJson<ModelIR>(new URL(files.ir, base)),
    fetchJson<PreprocessState>(new URL(files.preprocess, base)),
    fetchJson<WebVocabs>(new URL(files.vocabs, base)),
  ]);
  const started = await startBackend(base, backend);
  // The first-party gates' own layer classes, so that a model.json naming them deserialises (the export
  // refused models that need any other plugin: MTL5751).
  for (const plugin of BUILTIN_PLUGIN_FACTORIES.map((f) => f())) {
    for (const cls of plugin.layers ?? []) tf.serialization.registerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
  }
  const model = await tf.loadLayersModel(new URL(files.model, base).href);
  const vocabs = new Map<string, Vocabulary>(Object.entries(vocabList).map(([owner, v]) => [owner, { state: v.state, rows: new Map(v.rows) }]));
  const outputs = model.outputNames.filter((n) => !n.startsWith(GATE_PREFIX));
  const score = createScorer({ ir, preprocess, vocabs, outputs, predict: (batch) => predictBatch(model, batch) });
  return { name: ir.name, outputs, backend: started, score: (records) => score(records) };
}
