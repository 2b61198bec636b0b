/**
 * Raw rows → the input tensors of a model exported by `mtl export --format onnx|torchscript`, from its
 * contract file alone (`model.onnx.json`, export-contract.ts). The encoding is the scoring's own
 * (encode.ts: `mtl predict`'s preprocessing with the fitted state), laid out as the model's inputs
 * (src/data/feeds.ts), so a Node user can hand the feeds to ONNX Runtime:
 *
 *   const enc = await loadFeedEncoder('model.onnx.json');
 *   const { feeds, rows, errors } = enc.encode([{ user_id: 'u1', price: 12.5, ... }]);
 *   const session = await ort.InferenceSession.create('model.onnx');
 *   const out = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, new ort.Tensor(f.type, f.data, f.dims)])));
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START } from '../diagnostics/types.js';
import { MtlError } from '../diagnostics/error.js';
import { batchFeedArrays, modelInputs, type FeedArray } from '../data/feeds.js';
import { checkState } from '../data/pass.js';
import { vocabRows, type Vocabulary } from '../data/vocab.js';
import { irHash } from '../artifact/ir-hash.js';
import { EXPORT_CONTRACT_VERSION, type ExportContract } from './export-contract.js';
import { createRowEncoder, type RowError } from './encode.js';

/** The feeds of some rows. */
export interface EncodedFeeds {
  /** Input name → tensor values, every input of the contract, `rows.length` rows each. */
  feeds: Record<string, FeedArray>;
  /** `rows[j]` is the index, in the rows given to encode(), of feed row j (rows with errors are left out). */
  rows: number[];
  /** Why rows were left out (the messages of `mtl serve`). */
  errors: RowError[];
}

/** An encoder of raw rows into an exported model's inputs. */
export interface FeedEncoder {
  readonly contract: ExportContract;
  /** Encode raw rows (objects keyed by column name). Never throws for a bad row: it goes to `errors`. */
  encode(rows: readonly unknown[]): EncodedFeeds;
}

/** Empty feeds (no row encoded) with the contract's input shapes. */
function emptyFeeds(contract: ExportContract): Record<string, FeedArray> {
  const out: Record<string, FeedArray> = {};
  for (const i of contract.inputs) {
    const dims = i.shape.map((d) => (d === 'batch' ? 0 : d));
    out[i.name] = { type: i.type, data: i.type === 'int32' ? new Int32Array(0) : new Float32Array(0), dims };
  }
  return out;
}

/**
 * An encoder for a parsed contract. No I/O: vocabularies come from the contract's inline tokens. Throws
 * MtlError MTL5775 when the contract contradicts itself (an IR whose hash is not `irHash`, inputs that
 * are not the IR's) and MTL5023 when its preprocessing does not fit its IR.
 */
export function createFeedEncoder(contract: ExportContract, file = 'the export contract'): FeedEncoder {
  const bad = (reason: string): never => {
    throw new MtlError(diag('MTL5775', FILE_START, { file, reason }, { file }));
  };
  if (contract.contractVersion !== EXPORT_CONTRACT_VERSION) bad(`its contractVersion is ${String(contract.contractVersion)}, this mtl reads ${EXPORT_CONTRACT_VERSION}`);
  if (irHash(contract.ir) !== contract.irHash) bad('its IR does not hash to its irHash (the file was edited)');
  const expected = modelInputs(contract.ir).map((i) => `${i.name}:${i.type}`).join(',');
  if (contract.inputs.map((i) => `${i.name}:${i.type}`).join(',') !== expected) bad('its inputs are not the inputs of its IR');
  checkState(contract.ir, contract.preprocess);
  const vocabs = new Map<string, Vocabulary>();
  for (const [name, s] of Object.entries(contract.preprocess.features)) {
    if (s.kind !== 'ids' || !s.vocab) continue;
    if (!s.vocab.tokens) bad(`the vocabulary of feature '${name}' is not inline`);
    vocabs.set(s.owner ?? name, { state: s.vocab, rows: vocabRows(s.vocab.tokens!) });
  }
  const encodeRows = createRowEncoder({ ir: contract.ir, preprocess: contract.preprocess, vocabs });
  return {
    contract,
    encode(rows) {
      let feeds = emptyFeeds(contract);
      let order: number[] = [];
      const errors = encodeRows(rows, {}, (batch) => {
        feeds = batchFeedArrays(batch);
        order = Array.from(batch.rowNumbers);
      });
      return { feeds, rows: order, errors };
    },
  };
}

/** Read an export contract file (`model.onnx.json`) and build its encoder. Throws MtlError (MTL5775) for a file that is not one. */
export async function loadFeedEncoder(file: string): Promise<FeedEncoder> {
  let contract: ExportContract;
  try {
    contract = JSON.parse(await fsp.readFile(file, 'utf8')) as ExportContract;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason = err.code === 'ENOENT' ? 'no such file' : err instanceof SyntaxError ? `it is not JSON (${err.message})` : err.message;
    throw new MtlError(diag('MTL5775', FILE_START, { file, reason }, { file: path.resolve(file) }));
  }
  if (typeof contract !== 'object' || contract === null || !contract.ir || !contract.preprocess || !Array.isArray(contract.inputs)) {
    throw new MtlError(diag('MTL5775', FILE_START, { file, reason: 'it has no ir, preprocess and inputs (write it with `mtl export`)' }, { file: path.resolve(file) }));
  }
  return createFeedEncoder(contract, file);
}
