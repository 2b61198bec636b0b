/**
 * A cheap check that the training rows are in a meaningful order: how much each label's mean changes from
 * one tenth of the training part to another, measured during the preprocessing pass. A file sorted by time
 * (or by label) shows it; rows in random order do not. It matters when the shuffle is bounded
 * (`shuffle_buffer N`): rows then only move within blocks, so such a file trains in nearly its own order.
 *
 * To stay quiet on data in random order, a label counts as drifting only when the change is both large (the
 * tenths' means span more than a quarter of the label's standard deviation) and far beyond sampling noise
 * (some tenth's mean is more than 10 standard errors from the overall mean; chance gives about 3).
 */

/** Rows summed together before the tenths are formed: memory is 16 bytes per label per chunk. */
const CHUNK_ROWS = 256;
/** Fewer rows than this and the check says nothing (tenths too small to compare). */
const MIN_ROWS = 2000;
const MIN_SPAN_IN_STD = 0.25;
const MIN_Z = 10;

/** A label whose mean drifts across the training part. */
export interface LabelDriftFinding {
  label: string;
  /** Mean of the first and of the last tenth of the training rows. */
  first: number;
  last: number;
  /** Smallest and largest mean of a tenth. */
  min: number;
  max: number;
}

/** Collects per-chunk label sums during a pass, then finds drifting labels. */
export class LabelDrift {
  private names: string[] = [];
  private sums: number[][] = [];
  private squares: number[] = [];
  private rows = 0;

  /** Start a pass over rows whose labels are `names` (in the order {@link offer} gives them). */
  begin(names: readonly string[]): void {
    this.names = [...names];
    this.sums = names.map(() => []);
    this.squares = names.map(() => 0);
    this.rows = 0;
  }

  /** Add one valid training row's label values (ordered as in {@link begin}). */
  offer(values: ArrayLike<number>): void {
    const chunk = Math.floor(this.rows / CHUNK_ROWS);
    for (let l = 0; l < this.names.length; l++) {
      const v = values[l]!;
      const s = this.sums[l]!;
      s[chunk] = (s[chunk] ?? 0) + v;
      this.squares[l]! += v * v;
    }
    this.rows++;
  }

  /** The labels that drift strongly across the pass, in label order. */
  findings(): LabelDriftFinding[] {
    const n = this.rows;
    if (n < MIN_ROWS) return [];
    const out: LabelDriftFinding[] = [];
    const chunks = Math.ceil(n / CHUNK_ROWS);
    this.names.forEach((label, l) => {
      const sums = this.sums[l]!;
      let total = 0;
      for (let c = 0; c < chunks; c++) total += sums[c] ?? 0;
      const mean = total / n;
      const variance = Math.max(0, this.squares[l]! / n - mean * mean);
      if (!(variance > 0)) return;
      const std = Math.sqrt(variance);
      // Tenths made of whole chunks (the last chunk may be short: count its rows exactly).
      const means: number[] = [];
      let maxZ = 0;
      for (let t = 0; t < 10; t++) {
        const from = Math.floor((t * chunks) / 10);
        const to = Math.floor(((t + 1) * chunks) / 10);
        let sum = 0;
        for (let c = from; c < to; c++) sum += sums[c] ?? 0;
        const rows = Math.min(to * CHUNK_ROWS, n) - from * CHUNK_ROWS;
        if (rows <= 0) continue;
        const m = sum / rows;
        means.push(m);
        maxZ = Math.max(maxZ, Math.abs(m - mean) / (std / Math.sqrt(rows)));
      }
      const min = Math.min(...means);
      const max = Math.max(...means);
      if (max - min > MIN_SPAN_IN_STD * std && maxZ > MIN_Z) out.push({ label, first: means[0]!, last: means[means.length - 1]!, min, max });
    });
    return out;
  }
}
