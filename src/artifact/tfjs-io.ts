/**
 * Saving and loading tfjs LayersModels as `model.json` + `weights.bin` without tfjs-node.
 *
 * `file://` URLs need @tensorflow/tfjs-node, which cannot be installed offline, so saving goes through
 * `tf.io.withSaveHandler` (we receive the artifacts and write the two files ourselves) and loading
 * through `tf.io.fromMemory`. The files follow the standard tfjs layers format, so the same
 * directory loads with `tf.loadLayersModel('file://.../model.json')` under tfjs-node or over HTTP.
 */
import * as tf from '@tensorflow/tfjs';

/** The name of the weights file referenced from model.json. */
export const WEIGHTS_FILE = 'weights.bin';

/** A serialised model: the model.json text and the weights bytes. */
export interface SerializedModel {
  modelJson: string;
  weights: Uint8Array;
}

/** Serialise a LayersModel to the standard tfjs `model.json` + one weights shard. */
export async function serializeModel(model: tf.LayersModel): Promise<SerializedModel> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (!captured) throw new Error('internal: tfjs save handler was not called');
  const data = captured.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(captured.weightData);
  const modelJson: tf.io.ModelJSON = {
    modelTopology: captured.modelTopology as tf.io.ModelJSON['modelTopology'],
    format: captured.format ?? 'layers-model',
    generatedBy: captured.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: captured.convertedBy ?? null,
    weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: captured.weightSpecs ?? [] }],
  };
  if (captured.trainingConfig) modelJson.trainingConfig = captured.trainingConfig;
  if (captured.userDefinedMetadata) modelJson.userDefinedMetadata = captured.userDefinedMetadata;
  return { modelJson: JSON.stringify(modelJson), weights: new Uint8Array(data) };
}

/**
 * Load a model from the text of model.json and the bytes of its (single) weights file. Throws a
 * plain Error with tfjs's message when the content is inconsistent; callers turn it into a diagnostic.
 */
export async function deserializeModel(modelJsonText: string, weights: Uint8Array): Promise<tf.LayersModel> {
  const json = JSON.parse(modelJsonText) as tf.io.ModelJSON;
  if (typeof json !== 'object' || json === null || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new Error('not a tfjs layers model.json (no modelTopology or weightsManifest)');
  }
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const expected = specs.reduce((sum, s) => sum + byteSize(s), 0);
  if (expected !== weights.byteLength) {
    throw new Error(`the weights file has ${weights.byteLength} bytes but model.json describes ${expected}`);
  }
  // Copy into a fresh ArrayBuffer: `weights` may be a view into a larger (pooled) Node buffer.
  const buffer = weights.slice().buffer;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: buffer, format: json.format }));
}

/** Bytes taken by one weight entry (float32/int32 are 4 bytes, bool 1; quantised weights use their dtype). */
function byteSize(spec: tf.io.WeightsManifestEntry): number {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  if (spec.quantization) return count * (spec.quantization.dtype === 'uint8' ? 1 : 2);
  return count * (spec.dtype === 'bool' ? 1 : 4);
}

/** A non-finite float32 weight: its name, element index and value. */
export interface NonFiniteWeight {
  name: string;
  index: number;
  value: number;
}

/**
 * The first NaN or infinite float32 weight in a model.json + weights pair, or undefined. Works on the bytes
 * (no tfjs), so a model can be checked before it is written and before it is deserialised.
 */
export function firstNonFiniteWeight(modelJsonText: string, weights: Uint8Array): NonFiniteWeight | undefined {
  const json = JSON.parse(modelJsonText) as tf.io.ModelJSON;
  const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
  let offset = 0;
  for (const spec of (json.weightsManifest ?? []).flatMap((g) => g.weights)) {
    const size = byteSize(spec);
    if (spec.dtype === 'float32' && !spec.quantization && offset + size <= weights.byteLength) {
      for (let i = 0; i < size / 4; i++) {
        const v = view.getFloat32(offset + i * 4, true);
        if (!Number.isFinite(v)) return { name: spec.name, index: i, value: v };
      }
    }
    offset += size;
  }
  return undefined;
}
