/**
 * The contract file written next to an exported model (`mtl export --format onnx|torchscript`: `FILE.json`):
 * the model file's inputs (names, element types, shapes, and how each is computed from a raw row's fields),
 * its outputs, the IR and model hashes, and the IR and fitted preprocess.json state themselves, so that
 * `loadFeedEncoder` (feed-encoder.ts) encodes raw rows with nothing but this file. Derived from ir.json and
 * preprocess.json, never restated by hand.
 */
import type { Feature, ModelIR } from '../ir/types.js';
import type { PreprocessState } from '../data/state.js';
import { modelInputs, type InputSpec } from '../data/feeds.js';
import { servingContract, type ContractFeature } from './contract.js';

/** The version of the contract file's format. */
export const EXPORT_CONTRACT_VERSION = 1 as const;

/** One input of the exported model. */
export interface ExportInput extends InputSpec {
  /** The raw field (column) the input is computed from. */
  column: string;
  /** How the value is computed from the field, in words; the numbers are in `preprocess`. */
  computed: string;
}

/** One output of the exported model: one float32 score per row. */
export interface ExportOutput {
  name: string;
  type: 'float32';
  shape: ['batch'];
  /** probability (a sigmoid tower, or a product of sigmoid towers) or value (a linear tower). */
  kind: 'probability' | 'value';
}

/** The contract file of an exported model. */
export interface ExportContract {
  contractVersion: typeof EXPORT_CONTRACT_VERSION;
  /** The model file's format and name (relative to the contract file). */
  format: 'onnx' | 'torchscript';
  file: string;
  /** ONNX opset (onnx only). */
  opset?: number;
  /** The mtl version that exported it. */
  mtlVersion: string;
  name: string;
  /** SHA-256 of the canonical IR, and of the IR hash, preprocessing and weights (as `GET /v1/model`). */
  irHash: string;
  modelHash: string;
  inputs: ExportInput[];
  outputs: ExportOutput[];
  /** The raw fields a row must carry (the serving contract's features). */
  features: ContractFeature[];
  /** The spec's IR (without source positions) and the fitted preprocessing, vocabularies inline. */
  ir: ModelIR;
  preprocess: PreprocessState;
}

/** How a feature's model input is computed from its raw field, in words (the numbers live in preprocess.json). */
function computedFrom(ir: ModelIR, f: Feature, weights: boolean): string {
  if (f.kind === 'numeric') {
    const missing = typeof f.missing === 'object' ? `the value ${f.missing.value}` : f.missing;
    if (f.buckets && f.buckets.length) return `the number of bucket boundaries [${f.buckets.join(', ')}] that are <= the value (missing: ${missing})`;
    const space = f.normalize === 'log1p' ? 'log1p(value)' : 'value';
    const norm = f.normalize === 'standard' ? `(${space} - mean) / std` : f.normalize === 'minmax' ? `(${space} - min) / (max - min)` : space;
    return `${norm} with the statistics of preprocess.features.${f.name} (missing: ${missing})`;
  }
  const owner = f.shares !== undefined ? ir.features.find((x) => x.name === f.shares) ?? f : f;
  const ids = owner.kind === 'numeric' ? undefined : owner.ids;
  const row =
    ids?.kind === 'hash'
      ? `fnv1a32(UTF-8 of the value) mod ${ids.size}`
      : ids?.kind === 'vocab'
        ? `integer id + 1 for ids 0..${ids.size - 1}, else 0`
        : `1 + the value's line in the vocabulary (preprocess.features.${owner.name}.vocab.tokens), else 0`;
  if (f.kind === 'categorical') return `the embedding row: ${row}`;
  // The reader's padding (src/data/types.ts): max repeats the first id at weight 1, so the max is unchanged.
  if (weights) {
    if (f.pool === 'max') return `pooling weights of the first ${f.maxLen} values: 1 everywhere (0 everywhere for an empty sequence)`;
    return `pooling weights of the first ${f.maxLen} values: ${f.pool === 'mean' ? '1/count' : '1'} on values, 0 on padding`;
  }
  const padding = f.pool === 'max' ? "the first value's row (row 0 for an empty sequence)" : 'row 0';
  return `the embedding rows of the first ${f.maxLen} values (split on '${f.separator}'): ${row}; padded with ${padding}`;
}

/** The output kinds: sigmoid towers and products are probabilities, linear towers values. */
function outputKind(ir: ModelIR, name: string): ExportOutput['kind'] {
  const towers = new Map(ir.nodes.flatMap((n) => (n.kind === 'tower' ? [[n.name, n.output] as const] : [])));
  const head = towers.has(name) ? [name] : ir.tasks.find((t) => t.name === name)?.head ?? [];
  return head.length === 1 && towers.get(head[0]!) === 'linear' ? 'value' : 'probability';
}

/** What {@link exportContract} needs: the model's IR (stripped), fitted state, outputs and hashes. */
export interface ExportContractParts {
  format: ExportContract['format'];
  file: string;
  opset?: number;
  mtlVersion: string;
  ir: ModelIR;
  preprocess: PreprocessState;
  outputs: readonly string[];
  irHash: string;
  modelHash: string;
}

/** The contract of an exported model. Pure. */
export function exportContract(p: ExportContractParts): ExportContract {
  const features = new Map(p.ir.features.map((f) => [f.name, f]));
  const serving = servingContract(p.ir, p.outputs, { irHash: p.irHash, modelHash: p.modelHash });
  return {
    contractVersion: EXPORT_CONTRACT_VERSION,
    format: p.format,
    file: p.file,
    ...(p.opset !== undefined ? { opset: p.opset } : {}),
    mtlVersion: p.mtlVersion,
    name: p.ir.name,
    irHash: p.irHash,
    modelHash: p.modelHash,
    inputs: modelInputs(p.ir).map((i) => {
      const f = features.get(i.feature)!;
      return { ...i, column: f.column ?? f.name, computed: computedFrom(p.ir, f, i.name !== i.feature) };
    }),
    outputs: p.outputs.map((name) => ({ name, type: 'float32', shape: ['batch'], kind: outputKind(p.ir, name) })),
    features: serving.features,
    ir: p.ir,
    preprocess: p.preprocess,
  };
}
