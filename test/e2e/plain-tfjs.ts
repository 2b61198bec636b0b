/**
 * The "loads in plain @tensorflow/tfjs" check of a model directory: a child Node process that imports only
 * @tensorflow/tfjs (none of mtl's modules, so no custom layer classes are registered) loads model.json and
 * weights.bin through a tiny file-reading IOHandler and predicts the feeds it is given.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../cli/helpers.js';

/** One input tensor as JSON. */
export interface JsonTensor {
  shape: number[];
  dtype: 'int32' | 'float32';
  data: number[];
}

/** The child's script: what a user would write to serve the model without mtl. */
const SCRIPT = `
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
const [root, dir, feedsFile, outFile] = process.argv.slice(2);
const tf = createRequire(path.join(root, 'package.json'))('@tensorflow/tfjs');
const fileHandler = {
  async load() {
    const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
    const bytes = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(path.join(dir, p)))));
    const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    return { modelTopology: json.modelTopology, weightSpecs, weightData, format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy };
  },
};
const model = await tf.loadLayersModel(fileHandler);
const feeds = JSON.parse(readFileSync(feedsFile, 'utf8'));
const inputs = model.inputs.map((input, i) => {
  const f = feeds[model.inputNames[i]];
  if (!f) throw new Error('no feed for input ' + model.inputNames[i]);
  const shape = [f.shape[0], ...input.shape.slice(1).map((d) => d ?? -1)];
  return tf.tensor(f.data, f.shape, f.dtype).reshape(shape);
});
const out = model.predict(inputs.length === 1 ? inputs[0] : inputs);
const outs = Array.isArray(out) ? out : [out];
const result = {};
model.outputNames.forEach((name, i) => (result[name] = Array.from(outs[i].dataSync())));
writeFileSync(outFile, JSON.stringify(result));
`;

/**
 * Predict `feeds` (keyed by model input name) with the model directory `dir` in a plain-tfjs child process.
 * Returns each output's values; `work` is a scratch directory for the script and the JSON files.
 */
export async function predictWithPlainTfjs(dir: string, feeds: Record<string, JsonTensor>, work: string): Promise<Record<string, number[]>> {
  const script = path.join(work, 'plain-tfjs.mjs');
  const feedsFile = path.join(work, 'plain-feeds.json');
  const outFile = path.join(work, 'plain-out.json');
  writeFileSync(script, SCRIPT);
  writeFileSync(feedsFile, JSON.stringify(feeds));
  await promisify(execFile)(process.execPath, [script, ROOT, dir, feedsFile, outFile], { cwd: work, maxBuffer: 1 << 24 });
  return JSON.parse(readFileSync(outFile, 'utf8')) as Record<string, number[]>;
}
