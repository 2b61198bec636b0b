/**
 * `mtl/serve`: scoring trained mtl model directories from JavaScript.
 *
 *   import { loadModel } from 'mtl/serve';
 *   const model = await loadModel('runs/esmm');
 *   const { predictions, errors } = model.score([{ user_id: 'u1', item_id: 'i9', price: 12.5 }]);
 *
 * `createScorer` is the I/O-free core (src/serve/score.ts) for hosts that load the model files themselves;
 * `model.scoreRows(rows)` and `createRowScorer` give the scores as columns (`ScoredRows`), without an object per row.
 * `loadFeedEncoder('model.onnx.json')` encodes raw rows into the inputs of a model written by
 * `mtl export --format onnx|torchscript` (for ONNX Runtime), from its contract file alone.
 */
export { loadModel, type LoadModelOptions, type ServingModel } from './load.js';
export { createScorer, createRowScorer, ScoredRows, type RawRow, type RowError, type RowScorer, type ScoreOptions, type ScoreResult, type ScorerParts } from './score.js';
export { servingContract, type ContractFeature, type ServingContract } from './contract.js';
export { createFeedEncoder, loadFeedEncoder, type EncodedFeeds, type FeedEncoder } from './feed-encoder.js';
export type { ExportContract, ExportInput, ExportOutput } from './export-contract.js';
export type { FeedArray } from '../data/feeds.js';
