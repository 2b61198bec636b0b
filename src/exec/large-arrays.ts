/**
 * Allocation of the large, randomly accessed arrays of a training run (embedding tables and their sparse
 * optimiser slots): zeroed Float32Arrays whose pages are mapped up front and, on the native backend, backed
 * by transparent huge pages where Linux allows it (the addon's adviseHugePages; THP in `madvise` mode).
 *
 * Why: a step reads and writes ~1000 random rows of each of 26 tables and of their Adam moments. With fresh
 * zero pages every first write to a page faulted (with V = 1e6 that was most rows, ~100 ms of a step, fading
 * only over hundreds of steps); with 4 KiB pages nearly every row access also misses the TLB. The peer's
 * torch.zeros writes its state at allocation too.
 */
import { activeNativeBlas } from './native-blas.js';

/** Arrays below this many bytes are left alone (at most one aligned huge page would fit). */
const HUGE_MIN_BYTES = 4 << 20;

/**
 * A Float32Array of `n` elements, every element `value` (0 by default), its pages mapped now. On the native
 * backend (addon loaded) arrays ≥ 4 MiB are advised to use huge pages before their first write.
 */
export function largeFloat32(n: number, value = 0): Float32Array {
  const a = new Float32Array(n);
  if (n * 4 >= HUGE_MIN_BYTES) {
    const blas = activeNativeBlas();
    blas?.adviseHugePages(a);
  }
  a.fill(value);
  return a;
}

