/**
 * A uniform sample of the training part's labels, drawn during the preprocessing pass (reservoir sampling,
 * Algorithm R, seeded). The towers' output biases start at base rates estimated from it (tower-priors.ts):
 * a sample of the whole part, not its first rows, so a file sorted by time or by label gives the overall
 * rate. Labels only (a few floats per row), so the sample costs little memory.
 */
import { mixSeeds, Rng } from './prng.js';

/** The label values of the sampled rows, by label name, as a batch's `labels` (see tower-priors.ts). */
export interface LabelSampleRows {
  size: number;
  labels: Record<string, Float32Array>;
}

/** A seeded reservoir of up to `capacity` rows of label values. */
export class LabelReservoir {
  private names: string[] = [];
  private columns: Float32Array[] = [];
  private seen = 0;
  private readonly rng: Rng;

  constructor(
    readonly capacity: number,
    seed: number,
  ) {
    // A stream of its own (not the split's or the shuffle's), so sampling never shifts another draw.
    this.rng = new Rng(mixSeeds(seed, 0x6c61626c));
  }

  /** Start a pass over rows whose labels are `names` (in the order {@link offer} gives them). */
  begin(names: readonly string[]): void {
    this.names = [...names];
    this.columns = names.map(() => new Float32Array(this.capacity));
    this.seen = 0;
  }

  /** Offer one valid row's label values (ordered as in {@link begin}); kept with probability capacity / rows seen. */
  offer(values: ArrayLike<number>): void {
    const t = this.seen++;
    const slot = t < this.capacity ? t : this.rng.int(t + 1);
    if (slot >= this.capacity) return;
    for (let l = 0; l < this.columns.length; l++) this.columns[l]![slot] = values[l]!;
  }

  /** The sampled rows. */
  rows(): LabelSampleRows {
    const size = Math.min(this.seen, this.capacity);
    const labels: Record<string, Float32Array> = {};
    this.names.forEach((n, l) => (labels[n] = this.columns[l]!.subarray(0, size)));
    return { size, labels };
  }
}
