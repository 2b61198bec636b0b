/**
 * How many rows the training shuffle holds (the spec's `shuffle_buffer`, docs/data.md "Shuffling"). The
 * default, `all`, keeps the whole encoded training part in memory and permutes it every epoch, which is
 * right whatever order the file is in (a file sorted by time is the common trap). When that would take
 * more than a quarter of the machine's memory, the buffer is bounded to what fits and the caller warns:
 * the part then streams through a temporary file as with an explicit `shuffle_buffer N` (spill-shuffle.ts).
 */
import * as os from 'node:os';
import type { ModelIR } from '../ir/types.js';
import { makePlan } from './plan.js';

/** A conservative size of one group-by string value held in memory (V8 string header plus a short id). */
const GROUP_VALUE_BYTES = 64;

/** Bytes one encoded training row takes in memory: its features, labels, group-by values and row number. */
export function encodedRowBytes(ir: ModelIR): number {
  const plan = makePlan(ir, true);
  let bytes = 4; // the row number
  for (const fp of plan.features) bytes += fp.feature.kind === 'sequence' ? 8 * Math.max(1, fp.feature.maxLen) : 4;
  bytes += 4 * (plan.labels.length + plan.weights.length) + GROUP_VALUE_BYTES * plan.groups.length;
  return bytes;
}

/** The memory the whole training part may take when held for shuffling: a quarter of the machine's. */
export function heldShuffleBudget(): number {
  return Math.floor(os.totalmem() / 4);
}

/** The resolved buffer: its size in rows (Infinity: the whole part), and whether `all` had to be bounded. */
export interface ShufflePlan {
  rows: number;
  /** Set when `all` was asked for (or defaulted) but the part does not fit the budget. */
  bounded?: { partRows: number; partBytes: number };
}

/**
 * The shuffle buffer for a training part of `partRows` rows of `rowBytes` bytes each: an explicit row count
 * as given; `all` as the whole part when it fits `budget` bytes, else as many rows as do.
 */
export function shufflePlan(setting: 'all' | number | undefined, partRows: number, rowBytes: number, budget: number): ShufflePlan {
  if (typeof setting === 'number') return { rows: setting };
  const partBytes = partRows * rowBytes;
  if (partBytes <= budget) return { rows: Infinity };
  return { rows: Math.max(1, Math.floor(budget / rowBytes)), bounded: { partRows, partBytes } };
}
