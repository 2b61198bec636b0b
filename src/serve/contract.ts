/**
 * The serving contract of a model: what a client must send (one column per feature, with the value types
 * and missing-value rules of ir.json) and what it gets back (the outputs), with the IR's hash and version
 * so a client can tell which spec it is talking to. `GET /v1/model` returns it; it is derived from ir.json
 * only, never restated by hand.
 */
import type { Feature, ModelIR } from '../ir/types.js';

/** One input column of the contract. */
export interface ContractFeature {
  name: string;
  /** The key a row gives the value under. */
  column: string;
  kind: Feature['kind'];
  /** The JSON values accepted. */
  accepts: string;
  /** categorical/sequence: the id space (hash N, vocab N, vocab file) after `shares`. */
  ids?: { kind: string; size?: number };
  /** numeric: normalisation, missing-value rule, bucket boundaries. */
  normalize?: string;
  missing?: unknown;
  buckets?: number[];
  /** sequence: the separator of values in text, the number kept, the pooling. */
  separator?: string;
  maxLen?: number;
  pool?: string;
}

/** The serving contract (GET /v1/model). */
export interface ServingContract {
  name: string;
  doc?: string;
  irVersion: string;
  /** SHA-256 of the canonical IR (the hash the model directory's manifest records): the same for every training run of one spec. */
  irHash: string;
  /** SHA-256 of the IR hash, the fitted preprocessing and the weights: it changes with every retraining. */
  modelHash: string;
  features: ContractFeature[];
  /** Output names, one score each per row: probabilities for sigmoid towers and products, values for linear ones. */
  outputs: string[];
  /** Tasks and the towers whose outputs they are. */
  tasks: Array<{ name: string; head: string[] }>;
}

/** One feature's entry. */
function contractFeature(ir: ModelIR, f: Feature): ContractFeature {
  const base = { name: f.name, column: f.column ?? f.name, kind: f.kind };
  if (f.kind === 'numeric') {
    return {
      ...base,
      accepts: 'a number, a decimal string, or null (missing)',
      normalize: f.normalize,
      missing: f.missing,
      ...(f.buckets && f.buckets.length ? { buckets: f.buckets } : {}),
    };
  }
  const owner = f.shares !== undefined ? ir.features.find((x) => x.name === f.shares) : undefined;
  const ids = owner && owner.kind !== 'numeric' ? owner.ids : f.ids;
  const space = ids.kind === 'file' ? { kind: 'vocab file' } : { kind: ids.kind, size: ids.size };
  if (f.kind === 'categorical') return { ...base, accepts: 'a string or number, or null (missing)', ids: space };
  return {
    ...base,
    accepts: `a string of values separated by '${f.separator}', an array of values, or null (empty)`,
    ids: space,
    separator: f.separator,
    maxLen: f.maxLen,
    pool: f.pool,
  };
}

/** The contract of a model: its IR, its output names and its hashes. */
export function servingContract(ir: ModelIR, outputs: readonly string[], hashes: { irHash: string; modelHash: string }): ServingContract {
  return {
    name: ir.name,
    ...(ir.doc ? { doc: ir.doc } : {}),
    irVersion: String(ir.version),
    irHash: hashes.irHash,
    modelHash: hashes.modelHash,
    features: ir.features.map((f) => contractFeature(ir, f)),
    outputs: [...outputs],
    tasks: ir.tasks.map((t) => ({ name: t.name, head: [...t.head] })),
  };
}
