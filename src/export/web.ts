/**
 * `mtl export RUN --format web -o DIR`: a static folder that scores rows in a browser.
 *
 * The model directory is verified first, as `mtl predict` loads it (every file against its manifest,
 * finite weights, preprocess.json against the spec), and the exact verified bytes of its model files are
 * what is copied. The folder then gets the page (index.html), the bundled runtime (web-bundle.ts), tfjs's
 * wasm binaries, vocabs.json (the vocabularies, which a model directory may keep in files outside it),
 * README.txt and its own manifest (kind `web-export`), so that a second export may replace it without --force.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START } from '../diagnostics/types.js';
import { MtlError } from '../diagnostics/error.js';
import { ARTIFACT_FILES, loadArtifact, registerPluginLayers } from '../artifact/artifact.js';
import { MANIFEST_FILE, readManifest, verifyFile, writeManifest } from '../artifact/manifest.js';
import { irHash } from '../artifact/ir-hash.js';
import { GATE_PREFIX } from '../artifact/export-run.js';
import { unregisteredLayerClasses } from '../artifact/layer-classes.js';
import { stateVocabs } from '../data/batches.js';
import { checkState } from '../data/pass.js';
import { makePlan } from '../data/plan.js';
import type { Vocabulary } from '../data/vocab.js';
import { wasmDistFolder } from '../exec/backend.js';
import { createDefaultRegistry } from '../plugins/load.js';
import { writeFileSynced, publishDir } from '../util/fs-atomic.js';
import { packageVersion } from '../util/package-root.js';
import { bundleWebRuntime } from './web-bundle.js';
import { webIndexHtml, webReadme, type WebTexts } from './web-html.js';
import type { WebModelFiles, WebVocabs } from './web-runtime.js';

/** The folder of the model files inside the export. */
const MODEL_DIR = 'model';
/** The vocabularies file (next to the model files). */
const VOCABS_FILE = 'vocabs.json';
/** The bundled page script. */
const BUNDLE_FILE = 'mtl-web.js';
/** The page. */
const PAGE_FILE = 'index.html';
/** How to serve the folder. */
const README_FILE = 'README.txt';
/**
 * tfjs's wasm binaries the page needs: the plain and the SIMD build (tfjs picks by the browser). The
 * threaded build is left out: the page runs single-threaded, as `mtl predict` does (web-runtime.ts).
 */
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'];
/** The model directory's files the page loads, copied byte for byte after verification. */
const COPIED = [ARTIFACT_FILES.model, ARTIFACT_FILES.weights, ARTIFACT_FILES.ir, ARTIFACT_FILES.preprocess];

/** Where the page finds the model files (relative to index.html). */
const FILES: WebModelFiles = {
  model: `${MODEL_DIR}/${ARTIFACT_FILES.model}`,
  ir: `${MODEL_DIR}/${ARTIFACT_FILES.ir}`,
  preprocess: `${MODEL_DIR}/${ARTIFACT_FILES.preprocess}`,
  vocabs: `${MODEL_DIR}/${VOCABS_FILE}`,
};

/** What an export wrote. */
export interface WebExportResult {
  /** The written files, relative to the output folder, sorted. */
  files: string[];
  /** The model's outputs, in model order. */
  outputs: string[];
}

/** The vocabularies as token → row pairs (rows come from the fitted state, so they equal training's). */
function vocabsJson(vocabs: Map<string, Vocabulary>): WebVocabs {
  const out: WebVocabs = {};
  for (const [owner, v] of vocabs) out[owner] = { state: v.state, rows: [...v.rows] };
  return out;
}

/**
 * Write the web export of the model directory `runDir` into the new folder `tmp` (published by the caller).
 * Throws MtlError: the model loader's codes naming a file (MTL5303, MTL5304, MTL5336, MTL5338, MTL5023),
 * MTL5753 without a manifest, MTL5751 for a third-party plugin's layers, MTL5752 when bundling fails.
 */
async function buildWebExport(runDir: string, tmp: string): Promise<WebExportResult> {
  const manifest = await readManifest(runDir);
  if (!manifest) {
    const there = await fsp.stat(runDir).catch(() => undefined);
    // A missing directory gets the loader's message (MTL5303); an unmarked one is refused here.
    if (there?.isDirectory()) throw new MtlError(diag('MTL5753', FILE_START, { dir: runDir, manifest: MANIFEST_FILE }, { file: runDir }));
  }
  const plugins = createDefaultRegistry().gatePlugins();
  registerPluginLayers(plugins);
  // Before loading (which would fail on an unknown layer class with a less helpful MTL5304), but on the
  // verified model.json: a changed file is MTL5336, not a plugin problem.
  const modelFile = path.join(runDir, ARTIFACT_FILES.model);
  const modelBytes = manifest ? await fsp.readFile(modelFile).catch(() => undefined) : undefined;
  if (manifest && modelBytes) {
    verifyFile(runDir, manifest, ARTIFACT_FILES.model, modelBytes);
    const classes = unregisteredLayerClasses(modelBytes.toString('utf8'));
    if (classes.length) throw new MtlError(diag('MTL5751', FILE_START, { dir: runDir, classes: classes.map((c) => `'${c}'`).join(', ') }, { file: modelFile }));
  }
  const art = await loadArtifact(runDir, { plugins });
  try {
    checkState(art.ir, art.preprocess);
    const vocabs = await stateVocabs(art.preprocess, runDir);
    const outputs = art.model.outputNames.filter((n) => !n.startsWith(GATE_PREFIX));
    await fsp.mkdir(path.join(tmp, MODEL_DIR));
    for (const name of COPIED) {
      const bytes = await fsp.readFile(path.join(runDir, name));
      // Verified again as read now: the bytes published are the bytes checked (manifest is set: loaded above).
      verifyFile(runDir, manifest!, name, bytes);
      await writeFileSynced(path.join(tmp, MODEL_DIR, name), bytes);
    }
    await writeFileSynced(path.join(tmp, MODEL_DIR, VOCABS_FILE), JSON.stringify(vocabsJson(vocabs)) + '\n');
    const wasmDir = wasmDistFolder();
    for (const f of WASM_FILES) await writeFileSynced(path.join(tmp, f), await fsp.readFile(path.join(wasmDir, f)));
    const texts: WebTexts = {
      model: art.ir.name,
      outputs,
      columns: makePlan(art.ir, false).wanted.map((w) => w.column),
      bundle: BUNDLE_FILE,
      files: FILES,
      version: packageVersion(),
    };
    await writeFileSynced(path.join(tmp, BUNDLE_FILE), await bundleWebRuntime());
    await writeFileSynced(path.join(tmp, PAGE_FILE), webIndexHtml(texts));
    await writeFileSynced(path.join(tmp, README_FILE), webReadme(texts));
    await writeManifest(tmp, 'web-export', { irHash: irHash(art.ir) });
    const files = [...COPIED.map((f) => `${MODEL_DIR}/${f}`), `${MODEL_DIR}/${VOCABS_FILE}`, ...WASM_FILES, BUNDLE_FILE, PAGE_FILE, README_FILE, MANIFEST_FILE];
    return { files: files.sort(), outputs };
  } finally {
    art.model.dispose();
  }
}

/**
 * Export the model directory `runDir` as a static web page into `outDir`, replacing it as a whole (the
 * caller holds the output guard: withOutputDir). Nothing is written when verification or bundling fails.
 */
export async function exportWeb(runDir: string, outDir: string): Promise<WebExportResult> {
  let result: WebExportResult | undefined;
  await publishDir(outDir, async (tmp) => {
    result = await buildWebExport(runDir, tmp);
  });
  return result!;
}
