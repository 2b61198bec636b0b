/**
 * Accumulates gradients of one embedding table by row, summing duplicates, in O(touched rows × dim):
 * a per-table slot index (rows entries, reset after each step) maps a row to its place in a growable buffer.
 */
import { activeNativeBlas } from '../exec/native-blas.js';
import { keepTouched, ROW_BLOCK, touchSlots } from './row-touch.js';

/** Pending per-row gradients of one table. */
export class RowGradients {
  private readonly slot: Int32Array;
  private touched: Int32Array;
  private buffer: Float32Array;
  private count = 0;

  constructor(
    rows: number,
    private readonly dim: number,
  ) {
    this.slot = new Int32Array(rows).fill(-1);
    this.touched = new Int32Array(64);
    this.buffer = new Float32Array(64 * dim);
  }

  /** Make room for `rows` touched rows (doubling). */
  private reserve(rows: number): void {
    if (rows <= this.touched.length) return;
    let cap = this.touched.length * 2;
    while (cap < rows) cap *= 2;
    const touched = new Int32Array(cap);
    touched.set(this.touched);
    this.touched = touched;
    const buf = new Float32Array(cap * this.dim);
    buf.set(this.buffer);
    this.buffer = buf;
  }

  private offsetOf(row: number): number {
    let s = this.slot[row]!;
    if (s < 0) {
      if (this.count === this.touched.length) this.reserve(this.count + 1);
      s = this.count++;
      this.slot[row] = s;
      this.touched[s] = row;
      this.buffer.fill(0, s * this.dim, s * this.dim + this.dim);
    }
    return s * this.dim;
  }

  /** Add `scale × source[offset .. offset + dim)` to the gradient of `row`. */
  addRow(row: number, source: Float32Array, offset: number, scale: number): void {
    const o = this.offsetOf(row);
    for (let d = 0; d < this.dim; d++) this.buffer[o + d] += scale * source[offset + d]!;
  }

  /**
   * addRow(rows[b], source, b·dim, 1) for every b: one example's gradient per row. On the native backend
   * the addon does it (the same float32 additions in the same order).
   */
  addRows(rows: Int32Array, source: Float32Array): void {
    const native = activeNativeBlas();
    if (native && source.length >= rows.length * this.dim) {
      this.reserve(this.count + rows.length);
      this.count = native.scatterRows(this.slot, this.touched, this.count, this.buffer, this.dim, rows, source);
      return;
    }
    // blocks of rows whose slots are touched first (./row-touch.ts): the slot map is as large as the table
    let touched = 0;
    for (let b0 = 0; b0 < rows.length; b0 += ROW_BLOCK) {
      const b1 = Math.min(rows.length, b0 + ROW_BLOCK);
      touched += touchSlots(this.slot, rows, b0, b1);
      for (let b = b0; b < b1; b++) this.addRow(rows[b]!, source, b * this.dim, 1);
    }
    keepTouched(touched);
  }

  /** Add `value` to component `d` of the gradient of `row`. */
  addComponent(row: number, d: number, value: number): void {
    this.buffer[this.offsetOf(row) + d] += value;
  }

  /**
   * The touched rows (unique, in first-touch order) and their summed gradients; clears the accumulator. The
   * arrays are views of this accumulator's buffers, not copies (a step took ~1–4 ms copying them): they stay
   * valid until the next add, so use them (the optimiser update) before this table's next backward pass.
   */
  take(): { rows: Int32Array; grads: Float32Array } {
    const rows = this.touched.subarray(0, this.count);
    const grads = this.buffer.subarray(0, this.count * this.dim);
    // random rows of a table-sized map: the addon keeps several stores in flight (a cache miss each in JS)
    const native = activeNativeBlas();
    if (native) native.clearSlots(this.slot, rows);
    else for (let i = 0; i < this.count; i++) this.slot[rows[i]!] = -1;
    this.count = 0;
    return { rows, grads };
  }
}
