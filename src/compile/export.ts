/**
 * The export model: raw-id inputs → built-in Embedding layers (weights copied from the JS store) →
 * pooling with built-in layers → a copy of the core model (rebuilt with the same layer names, current
 * weights copied, so the export model's lifetime is independent of the runtime's) → named outputs with
 * their activations and products. Only built-in tfjs layers plus the gate plugins' registered layers, so
 * `model.json` loads in plain @tensorflow/tfjs.
 *
 * Id inputs are declared [batch, 1] rather than [batch]: tfjs' predict() expands every rank-1 input to
 * [batch, 1] before checking it, so a [batch] declaration could not be fed through predict() at all,
 * while a [batch, 1] one accepts both [batch] and [batch, 1] tensors.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelIR } from '../ir/types.js';
import type { EmbeddingStore } from '../runtime/embeddings.js';
import type { CoreGraph } from './graph.js';
import { isTaskOutput } from './layout.js';

/** Build the export model from the runtime's parts; `core` must be a fresh copy holding the current weights. */
export function buildExportModel(ir: ModelIR, core: CoreGraph, store: EmbeddingStore): tf.LayersModel {
  const inputs: tf.SymbolicTensor[] = [];
  const dense: tf.SymbolicTensor[] = [];
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
  for (const f of core.features) {
    if (f.kind === 'numeric' && !(f.buckets && f.buckets.length)) {
      const x = tf.input({ shape: [1], name: f.name });
      inputs.push(x);
      dense.push(x);
      continue;
    }
    const table = store.tableOf(f.name)!;
    if (f.kind !== 'sequence') {
      const ids = tf.input({ shape: [1], dtype: 'int32', name: f.name });
      inputs.push(ids);
      const e = embeddingOf(f.name).apply(ids) as tf.SymbolicTensor;
      dense.push(tf.layers.reshape({ targetShape: [table.dim], name: `${f.name}__embedded` }).apply(e) as tf.SymbolicTensor);
      continue;
    }
    const ids = tf.input({ shape: [f.maxLen], dtype: 'int32', name: f.name });
    const w = tf.input({ shape: [f.maxLen], name: `${f.name}__w` });
    inputs.push(ids, w);
    const e = embeddingOf(f.name).apply(ids) as tf.SymbolicTensor;
    if (f.pool === 'max') {
      const w3 = tf.layers.reshape({ targetShape: [f.maxLen, 1], name: `${f.name}__w3` }).apply(w) as tf.SymbolicTensor;
      const weighted = tf.layers.multiply({ name: `${f.name}__weighted` }).apply([e, w3]) as tf.SymbolicTensor;
      dense.push(tf.layers.globalMaxPooling1d({ name: `${f.name}__pool` }).apply(weighted) as tf.SymbolicTensor);
    } else {
      dense.push(tf.layers.dot({ axes: [1, 1], name: `${f.name}__pool` }).apply([e, w]) as tf.SymbolicTensor);
    }
  }

  const outs = core.model.apply(dense) as tf.SymbolicTensor | tf.SymbolicTensor[];
  const list = Array.isArray(outs) ? outs : [outs];
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
  for (const layer of embeddings.values()) {
    const table = store.tableOf(layer.name.slice('embedding_'.length))!;
    tf.tidy(() => layer.setWeights([tf.tensor2d(table.data, [table.rows, table.dim])]));
  }
  return model;
}
