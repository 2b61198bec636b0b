/**
 * Streaming preprocessed batches: records from the source, filtered to the requested part of the
 * deterministic split, optionally shuffled through a seeded buffer, encoded with the fitted state.
 */
import type { ModelIR } from '../../ir/types.js';
import type { Batch } from './types.js';
import { makePlan } from './plan.js';
import { openSource, type Cell } from './source.js';
import { RowProblem } from './problems.js';
import { checkState, RowErrors } from './pass.js';
import { BatchBuilder, type OovCounter } from './encode.js';
import { inPart, type Part } from './split.js';
import { shuffledBatches } from './shuffle.js';
import { mixSeeds, Rng } from './prng.js';
import { loadVocab, type Vocabulary } from './vocab.js';
import type { IdsFeatureState, PreprocessState } from './state.js';
import type { DataOptions, DataRef } from './ref.js';

/** Options of {@link readBatches}. */
export interface ReadOptions extends DataOptions {
  batchSize: number;
  /** 'train'/'valid': the deterministic split of `data`; 'all': every row (a separate validation file, predict). */
  part: Part;
  validSplit: number;
  seed: number;
  /** Shuffle within blocks of 32 batches (seeded by `seed` and `epoch`). */
  shuffle?: boolean;
  epoch?: number;
  /** Read and check labels and group-by columns (default true; predict sets false: labels and groups are then empty). */
  needLabels?: boolean;
}

/** Rows in a shuffle block: 32 batches, at most ~262,144 rows (bounded memory for huge batches), a multiple of the batch size. */
export function shuffleCapacity(batchSize: number): number {
  return Math.max(1, Math.floor(Math.min(32 * batchSize, 1 << 18) / batchSize)) * batchSize;
}

/** Vocabularies of the state's `vocab "FILE"` tables, by owner (also loaded by the scoring library, src/serve). */
export async function stateVocabs(state: PreprocessState, baseDir: string): Promise<Map<string, Vocabulary>> {
  const vocabs = new Map<string, Vocabulary>();
  for (const [name, s] of Object.entries(state.features)) {
    if (s.kind !== 'ids' || !s.vocab) continue;
    vocabs.set((s as IdsFeatureState).owner ?? name, await loadVocab(baseDir, s.vocab, name));
  }
  return vocabs;
}

/** Stream preprocessed batches (the last one may be smaller). Throws MtlError on bad data (unless skipping). */
export async function* readBatches(ir: ModelIR, state: PreprocessState, data: DataRef, opts: ReadOptions): AsyncGenerator<Batch> {
  checkState(ir, state);
  const batchSize = Math.max(1, Math.floor(opts.batchSize));
  const plan = makePlan(ir, opts.needLabels ?? true);
  const vocabs = await stateVocabs(state, opts.baseDir);
  const source = await openSource(data, plan.wanted);
  const counters: OovCounter[] = [];
  // When shuffling, the builder fills a whole block, which is then permuted and cut into batches.
  const capacity = opts.shuffle ? shuffleCapacity(batchSize) : batchSize;
  const builder = new BatchBuilder(plan, state, vocabs, source.colIndex, capacity, counters);
  const errors = new RowErrors(source, opts.skipBadRows === true);
  const rng = opts.shuffle ? new Rng(mixSeeds(opts.seed, opts.epoch ?? 0)) : undefined;
  let ordinal = 0;

  for await (const chunk of source.chunks) {
    const { rows, lines } = chunk;
    for (let r = 0; r < rows.length; r++) {
      const rec = rows[r]!;
      if (!inPart(opts.part, ordinal++, opts.seed, opts.validSplit)) continue;
      if (rec instanceof RowProblem) {
        errors.report(rec, null, lines[r]!);
        continue;
      }
      try {
        builder.add(rec as Cell[], lines[r]!);
      } catch (e) {
        errors.report(e, rec as Cell[], lines[r]!);
        continue;
      }
      if (builder.length === capacity) {
        if (rng) yield* shuffledBatches(builder.take(), batchSize, rng);
        else yield builder.take();
      }
    }
  }
  if (builder.length > 0) {
    if (rng) yield* shuffledBatches(builder.take(), batchSize, rng);
    else yield builder.take();
  }
  errors.finish(opts, counters);
}
