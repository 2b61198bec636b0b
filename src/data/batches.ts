/**
 * Streaming preprocessed batches: records from the source, filtered to the requested part of the
 * deterministic split, encoded with the fitted state, optionally shuffled: over the whole part held in
 * memory (shuffle.ts), or through a temporary file holding about a bounded number of rows at a time
 * (`shuffle_buffer N`, spill-shuffle.ts). Both are uniform over the whole part.
 */
import type { ModelIR } from '../ir/types.js';
import type { Batch } from './types.js';
import { makePlan } from './plan.js';
import { openSource, type Cell } from './source.js';
import { RowProblem } from './problems.js';
import { checkState, RowErrors } from './pass.js';
import { BatchBuilder, type PassCounter } from './encode.js';
import { inPart, type Part } from './split.js';
import { shuffledBatches } from './shuffle.js';
import { SpillShuffle } from './spill-shuffle.js';
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
  /** Shuffle the rows (seeded by `seed` and `epoch`). */
  shuffle?: boolean;
  /**
   * Rows of the shuffle buffer: the whole part is held and permuted when undefined or Infinity; else the
   * part streams through a temporary file in buckets of about this many rows (rounded up to a multiple of
   * the batch size), see spill-shuffle.ts.
   */
  shuffleRows?: number;
  /**
   * Rows of the part, which the streaming shuffle spreads over ⌈partRows / shuffleRows⌉ buckets (default:
   * the fitted state's count, which is another data set's after `--init`).
   */
  partRows?: number;
  epoch?: number;
  /** Read and check labels and group-by columns (default true; predict sets false: labels and groups are then empty). */
  needLabels?: boolean;
  /**
   * Stop reading once aborted, ending the stream early: the caller must then treat the pass as interrupted.
   * (Holding the whole part, an epoch's first batch comes only after the whole file is read: Ctrl-C must not wait for that.)
   */
  signal?: AbortSignal;
}

/** Rows encoded per block when the whole part is held: big enough to amortise, small enough to waste little in the last. */
const HELD_BLOCK_ROWS = 1 << 16;

/** Rows of one shuffle block of a bounded buffer: `rows` rounded up to a multiple of the batch size (so batches do not straddle blocks). */
export function shuffleCapacity(batchSize: number, rows: number): number {
  return Math.max(1, Math.ceil(rows / batchSize)) * batchSize;
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
  const rng = opts.shuffle ? new Rng(mixSeeds(opts.seed, opts.epoch ?? 0)) : undefined;
  // A bounded buffer spreads the part over as many buckets as it has buffers' worth of rows; the temporary
  // file goes when the stream ends, also early (an error, Ctrl-C, a consumer that stops).
  const bounded = opts.shuffleRows !== undefined && Number.isFinite(opts.shuffleRows);
  const partRows = opts.partRows ?? state.rowsSeen + state.rowsSkipped;
  const spill = rng && bounded ? new SpillShuffle(Math.ceil(partRows / shuffleCapacity(batchRows(opts), opts.shuffleRows!)), rng) : undefined;
  try {
    yield* encodedBatches(ir, state, data, opts, rng, spill);
  } finally {
    spill?.close();
  }
}

/** The batch size asked for, as a whole number of rows (at least 1). */
function batchRows(opts: ReadOptions): number {
  return Math.max(1, Math.floor(opts.batchSize));
}

/** The body of {@link readBatches}: read, split, encode, and shuffle in memory (`held`) or through `spill`. */
async function* encodedBatches(ir: ModelIR, state: PreprocessState, data: DataRef, opts: ReadOptions, rng: Rng | undefined, spill: SpillShuffle | undefined): AsyncGenerator<Batch> {
  checkState(ir, state);
  const batchSize = batchRows(opts);
  const plan = makePlan(ir, opts.needLabels ?? true);
  const vocabs = await stateVocabs(state, opts.baseDir);
  const source = await openSource(data, plan.wanted);
  const counters: PassCounter[] = [];
  // When shuffling, the builder fills blocks of encoded rows: with a bounded buffer each block is scattered
  // over the temporary file's buckets as soon as it is full; holding the whole part, the blocks are kept
  // until the end. Either way one permutation per epoch, uniform over every row whatever the file order.
  const bounded = opts.shuffleRows !== undefined && Number.isFinite(opts.shuffleRows);
  const capacity = !opts.shuffle ? batchSize : bounded ? shuffleCapacity(batchSize, opts.shuffleRows!) : HELD_BLOCK_ROWS;
  const builder = new BatchBuilder(plan, state, vocabs, source.colIndex, capacity, counters);
  const errors = new RowErrors(source, opts.skipBadRows === true, opts.part, opts.validSplit);
  const held: Batch[] = [];
  // A full block: scattered (bounded), kept (whole part), or a batch as it is (no shuffle).
  function* flush(block: Batch): Generator<Batch> {
    if (!rng) yield block;
    else if (spill) spill.add(block);
    else held.push(block);
  }
  let ordinal = 0;

  for await (const chunk of source.chunks) {
    if (opts.signal?.aborted) return;
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
      if (builder.length === capacity) yield* flush(builder.take());
    }
  }
  if (builder.length > 0) yield* flush(builder.take());
  if (held.length > 0) yield* shuffledBatches({ blocks: held.splice(0), blockRows: capacity }, batchSize, rng!);
  if (spill) yield* spill.drain(batchSize);
  errors.finish(opts, counters);
}
