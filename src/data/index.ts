/**
 * Data reading and preprocessing: the public entry points (see the module files for the details).
 * - {@link fitPreprocessor}: one pass over the training part → {@link PreprocessState} (JSON).
 * - {@link readBatches}: streamed, preprocessed {@link Batch}es of a part of the data.
 * - built-in data ({@link SYNTH_GENERATORS}, {@link writeSynthCsv}) and the stable id hash ({@link fnv1a32}).
 */
export type { DataRef, DataOptions } from './ref.js';
export type { Batch, FeatureColumn } from './types.js';
export type { PreprocessState, FeatureState, IdsFeatureState, NumericFeatureState, VocabState, LabelState } from './state.js';
export { PREPROCESS_STATE_VERSION, MAX_INLINE_TOKENS, tableSizes } from './state.js';
export { fitPreprocessor, type FitOptions } from './preprocess.js';
export { readBatches, type ReadOptions } from './batches.js';
export { SYNTH_GENERATORS, synthGenerator, writeSynthCsv, type SynthGenerator } from './synth.js';
export { fnv1a32, hashRow, HASH_TEST_VECTORS } from './hash.js';
export { isValidationRow, type Part } from './split.js';
export { MISSING_TOKENS } from './values.js';
