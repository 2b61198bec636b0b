/**
 * The streaming shuffle of a bounded buffer (`shuffle_buffer N`, docs/data.md "Shuffling"): a uniform
 * per-epoch shuffle of a training part larger than memory, holding about N encoded rows at a time.
 *
 * Two phases per epoch (a "scatter-gather" external shuffle):
 * 1. scatter: as encoded blocks of N rows arrive in file order, each row goes to one of K = ⌈rows / N⌉
 *    buckets drawn at random; each block's rows of one bucket are appended to a temporary file as one piece.
 * 2. gather: bucket after bucket, its pieces are read back (about N rows), permuted together and cut into
 *    batches; the rows short of a whole batch are carried into the next bucket, so every batch but the last
 *    of the epoch is full, as with the in-memory shuffle.
 *
 * Every row lands in a uniformly random bucket and at a uniformly random place within it, so the training
 * position of a row does not depend on its position in the file (the Spearman test in
 * test/data/shuffle.test.ts and data-files.test.ts), unlike shuffling within blocks of consecutive rows. Cost: the encoded
 * rows are written and read once per epoch (a few bytes per feature and row, in os.tmpdir(); TMPDIR moves it).
 * The order depends only on the rng (seeded by the seed and the epoch) and the data, so a resumed epoch
 * replays it.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FILE_START } from '../diagnostics/types.js';
import { diag } from '../diagnostics/catalog.js';
import { MtlError } from '../diagnostics/error.js';
import type { Batch } from './types.js';
import type { Rng } from './prng.js';
import { concatBatches, decodeBatch, encodeBatch } from './batch-codec.js';
import { gatherRows, permutation } from './shuffle.js';

/** A piece of a bucket in the temporary file. */
interface Piece {
  offset: number;
  length: number;
}

/** One epoch's streaming shuffle: {@link add} blocks in file order, then {@link drain} the batches; {@link close} always. */
export class SpillShuffle {
  private readonly dir: string;
  private readonly fd: number;
  private offset = 0;
  private readonly buckets: Piece[][];
  private template: Batch | undefined;

  /** `buckets`: how many the rows are spread over (the part's rows / the buffer's). Throws MTL5084 when the file cannot be created. */
  constructor(
    buckets: number,
    private readonly rng: Rng,
  ) {
    this.buckets = Array.from({ length: Math.max(1, buckets) }, () => []);
    const base = tmpdir();
    try {
      this.dir = mkdtempSync(path.join(base, 'mtl-shuffle-'));
      this.fd = openSync(path.join(this.dir, 'rows.bin'), 'w+', 0o600);
    } catch (e) {
      throw spillError(base, e);
    }
  }

  /** Scatter the rows of `block` over the buckets. Throws MTL5084 when the file cannot be written (e.g. no space left). */
  add(block: Batch): void {
    this.template ??= block;
    const k = this.buckets.length;
    const of = new Uint32Array(block.size);
    const counts = new Uint32Array(k + 1);
    for (let i = 0; i < block.size; i++) counts[(of[i] = this.rng.int(k)) + 1]!++;
    for (let b = 0; b < k; b++) counts[b + 1]! += counts[b]!;
    // Counting sort of row indices by bucket: rows of bucket b are idx[counts[b] .. counts[b+1]).
    const idx = new Uint32Array(block.size);
    const fill = counts.slice(0, k);
    for (let i = 0; i < block.size; i++) idx[fill[of[i]!]!++] = i;
    for (let b = 0; b < k; b++) {
      if (counts[b + 1] === counts[b]) continue;
      const bytes = encodeBatch(gatherRows({ blocks: [block], blockRows: block.size }, idx.subarray(counts[b]!, counts[b + 1]!)));
      try {
        let done = 0;
        while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, this.offset + done);
      } catch (e) {
        throw spillError(this.dir, e);
      }
      this.buckets[b]!.push({ offset: this.offset, length: bytes.length });
      this.offset += bytes.length;
    }
  }

  /** The scattered rows in their shuffled order, in batches of `batchSize` (the last may be smaller). */
  *drain(batchSize: number): Generator<Batch> {
    if (!this.template) return;
    let carry: Batch | undefined;
    for (let b = 0; b < this.buckets.length; b++) {
      const parts = this.buckets[b]!.map((p) => decodeBatch(this.read(p), this.template!));
      this.buckets[b] = [];
      if (carry) parts.unshift(carry);
      carry = undefined;
      if (parts.length === 0) continue;
      const rows = concatBatches(parts);
      const perm = permutation(rows.size, this.rng);
      const last = b === this.buckets.length - 1;
      const whole = last ? rows.size : rows.size - (rows.size % batchSize);
      const blocks = { blocks: [rows], blockRows: rows.size };
      for (let start = 0; start < whole; start += batchSize) yield gatherRows(blocks, perm.subarray(start, Math.min(start + batchSize, whole)));
      if (whole < rows.size) carry = gatherRows(blocks, perm.subarray(whole));
    }
  }

  private read(p: Piece): Buffer {
    const buf = Buffer.alloc(p.length);
    let done = 0;
    while (done < p.length) {
      const n = readSync(this.fd, buf, done, p.length - done, p.offset + done);
      if (n === 0) break;
      done += n;
    }
    return buf;
  }

  /** Remove the temporary file (idempotent). */
  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function spillError(dir: string, e: unknown): MtlError {
  const code = (e as NodeJS.ErrnoException).code;
  const reason = code === 'ENOSPC' ? 'no space left on the device' : code === 'EACCES' ? 'permission denied' : code === 'ENOENT' ? 'no such folder' : (e as Error).message;
  return new MtlError(diag('MTL5084', FILE_START, { dir, reason }));
}
