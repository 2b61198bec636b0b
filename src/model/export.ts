/**
 * The export model: raw-id inputs → built-in Embedding layers (weights copied from the JS store) →
 * pooling with built-in layers → the core graph's layers (rebuilt unfused with the same layer names, current
 * weights copied, so the export model's lifetime is independent of the runtime's) → named outputs with
 * their activations and products. Only built-in tfjs layers plus the gate plugins' registered layers, so
 * `model.json` loads in plain @tensorflow/tfjs.
 *
 * The graph is flat (the core layers are applied to the embedded inputs, not nested as one model layer):
 * tfjs-layers' executor runs a multi-output layer once per output it feeds, so a nested core model with
 * two towers and two gates ran four times per predict() call. (Model directories written with the
 * nested form still load and predict the same.)
 *
 * Id inputs are declared [batch, 1] rather than [batch]: tfjs' predict() expands every rank-1 input to
 * [batch, 1] before checking it, so a [batch] declaration could not be fed through predict() at all,
 * while a [batch, 1] one accepts both [batch] and [batch, 1] tensors.
 */
import * as tf from '@tensorflow/tfjs';
import type { Feature, ModelIR } from '../ir/types.js';
import type { EmbeddingStore } from './embeddings.js';
import { applyCore, type CoreOptions } from './tf-model.js';
import { stateKey } from './fused-experts.js';
import { isTaskOutput } from './layout.js';

/**
 * Build the export model from the runtime's parts: `opts` as the core model was built with (fusion is
 * turned off here), `current` the current value of every core weight by state key (copied, not shared).
 */
export function buildExportModel(ir: ModelIR, opts: CoreOptions, store: EmbeddingStore, current: Map<string, tf.Tensor>): tf.LayersModel {
  const rawInputs = new Map<string, tf.SymbolicTensor[]>();
  const embeddings = new Map<string, tf.layers.Layer>();
  const embeddingOf = (feature: string): tf.layers.Layer => {
    const table = store.tableOf(feature)!;
    let layer = embeddings.get(table.owner);
    if (!layer) {
      layer = tf.layers.embedding({ inputDim: table.rows, outputDim: table.dim, name: `embedding_${table.owner}` });
      embeddings.set(table.owner, layer);
    }
    return layer;
  };
  /** A feature's raw input(s) and the dense vector the core graph reads. */
  const denseInput = (f: Feature): tf.SymbolicTensor => {
    if (f.kind === 'numeric' && !(f.buckets && f.buckets.length)) {
      const x = tf.input({ shape: [1], name: f.name });
      rawInputs.set(f.name, [x]);
      return x;
    }
    const table = store.tableOf(f.name)!;
    if (f.kind !== 'sequence') {
      const ids = tf.input({ shape: [1], dtype: 'int32', name: f.name });
      rawInputs.set(f.name, [ids]);
      const e = embeddingOf(f.name).apply(ids) as tf.SymbolicTensor;
      return tf.layers.reshape({ targetShape: [table.dim], name: `${f.name}__embedded` }).apply(e) as tf.SymbolicTensor;
    }
    const ids = tf.input({ shape: [f.maxLen], dtype: 'int32', name: f.name });
    const w = tf.input({ shape: [f.maxLen], name: `${f.name}__w` });
    rawInputs.set(f.name, [ids, w]);
    const e = embeddingOf(f.name).apply(ids) as tf.SymbolicTensor;
    if (f.pool === 'max') {
      const w3 = tf.layers.reshape({ targetShape: [f.maxLen, 1], name: `${f.name}__w3` }).apply(w) as tf.SymbolicTensor;
      const weighted = tf.layers.multiply({ name: `${f.name}__weighted` }).apply([e, w3]) as tf.SymbolicTensor;
      return tf.layers.globalMaxPooling1d({ name: `${f.name}__pool` }).apply(weighted) as tf.SymbolicTensor;
    }
    return tf.layers.dot({ axes: [1, 1], name: `${f.name}__pool` }).apply([e, w]) as tf.SymbolicTensor;
  };

  const core = applyCore(ir, { ...opts, fuseExperts: false }, denseInput);
  // Inputs in the IR's feature order (a sequence feature's ids, then its weights).
  const inputs = core.features.flatMap((f) => rawInputs.get(f.name)!);
  const list = core.outputs;
  const probability = new Map<string, tf.SymbolicTensor>();
  const named: tf.SymbolicTensor[] = [];
  core.towers.forEach((t, i) => {
    const out = tf.layers.activation({ activation: t.output === 'sigmoid' ? 'sigmoid' : 'linear', name: t.name }).apply(list[i]!) as tf.SymbolicTensor;
    probability.set(t.name, out);
    named.push(out);
  });
  for (const task of ir.tasks.filter(isTaskOutput)) {
    const heads = task.head.map((h) => probability.get(h)!);
    named.push(
      (heads.length === 1
        ? tf.layers.activation({ activation: 'linear', name: task.name }).apply(heads[0]!)
        : tf.layers.multiply({ name: task.name }).apply(heads)) as tf.SymbolicTensor,
    );
  }
  core.gates.forEach((g, i) => {
    named.push(tf.layers.activation({ activation: 'linear', name: `gate__${g.name}` }).apply(list[core.towers.length + i]!) as tf.SymbolicTensor);
  });
  const model = tf.model({ inputs, outputs: named, name: ir.name });
  tf.tidy(() => {
    for (const layer of embeddings.values()) {
      const table = store.tableOf(layer.name.slice('embedding_'.length))!;
      // A copy: on the cpu backend a tensor made from an array keeps that array, and the store updates it in place.
      layer.setWeights([tf.tensor2d(table.data.slice(), [table.rows, table.dim])]);
    }
    for (const w of model.weights) {
      if (w.originalName.startsWith('embedding_')) continue;
      const value = current.get(stateKey(w.originalName));
      if (!value) throw new Error(`internal: the export model's weight '${w.originalName}' has no value`);
      // A copy: the runtime updates its weights in place, the export model must not change with them.
      w.write(tf.tensor(value.dataSync(), value.shape, 'float32'));
    }
  });
  return model;
}
