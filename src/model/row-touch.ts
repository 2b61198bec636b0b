/**
 * Memory-level parallelism for the JS embedding loops (the WebAssembly build, and the addon's fallback): rows of
 * large tables are read at random, and between steps the GEMMs evict the page-table entries as well as the rows,
 * so each row costs one or two DRAM round trips (~270 ns per row measured in a training step, 5× a standalone
 * loop's). JS has no prefetch instruction; reading the first value of every row of a block first lets the CPU
 * have the whole block's misses in flight at once, and the loop that follows then finds the rows in cache. The
 * values are the same: only the order of the reads changes. Used by the lookup's gather (7.4 → 3.4 ms per mmoe
 * step on one thread) and the gradient scatter (5.3 → 3.0 ms); the lazy Adam loop, whose arithmetic per row
 * already overlaps the next rows' misses, measured no faster with it (bench/README.md).
 */

/** Rows per block: enough misses to overlap, few enough that the block's rows stay in the L1/L2 caches. */
export const ROW_BLOCK = 32;

/**
 * Read `data[rows[b] · stride]` for b in [b0, b1) and return their sum, which the caller must consume (see
 * {@link keepTouched}) so that the compiler keeps the reads.
 */
export function touchRows(data: Float32Array, stride: number, rows: Int32Array, b0: number, b1: number): number {
  let sum = 0;
  for (let b = b0; b < b1; b++) sum += data[rows[b]! * stride]!;
  return sum;
}

/** {@link touchRows} for an index map (RowGradients' slot of each table row). */
export function touchSlots(slot: Int32Array, rows: Int32Array, b0: number, b1: number): number {
  let sum = 0;
  for (let b = b0; b < b1; b++) sum += slot[rows[b]!]!;
  return sum;
}

let sink = 0;

/** Consume the sums of {@link touchRows}: a store the compiler cannot drop, so the reads stay. */
export function keepTouched(sum: number): void {
  sink = sink === sum ? 0 : sum;
}
